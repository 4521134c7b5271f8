"""The circumstances texts of the crimes, and the hunter groups they mention (or deny).

Grooming and sexual-communication crimes may name a "paedophile hunter" group in one of its
spellings, or deny one ("no paedophile hunter involvement"); some migrated hunter crimes only came
to light after switch-over, so CMS's text has no mention and Connect's has an update appended.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import cast

import numpy as np
import pandas as pd

from helpers.synthetic.arrays import ensure, or_none
from helpers.synthetic.classes import CLS_INDEX, CLS_TEXT
from helpers.synthetic.templates import HUNTER_GROUPS, SEX_WORDS, TEMPLATES, TEXT_FIELDS

GRP = "\x00"  # placeholder for the hunter group's name, filled in after drawing


@dataclass(frozen=True)
class CrimeTexts:
    """Per crime: the child's sex the text follows, its kind and the two systems' texts."""

    sex_of_child: np.ndarray  # "F"/"M"
    kind: np.ndarray  # "plain", "hunter", "negated" or "covert"
    hunter: np.ndarray
    negated: np.ndarray
    late_hunter: np.ndarray  # hunter mention only in Connect's text (an update after switch-over)
    text: np.ndarray  # Connect's text (and CMS's, unless late_hunter)
    cms_text: np.ndarray  # None for crimes not in CMS


@cache
def text_table(kind: str, sex: str) -> TextTable:
    return TextTable(kind, sex)


class TextTable:
    """Every expansion of one kind's templates (group names left as placeholders), for fast draws.

    A draw picks a template by weight, then one of its expansions uniformly; the first draws of a
    table cover every template, so each wording occurs even in a small extract.
    """

    def __init__(self, kind: str, sex: str):
        texts: list[str] = []
        offsets, counts, weights = [], [], []
        fmt = string.Formatter()
        fields = {k: v for k, v in TEXT_FIELDS.items() if k != "grp"}
        for template, weight in TEMPLATES[kind]:
            names = sorted({f for _, f, _, _ in fmt.parse(template) if f and f in fields})
            offsets.append(len(texts))
            n = 0
            for values in product(*(fields[k] for k in names)):
                texts.append(
                    template.format(
                        **SEX_WORDS[sex], grp=GRP, **dict(zip(names, values, strict=True))
                    )
                )
                n += 1
            counts.append(n)
            weights.append(weight)
        self.texts = np.array(texts, dtype=object)
        w = np.asarray(weights, dtype=float)
        self.p = w / w.sum()
        self.offsets = np.asarray(offsets)
        self.counts = np.asarray(counts)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        t = rng.choice(len(self.p), size=size, p=self.p)
        k = min(size, len(self.p))
        t[rng.permutation(size)[:k]] = np.arange(k)
        j = (rng.random(size) * self.counts[t]).astype(np.int64)
        return self.texts[self.offsets[t] + j]


def fill_groups(rng: np.random.Generator, texts: np.ndarray) -> np.ndarray:
    """Put a hunter group's name in each text's placeholder; the first draws cover every variant."""
    size = len(texts)
    g = rng.integers(0, len(HUNTER_GROUPS), size=size)
    k = min(size, len(HUNTER_GROUPS))
    g[rng.permutation(size)[:k]] = np.arange(k)
    out = texts.copy()
    for i, name in enumerate(HUNTER_GROUPS):
        sel = np.flatnonzero(g == i)
        if len(sel):
            out[sel] = (
                pd.Series(texts[sel], dtype=object)
                .str.replace(GRP, name, regex=False)
                .to_numpy(dtype=object)
            )
    return out


def draw_texts(
    rng: np.random.Generator,
    cls: np.ndarray,
    groom: np.ndarray,
    migrated: np.ndarray,
    in_cms: np.ndarray,
) -> CrimeTexts:
    """Free text by class family (at recording); hunters on grooming and sexual communication."""
    n = len(cls)
    sex_of_child, kind, key = _kinds(rng, cls)
    text = np.empty(n, dtype=object)
    grouped = cast(  # keyed by (template key, sex)
        "dict[tuple[str, str], np.ndarray]",
        pd.Series(np.arange(n)).groupby([key, sex_of_child], sort=True).indices,
    )
    for (k, sx), idx in sorted(grouped.items()):
        text[idx] = text_table(k, sx).draw(rng, len(idx))
    hunter = kind == "hunter"
    negated = kind == "negated"
    # Some migrated hunter cases only came to light after switch-over: CMS's text has no mention,
    # Connect's text has the update appended.
    late = migrated & hunter & groom & (rng.random(n) < 0.3)
    late = ensure(rng, late, migrated & hunter & groom)
    cms_text = text.copy()
    li = np.flatnonzero(late)
    if len(li):
        for sx in ("F", "M"):
            sub = li[sex_of_child[li] == sx]
            if len(sub):
                cms_text[sub] = text_table("groom_plain", sx).draw(rng, len(sub))
                text[sub] = cms_text[sub] + text_table("update", sx).draw(rng, len(sub))
    # hunter groups' names, drawn together so that even a small extract has every variant
    gi = np.flatnonzero(
        pd.Series(text, dtype=object).str.contains(GRP, regex=False).to_numpy(dtype=bool)
    )
    text[gi] = fill_groups(rng, text[gi])
    cms_text = np.where(late, cms_text, text)
    cms_text = or_none(in_cms, cms_text)
    return CrimeTexts(sex_of_child, kind, hunter, negated, late, text, cms_text)


def _kinds(rng: np.random.Generator, cls: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The child's sex, the text's kind and the template key (kind of class + kind of text)."""
    n = len(cls)
    sex_of_child = np.where(
        cls == CLS_INDEX["088/02"], "M", np.where(rng.random(n) < 0.75, "F", "M")
    )
    sex_of_child = np.where(cls == CLS_INDEX["088/01"], "F", sex_of_child)
    u = rng.random(n)
    tkind = CLS_TEXT[cls]
    kind = np.where(
        tkind == "groom",
        np.select([u < 0.16, u < 0.24, u < 0.32], ["hunter", "negated", "covert"], "plain"),
        np.where(
            tkind == "sexcomm",
            np.select([u < 0.08, u < 0.13], ["hunter", "negated"], "plain"),
            "plain",
        ),
    )
    kind = np.asarray(kind, dtype=object)
    key = np.where(
        np.isin(tkind, ["groom", "sexcomm", "sexother", "exposure"]), tkind + "_" + kind, tkind
    )
    key = np.asarray(key, dtype=object)
    return sex_of_child, kind, key
