"""The search terms compiled once: every form of every term word, and what a text's word stands for.

A text's words are its maximal runs of letters, case folded; everything else separates words.
A word of a text stands for a term word (or for several joined: ``paedophilehunters``) when it is

* ``exact``: written as in the term;
* ``variant``: an inflection (plural or singular; an ``-er`` agent noun also as ``-ing``:
  ``hunting group``, but never ``hunted``), a listed spelling (:data:`VARIANT_FORMS`, with its
  inflections), or the term's words joined into one;
* ``fuzzy``: within :func:`fuzzy_allowance` (optimal string alignment distance, for the shorter
  of the form and the term word) of an exact or variant form, unless it is a real word listed in
  :data:`NOT_FUZZY`; a joined word is fuzzy only against the term's words as written, joined.

How words make up a mention of a whole term is in :mod:`helpers.analysis.search.phrases`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

#: how a mention was found, best first; a ``negated`` mention does not count
KINDS = ("exact", "variant", "fuzzy", "negated")
EXACT, VARIANT, FUZZY, NEGATED = 0, 1, 2, 3  # indices into KINDS

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

#: a word: a maximal run of letters (digits, underscores and all else separate words)
WORD_RE = re.compile(r"[^\W\d_]+")

_CDIST_BATCH = 100_000  # vocabulary words per rapidfuzz.cdist call
_CACHE_MAX = 2_000_000  # words remembered per SearchTerms


def fuzzy_allowance(length: int) -> int:
    """Edit distance allowed for a word of ``length`` letters: <=4 exact, 5-8 one, 9+ two."""
    if length <= 4:
        return 0
    if length <= 8:
        return 1
    return 2


def split_words(text: str) -> list[str]:
    """The words of ``text``, case folded."""
    return [w.lower() for w in WORD_RE.findall(text)]


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
class Slot:
    """One unit a token can stand for: a single term word, or several consecutive ones joined."""

    term: int
    first: int
    last: int  # inclusive
    canonical: str
    forms: Mapping[str, int]  # form -> EXACT or VARIANT
    splittable: bool
    bits: int  # bit of every term word covered


@dataclass(frozen=True)
class TokenInfo:
    """What one word of a text can stand for."""

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
    slots: tuple[Slot, ...] = field(repr=False)
    slot_index: tuple[Mapping[tuple[int, int], int], ...] = field(repr=False)
    term_bits: tuple[int, ...] = field(repr=False)
    form_index: Mapping[str, tuple[tuple[int, int], ...]] = field(repr=False)
    fuzzy_forms: tuple[str, ...] = field(repr=False)
    fuzzy_slots: np.ndarray = field(repr=False)
    fuzzy_allow: np.ndarray = field(repr=False)
    heads: Mapping[str, tuple[int, ...]] = field(repr=False)
    _cache: dict[str, TokenInfo | None] = field(default_factory=dict, repr=False)

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
        ws = tuple(split_words(str(term)))
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
            for e in split_words(extra):
                for f in _inflections(e):
                    forms.setdefault(f, VARIANT)
        forms[w] = EXACT
        return forms

    slots: list[Slot] = []
    slot_index: list[Mapping[tuple[int, int], int]] = []
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
                    Slot(
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


def token_infos(st: SearchTerms, tokens: Sequence[str]) -> list[TokenInfo | None]:
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
                for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                    tok = batch[r]
                    sid = int(st.fuzzy_slots[c])
                    d = int(dist[r, c])
                    h = hits.setdefault(tok, {})
                    old = h.get(sid)
                    if old is None or (old[0] == FUZZY and d < old[1]):
                        h[sid] = (FUZZY, d)
        for tok in missing:
            h = hits.get(tok) or {}
            hd = st.heads.get(tok, ())
            if not h and not hd:
                cache[tok] = None
                continue
            cache[tok] = TokenInfo(
                hits=MappingProxyType(h),
                heads=frozenset(hd),
                hit_bits=_or_bits(st.slots[s].bits for s in h),
                head_bits=_or_bits(st.slots[s].bits for s in hd),
            )
    return [cache[t] for t in tokens]


def _or_bits(values: Iterable[int]) -> int:
    out = 0
    for v in values:
        out |= v
    return out
