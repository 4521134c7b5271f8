"""Arrow helpers the loading steps share: repeats, membership, lookups, masks, counts.

Each works on Arrow arrays where they are (chunks and all), hashing in Arrow's compute kernels,
and answers with numpy masks or Arrow arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:  # pandas is imported where frames are made: the person side never needs it
    import pandas as pd


def duplicated(values: pa.ChunkedArray) -> np.ndarray:
    """True for every occurrence of a value after its first (nulls are never duplicates)."""
    # one hashing pass: its dictionary is as long as the values given when none repeats (the
    # usual case, answered without looking at the codes); Arrow's count_distinct hashes as much
    # again, and merges its per-chunk tables more slowly
    encoded = pc.dictionary_encode(values)
    encoded = encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
    if len(encoded.dictionary) == len(encoded) - encoded.null_count:
        return np.zeros(len(values), dtype=bool)
    codes = pc.fill_null(encoded.indices, -1).to_numpy()
    # each value's first row (a null's go to the extra last slot), by minimum.at: np.unique sorts
    # the whole array, far slower
    first = np.full(len(encoded.dictionary) + 1, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    seen = np.zeros(len(codes) + 1, dtype=bool)
    seen[first] = True
    return ~seen[:-1] & (codes >= 0)


def isin(values, value_set) -> np.ndarray:
    """Arrow's hash-set membership (pandas' isin on Arrow strings is slow for big sets). Arrow
    values are looked up where they are, chunks and all; the set may repeat values."""
    values = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else as_arrow(values)
    return pc.fill_null(pc.is_in(values, value_set=as_arrow(value_set)), False).to_numpy(
        zero_copy_only=False
    )


def lookup(keys, index_keys, index_values) -> pa.Array:
    """`index_values` at the position of each key in `index_keys` (null where absent)."""
    position = pc.index_in(as_arrow(keys), value_set=as_arrow(index_keys))
    return pc.take(as_arrow(index_values), position)


def as_arrow(values, unique: bool = False) -> pa.Array:
    """Values (pandas, numpy, list or Arrow) as one Arrow array, optionally without repeats."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    elif not isinstance(values, pa.Array):
        values = pa.array(
            values.to_numpy() if hasattr(values, "to_numpy") else values, from_pandas=True
        )
    if values.type == pa.null():  # nothing to go by (an empty list): text, like every key here
        values = values.cast(pa.string())
    return pc.unique(values) if unique else values


def null_mask(array) -> np.ndarray:
    """True where the value is null."""
    return pc.is_null(array).to_numpy(zero_copy_only=False)


def kept_rows(table: pa.Table, keep: np.ndarray) -> pa.Table:
    """The rows where `keep` holds (the table itself when it holds everywhere)."""
    return table if keep.all() else table.filter(pa.array(keep))


def take_rows(data: pa.Table | pa.ChunkedArray, rows) -> pa.Table | pa.ChunkedArray:
    """`data.take(rows)`, taken piece by piece (record batches, or chunks). Arrow's take over a
    table or array of several pieces first joins each column's pieces into one, copying every
    value of the column for the few rows wanted (docs/performance.md)."""
    rows = np.asarray(rows, dtype=np.int64)
    pieces = data.to_batches() if isinstance(data, pa.Table) else data.chunks
    starts = np.cumsum([0] + [len(piece) for piece in pieces])
    piece_of = np.searchsorted(starts, rows, side="right") - 1
    order = np.argsort(piece_of, kind="stable")  # the rows of each piece together, in order
    grouped = rows[order]
    parts = [
        pieces[k].take(pa.array(grouped[piece_of[order] == k] - starts[k]))
        for k in np.unique(piece_of)
    ]
    if isinstance(data, pa.Table):
        taken = pa.Table.from_batches(parts, data.schema)
    else:
        taken = pa.chunked_array(parts, data.type)
    if (np.diff(piece_of) >= 0).all():  # already in the order asked for
        return taken
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return taken.take(pa.array(back))  # the rows taken are few: joining them copies little


def count_by_file(table: pa.Table) -> pd.Series:
    """The number of rows of each file (the table's `file` column), by file name."""
    import pandas as pd  # here: the person side process imports this module and makes no frame

    counts = pc.value_counts(pc.cast(table["file"], pa.string()))
    return pd.Series(
        counts.field("counts").to_numpy(), index=counts.field("values").to_pylist(), dtype="int64"
    )
