"""Find mentions of search terms (e.g. paedophile-hunter groups) in free-text crime circumstances.

No field of the crime extracts records that a crime came from an online child abuse activist
group (OCAG, "paedophile hunters"); the only trace is the officer's free text. This module
searches that text for the request's terms the way a careful reader would, and says how each
mention was found (``exact``, ``variant``, ``fuzzy``, ``negated``) so that a reviewer can check
the least certain ones first: :func:`find_mentions` (one row per mention), :func:`classify_crimes`
(one row per crime); :func:`helpers.analysis.search.terms.compile_terms` compiles the terms once.
The rules are in :mod:`helpers.analysis.search`'s modules. Nothing else decides: a police covert
operation with a decoy account mentions no term and does not count, while a decoy run by a hunter
group counts because the group is named or described by a term.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import rapidfuzz
from rapidfuzz.distance import OSA

from helpers.analysis.search.negation import negate
from helpers.analysis.search.phrases import Match, match_at, tokenise
from helpers.analysis.search.prefilter import prefilter, to_arrow
from helpers.analysis.search.terms import (
    EXACT,
    FUZZY,
    KINDS,
    NEGATED,
    WORD_RE,
    SearchTerms,
    compile_terms,
    split_words,
    token_infos,
)

MENTION_COLUMNS = ["crime_ref", "term", "matched", "kind", "start", "end", "context", "distance"]
CRIME_COLUMNS = ["crime_ref", "counted", "kind", "terms", "certainty"]

#: Characters of context kept on each side of a mention.
CONTEXT_CHARS = 60

#: The words of one text the search reads at most: a longer text (no officer writes one; a pasted
#: chat log or a hostile extract might) is searched in its first `WORD_LIMIT` words only, and its
#: crime is reported (`searched_in_part`). A budget of words, not of seconds, so that the figures
#: never depend on the machine's speed; under a second of search for the worst such text
#: (docs/performance.md). A word is a run of letters, as the search reads words.
WORD_LIMIT = 50_000


def search_code_fingerprint() -> str:
    """A hash of the search's own code (this module and `helpers.analysis.search`'s) and of the
    fuzzy matcher's version: what a search found, kept for later (`helpers.request.measures`),
    is searched for again once the rules change."""
    digest = hashlib.sha256(f"rapidfuzz {rapidfuzz.__version__}".encode())
    for module in _SEARCH_MODULES:
        spec = find_spec(module)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"{module}: not found", name=module)
        digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()


_SEARCH_MODULES = (
    __name__,
    "helpers.analysis.search.terms",
    "helpers.analysis.search.phrases",
    "helpers.analysis.search.negation",
    "helpers.analysis.search.prefilter",
)


def _analyse(st: SearchTerms, text: str, term_ids: Sequence[int]) -> list[Match]:
    """The mentions of the terms ``term_ids`` in one text, negations marked.

    Overlapping mentions of different terms are all kept (``paedophile hunter group`` mentions
    ``paedophile hunter`` and ``hunter group``); of one term's overlapping candidates only the best
    kind, then the longest, then the first.
    """
    toks = tokenise(text)
    if not toks:
        return []
    infos = token_infos(st, [t[0] for t in toks])
    found: list[Match] = []
    for t in term_ids:
        first_slots = [sid for (k, _m), sid in st.slot_index[t].items() if k == 0]
        head_slot = st.slot_index[t][(0, 0)]
        for i, info in enumerate(infos):
            if info is None:
                continue
            if not any(s in info.hits for s in first_slots) and head_slot not in info.heads:
                continue
            m = match_at(st, t, text, toks, infos, i)
            if m is not None:
                found.append(m)
    if not found:
        return []
    kept = _best_without_overlap(found)
    kept.sort(key=lambda m: (m.start, m.end, m.term))
    negate(text, toks, kept)
    return kept


def _best_without_overlap(found: list[Match]) -> list[Match]:
    """Of one term's overlapping mentions, the best kind, then the longest, then the first.

    A mention spans whole words, so two overlap exactly when they share a word: the words taken
    are marked, a term at a time, rather than each mention compared with every one kept before
    (which grew with the square of the mentions in a text: docs/performance.md)."""
    found.sort(key=lambda m: (m.term, m.kind, -(m.end - m.start), m.start))
    kept: list[Match] = []
    term = -1
    taken: set[int] = set()  # words of the current term's kept mentions
    for m in found:
        if m.term != term:
            term, taken = m.term, set()
        words = range(m.first_tok, m.last_tok + 1)
        if taken.isdisjoint(words):
            taken.update(words)
            kept.append(m)
    return kept


def _cut_at(text: str) -> int | None:
    """Where the search stops reading ``text``: the start of word ``WORD_LIMIT + 1``, or None."""
    beyond = next(itertools.islice(WORD_RE.finditer(text), WORD_LIMIT, None), None)
    return None if beyond is None else beyond.start()


def _over_limit(arr: pa.Array) -> dict[int, int]:
    """The texts (by position) longer than ``WORD_LIMIT`` words -> where each is cut.

    Only a text of more than ``2 * WORD_LIMIT`` characters, so of as many UTF-8 bytes, can have
    more words (each but the last followed by a character that is none): only those few are
    counted, word by word up to the limit. (Arrow counts bytes at once; characters took 0.13 s
    for a million texts.)
    """
    lengths = pc.binary_length(arr)
    long = np.flatnonzero(pc.greater(lengths, 2 * WORD_LIMIT).to_numpy(zero_copy_only=False))
    cuts = {}
    for p in long.tolist():
        cut = _cut_at(arr[p].as_py())
        if cut is not None:
            cuts[p] = cut
    return cuts


def searched_in_part(texts: pd.Series) -> pd.Index:
    """The crimes (index labels of ``texts``) whose texts have more than ``WORD_LIMIT`` words:
    :func:`find_mentions` searches only their first ``WORD_LIMIT`` words."""
    if len(texts) == 0:
        return texts.index[:0]
    return texts.index[sorted(_over_limit(to_arrow(texts)))]


def _context(text: str, start: int, end: int) -> str:
    lo = max(0, start - CONTEXT_CHARS)
    hi = min(len(text), end + CONTEXT_CHARS)
    return " ".join(text[lo:hi].split())


def _norm(s: str) -> str:
    return "".join(split_words(s))


def _empty_mentions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "crime_ref": pd.Series([], dtype="str"),
            "term": pd.Series([], dtype="str"),
            "matched": pd.Series([], dtype="str"),
            "kind": pd.Series([], dtype="str"),
            "start": pd.Series([], dtype="int64"),
            "end": pd.Series([], dtype="int64"),
            "context": pd.Series([], dtype="str"),
            "distance": pd.Series([], dtype="int64"),
        }
    )


def find_mentions(
    texts: pd.Series, terms: SearchTerms | Sequence[str], *, workers: int | None = None
) -> pd.DataFrame:
    """Find every mention of ``terms`` in ``texts``.

    ``texts``: index = crime reference, values = circumstances text (empty or NA allowed).
    Returns one row per mention, in text order then position: ``crime_ref``, ``term`` (the
    canonical term as given), ``matched`` (the text as written), ``kind`` (``exact``,
    ``variant``, ``fuzzy`` or ``negated``), ``start``/``end`` (character offsets in the text, so
    ``text[start:end] == matched``), ``context`` (up to 60 characters each side, whitespace
    collapsed to single spaces), ``distance`` (edit distance between the letters matched and the
    term's letters, case folded; 0 for exact). A text over ``WORD_LIMIT`` words is searched in
    its first ``WORD_LIMIT`` words only (:func:`searched_in_part` names them).
    """
    st = terms if isinstance(terms, SearchTerms) else compile_terms(list(terms))
    if not isinstance(texts, pd.Series):
        raise TypeError("texts must be a pandas Series indexed by crime reference")
    if len(texts) == 0:
        return _empty_mentions()
    if workers is None:
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            workers = os.cpu_count() or 1
        workers = max(1, min(workers, 8))
    arr = to_arrow(texts)
    cuts = _over_limit(arr)
    if cuts:  # a text over the limit is searched in its first words only: the work is bounded
        mask = np.zeros(len(arr), dtype=bool)
        mask[list(cuts)] = True
        firsts = [arr[p].as_py()[:cut] for p, cut in sorted(cuts.items())]
        arr = pc.replace_with_mask(arr, pa.array(mask), pa.array(firsts, pa.large_string()))
    candidates = prefilter(st, arr, workers)
    rows: dict[str, list] = {c: [] for c in MENTION_COLUMNS}
    order = sorted(candidates)
    # the candidates' references and texts as Python strings in one call each, not one at a time
    # (docs/performance.md)
    refs = texts.index.take(order).tolist()
    candidate_texts = arr.take(pa.array(order, pa.int64())).to_pylist()
    norm_terms = [_norm(t) for t in st.terms]
    for ref, p, text in zip(refs, order, candidate_texts, strict=True):
        for m in _analyse(st, text, candidates[p]):
            matched = text[m.start : m.end]
            rows["crime_ref"].append(ref)
            rows["term"].append(st.terms[m.term])
            rows["matched"].append(matched)
            rows["kind"].append(KINDS[NEGATED if m.negated else m.kind])
            rows["start"].append(m.start)
            rows["end"].append(m.end)
            rows["context"].append(_context(text, m.start, m.end))
            rows["distance"].append(
                0 if m.kind == EXACT else int(OSA.distance(_norm(matched), norm_terms[m.term]))
            )
    if not rows["crime_ref"]:
        return _empty_mentions()
    out = pd.DataFrame(rows)
    for c in ("start", "end", "distance"):
        out[c] = out[c].astype("int64")
    for c in ("term", "matched", "kind", "context"):
        out[c] = out[c].astype("str")
    return out.reset_index(drop=True)


def outside_phrases(mentions: pd.DataFrame, phrases: pd.DataFrame) -> pd.DataFrame:
    """The mentions not inside a mention of an excluded phrase in the same text (`snapchat` in
    "snapchat filter" is the filter, not the app): ``phrases`` is ``find_mentions`` of the
    phrases over the same texts; a phrase found in any form, negated too, excludes what it
    holds."""
    if mentions.empty or phrases.empty:
        return mentions
    spans = phrases[["crime_ref", "start", "end"]].rename(
        columns={"start": "phrase_start", "end": "phrase_end"}
    )
    pairs = mentions[["crime_ref", "start", "end"]].reset_index(names="row").merge(spans)
    inside = pairs.loc[
        (pairs["phrase_start"] <= pairs["start"]) & (pairs["end"] <= pairs["phrase_end"]), "row"
    ]
    return mentions.loc[~mentions.index.isin(inside)].reset_index(drop=True)


#: certainty of a counted crime by its strongest kind; negated-only crimes get 0.0
_CERTAINTY = {"exact": 1.0, "variant": 0.75, "fuzzy": 0.5}


def find_mentions_outside(
    texts: pd.Series, terms: Sequence[str], exclude: Sequence[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The mentions of `terms` in `texts` (by crime ID) outside every phrase of `exclude`, and
    each crime's call (`classify_crimes`): a text measure's search."""
    mentions = find_mentions(texts, list(terms))
    if exclude and not mentions.empty:
        # an excluded phrase matters only in a text with a mention: search those texts alone
        mentioned = texts.loc[texts.index.isin(mentions["crime_ref"].unique())]
        mentions = outside_phrases(mentions, find_mentions(mentioned, list(exclude)))
    return mentions, classify_crimes(mentions)


def _joined_terms(mentions: pd.DataFrame) -> pd.Series:
    """Per crime (sorted), its distinct terms, sorted and joined with '; ' (in Arrow, not a crime
    at a time in Python: docs/performance.md)."""
    distinct = mentions[["crime_ref", "term"]].drop_duplicates().sort_values(["crime_ref", "term"])
    crimes, refs = pd.factorize(distinct["crime_ref"])  # the crimes as numbers, in sorted order
    table = pa.table(
        {
            "crime": crimes,
            "term": pa.array(distinct["term"].astype(str).to_numpy(dtype=object), pa.string()),
        }
    )
    # without threads Arrow keeps the rows' order: the crimes' and, within each, the terms'
    grouped = table.group_by("crime", use_threads=False).aggregate([("term", "list")])
    joined = pc.binary_join(grouped["term_list"], "; ")
    return pd.Series(
        joined.to_pylist(),
        index=pd.Index(refs[grouped["crime"].to_numpy()], name="crime_ref"),
        dtype=object,
    )


def classify_crimes(mentions: pd.DataFrame) -> pd.DataFrame:
    """One row per crime with at least one mention.

    ``counted``: at least one mention that is not negated. ``kind``: the strongest kind among
    the counted mentions (exact > variant > fuzzy), or ``negated``. ``terms``: the distinct
    terms behind that verdict (the counted mentions' terms, or the negated ones' for a crime
    not counted), sorted and joined with ``'; '``. ``certainty``: a score in [0, 1] to sort the
    review list least certain first: negated-only 0.0; fuzzy 0.5 at distance 1, 0.4 at 2, 0.3
    beyond; variant 0.75; exact 1.0; minus 0.1 when the crime also has a negated mention.
    Rows are sorted by ``crime_ref``.
    """
    missing = set(MENTION_COLUMNS[:4]) - set(mentions.columns) - {"matched"}
    if missing:
        raise ValueError(f"mentions lack columns: {sorted(missing)}")
    if mentions.empty:
        return pd.DataFrame(
            {
                "crime_ref": pd.Series([], dtype="str"),
                "counted": pd.Series([], dtype="bool"),
                "kind": pd.Series([], dtype="str"),
                "terms": pd.Series([], dtype="str"),
                "certainty": pd.Series([], dtype="float64"),
            }
        )
    rank = {k: i for i, k in enumerate(KINDS)}
    m = pd.DataFrame(
        {
            "crime_ref": mentions["crime_ref"].to_numpy(),
            "term": mentions["term"].astype("str").to_numpy(),
            "rank": mentions["kind"].map(rank).to_numpy(),
            "distance": (
                mentions["distance"]
                if "distance" in mentions
                else pd.Series(0, index=mentions.index)
            ).to_numpy(),
        }
    )
    if m["rank"].isna().any():
        bad = sorted(set(mentions["kind"][m["rank"].isna().to_numpy()].astype(str)))
        raise ValueError(f"unknown mention kinds: {bad}")
    m["rank"] = m["rank"].astype(int)
    g = m.groupby("crime_ref", sort=True)
    best = g["rank"].min()
    any_negated = g["rank"].max() == NEGATED
    counted = best < NEGATED
    fuzzy_d = m[m["rank"] == FUZZY].groupby("crime_ref")["distance"].min()

    is_counted_row = m["crime_ref"].map(counted).astype(bool)
    relevant = m[(m["rank"] < NEGATED) | ~is_counted_row]
    terms = _joined_terms(relevant)

    kind = pd.Series(np.asarray(KINDS, dtype=object)[best.to_numpy()], index=best.index)
    cert = kind.map(_CERTAINTY).fillna(0.0).astype(float)
    fz = kind == "fuzzy"
    if fz.any():
        d = fuzzy_d.reindex(cert.index[fz]).fillna(1).clip(lower=1)
        cert[fz] = (0.5 - 0.1 * (d - 1)).clip(lower=0.3).to_numpy()
    cert = cert - np.where(counted & any_negated, 0.1, 0.0)
    out = pd.DataFrame(
        {
            "crime_ref": best.index.to_numpy(),
            "counted": counted.to_numpy(dtype=bool),
            "kind": kind.astype("str").to_numpy(),
            "terms": terms.reindex(best.index).astype("str").to_numpy(),
            "certainty": cert.round(4).to_numpy(dtype=float),
        }
    )
    return out.reset_index(drop=True)
