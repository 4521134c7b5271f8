"""A mention of a term in one text: the term's words, in order, each standing for its term word.

Between the words of a term only whitespace (line breaks included), hyphens or dashes, underscores
or quotes, at most 5 such characters (``Paedophile-Hunter``, ``paedophile\\nhunter``): a singular
possessive is no match (``Mr Hunter's group``), a plural one is (``hunters' group``). One word of
a phrase may be split in two by a space or hyphen (``Safe guard Sentinels``): the term word has at
least 6 letters, each piece at least 3, and the pieces joined spell an exact or variant form (no
typo on top of a split: ``vigil and`` is not ``vigilante``). A mention is as good as its worst
word; a fuzzy one's total distance is held to the allowance of the whole term's length. A word on
its own is a mention only if it is a whole term (``Mr Hunter`` is not ``paedophile hunter``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from helpers.analysis.search.terms import (
    EXACT,
    FUZZY,
    VARIANT,
    WORD_RE,
    SearchTerms,
    TokenInfo,
    fuzzy_allowance,
    token_infos,
)

# what may separate the words of one term (after the first word): whitespace incl. line breaks,
# hyphens and dashes, underscore, quotes
_GAP_RE = re.compile(r"[\s\-\u2010-\u2015\u2212_'\"\u2018\u2019\u201c\u201d`]{1,5}")
# what may separate the two pieces of one split word
_SPLIT_GAP_RE = re.compile(r"[ \t\-\u2010-\u2015\u00a0]{1,2}")

Token = tuple[str, int, int]
"""A word of a text: ``(lower-case word, start, end)``, offsets in the text."""


@dataclass
class Match:
    """A mention of term number ``term``: characters ``start:end`` of the text, its tokens
    ``first_tok`` to ``last_tok``; ``negated`` is set by the negation analysis."""

    term: int
    start: int
    end: int
    kind: int
    first_tok: int
    last_tok: int
    negated: bool = False


def tokenise(text: str) -> list[Token]:
    """The words of ``text`` with their offsets."""
    return [(m.group().lower(), m.start(), m.end()) for m in WORD_RE.finditer(text)]


def _next_token(text: str, toks: Sequence[Token], prev: int, j: int) -> int | None:
    """``j`` if the gap after token ``prev`` may sit inside a term, else None."""
    if j >= len(toks):
        return None
    return j if _GAP_RE.fullmatch(text, toks[prev][2], toks[j][1]) else None


def match_at(
    st: SearchTerms,
    t: int,
    text: str,
    toks: Sequence[Token],
    infos: Sequence[TokenInfo | None],
    i: int,
) -> Match | None:
    """Best match of term ``t`` whose first word starts at token ``i``."""
    n = len(st.words[t])
    idx = st.slot_index[t]
    best: list[tuple[tuple[int, int, int], int] | None] = [None]  # (sort key, last token)
    term_allow = fuzzy_allowance(sum(len(w) for w in st.words[t]))

    def step(k: int, j: int | None, last: int, split_used: bool, kind: int, dsum: int) -> None:
        if k == n:
            if kind == FUZZY and dsum > term_allow:
                return
            key = (kind, dsum, -toks[last][2])
            if best[0] is None or key < best[0][0]:
                best[0] = (key, last)
            return
        if j is None:
            return
        info = infos[j]
        if info is not None:
            for m in range(k, n):
                h = info.hits.get(idx[(k, m)])
                if h is not None:
                    kk = max(kind, h[0], VARIANT if m > k else EXACT)
                    nxt = _next_token(text, toks, j, j + 1) if m + 1 < n else None
                    step(m + 1, nxt, j, split_used, kk, dsum + h[1])
        sid = idx[(k, k)]
        if (
            info is not None
            and sid in info.heads
            and (n == 1 or not split_used)
            and j + 1 < len(toks)
            and len(toks[j + 1][0]) >= 3
            and _SPLIT_GAP_RE.fullmatch(text[toks[j][2] : toks[j + 1][1]])
        ):
            (joined,) = token_infos(st, [toks[j][0] + toks[j + 1][0]])
            h = joined.hits.get(sid) if joined is not None else None
            # the joined pieces must spell a form exactly: a split *and* a typo is too far from
            # the term (`vigil and` is not `vigilante`)
            if h is not None and h[0] < FUZZY:
                nxt = _next_token(text, toks, j + 1, j + 2) if k + 1 < n else None
                step(k + 1, nxt, j + 1, True, max(kind, h[0], VARIANT), dsum + h[1])

    step(0, i, i, False, EXACT, 0)
    if best[0] is None:
        return None
    (kind, _d, _e), last = best[0]
    return Match(term=t, start=toks[i][1], end=toks[last][2], kind=kind, first_tok=i, last_tok=last)
