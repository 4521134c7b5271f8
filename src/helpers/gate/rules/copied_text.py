"""Rule copied_text: no run of `COPY_RUN` (8) or more consecutive words of a circumstances text.

Which texts: everything released is checked against the texts the run read (`Sensitive.texts()`:
the search scope's, which its notebook could quote); the release's short texts, where a text an
analyst typed lands as typed (each CSV cell, each text cell of a workbook, the manifest's values:
every title, question and label), against every circumstances text of the extract
(`Sensitive.all_texts()`), since an analyst can paste from any crime, in the scope or not.

Words are the maximal runs of ASCII letters and digits, lower-cased; everything else
(punctuation, markup, curly quotes, dashes, and accented letters, which split a word in two on
both sides alike) separates words. The release is read as written and as normalised
(`helpers.gate.normalise`: a zero-width space or a Cyrillic `а` inside a copied word does not
hide it). A run is never made of the end of one text and the start of the next. One finding per
place in a file, saying how many texts hold the run.

How: the release's 8-word runs (few) are numbered and hashed once (`_release_shingles`); the
texts are cut into words in chunks of `TEXT_CHUNK` (`_arrow_words`, numpy on their bytes), their
word runs hashed with numpy, most dismissed by a 1M-bit table, the rest by a binary search, and
every hit is confirmed word for word (`find_copied_runs`). Every text of the extract is not cut
into words (1.5 s for a million): the short texts' runs are looked for in it, each through a word
of it that a sample of the texts (`_sample_words`) says is rare, or a pair of words in a row
where none is (`_anchors`), in one pass of RE2 over the texts (`_texts_holding`); only the texts
it keeps are cut into words. What it found is kept for the next check of the same texts
(`_KEPT`: a batch's next request asks mostly for the same anchors), and, for texts read from the
extract cache, in the cache's entry for other processes (`helpers.cache.searches`: the runner
and the kernels). Its speed and history are in docs/performance.md, "The release gate".
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.cache.searches import KeptSearches
from helpers.gate.normalise import Normalised, normalised_segment
from helpers.gate.readers import Content, Segment
from helpers.gate.report import Finding
from helpers.gate.rules.base import Context
from helpers.gate.sensitive import Sensitive

COPY_RUN = 8  # words: a run this long copied from a circumstances text fails the release
TEXT_CHUNK = 200_000  # circumstances texts cut into words at once
#: the texts whose words tell which word of a run is rare (`_sample_words`): 20 pieces of 1,000
SAMPLE_PIECES, SAMPLE_PIECE = 20, 1_000
RARE_IN_SAMPLE = 2  # a word used this often in the sample or less is rare: one run's anchor
PAIRS_IN_A_PASS = 64  # pairs of words looked for in one pass of RE2 (`_texts_holding`)
#: in RE2, a character that is not part of a word (case-sensitive: in `(?i)`, `[^a-z]` would
#: leave out the Kelvin sign and the long s, which fold to `k` and `s` but split words here)
_NOT_WORD = "(?-i:[^A-Za-z0-9])"


class CopiedTextRule:
    """Runs of `COPY_RUN` words shared with the circumstances texts the run read."""

    name = "copied_text"
    reads_extract = True

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        return _copied_findings(contents, context.extract())


# the release and the texts are cut into words by the same function (`_arrow_words`), so they
# always agree on what a word is

_SPLIT_WORDS = r"[^a-z0-9]+"  # RE2, after ascii_lower
_BITMAP_BITS = 20
_PY_WORD = re.compile(r"[A-Za-z0-9]+")  # the same words, with positions (release side only)
_ASCII_LOWER = np.arange(256, dtype=np.uint8)
_ASCII_LOWER[ord("A") : ord("Z") + 1] += 32
_WORD_BYTE = np.zeros(256, bool)  # the bytes of words: A-Z, a-z and 0-9
for _first, _last in ("AZ", "az", "09"):
    _WORD_BYTE[ord(_first) : ord(_last) + 1] = True
_HASH_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    ],
    dtype=np.uint64,
)


def _arrow_words(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """All words of all texts, flattened (with empty pieces where a text starts or ends with a
    separator), and how many pieces each text has (a null text: none).

    What Arrow's regular-expression split of the lower-cased texts on `_SPLIT_WORDS` gives
    (`_regex_words`, which the tests hold this to), worked out on the texts' bytes with numpy,
    since the split calls RE2 once per separator. A byte of a non-ASCII character is a separator
    byte, as its character is a separator.
    """
    texts = texts.cast(pa.large_string())
    n = len(texts)
    valid = ~texts.is_null().to_numpy(zero_copy_only=False)
    offsets = (
        np.frombuffer(texts.buffers()[1], dtype=np.int64)[texts.offset : texts.offset + n + 1]
        if n
        else np.zeros(1, np.int64)
    )
    start, total = int(offsets[0]), int(offsets[-1] - offsets[0])  # a slice's bytes, in the buffer
    offsets = offsets - start
    sizes = np.diff(offsets)
    if (sizes[~valid] > 0).any():  # a null with bytes behind it (Arrow allows it; never made here)
        return _regex_words(texts)
    data = (
        np.frombuffer(texts.buffers()[2], dtype=np.uint8)[start : start + total]
        if total
        else np.zeros(0, np.uint8)
    )
    word = _WORD_BYTE[data]

    # the words: runs of word bytes, cut where a text ends
    starts_here, ends_here = word.copy(), word.copy()
    starts_here[1:] &= ~word[:-1]
    ends_here[:-1] &= ~word[1:]
    inner = offsets[1:-1][(offsets[1:-1] > 0) & (offsets[1:-1] < total)]
    starts_here[inner] = word[inner]
    ends_here[inner - 1] = word[inner - 1]
    word_starts = np.flatnonzero(starts_here)
    word_sizes = np.flatnonzero(ends_here) + 1 - word_starts
    text_of_word = np.searchsorted(offsets, word_starts, side="right") - 1
    words_per_text = np.bincount(text_of_word, minlength=n)

    # the empty pieces: one where a text starts with a separator (an empty text is just that),
    # one where it ends with one
    nonempty = sizes > 0
    starts_with_word, ends_with_word = np.zeros(n, bool), np.zeros(n, bool)
    starts_with_word[nonempty] = word[offsets[:-1][nonempty]]
    ends_with_word[nonempty] = word[offsets[1:][nonempty] - 1]
    lead = valid & ~starts_with_word
    trail = valid & nonempty & ~ends_with_word
    lengths = lead.astype(np.int64) + words_per_text + trail

    # each word's piece: its text's first piece, after that text's leading empty piece and its
    # earlier words
    first_piece = np.cumsum(lengths) - lengths
    first_word = np.cumsum(words_per_text) - words_per_text
    piece = (
        first_piece[text_of_word]
        + lead[text_of_word]
        + np.arange(len(word_starts))
        - first_word[text_of_word]
    )
    piece_sizes = np.zeros(int(lengths.sum()), np.int64)
    piece_sizes[piece] = word_sizes
    piece_offsets = np.concatenate([[0], np.cumsum(piece_sizes)])
    flat = pa.LargeStringArray.from_buffers(
        len(piece_sizes),
        pa.py_buffer(piece_offsets),
        pa.py_buffer(_ASCII_LOWER[data[word]].tobytes()),
    )
    return flat, lengths


def _regex_words(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """`_arrow_words` by Arrow's own split: the definition the numpy version is tested against."""
    split = pc.split_pattern_regex(
        pc.ascii_lower(texts.cast(pa.large_string())), pattern=_SPLIT_WORDS
    )
    lengths = (
        pc.list_value_length(split).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    )
    return pc.list_flatten(split), lengths


