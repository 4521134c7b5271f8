"""Which person records are the same individual.

The two systems hold several records for one individual: CMS has one nominal per individual;
Connect has a record per individual created from the CMS nominal (it carries the `Legacy Nominal
No`), and sometimes a duplicate created at a new crime, tied to the others only by the PNC ID.
Records that share a nominal number or a PNC ID are one individual: the connected components of
the graph whose nodes are record keys and PNC IDs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def _text(values) -> pa.Array:
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return array if isinstance(array, pa.Array) else pa.array(array, type=pa.string())


@dataclass(frozen=True)
class Individuals:
    """Who is who: an individual ID per person row and per charge, and counts for data quality."""

    of_people: pa.Array  # aligned with the person rows
    of_others: pa.Array  # aligned with `other_keys`
    person_records: int  # distinct person records
    individuals: int  # distinct individuals among the person rows
    others_without_record: int  # `other_keys` entries with no person row


def resolve_individuals(person_keys, legacy_person_keys, pnc_ids, other_keys=None) -> Individuals:
    """Each person row's individual ID, and each of `other_keys`' (a charge's person).

    `person_keys`, `legacy_person_keys` and `pnc_ids` are aligned, one entry per person row: the
    row's own record key (`CMS:408657`, `Connect:PER7004775`), the key of the older system's
    record it was created from (or null) and its normalised PNC ID (or null). A key seen only in
    `other_keys` is an individual of its own. The individual ID is one of the individual's record
    keys, the same from run to run on the same files.
    """
    own = _text(person_keys)
    extra = _text(other_keys) if other_keys is not None else pa.array([], pa.string())
    links = []  # (row of `own`, linked node) for each legacy key and PNC ID given
    for linked in (_text(legacy_person_keys), pc.binary_join_element_wise(pa.scalar("PNC:"), _text(pnc_ids), "")):
        rows = pc.indices_nonzero(pc.is_valid(linked))
        links.append((rows.to_numpy(), pc.take(linked, rows)))

    # one integer per distinct node (record key or PNC ID), by dictionary encoding everything once
    encoded = pc.dictionary_encode(pa.concat_arrays([own, extra, *(nodes for _, nodes in links)]))
    names, codes = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
    own_code, extra_code = codes[: len(own)], codes[len(own) : len(own) + len(extra)]
    offset = len(own) + len(extra)
    a, b = [], []
    for rows, nodes in links:
        a.append(own_code[rows])
        b.append(codes[offset : offset + len(nodes)])
        offset += len(nodes)
    a, b = np.concatenate(a), np.concatenate(b)
    n_nodes = len(names)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n_nodes, n_nodes))
    _, component = connected_components(graph, directed=False)

    # name each component by its first record key in file order (a PNC ID is not a record key):
    # dictionary codes follow first appearance, so the same files give the same names.
    # (Counting and first-of-group with bincount and minimum.at: np.unique sorts, and is slow.)
    code = np.arange(n_nodes, dtype=np.int64)
    code[pc.starts_with(names, "PNC:").to_numpy(zero_copy_only=False)] = n_nodes
    first = np.full(component.max() + 1 if n_nodes else 0, n_nodes, dtype=np.int64)
    np.minimum.at(first, component, code)
    # a lone PNC ID's component has no record key, and its name is never used
    individual = pc.take(names, pa.array(np.minimum(first, n_nodes - 1)))
    own_component = component[own_code]
    is_own = np.zeros(n_nodes, dtype=bool)
    is_own[own_code] = True
    return Individuals(
        of_people=pc.take(individual, pa.array(own_component)),
        of_others=pc.take(individual, pa.array(component[extra_code])),
        person_records=int(is_own.sum()),
        individuals=int(np.count_nonzero(np.bincount(own_component))) if len(own_component) else 0,
        others_without_record=int((~is_own[extra_code]).sum()),
    )
