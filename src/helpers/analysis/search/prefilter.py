"""The prefilter: which texts could mention a term at all, worked out over all texts at once.

The texts' UTF-8 bytes are classified with numpy and their words dictionary-encoded with pyarrow,
in chunks over a thread pool; the vocabulary of distinct words (not the texts) is matched against
every form of every term word (:func:`helpers.analysis.search.terms.token_infos`). Only texts
whose words could make up a term (every word of the term, or all but one split word, present in
some form) go on to the detailed phrase and negation analysis in Python. The prefilter is a
superset of the detailed rules, so it loses nothing.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.analysis.search.terms import SearchTerms, split_words, token_infos

_CHUNK = 50_000  # texts per tokenising task


def to_arrow(texts: pd.Series) -> pa.Array:
    """The texts as one Arrow array of large strings, a missing text as an empty one."""
    s = texts
    if not isinstance(s.dtype, pd.StringDtype):
        s = s.astype("str")
    arr = pa.array(s.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], type=pa.large_string())
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return pc.fill_null(arr, "")


def _tokenise_chunk(arr: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Split a chunk of non-null large strings into lower-case letter runs.

    Bytes >= 0x80 (any non-ASCII character) count as letters here: such words are split
    again properly in Python when the vocabulary is examined.
    Returns (vocabulary array, token -> vocabulary index, per-text token offsets).
    """
    n = len(arr)
    offs = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    base = int(offs[0])
    total = int(offs[-1]) - base
    if total == 0:
        return pa.array([], type=pa.string()), np.zeros(0, np.int32), np.zeros(n + 1, np.int64)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[base : base + total]
    offs = offs - base
    low = data | np.uint8(0x20)
    letter = (low - np.uint8(97)) < 26
    high = data >= 128
    has_high = bool(high.any())
    if has_high:
        letter |= high
    edges = np.flatnonzero(letter[1:] != letter[:-1]) + 1
    if letter[0]:
        edges = np.concatenate(([0], edges))
    if letter[-1]:
        edges = np.concatenate((edges, [total]))
    starts = edges[0::2]
    ends = edges[1::2]
    # a word must not run from one text into the next
    inner = offs[1:-1]
    inner = inner[(inner > 0) & (inner < total)]
    glued = np.unique(inner[letter[inner - 1] & letter[inner]])
    if len(glued):
        starts = np.sort(np.concatenate([starts, glued]))
        ends = np.sort(np.concatenate([ends, glued]))
    lowered = low[letter]
    if has_high:
        lowered = np.where(high[letter], data[letter], lowered)
    if total < 2**31:
        tok_offs = np.zeros(len(starts) + 1, dtype=np.int32)
        np.cumsum(ends - starts, out=tok_offs[1:], dtype=np.int32)
        tokens = pa.StringArray.from_buffers(
            len(starts), pa.py_buffer(tok_offs), pa.py_buffer(lowered)
        )
    else:  # pragma: no cover - a chunk of more than 2 GB of letters
        tok_offs = np.zeros(len(starts) + 1, dtype=np.int64)
        np.cumsum(ends - starts, out=tok_offs[1:])
        tokens = pa.LargeStringArray.from_buffers(
            len(starts), pa.py_buffer(tok_offs), pa.py_buffer(lowered)
        )
    enc = pc.dictionary_encode(tokens)
    indices = enc.indices.to_numpy(zero_copy_only=False)
    per_text = np.searchsorted(starts, offs)
    return enc.dictionary, indices, per_text


def prefilter(st: SearchTerms, arr: pa.Array, workers: int) -> dict[int, list[int]]:
    """Positions of texts that may mention a term -> the terms they may mention."""
    n = len(arr)
    bounds = [(i, min(n, i + _CHUNK)) for i in range(0, n, _CHUNK)]
    if not bounds:
        return {}
    if workers > 1 and len(bounds) > 1:
        with ThreadPoolExecutor(max_workers=workers) as ex:
            chunks = list(ex.map(lambda b: _tokenise_chunk(arr.slice(b[0], b[1] - b[0])), bounds))
    else:
        chunks = [_tokenise_chunk(arr.slice(a, b - a)) for a, b in bounds]

    # one vocabulary for all chunks
    all_dicts = pa.concat_arrays([c[0].cast(pa.large_string()) for c in chunks])
    enc = pc.dictionary_encode(all_dicts)
    glob = enc.indices.to_numpy(zero_copy_only=False)
    vocab = enc.dictionary.to_pylist()

    # examine the vocabulary: non-ASCII entries are re-split into proper words
    sub: dict[int, list[str]] = {}
    plain: list[int] = []
    needed: list[str] = []
    for i, w in enumerate(vocab):
        if w.isascii():
            plain.append(i)
            needed.append(w)
        else:
            parts = split_words(w)
            sub[i] = parts
            needed.extend(parts)
    infos = dict(zip(needed, token_infos(st, needed), strict=True))
    nb = st.n_bits
    lanes = max(1, (nb + 63) // 64)
    rows_hit: list[int] = []
    rows_head: list[int] = []
    row_ids: list[int] = []
    for i in plain:
        info = infos[vocab[i]]
        if info is not None:
            row_ids.append(i)
            rows_hit.append(info.hit_bits)
            rows_head.append(info.head_bits)
    for i, parts in sub.items():
        hb = hd = 0
        for p in parts:
            info = infos[p]
            if info is not None:
                hb |= info.hit_bits
                hd |= info.head_bits
        if hb or hd:
            row_ids.append(i)
            rows_hit.append(hb)
            rows_head.append(hd)
    if not row_ids:
        return {}

    def to_lanes(values: list[int]) -> np.ndarray:
        out = np.zeros((len(values), lanes), dtype=np.uint64)
        for lane in range(lanes):
            shift = 64 * lane
            out[:, lane] = [(v >> shift) & 0xFFFFFFFFFFFFFFFF for v in values]
        return out

    hit_lanes = to_lanes(rows_hit)
    head_lanes = to_lanes(rows_head)
    row_of = np.full(len(vocab), -1, dtype=np.int64)
    row_of[np.asarray(row_ids, dtype=np.int64)] = np.arange(len(row_ids))
    term_masks = to_lanes(list(st.term_bits))
    term_len = np.asarray([len(w) for w in st.words])

    out: dict[int, list[int]] = {}
    pos_in_glob = 0
    for (a, _b), (dictionary, indices, per_text) in zip(bounds, chunks, strict=True):
        k = len(dictionary)
        chunk_rows = row_of[glob[pos_in_glob : pos_in_glob + k]]
        pos_in_glob += k
        if not len(indices):
            continue
        tok_rows = chunk_rows[indices]
        where = np.flatnonzero(tok_rows >= 0)
        if not len(where):
            continue
        rows = tok_rows[where]
        text_of = np.searchsorted(per_text, where, side="right") - 1
        first = np.flatnonzero(np.r_[True, text_of[1:] != text_of[:-1]])
        hit = np.bitwise_or.reduceat(hit_lanes[rows], first, axis=0)
        head = np.bitwise_or.reduceat(head_lanes[rows], first, axis=0)
        cover = hit | head
        text_pos = text_of[first] + a
        for t in range(len(st.words)):
            mask = term_masks[t]
            n_cover = np.bitwise_count(cover & mask).sum(axis=1)
            n_hit = np.bitwise_count(hit & mask).sum(axis=1)
            ok = (n_cover == term_len[t]) & (n_hit >= term_len[t] - 1)
            for p in text_pos[ok].tolist():
                out.setdefault(p, []).append(t)
    return out
