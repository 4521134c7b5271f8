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

from helpers.analysis.evidence import find_mentions
from helpers.analysis.search.terms import SearchTerms, compile_terms

TERMS_20180075 = [
    "paedophile hunter",
    "vigilante",
    "hunter group",
    "online child abuse activist",
    "OCAG",
    "Northern Shield",
    "Predator Patrol",
    "Safeguard Sentinels",
]

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
        for _ in range(3):
            start = time.perf_counter()
            search_one(text, terms)
            best = min(best, time.perf_counter() - start)
        return best

    seconds(10)  # warm
    small, large = seconds(20_000), seconds(80_000)
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