def _windows(ids: np.ndarray, lengths: np.ndarray, salt: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Every run of COPY_RUN known words inside one text: (start positions, hashes).

    `ids` are word numbers, -1 for a word the release does not have (or an empty piece); a
    window is kept when it holds no -1 and does not run from one text into the next."""
    n = len(ids)
    if n < COPY_RUN:
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    m = n - COPY_RUN + 1
    # one cumulative count of "breaks": an unknown word anywhere in the window, or a text
    # starting anywhere in it but at its first word
    first_pieces = np.cumsum(lengths)[:-1]
    is_first = np.zeros(n, np.int32)
    is_first[first_pieces[first_pieces < n]] = 1
    total = np.concatenate([[0], np.cumsum((ids < 0) + is_first)])
    ok = (total[COPY_RUN:] - total[:m] - is_first[:m]) == 0
    starts = np.flatnonzero(ok)
    # hash by doubling: pairs, fours, eights (3 multiply-adds over the words, not 8)
    multipliers = _HASH_MULTIPLIERS ^ np.uint64(salt)
    h = ids.view(np.uint64) * multipliers[0] + multipliers[1]
    for step, k in ((1, 2), (2, 4), (4, 6)):
        h = h[:-step] * multipliers[k] + (h[step:] ^ multipliers[k + 1])
    return starts, h[starts]


def _text_numbers(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Which text each piece position belongs to."""
    return np.searchsorted(np.cumsum(lengths), starts, side="right")


@dataclass
class _ShingleIndex:
    """The release's distinct 8-word runs: word numbers, hashes (sorted), and where each occurs
    (`places`, worked out only for the runs a text is found to share: usually none)."""

    vocabulary: pa.Array
    hashes: np.ndarray  # (M,) uint64, sorted, distinct
    words: np.ndarray  # (M, COPY_RUN) word numbers, in the order of `hashes`
    salt: int
    #: what `places` needs: each window's start and run, the texts
    _occurrences: tuple = field(repr=False)

    def __post_init__(self) -> None:
        # a 1M-bit table of the hashes' top bits: most windows are dismissed by one look-up (a
        # release has thousands of runs, so few of the table's bits are set)
        self.bitmap = np.zeros(1 << _BITMAP_BITS, bool)
        self.bitmap[self.hashes >> np.uint64(64 - _BITMAP_BITS)] = True

    def places(self, rows: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """For each run (row of `hashes`) asked for: (content index, where) of its first place in
        each content, in the release's order."""
        starts, run_of_window, pieces, lengths, owners = self._occurrences
        wanted = sorted({int(r) for r in rows})
        places: dict[int, list[tuple[int, str]]] = {r: [] for r in wanted}
        chosen = np.isin(run_of_window, wanted)
        if not chosen.any():
            return places
        # where each run occurs: the first place in each file (Python words give the positions)
        text_of = _text_numbers(np.arange(len(pieces)), lengths)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        nonempty_rank = np.cumsum([bool(w) for w in pieces]) - 1
        positions: dict[int, list[int]] = {}
        for s, run in zip(starts[chosen].tolist(), run_of_window[chosen].tolist(), strict=True):
            t = int(text_of[s])
            content_index, segment, normal = owners[t]
            here = places[run]
            if any(ci == content_index for ci, _ in here):
                continue
            if t not in positions:
                positions[t] = [m.start() for m in _PY_WORD.finditer(normal.text)]
            k = int(
                nonempty_rank[s] - (nonempty_rank[offsets[t] - 1] if offsets[t] > 0 else -1) - 1
            )
            pos = positions[t][k] if 0 <= k < len(positions[t]) else 0
            here.append((content_index, segment.locate(normal.original(pos))))
        return places


def _release_shingles(contents: list[Content]) -> _ShingleIndex | None:
    """The release's runs: of each segment as written, and as normalised where that differs (a
    zero-width space or a Cyrillic letter in a copied run; a text copied as it is, invisible
    characters and all, is found as written)."""
    owners, texts = [], []
    for i, content in enumerate(contents):
        for segment in content.segments:
            owners.append((i, segment, Normalised(segment.text)))
            texts.append(segment.text)
            normal = normalised_segment(segment)
            if normal.text != segment.text:
                owners.append((i, segment, normal))
                texts.append(normal.text)
    if not texts:
        return None
    flat, lengths = _arrow_words(pa.array(texts, pa.large_string()))
    pieces = flat.to_pylist()
    vocabulary = sorted({w for w in pieces if w})
    if not vocabulary:
        return None
    number = {w: k for k, w in enumerate(vocabulary)}
    ids = np.array([number.get(w, -1) for w in pieces], dtype=np.int64)
    for salt in range(16):  # a new salt in the (~1e-10) case of two release runs with one hash
        starts, hashes = _windows(ids, lengths, salt)
        if not len(starts):
            return None
        windows = np.stack([ids[starts + k] for k in range(COPY_RUN)], axis=1)
        distinct, first, inverse = np.unique(
            windows, axis=0, return_index=True, return_inverse=True
        )
        if len(np.unique(hashes[first])) == len(distinct):
            break
    else:  # pragma: no cover - astronomically unlikely
        raise RuntimeError("could not hash the release's word runs without collisions")
    order = np.argsort(hashes[first], kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    run_of_window = rank[np.asarray(inverse).reshape(-1)]  # each window's row in hash order
    return _ShingleIndex(
        pa.array(vocabulary, pa.large_string()),
        hashes[first][order],
        distinct[order],
        salt,
        (starts, run_of_window, pieces, lengths, owners),
    )


def _text_chunks(texts: Iterable[str] | pa.ChunkedArray, size: int) -> Iterator[pa.Array]:
    """The texts as Arrow string arrays of `size` (Arrow arrays and a string Series are read
    without copying)."""
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
        for piece in chunks:
            piece = piece.cast(pa.large_string())
            for start in range(0, len(piece), size):
                yield piece.slice(start, size)
        return
    if isinstance(texts, pd.Series) and (
        pd.api.types.is_string_dtype(texts.dtype) and not texts.dtype == object
    ):
        values = texts.array
        array = (
            pa.array(values)
            if hasattr(values, "__arrow_array__")
            else pa.array(texts.tolist(), pa.large_string())
        )
        array = array.cast(pa.large_string())
        for start in range(0, len(array), size):
            yield array.slice(start, size)
        return
    chunk: list = []
    for text in texts:
        chunk.append(text if isinstance(text, str) else None)
        if len(chunk) >= size:
            yield pa.array(chunk, pa.large_string())
            chunk = []
    if chunk:
        yield pa.array(chunk, pa.large_string())


def find_copied_runs(
    texts: Iterable[str] | pa.ChunkedArray, index: _ShingleIndex, chunk_size: int = TEXT_CHUNK
) -> pd.DataFrame:
    """Which texts share which of the release's 8-word runs: columns `text` (number, in `texts`
    order) and `shingle` (row of `index`), one row per pair. Exact: a hash hit counts only when
    its eight word numbers equal the release run's."""
    found = []
    base = 0
    for array in _text_chunks(texts, chunk_size):
        flat, lengths = _arrow_words(array)
        ids = (
            pc.index_in(flat, value_set=index.vocabulary)
            .fill_null(-1)
            .to_numpy(zero_copy_only=False)
            .astype(np.int64)
        )
        starts, hashes = _windows(ids, lengths, index.salt)
        maybe = index.bitmap[hashes >> np.uint64(64 - _BITMAP_BITS)]
        starts, hashes = starts[maybe], hashes[maybe]
        if len(starts):
            pos = np.searchsorted(index.hashes, hashes)
            pos[pos == len(index.hashes)] = 0
            hit = index.hashes[pos] == hashes
            starts, pos = starts[hit], pos[hit]
            exact = np.ones(len(starts), bool)
            for k in range(COPY_RUN):
                exact &= ids[starts + k] == index.words[pos, k]
            if exact.any():
                texts_hit = base + _text_numbers(starts[exact], lengths)
                found.append(
                    pd.DataFrame({"text": texts_hit, "shingle": pos[exact]}).drop_duplicates()
                )
        base += len(array)
    if not found:
        return pd.DataFrame(
            {"text": pd.Series([], dtype=np.int64), "shingle": pd.Series([], dtype=np.int64)}
        )
    return pd.concat(found, ignore_index=True)


def _as_arrow(texts: Iterable[str] | pa.ChunkedArray) -> pa.ChunkedArray:
    """Texts as one chunked Arrow array (an Arrow-backed Series without copying)."""
    if isinstance(texts, pa.ChunkedArray):
        return texts
    if isinstance(texts, pa.Array):
        return pa.chunked_array([texts])
    if isinstance(texts, pd.Series) and hasattr(texts.array, "__arrow_array__"):
        array = pa.array(texts.array)
    else:
        array = pa.array([t if isinstance(t, str) else None for t in texts], pa.large_string())
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def _anchors(index: _ShingleIndex, sample: _Sample) -> tuple[list[str], list[str]]:
    """What a text must hold to hold one of the release's runs, as RE2 patterns (single words,
    pairs of words in a row): for each run, its rarest word in `sample` if that word is rare
    there (`RARE_IN_SAMPLE`: most runs of the briefing's own prose have one, `disclosure`), else
    its rarest pair of words in a row. A number is never taken for a rare word: a sample says
    little of how often `2015` or `102` is written."""
    size = len(index.vocabulary)
    at = pc.index_in(index.vocabulary, value_set=sample.distinct).fill_null(-1).to_numpy()
    at = at.astype(np.int64)
    # a sample with no word (an export without circumstances text) counts none
    counts = sample.counts if len(sample.counts) else np.zeros(1, np.int64)
    word_counts = np.where(at >= 0, counts[np.maximum(at, 0)], 0)
    words = index.vocabulary.to_pylist()
    lengths = np.array([len(w) for w in words], np.int64)
    is_number = np.array([w.isdigit() for w in words])
    word_score = np.where(is_number, 1 << 30, word_counts) * 1000 - np.minimum(lengths, 999)

    runs = index.words  # (M, COPY_RUN) word numbers
    best_word = runs[np.arange(len(runs)), np.argmin(word_score[runs], axis=1)]
    by_word = ~is_number[best_word] & (word_counts[best_word] <= RARE_IN_SAMPLE)
    rare = sorted({words[k] for k in best_word[by_word].tolist()})
    if by_word.all():  # the usual case: no pair of words is needed
        return rare, []

    pair_codes = [np.empty(0, np.int64)]
    for flat in sample.words:
        ids = pc.index_in(flat, value_set=index.vocabulary).fill_null(-1).to_numpy()
        ids = ids.astype(np.int64)
        both = (ids[:-1] >= 0) & (ids[1:] >= 0)
        pair_codes.append(ids[:-1][both] * size + ids[1:][both])
    codes, code_counts = np.unique(np.concatenate(pair_codes), return_counts=True)
    first, second = runs[~by_word, :-1], runs[~by_word, 1:]  # each run's pairs in a row
    run_codes = first * size + second
    pair_counts = np.zeros(run_codes.shape, np.int64)
    if len(codes):
        at = np.minimum(np.searchsorted(codes, run_codes), len(codes) - 1)
        pair_counts = np.where(codes[at] == run_codes, code_counts[at], 0)
    pair_score = pair_counts * (1 << 40) + np.minimum(word_score[first], word_score[second])
    best = np.argmin(pair_score, axis=1)
    rows = np.arange(len(first))
    pairs = {(int(a), int(b)) for a, b in zip(first[rows, best], second[rows, best], strict=True)}
    return rare, sorted(f"{words[a]}{_NOT_WORD}+{words[b]}" for a, b in pairs)


@dataclass
class _Sample:
    """The words of a sample of the texts (`_sample_words`), and how often each is used."""

    words: list[pa.Array]  # each piece's words, in order (`_arrow_words`)
    distinct: pa.Array  # every word of the sample once
    counts: np.ndarray  # how often each of `distinct` is used in the sample


def _sample_words(texts: pa.ChunkedArray) -> _Sample:
    """The words (`_arrow_words`) of `SAMPLE_PIECES` runs of `SAMPLE_PIECE` texts spread evenly
    over the texts, to tell which words are rare in them (kept for the same texts)."""
    kept = _kept_for(texts)
    if kept.sample is None:
        n = len(texts)
        step = max(n // SAMPLE_PIECES, 1)
        pieces = (
            [texts]
            if n <= SAMPLE_PIECES * SAMPLE_PIECE
            else [texts.slice(k * step, SAMPLE_PIECE) for k in range(SAMPLE_PIECES)]
        )
        words = [
            _arrow_words(array)[0] for piece in pieces for array in _text_chunks(piece, TEXT_CHUNK)
        ]
        counted = pc.value_counts(pa.chunked_array(words, pa.large_string()))
        kept.sample = _Sample(
            words,
            counted.field("values"),
            counted.field("counts").to_numpy(zero_copy_only=False).astype(np.int64),
        )
    return kept.sample


def _texts_holding(
    texts: pa.ChunkedArray,
    words: list[str],
    pairs: list[str],
    saved: KeptSearches | None = None,
) -> np.ndarray:
    """Which texts (numbers) hold any of these words or pairs of words (`_anchors`) in any case,
    as words. A pattern's words end where `_arrow_words`'s do (at any character but an ASCII
    letter or digit), so a text holding a run is among them.

    Each anchor's texts are kept for the same texts (`_KEPT`): the next request's gate on the
    extract, in the same process, mostly asks for the same anchors (its labels, the manifest's
    values), and searches only for those it has not seen. `saved`: where the extract cache keeps
    them for other processes (`helpers.cache.searches`): an anchor a kernel or an earlier run
    searched for is read from there, one searched for here is kept there. The rest are looked
    for in one pass of RE2 over the texts (more passes for more than `PAIRS_IN_A_PASS` pairs:
    more make RE2's automaton outgrow its memory, and its search crawl: 726 pairs took 36 s for
    a million texts, 100 half a second), then each one in the few texts the pass kept."""
    kept = _kept_for(texts).anchors
    if saved is not None:
        for anchor in words + pairs:
            if anchor not in kept and (rows := saved.get(_search_key(anchor))) is not None:
                kept[anchor] = rows
    new_pairs = [p for p in pairs if p not in kept]
    new = [w for w in words if w not in kept] + new_pairs[:PAIRS_IN_A_PASS]
    groups = [new] + [
        new_pairs[k : k + PAIRS_IN_A_PASS]
        for k in range(PAIRS_IN_A_PASS, len(new_pairs), PAIRS_IN_A_PASS)
    ]
    for group in filter(None, groups):
        hit = np.flatnonzero(_holding(texts, group))
        mask = np.zeros(len(texts), bool)
        mask[hit] = True
        few = texts.filter(pa.array(mask))
        for anchor in group:
            kept[anchor] = hit[_holding(few, [anchor])]
            if saved is not None:
                saved.put(_search_key(anchor), kept[anchor])
    found = [kept[anchor] for anchor in words + pairs]
    return np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)


def _holding_pattern(anchors: list[str]) -> str:
    """The RE2 pattern of a text holding any of `anchors` (patterns of words), as words."""
    return f"(?i)(?:^|{_NOT_WORD})(?:{'|'.join(anchors)})(?:{_NOT_WORD}|$)"


def _search_key(anchor: str) -> str:
    """What names the search for one anchor where it is kept (`helpers.cache.searches`): the
    pattern as searched for, and the RE2 that searched (pyarrow's)."""
    return f"{_holding_pattern([anchor])} (pyarrow {pa.__version__})"


def _holding(texts: pa.ChunkedArray, anchors: list[str]) -> np.ndarray:
    """Which texts hold any of `anchors` (RE2 patterns of words): a mask."""
    found = pc.fill_null(pc.match_substring_regex(texts, pattern=_holding_pattern(anchors)), False)
    return found.to_numpy(zero_copy_only=False)


@dataclass
class _Kept:
    """What the rule found in one set of texts, for its next check of them."""

    anchors: dict[str, np.ndarray] = field(default_factory=dict)  # anchor -> its texts' numbers
    sample: _Sample | None = None  # the words of `_sample_words`


#: texts (by id, with a weak reference to them) -> what was found in them
_KEPT: dict[int, tuple[weakref.ref, _Kept]] = {}
_KEPT_LOCK = threading.Lock()


def _kept_for(texts: pa.ChunkedArray) -> _Kept:
    """What was found in these texts (the extract's `all_texts`, which `ExtractSensitive` keeps
    as one object; other texts are new objects at each check, and their entry goes with them)."""
    with _KEPT_LOCK:
        for key in [k for k, (ref, _) in _KEPT.items() if ref() is None]:
            del _KEPT[key]
        entry = _KEPT.get(id(texts))
        if entry is None or entry[0]() is not texts:
            entry = _KEPT[id(texts)] = (weakref.ref(texts), _Kept())
        return entry[1]


def _short_texts(contents: list[Content]) -> list[Content]:
    """The release's short texts, where a text an analyst typed lands as it was typed: each cell
    of a CSV table (a label) and the values of a JSON file (the manifest's parameters: every
    title, question and label). A cell says where it is by its row and column."""
    short = []
    for content in contents:
        segments = []
        if content.file.lower().endswith(".json"):  # each value alone: one text typed
            segments = [piece for segment in content.segments for piece in _values(segment)]
        for r, row in enumerate(content.grid or []):
            for c, cell in enumerate(row):
                if len(cell.split()) >= COPY_RUN // 2:  # a cell of a few words holds no run
                    segments.append(Segment(cell, [(0, f"row {r + 1}, column {c + 1}")]))
        for sheet in content.sheets:  # a workbook's: its sheets' texts
            for sheet_cell in sheet.cells:
                if sheet_cell.kind == "text" and len(sheet_cell.text.split()) >= COPY_RUN // 2:
                    where = f"{sheet.where}, cell {sheet_cell.ref}"
                    segments.append(Segment(sheet_cell.text, [(0, where)]))
        short.append(Content(content.file, segments))
    return short


def _values(segment: Segment) -> list[Segment]:
    """A JSON file's segment cut into its values (the readers join them, one a line, each
    marked where it starts)."""
    if not segment.marks:
        return [segment]
    starts = [offset for offset, _ in segment.marks] + [len(segment.text) + 1]
    return [
        Segment(segment.text[start : end - 1], [(0, label)])
        for (start, label), end in zip(segment.marks, starts[1:], strict=True)
    ]


def _copies_in_all_texts(
    contents: list[Content], texts: pa.ChunkedArray, saved: KeptSearches | None = None
) -> tuple[pd.DataFrame, _ShingleIndex | None]:
    """`find_copied_runs` of the runs of `contents` over every text of the extract: only the
    texts holding a run's anchor words (`_anchors`, `_texts_holding`, with what `saved` kept of
    earlier searches of them) are cut into words. Text numbers are those of `texts`."""
    index = _release_shingles(contents)
    if index is None or not len(texts):
        return pd.DataFrame({"text": [], "shingle": []}), index
    candidates = _texts_holding(texts, *_anchors(index, _sample_words(texts)), saved)
    mask = np.zeros(len(texts), bool)
    mask[candidates] = True
    pairs = find_copied_runs(texts.filter(pa.array(mask)), index)
    pairs["text"] = candidates[pairs["text"].to_numpy(np.int64)]
    return pairs, index


def _copied_findings(contents: list[Content], sensitive: Sensitive) -> list[list[Finding]]:
    result: list[list[Finding]] = [[] for _ in contents]
    index = _release_shingles(contents)
    if index is None:
        return result
    # everything released against the texts the run read (its notebook could quote them), and
    # the short texts an analyst typed against every text of the extract (they could paste any)
    found = _placed(find_copied_runs(sensitive.texts(), index), index, "of those the run read")
    everything = _as_arrow(sensitive.all_texts())
    short_pairs, short_index = _copies_in_all_texts(
        _short_texts(contents), everything, _kept_searches(sensitive, everything)
    )
    if short_index is not None:
        found += _placed(short_pairs, short_index, "of the extract's")
    reported: set[tuple[int, str]] = set()
    for content_index, where, source in found:
        if (content_index, where) not in reported:
            reported.add((content_index, where))
            result[content_index].append(
                Finding(
                    contents[content_index].file,
                    "copied_text",
                    f"a run of {COPY_RUN} or more words at {where} copied from {source}",
                )
            )
    return result


def _kept_searches(sensitive: Sensitive, texts: pa.ChunkedArray) -> KeptSearches | None:
    """Where the extract cache keeps what searches of `texts` found, if `sensitive` has one for
    them (`ExtractSensitive.kept_searches`: texts read from a cache entry)."""
    kept = getattr(sensitive, "kept_searches", None)
    searches = kept() if callable(kept) else None
    return searches if isinstance(searches, KeptSearches) and searches.texts == len(texts) else None


def _placed(pairs: pd.DataFrame, index: _ShingleIndex, which: str) -> list[tuple[int, str, str]]:
    """(content, where, which texts) of each place in the release that holds a copied run."""
    if pairs.empty:
        return []
    places = index.places(pairs["shingle"].unique())
    rows = [
        (content_index, where, text, shingle)
        for shingle, text in zip(pairs["shingle"].tolist(), pairs["text"].tolist(), strict=True)
        for content_index, where in places[shingle]
    ]
    frame = pd.DataFrame(rows, columns=["content", "where", "text", "shingle"])
    first_at = frame.groupby(["content", "where"])["shingle"].min().sort_values()
    found = []
    for key in first_at.index:  # (content, where), first found first
        content_index, where = cast(tuple[int, str], key)
        texts = frame.loc[(frame["content"] == content_index) & (frame["where"] == where), "text"]
        n, first = texts.nunique(), int(texts.min()) + 1
        source = (
            f"circumstances text no. {first} {which}"
            if n == 1
            else f"{n} circumstances texts (the first: no. {first} {which})"
        )
        found.append((content_index, where, source))
    return found
