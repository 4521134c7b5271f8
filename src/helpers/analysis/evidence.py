"""Find mentions of search terms (e.g. paedophile-hunter groups) in free-text crime circumstances.

No field of the crime extracts records that a crime came from an online child abuse activist
group (OCAG, "paedophile hunters"); the only trace is the officer's free text. This module
searches that text for the request's terms the way a careful reader would, and says how each
mention was found so that a reviewer can check the least certain ones first.

Public API
----------
``compile_terms(terms) -> SearchTerms``
    Compile the parameter file's term list once (forms, variants, fuzzy thresholds).
``find_mentions(texts, terms) -> DataFrame``
    One row per mention: ``crime_ref, term, matched, kind, start, end, context, distance``.
``classify_crimes(mentions) -> DataFrame``
    One row per crime with a mention: ``crime_ref, counted, kind, terms, certainty``.

Matching rules (what counts as a mention of a term)
---------------------------------------------------
Text is split into words: maximal runs of letters (case folded); everything else (spaces,
line breaks, punctuation, digits, hyphens) separates words. A term is a sequence of such words.

``exact``
    The term's words, in order, each written as in the term, separated only by whitespace
    (line breaks included), hyphens/dashes, underscores or quotes (at most 5 such characters):
    ``Paedophile-Hunter``, ``paedophile\\nhunter``, ``NORTHERN SHIELD``.
``variant``
    At least one word is a known variant of the term's word (nothing else worse):

    * inflection: plural/singular (``hunters``, ``vigilantes``, ``sentinel``, ``OCAGs``,
      ``activists``); an agent noun in ``-er`` also as ``-ing`` (``paedophile hunting group``,
      ``hunting group``). ``hunted``/``hunt`` are *not* variants (``a paedophile hunted ...``);
    * a listed spelling variant, with its inflections (``VARIANT_FORMS``): ``pedophile``,
      ``peadophile``, ``paedophille``, ``paedo`` ... for ``paedophile``; ``vigilantism``;
      ``children``;
    * a word split in two by a space or hyphen (``Safe guard Sentinels``, ``vigil-ante``):
      the term word must be at least 6 letters, each piece at least 3 letters, the pieces joined
      must spell an exact or variant form (no typo on top of a split: ``vigil and`` is not
      ``vigilante``), and at most one word of a phrase split;
    * words joined into one (``paedophilehunters``, ``NorthernShield``; a joined word is
      a fuzzy match only of the term's words as written joined, ``NothernShield``).

    A singular possessive between the words is no match (``Mr Hunter's group of friends``);
    a plural one is (``paedophile hunters' group``: apostrophes are separators).
``fuzzy``
    A word within an optimal-string-alignment edit distance (Levenshtein plus adjacent
    transposition, ``rapidfuzz.distance.OSA``) of one of the word's exact/variant forms, the
    allowance scaled to length: words of at most 4 letters exact only (``OCAG`` never matches
    ``ocean``), 5-8 letters distance 1 (``Nothern``), 9 or more letters distance 2
    (``vigilanty``, ``paedophilia``); the allowance is that of the shorter of the form and the
    term word, and a phrase's total distance is held to the allowance of the whole term's length.
    Real words that sit within that distance but mean something else are never fuzzy matches
    (``NOT_FUZZY``: ``vigilant``, ``vigilance``, ``hunted``, ``hunger``, ``punter`` ...).

A word on its own is a mention only if it is a whole term: the terms for FOI 20180075 contain
``hunter`` only inside ``paedophile hunter`` and ``hunter group``, so the surname ``Mr Hunter``
or a ``hunting knife`` never match. Overlapping mentions of different terms are
all reported (``paedophile hunter group`` mentions ``paedophile hunter`` and ``hunter group``);
of overlapping candidate mentions of one term only the best kind, then the longest, is kept.

``negated``
    A mention governed by a negation in the same clause is reported with kind ``negated``
    and does not count. Clauses end at ``. ; : ! ?``, a line break, and at ``but``, ``however``,
    ``although``, ``though``, ``whereas``, ``except``. Within its clause a mention is negated when

    * a negation comes before it and reaches it. Negations are nominal (``no``, ``nil``,
      ``none``, ``without``, ``neither``, ``nor``, ``non``, ``nobody``, ``nothing``) or verbal
      (``not``, ``never``, ``cannot``, ``-n't``). Between the negation and the term there may be
      function words (``a``, ``of``, ``any``, ``that``, ``to``, ``is``, ``been`` ...) and at most 4
      (nominal) or 3 (verbal) content words, each a word of involvement or report (``_RELATION``:
      ``involvement``, ``evidence``, ``suggest``, ``linked``, ``believed``, ``referral``,
      ``contacted`` ...): ``No involvement of any paedophile hunter group``, ``nil vigilante
      involvement``, ``not linked to Safeguard Sentinels``, ``no evidence to suggest any OCAG``.
      Any other content word means the negation is about something else, and the mention counts:
      ``no arrest was made by paedophile hunters``, ``did not know Predator Patrol ran it``,
      ``did not reply to messages from Northern Shield``. The reach also ends at a subordinating
      or relative word (``when``, ``who``, ``which``, ``after`` ...), at ``and`` before the first
      term (``no CCTV and vigilantes filmed him`` counts), and after a verbal negation at
      ``that`` or at a finite verb after a content word (``did not realise the child was a
      paedophile hunter decoy`` counts); after a verbal negation with content words between, the
      term must follow a preposition or a copula (``wasn't contacted by paedophile hunters``);
    * it follows a negated mention in a list (``not a vigilante or hunter group referral``,
      ``No involvement of any paedophile hunter group or vigilantes``): at most 2 content words
      between the list items;
    * a negation follows it closely: ``... were not involved``, ``... had no part``,
      ``... ruled out``, ``vigilante involvement: nil``.

    ``no doubt``, ``no question``, ``not only``, ``not least`` are not negations. A text with a
    counted mention and a negated one counts.

Nothing else decides: a police covert operation (an undercover officer or the police online
team posing as a child, with a "decoy" account) mentions no term and so does not count, while a
decoy run by a hunter group counts because the group is named or described by a term.

Performance
-----------
``find_mentions`` first runs a vectorised prefilter over all texts (UTF-8 bytes classified with
numpy, words dictionary-encoded with pyarrow, in chunks over a thread pool); the vocabulary of
distinct words (not the texts) is matched against every form of every term word with
``rapidfuzz.process.cdist``. Only texts whose words could make up a term (every word of the
term, or all but one split word, present in some form) get the detailed phrase and negation
analysis in Python. The prefilter is a superset of the detailed rules, so it loses nothing.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import process
from rapidfuzz.distance import OSA

__all__ = [
    "KINDS",
    "NOT_FUZZY",
    "VARIANT_FORMS",
    "SearchTerms",
    "classify_crimes",
    "compile_terms",
    "find_mentions",
    "fuzzy_allowance",
]

KINDS = ("exact", "variant", "fuzzy", "negated")
EXACT, VARIANT, FUZZY, NEGATED = 0, 1, 2, 3

MENTION_COLUMNS = ["crime_ref", "term", "matched", "kind", "start", "end", "context", "distance"]
CRIME_COLUMNS = ["crime_ref", "counted", "kind", "terms", "certainty"]

#: Characters of context kept on each side of a mention.
CONTEXT_CHARS = 60

#: Extra forms of a term word (each also gets its inflections). Spelling variants first.
VARIANT_FORMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "paedophile": (
            "pedophile",
            "peadophile",
            "paedophille",
            "pedophille",
            "peadophille",
            "paedofile",
            "pedofile",
            "paedo",
            "pedo",
        ),
        "vigilante": ("vigilantism",),
        "child": ("children",),
        "organisation": ("organization",),
        "organization": ("organisation",),
    }
)

#: Real words close to a term word that must never be taken for a typing error.
NOT_FUZZY: frozenset[str] = frozenset(
    {
        "vigilant",
        "vigilance",
        "vigilantly",
        "hunted",
        "hunger",
        "hungry",
        "punter",
        "punters",
        "shunter",
    }
)

_WORD_RE = re.compile(r"[^\W\d_]+")
# what may separate the words of one term (after the first word): whitespace incl. line breaks,
# hyphens and dashes, underscore, quotes
_GAP_RE = re.compile(r"[\s\-\u2010-\u2015\u2212_'\"\u2018\u2019\u201c\u201d`]{1,5}")
# what may separate the two pieces of one split word
_SPLIT_GAP_RE = re.compile(r"[ \t\-\u2010-\u2015\u00a0]{1,2}")
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
    confirmed indicated indication indicate suggest suggests suggested suggestion evidence sign signs
    trace information intelligence report reports reported referral referrals referred instigated
    initiated prompted generated arranged organised organized run operated conducted carried out made
    received supplied provided passed contacted contact approached targeted caught identified
    detected result resulted part role case matter operation sting investigation input assistance
    help support due element presence present activity group groups member members volunteers team
    kind type sort form whatsoever all further
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
_POST_COLON_RE = re.compile(
    r"\s*(?:involvement|involved|referral|input|activity)?\s*[:=\-\u2013\u2014]+\s*(?:nil|none|no|n/?a|negative)\b",
    re.IGNORECASE,
)
#: every word `_negate` can act on but `_POST_COLON_RE`: a text with none of them has no negation
#: before or after a mention but that one
_NEGATION_WORDS = _NOMINAL_CUES | _VERBAL_CUES | {"t", "ruled"}

_CHUNK = 50_000  # texts per tokenising task
_CDIST_BATCH = 100_000  # vocabulary words per rapidfuzz.cdist call
_CACHE_MAX = 2_000_000  # words remembered per SearchTerms


def fuzzy_allowance(length: int) -> int:
    """Edit distance allowed for a word of ``length`` letters: <=4 exact, 5-8 one, 9+ two."""
    if length <= 4:
        return 0
    if length <= 8:
        return 1
    return 2


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(text)]


def _plural(w: str) -> str:
    if w.endswith(("s", "x", "z", "ch", "sh")):
        return w + "es"
    if len(w) > 1 and w.endswith("y") and w[-2] not in "aeiou":
        return w[:-1] + "ies"
    return w + "s"


def _inflections(w: str) -> set[str]:
    """Plural/singular, and the -ing form of an -er agent noun (hunter -> hunting)."""
    out = {w}
    if len(w) < 3:
        return out
    base = w
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        base = w[:-1]
        out.add(base)
    else:
        out.add(_plural(w))
    if base.endswith("er") and len(base) >= 5:
        stem = base[:-2]
        out.add(stem + "ing")
        out.add(stem + "ers")
    return out


@dataclass(frozen=True)
class _Slot:
    """One unit a token can stand for: a single term word, or several consecutive ones joined."""

    term: int
    first: int
    last: int  # inclusive
    canonical: str
    forms: Mapping[str, int]  # form -> EXACT or VARIANT
    splittable: bool
    bits: int  # bit of every term word covered


@dataclass(frozen=True)
class _TokInfo:
    hits: Mapping[int, tuple[int, int]]  # slot id -> (kind, fuzzy distance)
    heads: frozenset[int]  # single-word slots this token can begin as the first piece of a split
    hit_bits: int
    head_bits: int


@dataclass(frozen=True, eq=False)
class SearchTerms:
    """Compiled search terms; build with :func:`compile_terms`."""

    terms: tuple[str, ...]
    words: tuple[tuple[str, ...], ...]
    not_fuzzy: frozenset[str]
    slots: tuple[_Slot, ...] = field(repr=False)
    slot_index: tuple[Mapping[tuple[int, int], int], ...] = field(repr=False)
    term_bits: tuple[int, ...] = field(repr=False)
    form_index: Mapping[str, tuple[tuple[int, int], ...]] = field(repr=False)
    fuzzy_forms: tuple[str, ...] = field(repr=False)
    fuzzy_slots: np.ndarray = field(repr=False)
    fuzzy_allow: np.ndarray = field(repr=False)
    heads: Mapping[str, tuple[int, ...]] = field(repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def n_bits(self) -> int:
        return sum(len(w) for w in self.words)


def compile_terms(
    terms: Sequence[str],
    *,
    variant_forms: Mapping[str, Sequence[str]] = VARIANT_FORMS,
    not_fuzzy: frozenset[str] | set[str] = NOT_FUZZY,
) -> SearchTerms:
    """Compile ``terms`` (as written in the parameters file) for :func:`find_mentions`."""
    if isinstance(terms, str):
        raise TypeError("terms must be a list of strings, not one string")
    seen: dict[tuple[str, ...], str] = {}
    for term in terms:
        ws = tuple(_words(str(term)))
        if not ws:
            raise ValueError(f"search term {term!r} has no letters")
        seen.setdefault(ws, str(term).strip())
    if not seen:
        raise ValueError("no search terms")
    words = tuple(seen)
    canon = tuple(seen.values())

    def word_forms(w: str) -> dict[str, int]:
        forms = {f: VARIANT for f in _inflections(w)}
        for extra in variant_forms.get(w, ()):
            for e in _words(extra):
                for f in _inflections(e):
                    forms.setdefault(f, VARIANT)
        forms[w] = EXACT
        return forms

    slots: list[_Slot] = []
    slot_index: list[dict[tuple[int, int], int]] = []
    term_bits: list[int] = []
    bit = 0
    for t, ws in enumerate(words):
        first_bit = bit
        bit += len(ws)
        term_bits.append(((1 << len(ws)) - 1) << first_bit)
        single = [word_forms(w) for w in ws]
        idx: dict[tuple[int, int], int] = {}
        for k in range(len(ws)):
            for m in range(k, len(ws)):
                if m == k:
                    forms = single[k]
                else:
                    forms = {}
                    combos = itertools.islice(
                        itertools.product(*(single[i] for i in range(k, m + 1))), 500
                    )
                    for combo in combos:
                        forms.setdefault("".join(combo), VARIANT)
                bits = sum(1 << (first_bit + i) for i in range(k, m + 1))
                idx[(k, m)] = len(slots)
                slots.append(
                    _Slot(
                        term=t,
                        first=k,
                        last=m,
                        canonical="".join(ws[k : m + 1]),
                        forms=MappingProxyType(forms),
                        splittable=(m == k and len(ws[k]) >= 6),
                        bits=bits,
                    )
                )
        slot_index.append(MappingProxyType(idx))

    form_index: dict[str, list[tuple[int, int]]] = {}
    fuzzy_forms: list[str] = []
    fuzzy_slots: list[int] = []
    fuzzy_allow: list[int] = []
    heads: dict[str, set[int]] = {}
    for sid, slot in enumerate(slots):
        allow_canon = fuzzy_allowance(len(slot.canonical))
        for form, kind in slot.forms.items():
            form_index.setdefault(form, []).append((sid, kind))
            allow = min(fuzzy_allowance(len(form)), allow_canon)
            # joined words: fuzzy only against the term's words as written
            if allow > 0 and (slot.first == slot.last or form == slot.canonical):
                fuzzy_forms.append(form)
                fuzzy_slots.append(sid)
                fuzzy_allow.append(allow)
            if slot.splittable:
                for cut in range(3, len(form) - 2):
                    heads.setdefault(form[:cut], set()).add(sid)

    return SearchTerms(
        terms=canon,
        words=words,
        not_fuzzy=frozenset(w.lower() for w in not_fuzzy),
        slots=tuple(slots),
        slot_index=tuple(slot_index),
        term_bits=tuple(term_bits),
        form_index=MappingProxyType({f: tuple(v) for f, v in form_index.items()}),
        fuzzy_forms=tuple(fuzzy_forms),
        fuzzy_slots=np.asarray(fuzzy_slots, dtype=np.int64),
        fuzzy_allow=np.asarray(fuzzy_allow, dtype=np.int64),
        heads=MappingProxyType({h: tuple(sorted(s)) for h, s in heads.items()}),
    )


# --------------------------------------------------------------------------- word-level matching


def _token_infos(st: SearchTerms, tokens: Sequence[str]) -> list[_TokInfo | None]:
    """What each (lower-case, letters-only) token can stand for; cached on ``st``."""
    cache = st._cache
    if len(cache) > _CACHE_MAX:
        cache.clear()
    missing = [t for t in dict.fromkeys(tokens) if t not in cache]
    if missing:
        hits: dict[str, dict[int, tuple[int, int]]] = {}
        for tok in missing:
            found = st.form_index.get(tok)
            if found:
                hits[tok] = {sid: (kind, 0) for sid, kind in found}
        if st.fuzzy_forms:
            longest = max(len(f) for f in st.fuzzy_forms) + 2
            eligible = [t for t in missing if 3 <= len(t) <= longest and t not in st.not_fuzzy]
            cutoff = int(st.fuzzy_allow.max())
            for b in range(0, len(eligible), _CDIST_BATCH):
                batch = eligible[b : b + _CDIST_BATCH]
                dist = process.cdist(
                    batch,
                    st.fuzzy_forms,
                    scorer=OSA.distance,
                    score_cutoff=cutoff,
                    workers=-1,
                    dtype=np.int32,
                )
                rows, cols = np.nonzero((dist <= st.fuzzy_allow[None, :]) & (dist > 0))
                for r, c in zip(rows.tolist(), cols.tolist()):
                    tok = batch[r]
                    sid = int(st.fuzzy_slots[c])
                    d = int(dist[r, c])
                    h = hits.setdefault(tok, {})
                    old = h.get(sid)
                    if old is None or (old[0] == FUZZY and d < old[1]):
                        h[sid] = (FUZZY, d)
        for tok in missing:
            h = hits.get(tok)
            hd = st.heads.get(tok, ())
            if not h and not hd:
                cache[tok] = None
                continue
            h = h or {}
            cache[tok] = _TokInfo(
                hits=MappingProxyType(h),
                heads=frozenset(hd),
                hit_bits=_or_bits(st.slots[s].bits for s in h),
                head_bits=_or_bits(st.slots[s].bits for s in hd),
            )
    return [cache[t] for t in tokens]


def _or_bits(values) -> int:
    out = 0
    for v in values:
        out |= v
    return out


# --------------------------------------------------------------------------- vectorised prefilter


def _tokenise_chunk(arr: pa.Array):
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


def _prefilter(st: SearchTerms, arr: pa.Array, workers: int) -> dict[int, list[int]]:
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
            parts = _words(w)
            sub[i] = parts
            needed.extend(parts)
    infos = dict(zip(needed, _token_infos(st, needed)))
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
    for (a, _b), (dictionary, indices, per_text) in zip(bounds, chunks):
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


# --------------------------------------------------------------------------- detailed analysis


@dataclass
class _Match:
    term: int
    start: int
    end: int
    kind: int
    first_tok: int
    last_tok: int
    negated: bool = False


def _tokenise(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def _next_token(text: str, toks, prev: int, j: int) -> int | None:
    """``j`` if the gap after token ``prev`` may sit inside a term, else None."""
    if j >= len(toks):
        return None
    return j if _GAP_RE.fullmatch(text, toks[prev][2], toks[j][1]) else None


def _match_at(st: SearchTerms, t: int, text: str, toks, infos, i: int) -> _Match | None:
    """Best match of term ``t`` whose first word starts at token ``i``."""
    n = len(st.words[t])
    idx = st.slot_index[t]
    best: list = [None]
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
            (joined,) = _token_infos(st, [toks[j][0] + toks[j + 1][0]])
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
    return _Match(
        term=t, start=toks[i][1], end=toks[last][2], kind=kind, first_tok=i, last_tok=last
    )


def _clauses(text: str, toks) -> list[int]:
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


def _cue(text: str, toks, j: int) -> str | None:
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


def _negate(text: str, toks, matches: list[_Match]) -> None:
    """Mark the matches governed by a negation (see module docstring)."""
    if not matches:
        return
    if _NEGATION_WORDS.isdisjoint(tok for tok, _s, _e in toks):
        # no cue word anywhere (most texts): only a "...: nil" straight after a mention negates it
        for m in matches:
            m.negated = bool(_POST_COLON_RE.match(text, m.end))
        return
    clause = _clauses(text, toks)
    owner = {}
    for mi, m in enumerate(matches):
        for j in range(m.first_tok, m.last_tok + 1):
            owner[j] = mi
    for mi, m in enumerate(matches):
        c = clause[m.first_tok]
        j0 = m.first_tok
        while j0 > 0 and clause[j0 - 1] == c:
            j0 -= 1
        # walk from the clause start to the mention
        active: str | None = None
        free = 0
        after = False
        last = ""  # last word before here, determiners aside
        j = j0
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
        active = active if active and _governs(active, after, free, last) else None
        if active:
            m.negated = True
            continue
        # a negation that follows the mention
        if _POST_COLON_RE.match(text, m.end):
            m.negated = True
            continue
        c_end = clause[m.last_tok]
        j = m.last_tok + 1
        content = 0
        while j < len(toks) and clause[j] == c_end and content <= 2:
            if j in owner:
                j = matches[owner[j]].last_tok + 1
                continue
            tok = toks[j][0]
            nxt = toks[j + 1][0] if j + 1 < len(toks) and clause[j + 1] == c_end else ""
            if tok == "ruled" and nxt == "out":
                m.negated = True
                break
            if _cue(text, toks, j) and nxt in _POST_OBJECTS:
                m.negated = True
                break
            if tok not in _POST_SKIP and not _cue(text, toks, j):
                content += 1
            j += 1


def _analyse(st: SearchTerms, text: str, term_ids: Sequence[int]) -> list[_Match]:
    toks = _tokenise(text)
    if not toks:
        return []
    infos = _token_infos(st, [t[0] for t in toks])
    found: list[_Match] = []
    for t in term_ids:
        first_slots = [sid for (k, _m), sid in st.slot_index[t].items() if k == 0]
        head_slot = st.slot_index[t][(0, 0)]
        for i, info in enumerate(infos):
            if info is None:
                continue
            if not any(s in info.hits for s in first_slots) and head_slot not in info.heads:
                continue
            m = _match_at(st, t, text, toks, infos, i)
            if m is not None:
                found.append(m)
    if not found:
        return []
    # one mention of a term per stretch of text: best kind, then longest, then first
    found.sort(key=lambda m: (m.term, m.kind, -(m.end - m.start), m.start))
    kept: list[_Match] = []
    for m in found:
        if all(k.term != m.term or m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    kept.sort(key=lambda m: (m.start, m.end, m.term))
    _negate(text, toks, kept)
    return kept


def _context(text: str, start: int, end: int) -> str:
    lo = max(0, start - CONTEXT_CHARS)
    hi = min(len(text), end + CONTEXT_CHARS)
    return " ".join(text[lo:hi].split())


def _norm(s: str) -> str:
    return "".join(_words(s))


def _to_arrow(texts: pd.Series) -> pa.Array:
    s = texts
    if not isinstance(s.dtype, pd.StringDtype):
        s = s.astype("str")
    arr = pa.array(s.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], type=pa.large_string())
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return pc.fill_null(arr, "")


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
    term's letters, case folded; 0 for exact).
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
    arr = _to_arrow(texts)
    candidates = _prefilter(st, arr, workers)
    rows: dict[str, list] = {c: [] for c in MENTION_COLUMNS}
    order = sorted(candidates)
    # the candidates' references and texts as Python strings at once (one at a time from the
    # index and the Arrow array cost 16 µs each)
    refs = texts.index.take(order).tolist()
    candidate_texts = arr.take(pa.array(order, pa.int64())).to_pylist()
    norm_terms = [_norm(t) for t in st.terms]
    for ref, p, text in zip(refs, order, candidate_texts):
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


# --------------------------------------------------------------------------- per crime

#: certainty of a counted crime by its strongest kind; negated-only crimes get 0.0
_CERTAINTY = {"exact": 1.0, "variant": 0.75, "fuzzy": 0.5}


def _joined_terms(mentions: pd.DataFrame) -> pd.Series:
    """Per crime (sorted), its distinct terms, sorted and joined with '; ' (in Arrow: a crime
    at a time in Python took 60 ms for a thousand crimes)."""
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
