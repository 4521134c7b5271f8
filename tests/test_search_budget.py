"""Bounded work on hostile text (issue 17, item 6): the evidence search is linear in a text's
length and its number of mentions, and a text over the documented size is searched only in part,
within a fixed budget of words, and reported so.

Work is counted, not timed, wherever it can be: the Python function calls the search makes (a
profile hook counts them; the same text gives the same count on any machine). The one regular
expression test compares the growth of two runs of one process, never a fixed number of seconds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import pandas as pd
import pytest

from helpers.analysis import evidence, review
from helpers.analysis.evidence import find_mentions
from helpers.analysis.search.terms import SearchTerms, compile_terms
from helpers.project import project_root
from helpers.request import steps, tables
from helpers.request.parameters import read_parameters

PARAMS = read_parameters(project_root() / "parameters" / "20180075.yaml")

TERMS_20180075 = list(PARAMS.search_terms)

# each repeated to make a hostile text: exact mentions; near-misses that take the fuzzy path;
# negation cues that open a window before and after each mention, in one clause
PLANTED_UNITS = {
    "exact mentions": "paedophile hunter ",
    "fuzzy near-misses": "paedophyle huntr and nothern sheild ",
    "negated, one clause": "not paedophile hunters and ",
    "mentions then cues": "vigilante group and hunter group were not ",
}


@pytest.fixture(scope="module")
def terms() -> SearchTerms:
    return compile_terms(TERMS_20180075)


def python_calls(work: Callable[[], object]) -> int:
    """The Python function calls (and generator resumptions) made while ``work`` runs."""
    calls = 0

    def count(_frame, event, _arg):
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        work()
    finally:
        sys.setprofile(None)
    return calls


def search_one(text: str, terms: SearchTerms) -> pd.DataFrame:
    return find_mentions(pd.Series([text], index=["00000001/18"], dtype=object), terms, workers=1)


@pytest.mark.parametrize("unit", PLANTED_UNITS.values(), ids=PLANTED_UNITS.keys())
def test_the_search_work_grows_linearly_with_the_mentions_in_one_text(terms, unit):
    search_one(unit * 50, terms)  # the words' lookups are cached on `terms`: warm them first
    small = python_calls(lambda: search_one(unit * 1_000, terms))
    large = python_calls(lambda: search_one(unit * 4_000, terms))
    # four times the mentions: about four times the work (the quadratic search did ~16 times)
    assert large <= 5 * small, (small, large)


def test_whitespace_after_a_mention_is_read_in_linear_time(terms):
    # the post-mention pattern ("...: nil") once backtracked over whitespace quadratically
    def seconds(n_spaces: int) -> float:
        text = "Report from a paedophile hunter" + " " * n_spaces + "group. Nothing else."
        best = float("inf")
        for _ in range(5):  # the best of five: another process's burst is not the search's time
            start = time.perf_counter()
            search_one(text, terms)
            best = min(best, time.perf_counter() - start)
        return best

    seconds(10)  # warm
    small, large = seconds(100_000), seconds(400_000)
    # four times the spaces: linear is about 4 times as long, quadratic 16 times
    assert large < 8 * max(small, 1e-3), (small, large)


def test_a_fuzzy_and_negated_planted_text_is_still_judged_as_before(terms):
    # the linear rewrite keeps every verdict: the same text in a short and a long version gives
    # the same mention per unit, negated where the short one is
    unit = PLANTED_UNITS["mentions then cues"] + "involved. "
    short = search_one(unit * 3, terms)
    long = search_one(unit * 300, terms)
    assert len(long) == 100 * len(short)
    assert long["kind"].tolist() == short["kind"].tolist() * 100


# --------------------------------------------------------------------------- the work budget


def words(n: int, filler: str = "the suspect was seen near the shops ") -> str:
    """A text of exactly `n` words with no term in it."""
    unit = filler.split()
    return " ".join(unit[i % len(unit)] for i in range(n)) + " "


def test_a_text_over_the_word_limit_is_searched_in_its_first_words_only(terms, monkeypatch):
    monkeypatch.setattr(evidence, "WORD_LIMIT", 100)
    early = "Report from a paedophile hunter group. "  # words 1-6
    late = "Members of Northern Shield filmed him. "  # words 157-162
    text = early + words(150) + late + words(100)
    found = search_one(text, terms)
    assert set(found["term"]) == {"paedophile hunter", "hunter group"}
    assert evidence.searched_in_part(pd.Series([text], index=["00000001/18"])).tolist() == ["00000001/18"]
    # the same text, the same result
    pd.testing.assert_frame_equal(search_one(text, terms), found)


def test_a_text_within_the_word_limit_is_searched_whole_and_not_reported(terms, monkeypatch):
    monkeypatch.setattr(evidence, "WORD_LIMIT", 200)
    text = words(150) + "Members of Northern Shield filmed him. "  # 156 words
    assert set(search_one(text, terms)["term"]) == {"Northern Shield"}
    assert evidence.searched_in_part(pd.Series([text], index=["00000001/18"])).empty


def test_the_words_are_counted_as_the_search_counts_them(monkeypatch):
    # a word is a run of letters: digits and punctuation separate words but are none
    monkeypatch.setattr(evidence, "WORD_LIMIT", 3)
    texts = pd.Series(["one, two; 33 three!!!", "one two three four", "naïve café crème brûlée"], index=["a", "b", "c"])
    assert evidence.searched_in_part(texts).tolist() == ["b", "c"]


@pytest.mark.parametrize("unit", PLANTED_UNITS.values(), ids=PLANTED_UNITS.keys())
def test_the_work_on_a_text_over_the_limit_does_not_grow_with_its_length(terms, unit, monkeypatch):
    monkeypatch.setattr(evidence, "WORD_LIMIT", 2_000)
    search_one(unit * 50, terms)
    over = python_calls(lambda: search_one(unit * 2_000, terms))
    far_over = python_calls(lambda: search_one(unit * 8_000, terms))
    assert far_over <= over * 1.05, (over, far_over)


# --------------------------------------------------------------------------- reported, not hidden


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    from builders import sample_or_synthetic

    return sample_or_synthetic(tmp_path_factory)


def released_review(extracts, tmp_path, monkeypatch, word_limit: int):
    """Request 20180075 on `extracts` with a search that reads `word_limit` words of a text:
    its released tables, and the hunter-group search's review."""
    monkeypatch.setattr(evidence, "WORD_LIMIT", word_limit)
    monkeypatch.setenv("FOI_LOG_DIR", str(tmp_path / "log"))
    params = read_parameters(project_root() / "parameters" / "20180075.yaml", {"extracts_dir": str(extracts), "output_dir": str(tmp_path / "out")})
    extract = steps.load(params)
    answers = steps.answer(params, extract)
    return params, steps.protect(params, extract, answers), steps.todays_review(params, answers)


