"""The mentions the generator plants in its texts, and the truth it keeps of them."""

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers.synthetic.generator import generate_extracts
from helpers.synthetic.mentions import PLANT, PLANTS


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    return folder, generate_extracts(folder, n_crimes=20_000, seed=20180075)


# --------------------------------------------------------------------------------------------------
# the planted mentions, in the files
# --------------------------------------------------------------------------------------------------


def texts_in(path: Path, ref: str, text: str) -> dict[str, str]:
    encoding = "cp1252" if path.name.startswith("CMS_") else "utf-8-sig"
    with open(path, encoding=encoding, newline="") as fh:
        return {r[ref]: r[text] for r in csv.DictReader(fh)}


def sentences_in(text: str) -> set[str]:
    return {p.kind for p in PLANTS for s in p.sentences if s in text}


def test_each_planted_sentence_is_in_both_systems_texts_exactly_where_the_truth_says(synthetic):
    folder, truth = synthetic
    c = truth.crimes
    cms = texts_in(folder / "CMS_CRIMES.csv", "CRIME NO", "CIRCUMSTANCES")
    connect = texts_in(folder / "connect_crimes.csv", "Crime Reference", "Circumstances")
    for texts, ref, held in ((cms, "cms_ref", "in_cms"), (connect, "connect_ref", "in_connect")):
        kinds = [sentences_in(texts[r]) for r in c.loc[c[held], ref]]
        expected = [{k} if k else set() for k in c.loc[c[held], "mention_planted"]]
        assert kinds == expected, held
    for kind in PLANT:  # every kind occurs, and only in plain texts: the hunter truth is as it was
        assert (c["mention_planted"] == kind).sum() >= 2, kind
    assert (c.loc[c["mention_planted"] != "", "text_kind"] == "plain").all()


def test_the_mention_columns_say_what_the_texts_mention(synthetic):
    _, truth = synthetic
    c = truth.crimes
    text = c["circumstances"].str.lower()
    planted = c["mention_planted"]
    pd.testing.assert_series_equal(
        c["mentions_snapchat"], text.str.contains("snapchat") & (planted != "snapchat_negated"),
        check_names=False,
    )
    dog = text.map(lambda t: re.search(r"\bdogs?\b", t) is not None)
    pd.testing.assert_series_equal(c["mentions_dog"], dog & (planted != "dog_negated"), check_names=False)
    scooter = text.str.contains("e-scooter")
    pd.testing.assert_series_equal(
        c["mentions_e_scooter"], scooter & (planted != "e_scooter_negated"), check_names=False
    )
    phrase = c["mention_phrase"].fillna("")
    assert set(phrase[phrase != ""]) == {"hot dog", "snapchat filter"}
    assert (phrase == "hot dog").sum() == (planted == "hot_dog").sum()
    # Snapchat was already one of the templates' apps: the truth counts those texts too
    assert (c["mentions_snapchat"] & (planted == "")).any()


def test_planting_changes_nothing_but_the_planted_texts(tmp_path, monkeypatch):
    """The same seed without the planting step: every other column of every table is the same,
    and each text is the same but for the sentence appended."""
    import helpers.synthetic.generator as generator

    planted = generate_extracts(tmp_path / "a", n_crimes=3000, seed=7)
    monkeypatch.setattr(generator, "plant_mentions", lambda seed, crimes: (crimes, None))
    plain = generate_extracts(tmp_path / "b", n_crimes=3000, seed=7)
    for name in ("individuals", "links", "charges"):
        pd.testing.assert_frame_equal(getattr(planted, name), getattr(plain, name))
    texts = ["circumstances", "cms_circumstances"]
    pd.testing.assert_frame_equal(planted.crimes[plain.crimes.columns].drop(columns=texts),
                                  plain.crimes.drop(columns=texts))
    c = planted.crimes
    sentence = {p.kind: p.sentences for p in PLANTS}
    for column in texts:
        had = c[column].notna()
        stripped = []
        for text, kind in zip(c.loc[had, column], c.loc[had, "mention_planted"], strict=True):
            ends = [s for s in sentence.get(kind, ()) if text.endswith(" " + s)]
            assert bool(ends) == bool(kind)
            stripped.append(text.removesuffix(" " + ends[0]) if ends else text)
        assert stripped == plain.crimes.loc[had, column].tolist(), column
