"""Taking rows of Arrow data that comes in pieces (`helpers.extracts.arrays.take_rows`)."""

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.extracts.arrays import take_rows


def pieces_of(values: list[str], sizes: list[int]) -> pa.ChunkedArray:
    """`values` cut into chunks of these sizes (the last takes the rest), each chunk a dictionary
    of its own, as the cache's record batches are."""
    chunks, at = [], 0
    for size in [*sizes, len(values)]:
        part = values[at : at + size]  # empty where the values ran out: an empty chunk
        chunks.append(pa.array(part, pa.string()).dictionary_encode())
        at += len(part)
    return pa.chunked_array(chunks, pa.dictionary(pa.int32(), pa.string()))


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.sampled_from(["a", "b", "c", "dd"]), min_size=1, max_size=40),
    sizes=st.lists(st.integers(1, 9), max_size=6),
    data=st.data(),
)
def test_take_rows_gives_what_arrows_take_gives_in_any_order(values, sizes, data):
    column = pieces_of(values, sizes)
    rows = data.draw(st.lists(st.integers(0, len(values) - 1), max_size=30))
    table = pa.Table.from_batches(
        [b for part in column.chunks for b in pa.table({"v": part}).to_batches()],
        pa.schema([("v", column.type)]),
    ).append_column("n", pa.array(range(len(values))))
    assert take_rows(column, rows).to_pylist() == [values[r] for r in rows]
    assert take_rows(table, rows).to_pydict() == {
        "v": [values[r] for r in rows],
        "n": rows,
    }


def test_take_rows_of_nothing_is_empty_of_the_same_type():
    column = pieces_of(["a", "b"], [1])
    assert len(take_rows(column, [])) == 0 and take_rows(column, []).type == column.type
    table = pa.table({"v": ["x", "y"]})
    assert take_rows(table, np.array([], dtype=np.int64)).schema == table.schema


def peak_bytes(action) -> int:
    """The most memory Arrow held at once while `action` ran."""
    default = pa.default_memory_pool()
    pool = pa.proxy_memory_pool(default)
    pa.set_memory_pool(pool)
    try:
        action()
    finally:
        pa.set_memory_pool(default)
    return pool.max_memory()


def test_take_rows_copies_only_the_rows_taken():
    """Arrow's own take over a column of several chunks joins the chunks first (pyarrow 26: 2.8 MB
    here for ten rows, and 18 MB for a date-of-birth column of 1.3 million person records,
    docs/performance.md)."""
    column = pa.chunked_array(
        [pa.array([f"{i:08d}-{k}" for i in range(20_000)]) for k in range(10)]
    )
    rows = np.arange(5, 200_000, 20_000)
    assert peak_bytes(lambda: take_rows(column, rows)) < 64 * 1024
    table = pa.Table.from_batches(pa.table({"v": column}).to_batches())
    assert peak_bytes(lambda: take_rows(table, rows)) < 64 * 1024
    assert take_rows(column, rows).to_pylist() == [f"{5:08d}-{k}" for k in range(10)]
