"""Negation: a mention governed by a negation in its clause is ``negated`` and does not count.

The rules are `negate`'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from helpers.analysis.search.phrases import Match, Token

_APOSTROPHES = ("'", "\u2019")  # before the t of -n't
_CLAUSE_PUNCT_RE = re.compile(r"[.;:!?\n\r\u2029\u2028]")
_CLAUSE_WORDS = frozenset({"but", "however", "although", "though", "whereas", "except"})

_NOMINAL_CUES = frozenset(
    {"no", "nil", "none", "without", "neither", "nor", "non", "nobody", "nothing"}
)
_VERBAL_CUES = frozenset({"not", "never", "cannot"})
_NOT_CUE_AFTER = frozenset({"doubt", "question", "only", "least"})
_BREAKERS = frozenset(
    {
        "when",
        "who",
        "whom",
        "whose",
        "which",
        "where",
        "while",
        "whilst",
        "because",
        "after",
        "before",
        "until",
        "once",
        "then",
        "since",
        "if",
        "unless",
    }
)
_GLUE = frozenset(
    {
        "a",
        "an",
        "the",
        "any",
        "other",
        "of",
        "or",
        "nor",
        "from",
        "by",
        "with",
        "in",
        "on",
        "at",
        "for",
        "this",
        "these",
        "those",
        "such",
        "its",
        "their",
        "his",
        "her",
        "s",
        "either",
        "so",
        "called",
        "that",
    }
)
_AUX = frozenset(
    {
        "be",
        "been",
        "being",
        "is",
        "was",
        "were",
        "are",
        "am",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "to",
    }
)
_DETERMINERS = frozenset(
    {
        "a",
        "an",
        "the",
        "any",
        "this",
        "these",
        "those",
        "such",
        "its",
        "their",
        "his",
        "her",
        "other",
        "either",
        "so",
        "called",
        "s",
    }
)
_PREPOSITIONS = frozenset(
    {
        "by",
        "from",
        "to",
        "with",
        "of",
        "in",
        "on",
        "at",
        "for",
        "via",
        "through",
        "involving",
        "about",
        "against",
        "as",
    }
)
#: content words that may stand between a negation and the term it governs
_RELATION = frozenset(
    """
    involvement involved involving linked link links connected connection associated association
    related relation attributed attributable believed thought considered known deemed suspected
    confirmed indicated indication indicate suggest suggests suggested suggestion evidence sign
    signs trace information intelligence report reports reported referral referrals referred
    instigated initiated prompted generated arranged organised organized run operated conducted
    carried out made received supplied provided passed contacted contact approached targeted
    caught identified detected result resulted part role case matter operation sting
    investigation input assistance help support due element presence present activity group
    groups member members volunteers team kind type sort form whatsoever all further
    """.split()
)
_FINITE = frozenset({"is", "was", "were", "are", "am", "has", "had", "does", "did"})
_K_NOMINAL, _K_VERBAL, _K_AFTER = 4, 3, 2
_POST_SKIP = (
    frozenset({"group", "groups", "member", "members", "involvement", "and", "or"}) | _GLUE | _AUX
)
_POST_OBJECTS = frozenset(
    {
        "involved",
        "involvement",
        "present",
        "linked",
        "connected",
        "associated",
        "responsible",
        "part",
        "role",
    }
)
# the whitespace before the optional word and after it is one run or two, never both ways: a
# `\s*` on either side of an optional word backtracked over a long run of spaces quadratically
_POST_COLON_RE = re.compile(
    r"\s*(?:(?:involvement|involved|referral|input|activity)\s*)?[:=\-\u2013\u2014]+\s*"
    r"(?:nil|none|no|n/?a|negative)\b",
    re.IGNORECASE,
)
#: every word `negate` can act on but `_POST_COLON_RE`: a text with none of them has no negation
#: before or after a mention but that one
_NEGATION_WORDS = _NOMINAL_CUES | _VERBAL_CUES | {"t", "ruled"}


def _clauses(text: str, toks: Sequence[Token]) -> list[int]:
    """Clause number of every token."""
    out = []
    clause = 0
    prev_end = 0
    for tok, s, _e in toks:
        if _CLAUSE_PUNCT_RE.search(text, prev_end, s) or tok in _CLAUSE_WORDS:
            clause += 1
        out.append(clause)
        prev_end = _e
    return out


def _cue(text: str, toks: Sequence[Token], j: int) -> str | None:
    """Whether token ``j`` is a negation cue: "nominal", "verbal" or None."""
    tok = toks[j][0]
    nxt = toks[j + 1][0] if j + 1 < len(toks) else ""
    if tok in _NOMINAL_CUES:
        return None if (tok == "no" and nxt in _NOT_CUE_AFTER) else "nominal"
    if tok in _VERBAL_CUES:
        return None if nxt in _NOT_CUE_AFTER else "verbal"
    if (
        tok == "t"
        and j > 0
        and toks[j - 1][0].endswith("n")
        and text[toks[j - 1][2] : toks[j][1]] in _APOSTROPHES
    ):
        return "verbal"  # wasn't, didn't, isn't ...
    return None


def _governs(active: str, after: bool, free: int, last: str) -> bool:
    """Does a live negation reach the term here?

    After a verbal negation with content words in between, only if the term is the
    complement of a preposition or a copula (``not contacted by``, ``not believed to be``),
    not the object of another verb (``did not know Predator Patrol ran the account``)."""
    if active == "verbal" and not after and free and last not in _PREPOSITIONS and last not in _AUX:
        return False
    return True


def negate(text: str, toks: Sequence[Token], matches: list[Match]) -> None:
    """Mark the matches governed by a negation.

    Clauses end at ``. ; : ! ?``, a line break, and at ``but``, ``however``, ``although``,
    ``though``, ``whereas``, ``except``. Within its clause a mention is negated when

    * a negation before it reaches it: a nominal cue (``no``, ``nil``, ``without`` ...) or a
      verbal one (``not``, ``never``, ``-n't``), with only function words and at most 4 (nominal)
      or 3 (verbal) words of involvement or report (``_RELATION``) between: ``No involvement of
      any paedophile hunter group``. Any other content word ends the reach (``no arrest was made
      by paedophile hunters`` counts), as do a subordinating word, ``and`` before the first term
      and, after a verbal cue, ``that`` or a finite verb after a content word; after a verbal cue
      with content words between, the term must follow a preposition or a copula;
    * it follows a negated mention in a list, at most 2 content words on;
    * a negation follows it closely: ``... were not involved``, ``... ruled out``, ``...: nil``.

    ``no doubt``, ``no question``, ``not only``, ``not least`` are not negations.
    """
    if not matches:
        return
    if _NEGATION_WORDS.isdisjoint(tok for tok, _s, _e in toks):
        # no cue word anywhere (most texts): only a "...: nil" straight after a mention negates it
        for m in matches:
            m.negated = bool(_POST_COLON_RE.match(text, m.end))
        return
    clause = _clauses(text, toks)
    owner: dict[int, int] = {}  # token -> the match it belongs to
    for mi, m in enumerate(matches):
        for j in range(m.first_tok, m.last_tok + 1):
            owner[j] = mi
    negated_before = _negated_from_before(text, toks, matches, clause, owner)
    followed: dict[tuple[int, int], bool] = {}  # _negation_follows's answers, shared
    for mi, m in enumerate(matches):
        m.negated = (
            negated_before[mi]
            or bool(_POST_COLON_RE.match(text, m.end))
            or _negation_follows(text, toks, matches, clause, owner, m, followed)
        )


def _negated_from_before(
    text: str,
    toks: Sequence[Token],
    matches: Sequence[Match],
    clause: Sequence[int],
    owner: dict[int, int],
) -> list[bool]:
    """For each match, whether a negation before it in its clause reaches it.

    The walk from a clause's start is the same for every match in the clause, so it is made once
    per clause, its state read as it passes each match (a walk from the clause's start for each
    match grew with the square of the mentions in a long clause: docs/performance.md).
    """
    clause_start: dict[int, int] = {}
    for j, c in enumerate(clause):
        clause_start.setdefault(c, j)
    out = [False] * len(matches)
    walking = -1  # the clause walked
    j = 0
    active: str | None = None
    free = 0
    after = False
    last = ""  # last word before here, determiners aside
    for mi in sorted(range(len(matches)), key=lambda i: matches[i].first_tok):
        m = matches[mi]
        c = clause[m.first_tok]
        if c != walking:
            walking, j = c, clause_start[c]
            active, free, after, last = None, 0, False, ""
        # walk on from where the last match of the clause left off, up to this mention
        while j < m.first_tok:
            if j in owner:
                if active and _governs(active, after, free, last):
                    after, free = True, 0
                else:
                    active = None
                j = matches[owner[j]].last_tok + 1
                continue
            cue = _cue(text, toks, j)
            tok = toks[j][0]
            j += 1
            if cue:
                active, free, after, last = cue, 0, False, ""
                continue
            if active is None:
                continue
            if tok not in _DETERMINERS:
                last = tok
            if tok in _BREAKERS or (
                active == "verbal" and (tok == "that" or (tok in _FINITE and free))
            ):
                active = None
                continue
            if tok in _GLUE or tok in _AUX:
                continue
            if tok == "and":
                if not after:
                    active = None
                continue
            if not after and tok not in _RELATION:
                active = None  # the negation is about something else: "no CCTV", "did not know"
                continue
            free += 1
            limit = _K_AFTER if after else (_K_NOMINAL if active == "nominal" else _K_VERBAL)
            if free > limit:
                active = None
        out[mi] = bool(active and _governs(active, after, free, last))
    return out


def _negation_follows(
    text: str,
    toks: Sequence[Token],
    matches: Sequence[Match],
    clause: Sequence[int],
    owner: dict[int, int],
    m: Match,
    known: dict[tuple[int, int], bool],
) -> bool:
    """Whether a negation closely follows match ``m`` in its clause (``... were not involved``,
    ``... ruled out``), other mentions skipped.

    Where a walk goes from a word depends only on that word and the content words counted so
    far, so each (word, count) is walked once and its answer kept in ``known`` for the next
    match's walk (a list of mentions with no content word between was otherwise walked to its
    end from every mention in it).
    """
    c_end = clause[m.last_tok]
    j = m.last_tok + 1
    content = 0
    walked: list[tuple[int, int]] = []
    answer = False
    while j < len(toks) and clause[j] == c_end and content <= 2:
        state = (j, content)
        if state in known:
            answer = known[state]
            break
        walked.append(state)
        if j in owner:
            j = matches[owner[j]].last_tok + 1
            continue
        tok = toks[j][0]
        nxt = toks[j + 1][0] if j + 1 < len(toks) and clause[j + 1] == c_end else ""
        if tok == "ruled" and nxt == "out":
            answer = True
            break
        if _cue(text, toks, j) and nxt in _POST_OBJECTS:
            answer = True
            break
        if tok not in _POST_SKIP and not _cue(text, toks, j):
            content += 1
        j += 1
    for state in walked:
        known[state] = answer
    return answer
