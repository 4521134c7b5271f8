"""Who is who (`helpers.extracts.people.resolve_individuals`) and repeated values (`extracts.arrays.duplicated`)."""

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.extracts.arrays import duplicated
from helpers.extracts.people import connected_components, resolve_individuals


def test_records_sharing_a_legacy_key_or_a_pnc_id_are_one_individual_named_by_its_first_record():
    who = resolve_individuals(
        person_keys=["CMS:1", "CMS:2", "Connect:P1", "Connect:P2", "CMS:1", "Connect:P3"],
        legacy_person_keys=[None, None, "CMS:1", None, None, None],
        pnc_ids=[None, "11/1A", None, "11/1A", None, "12/9Z"],
        other_keys=["CMS:1", "Connect:P9", "Connect:P2"],
    )
    assert who.of_people.to_pylist() == ["CMS:1", "CMS:2", "CMS:1", "CMS:2", "CMS:1", "Connect:P3"]
    assert who.of_others.to_pylist() == ["CMS:1", "Connect:P9", "CMS:2"]
    assert (who.person_records, who.individuals, who.others_without_record) == (5, 3, 1)


def test_a_pnc_id_seen_first_does_not_name_the_individual():
    # the PNC ID node is encoded before the second record's key: the name is still a record key
    who = resolve_individuals(["CMS:5", "CMS:6"], [None, None], ["11/1A", "11/1A"])
    assert who.of_people.to_pylist() == ["CMS:5", "CMS:5"]
    assert (who.person_records, who.individuals, who.others_without_record) == (2, 1, 0)


def test_no_person_rows():
    who = resolve_individuals(pa.array([], pa.string()), pa.array([], pa.string()), pa.array([], pa.string()), ["CMS:1"])
    assert who.of_others.to_pylist() == ["CMS:1"]
    assert (who.person_records, who.individuals, who.others_without_record) == (0, 0, 1)


def test_duplicated_marks_every_repeat_after_the_first_and_never_a_null():
    values = pa.chunked_array([["a", "b", None], ["a", None, "c", "b", "a"]])
    assert duplicated(values).tolist() == [False, False, False, True, False, False, True, True]
    assert not duplicated(pa.chunked_array([["x", "y"]])).any()
    # distinct values among several nulls: nothing repeated (the nulls are not counted as values)
    assert not duplicated(pa.chunked_array([["x", None], [None, "y", None]])).any()
    assert duplicated(pa.chunked_array([["x", None], [None, "x"]])).tolist() == [False, False, False, True]
    assert duplicated(pa.chunked_array([], pa.string())).tolist() == []


def test_duplicated_agrees_with_pandas_on_a_large_random_column():
    import pandas as pd

    rng = np.random.default_rng(7)
    raw = rng.integers(0, 5_000, 20_000).astype(str).astype(object)
    raw[rng.random(20_000) < 0.05] = None
    expected = pd.Series(raw).duplicated().to_numpy() & pd.notna(raw)
    assert (duplicated(pa.chunked_array([pa.array(raw[:7_000]), pa.array(raw[7_000:])])) == expected).all()


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 40).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0))), max_size=80 if n else 0))))
def test_connected_components_label_as_scipy_does(graph):
    """The same labels as scipy's (components numbered in order of their smallest node), on any
    graph: chains, cycles, self-loops, repeated edges, lone nodes."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as scipy_components

    n, edges = graph
    a = np.array([e[0] for e in edges], dtype=np.int64)
    b = np.array([e[1] for e in edges], dtype=np.int64)
    _, expected = scipy_components(coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False)
    assert connected_components(n, a, b).tolist() == expected.tolist()


def test_connected_components_of_a_long_chain_given_in_the_worst_order():
    # each edge joins the next node to the chain from the far end: many rounds, one component
    n = 2000
    order = np.arange(n - 1)[::-1]
    assert connected_components(n, order + 1, order).tolist() == [0] * n
    assert connected_components(3, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).tolist() == [0, 1, 2]
