"""Which person records are the same individual.

The two systems hold several records for one individual: CMS has one nominal per individual;
Connect has a record per individual created from the CMS nominal (it carries the `Legacy Nominal
No`), and sometimes a duplicate created at a new crime, tied to the others only by the PNC ID.
Records that share a nominal number or a PNC ID are one individual: the connected components of
the graph whose nodes are record keys and PNC IDs.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def _text(values) -> pa.Array:
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return array if isinstance(array, pa.Array) else pa.array(array, type=pa.string())


def resolve_individuals(person_keys, legacy_person_keys, pnc_ids, other_keys=None) -> tuple[pa.Array, pa.Array]:
    """Each person row's individual ID, and each of `other_keys`' (a charge's person).

    `person_keys`, `legacy_person_keys` and `pnc_ids` are aligned, one entry per person row: the
    row's own record key (`CMS:408657`, `Connect:PER7004775`), the key of the older system's
    record it was created from (or null) and its normalised PNC ID (or null). A key seen only in
    `other_keys` is an individual of its own. The individual ID is one of the individual's record
    keys, the same from run to run on the same files.
    """
    own = _text(person_keys)
    legacy = _text(legacy_person_keys)
    pnc = pc.binary_join_element_wise(pa.scalar("PNC:"), _text(pnc_ids), "")
    extra = _text(other_keys) if other_keys is not None else pa.array([], pa.string())
    n_own, n_extra = len(own), len(extra)

    # one integer per distinct node (record key or PNC ID), by dictionary encoding everything once
    encoded = pc.dictionary_encode(pa.concat_arrays([own, legacy, pnc, extra]))
    names, codes = encoded.dictionary, encoded.indices
    own_code = codes.slice(0, n_own).to_numpy(zero_copy_only=False)
    extra_code = codes.slice(3 * n_own, n_extra).to_numpy(zero_copy_only=False)

    sources, targets = [], []
    for linked in (codes.slice(n_own, n_own), codes.slice(2 * n_own, n_own)):  # legacy key, PNC ID
        valid = pc.is_valid(linked).to_numpy(zero_copy_only=False)
        sources.append(own_code[valid])
        targets.append(pc.filter(linked, pa.array(valid)).to_numpy(zero_copy_only=False))
    a, b = np.concatenate(sources), np.concatenate(targets)
    n_nodes = len(names)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n_nodes, n_nodes))
    _, component = connected_components(graph, directed=False)

    # name each component by its first record key in file order (a PNC ID is not a record key):
    # dictionary codes follow first appearance, so the same files give the same names
    code = np.arange(n_nodes, dtype=np.int64)
    code[pc.starts_with(names, "PNC:").to_numpy(zero_copy_only=False)] = n_nodes
    order = np.argsort(component, kind="stable")
    starts = np.flatnonzero(np.diff(component[order], prepend=-1))
    first = np.minimum.reduceat(code[order], starts)
    individual = pc.take(names, pa.array(first))  # one per component (a lone PNC ID's is never used)
    individual_of_node = pc.take(individual, pa.array(component))
    return pc.take(individual_of_node, pa.array(own_code)), pc.take(individual_of_node, pa.array(extra_code))
