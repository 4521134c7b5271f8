"""Words planted in the circumstances: "crimes mentioning X" gets an answer the model knows.

A request may count the crimes whose circumstances mention Snapchat, a dog or an e-scooter. The
templates name Snapchat only as one of the apps of the grooming and sexual-communication texts;
this step appends one sentence to some other texts: a mention ("A neighbour walking her dog saw
the suspect leave."), a negated one ("No dog was present.", which does not count), or one inside a
phrase a request may exclude ("hot dog van", "Snapchat filter"). Each crime gets at most one
sentence, and only a text of kind "plain" (never a hunter-group, negated or covert text), so the
hunter-group truth is untouched.

It draws from its own generator (`np.random.default_rng([seed, 2])`), never the main one: every
other draw, and so every other file and column, stays exactly as it was for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from helpers.synthetic.arrays import ensure
from helpers.synthetic.classes import CLS_TEXT
from helpers.synthetic.crimes import CrimeModel

#: the stream of `np.random.default_rng([seed, MENTIONS_STREAM])` the planting draws from
MENTIONS_STREAM = 2


@dataclass(frozen=True)
class Plant:
    """One kind of planted sentence: the term it mentions, how, and where it is planted."""

    kind: str
    term: str  # the truth's key of the term: snapchat, dog, e_scooter
    counts: bool  # False: a negated mention only
    phrase: str | None  # the phrase the mention sits inside (one a request may exclude)
    sentences: tuple[str, ...]
    chance: dict[str, float]  # text kind (classes.CLS_TEXT) -> probability for a plain text


PLANTS: tuple[Plant, ...] = (
    Plant(
        "snapchat",
        "snapchat",
        True,
        None,
        (
            "The messages were later found on Snapchat.",
            "The suspect had added the victim on Snapchat the week before.",
            "Screenshots of the Snapchat messages were provided.",
        ),
        {"sexcomm": 0.30, "public": 0.02},
    ),
    Plant(
        "snapchat_negated",
        "snapchat",
        False,
        None,
        ("No Snapchat account was involved.",),
        {"sexcomm": 0.10, "public": 0.005},
    ),
    Plant(
        "snapchat_filter",
        "snapchat",
        True,
        "snapchat filter",
        ("Earlier that day the victim had posted a photo with a Snapchat filter.",),
        {"theft": 0.01, "public": 0.01},
    ),
    Plant(
        "dog",
        "dog",
        True,
        None,
        (
            "A neighbour walking her dog saw the suspect leave.",
            "The suspect's dog was loose in the garden at the time.",
            "Two dogs were barking at the address when officers arrived.",
        ),
        {"damage": 0.04, "assault": 0.03},
    ),
    Plant(
        "dog_negated",
        "dog",
        False,
        None,
        ("No dog was present.",),
        {"damage": 0.01, "assault": 0.01},
    ),
    Plant(
        "hot_dog",
        "dog",
        True,
        "hot dog",
        ("The suspect had been queuing at a hot dog van nearby.",),
        {"assault": 0.005, "public": 0.005, "theft": 0.005},
    ),
    Plant(
        "e_scooter",
        "e_scooter",
        True,
        None,
        ("The suspect rode off on an e-scooter.", "An E-scooter was seen leaving the area."),
        {"theft": 0.02, "assault": 0.01, "public": 0.01},
    ),
    Plant(
        "e_scooter_negated",
        "e_scooter",
        False,
        None,
        ("No e-scooter was involved.",),
        {"theft": 0.003},
    ),
)
PLANT = {p.kind: p for p in PLANTS}
#: the terms the truth knows every mention of: the key (the term's letters, lower case) -> its name
TERMS = {"snapchat": "snapchat", "dog": "dog", "dogs": "dog", "escooter": "e_scooter"}
TERMS["escooters"] = "e_scooter"


@dataclass(frozen=True)
class PlantedMentions:
    """Per crime: the kind of sentence planted ("" for none), and what its text mentions."""

    kind: np.ndarray
    sentence: np.ndarray  # the sentence appended ("" for none)
    mentions: dict[str, np.ndarray]  # term -> the text mentions it, not only negated
    phrase: np.ndarray  # the phrase the crime's only mention of a term sits in, else None


def _already_names_snapchat(text: np.ndarray) -> np.ndarray:
    """Snapchat is one of the templates' apps: those texts mention it already."""
    return pd.Series(text, dtype=object).str.contains("snapchat", case=False).to_numpy(dtype=bool)


def _draw_kinds(rng: np.random.Generator, family: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """The kind of sentence each crime gets ("" for none): one uniform draw per crime, cut by
    the kinds' chances for its text family; then at least two of each kind."""
    n = len(family)
    u = rng.random(n)
    kind = np.full(n, "", dtype=object)
    low = np.zeros(n)
    for plant in PLANTS:
        chance = pd.Series(family, dtype=object).map(plant.chance).fillna(0.0).to_numpy(float)
        hit = eligible & (kind == "") & (u >= low) & (u < low + chance)
        kind[hit] = plant.kind
        low = low + chance
    for plant in PLANTS:  # every kind, even in a small extract
        candidates = eligible & (kind == "") & np.isin(family, list(plant.chance))
        chosen = ensure(rng, kind == plant.kind, candidates, 2)
        kind[chosen & (kind == "")] = plant.kind
    return kind


def _draw_sentences(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """A sentence of each crime's kind; the first crimes of a kind cover all its sentences."""
    sentence = np.full(len(kind), "", dtype=object)
    for plant in PLANTS:
        idx = np.flatnonzero(kind == plant.kind)
        if len(idx) == 0:
            continue
        pick = rng.integers(0, len(plant.sentences), size=len(idx))
        k = min(len(idx), len(plant.sentences))
        pick[:k] = np.arange(k)
        sentence[idx] = np.array(plant.sentences, dtype=object)[pick]
    return sentence


def plant_mentions(seed: int, c: CrimeModel) -> tuple[CrimeModel, PlantedMentions]:
    """The crimes with a sentence appended to some texts (both systems' alike), and the truth."""
    rng = np.random.default_rng([seed, MENTIONS_STREAM])
    texts = c.texts
    family = CLS_TEXT[c.recording.cls]  # the templates were drawn by the class at recording
    named = _already_names_snapchat(texts.text)
    eligible = (texts.kind == "plain") & ~texts.late_hunter & ~named
    kind = _draw_kinds(rng, family, eligible)
    sentence = _draw_sentences(rng, kind)
    planted = kind != ""
    text = texts.text.copy()
    text[planted] = text[planted] + " " + sentence[planted]
    cms_text = texts.cms_text.copy()
    in_cms = planted & c.switchover.in_cms
    cms_text[in_cms] = cms_text[in_cms] + " " + sentence[in_cms]

    mentions = {}
    for term in sorted(set(TERMS.values())):
        counted = [p.kind for p in PLANTS if p.term == term and p.counts]
        mentions[term] = np.isin(kind, counted) | (named if term == "snapchat" else False)
    phrase_of = {p.kind: p.phrase for p in PLANTS if p.phrase}
    phrase = np.array([phrase_of.get(k) for k in kind], dtype=object)
    model = replace(c, texts=replace(texts, text=text, cms_text=cms_text))
    return model, PlantedMentions(kind, sentence, mentions, phrase)