def test_texts_searched_only_in_part_are_counted_in_the_search_table(extracts, tmp_path, monkeypatch):
    params, released, reviewed = released_review(extracts, tmp_path, monkeypatch, 12)
    assert "12 words" in tables.searched_in_part_row()
    # every text over 12 words, counted by hand from the texts the search read
    texts = steps.load(params).circumstances(pd.Series(reviewed.searched.to_pylist(), dtype=object))
    over = sum(len(evidence.WORD_RE.findall(str(text))) > 12 for text in texts.dropna())
    assert over >= 5 and len(reviewed.in_part) == over  # five or more: shown, not withheld
    assert released.value("evidence_review", tables.searched_in_part_row(), "Crimes") == str(over)


def test_the_row_is_shown_only_when_a_text_was_searched_in_part(extracts, tmp_path, monkeypatch):
    # a release with no such text is as before: the row is not there
    _, released, reviewed = released_review(extracts, tmp_path, monkeypatch, 50_000)
    assert reviewed.in_part == [] and tables.searched_in_part_row() not in released.tables["evidence_review"].index


def test_a_crime_searched_in_part_says_so_on_the_reviewer_s_worklist(terms, monkeypatch):
    monkeypatch.setattr(evidence, "WORD_LIMIT", 100)
    texts = pd.Series(
        ["Report from a paedophile hunter group. " + words(150), "A vigilante filmed him."],
        index=["00000001/18", "00000002/18"],
    )
    scope = pd.DataFrame({"year": [2018, 2018], "in_scope_as": ["offence", "offence"], "circumstances": texts})
    mentions = find_mentions(texts, terms)
    by_crime = evidence.classify_crimes(mentions).set_index("crime_ref")
    sheet = review.worklist(scope, mentions, by_crime, None).set_index("reference")
    assert sheet.loc["00000001/18", "in_scope_as"] == "offence; its text searched in its first 100 words only"
    assert sheet.loc["00000002/18", "in_scope_as"] == "offence"


def test_the_briefing_says_how_many_texts_were_searched_only_in_part(extracts, tmp_path, monkeypatch):
    from helpers.briefing import narrative

    params, released, reviewed = released_review(extracts, tmp_path, monkeypatch, 12)
    shown = released.value("evidence_review", tables.searched_in_part_row(), "Crimes")
    words_of = str(narrative.evidence_method(params, released, reviewed))
    assert f"For {shown} crimes, the summary was longer than 12 words" in words_of
    params, released, reviewed = released_review(extracts, tmp_path / "whole", monkeypatch, 50_000)
    assert "words were searched" not in str(narrative.evidence_method(params, released, reviewed))
