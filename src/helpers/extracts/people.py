"""Which person records are the same individual.

The systems hold several records for one individual: an older system one person number per
individual; a newer one a record per individual created from the older system's (it carries that
legacy person reference), and sometimes a duplicate created at a new crime, tied to the others only
by the PNC ID. Records that share a person reference (through their legacy references) or a PNC
ID are one individual: the connected components of the graph whose nodes are record keys and PNC
IDs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def _chunks(values) -> list[pa.Array]:
    """Text values as a list of Arrow chunks (no copy of an Arrow array or chunked array)."""
    if isinstance(values, pa.ChunkedArray):
        return [chunk.cast(pa.string()) for chunk in values.chunks]
    if isinstance(values, pa.Array):
        return [values.cast(pa.string())]
    return [pa.array(list(values), type=pa.string())]


def _codes(chunks: list[pa.Array]) -> np.ndarray:
    """The dictionary codes of a dictionary-encoded chunked array's chunks (int32), -1 for null."""
    if not chunks:
        return np.zeros(0, dtype=np.int32)
    indices = pa.chunked_array([chunk.indices for chunk in chunks]).combine_chunks()
    return pc.fill_null(indices, -1).to_numpy(zero_copy_only=False)


@dataclass(frozen=True)
class Individuals:
    """Who is who: an individual ID per person row and per charge, and counts for data quality."""

    of_people: pa.DictionaryArray  # aligned with the person rows
    of_others: pa.Array  # aligned with `other_keys`
    person_records: int  # distinct person records
    individuals: int  # distinct individuals among the person rows
    others_without_record: int  # `other_keys` entries with no person row

    @property
    def counts(self) -> IndividualCounts:
        return IndividualCounts(self.person_records, self.individuals, self.others_without_record)


@dataclass(frozen=True)
class IndividualCounts:
    """Who is who, counted for the data-quality section (`Individuals`' counts)."""

    person_records: int
    individuals: int
    others_without_record: int


def connected_components(n_nodes: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each node's component (0, 1, ... in order of the components' smallest nodes: the labels
    scipy's `connected_components` gives) in the undirected graph of edges `a[i]`-`b[i]`.

    Union by the smaller root, a round over all the edges at a time: each round hooks the larger
    root of every edge whose ends are still apart under the smaller (`minimum.at`: of several,
    the smallest wins), then points every node at its root (pointer jumping). A round
    leaves fewer roots while an edge joins two; edges within one component are dropped. The
    components of person records are small (a few records and PNC IDs), so two or three rounds
    do: faster than scipy's, and without its import, on the cache build's longest path
    (docs/performance.md)."""
    parent = np.arange(n_nodes, dtype=np.int64)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    while len(a):
        root_a, root_b = parent[a], parent[b]
        apart = root_a != root_b
        a, b, root_a, root_b = a[apart], b[apart], root_a[apart], root_b[apart]
        if not len(a):
            break
        np.minimum.at(parent, np.maximum(root_a, root_b), np.minimum(root_a, root_b))
        while not np.array_equal(up := parent[parent], parent):
            parent = up
    # a root is its component's smallest node (a root is only ever hooked under a smaller one)
    is_root = parent == np.arange(n_nodes)
    return (np.cumsum(is_root) - 1)[parent]


def resolve_individuals(person_keys, legacy_person_keys, pnc_ids, other_keys=None) -> Individuals:
    """Each person row's individual ID, and each of `other_keys`' (a charge's person).

    `person_keys`, `legacy_person_keys` and `pnc_ids` are aligned, one entry per person row: the
    row's own record key (`SYSTEM:reference`: `A:408657`, `B:PER7004775`), the key of the older
    system's record it was created from (or null) and its normalised PNC ID (or null). A key seen
    only in `other_keys` is an individual of its own. The individual ID is one of the individual's
    record keys, the same from run to run on the same files.
    """
    # every node (record key or PNC ID) an integer: record keys by one dictionary encoding over
    # all their chunks as they are (no concatenated copy), PNC IDs by another, in a second thread
    # (Arrow hashes outside Python's lock), numbered after the keys. Record keys are `SYSTEM:ref`;
    # a normalised PNC ID (`00/448754A`) has no colon, so the two can never be equal. The numbers
    # are those one encoding of keys then PNC IDs would give: in order of first appearance.
    parts = [
        _chunks(person_keys),
        _chunks(other_keys) if other_keys is not None else [],
        _chunks(legacy_person_keys),
    ]
    with ThreadPoolExecutor(1) as pool:
        pnc_job = pool.submit(
            pc.dictionary_encode, pa.chunked_array(_chunks(pnc_ids), type=pa.string())
        )
        keys = pc.dictionary_encode(
            pa.chunked_array([chunk for part in parts for chunk in part], type=pa.string())
        )
        pncs = pnc_job.result()
    codes = _codes(keys.chunks)  # chunks out need not match chunks in: split by length
    ends = np.cumsum([0] + [sum(len(chunk) for chunk in part) for part in parts])
    own_code, extra_code, legacy_code = (codes[ends[i] : ends[i + 1]] for i in range(3))
    key_names = keys.chunks[-1].dictionary if keys.num_chunks else pa.array([], pa.string())
    pnc_code = _codes(pncs.chunks)
    pnc_code = np.where(pnc_code >= 0, pnc_code + len(key_names), -1)
    names = pa.concat_arrays(
        [key_names, pncs.chunks[-1].dictionary if pncs.num_chunks else pa.array([], pa.string())]
    )
    del keys, pncs, parts
    n_nodes = len(names)
    has_legacy, has_pnc = legacy_code >= 0, pnc_code >= 0
    a = np.concatenate([own_code[has_legacy], own_code[has_pnc]])  # an edge per link given
    b = np.concatenate([legacy_code[has_legacy], pnc_code[has_pnc]])
    component = connected_components(n_nodes, a, b)
    del a, b

    # name each component by its first record key in file order (a PNC ID is not a record key):
    # dictionary codes follow first appearance, so the same files give the same names.
    # (Counting and first-of-group with bincount and minimum.at: np.unique sorts, and is slow.)
    code = np.arange(n_nodes, dtype=np.int64)
    pnc_only = np.ones(n_nodes, dtype=bool)  # nodes that are only ever a PNC ID, never a record key
    pnc_only[own_code] = pnc_only[extra_code] = pnc_only[legacy_code[has_legacy]] = False
    code[pnc_only] = n_nodes
    first = np.full(component.max() + 1 if n_nodes else 0, n_nodes, dtype=np.int64)
    np.minimum.at(first, component, code)
    # a lone PNC ID's component has no record key, and its name is never used
    individual = pc.take(names, pa.array(np.minimum(first, n_nodes - 1)))
    own_component = component[own_code]
    is_own = np.zeros(n_nodes, dtype=bool)
    is_own[own_code] = True
    return Individuals(
        # dictionary-encoded: two million person rows share a million names, not copy them
        of_people=pa.DictionaryArray.from_arrays(
            pa.array(own_component.astype(np.int32)), individual
        ),
        of_others=pc.take(individual, pa.array(component[extra_code])),
        person_records=int(is_own.sum()),
        individuals=int(np.count_nonzero(np.bincount(own_component))) if len(own_component) else 0,
        others_without_record=int((~is_own[extra_code]).sum()),
    )
