"""The reviewer's screen (helpers.analysis.review_widgets), driven without a browser: its buttons'
and keys' handlers are called as a click would, and every decision is looked for in the store."""

import pandas as pd
import pytest

from helpers.analysis import review, review_widgets
from helpers.analysis.review_store import ReviewStore, text_hash

TEXTS = {
    "00000002/17": "Not a vigilante referral: found by a patrol.",
    "00000001/17": "Passed to police by Nothern Shield.",
    "CM/16/0000001": "Predator Patrol met him at the station.",
}


def worklist() -> pd.DataFrame:
    rows = [
        ("00000002/17", "negated", "vigilante", "vigilante"),
        ("00000001/17", "fuzzy", "Northern Shield", "Nothern Shield"),
        ("CM/16/0000001", "exact", "Predator Patrol", "Predator Patrol"),
    ]
    frame = pd.DataFrame(
        [{column: "" for column in review.CANDIDATE_COLUMNS} | {"reference": ref, "kind": kind, "term": term, "matched": matched, "terms": term, "year": "2017", "in_scope_as": "s15", "context": f"context of {ref}"} for ref, kind, term, matched in rows]
    )
    return frame[review.CANDIDATE_COLUMNS]


def screen(store: ReviewStore, texts: dict | None = None, reviewer: str = "") -> review_widgets.ReviewScreen:
    texts = pd.Series(TEXTS if texts is None else texts)
    marked = texts.map(lambda text: review.highlight(text, [(0, 3, "negated")]))
    return review_widgets.review_screen(store, worklist(), texts, marked, reviewer=reviewer)


@pytest.fixture
def store(tmp_path) -> ReviewStore:
    return ReviewStore.for_request(tmp_path / "log", "20180075")


def shown(screen: review_widgets.ReviewScreen) -> str:
    return screen.references[screen.position] if screen.position is not None else None


def test_the_screen_starts_at_the_least_certain_candidate_with_its_marked_text_and_the_call(store):
    s = screen(store)
    assert shown(s) == "00000002/17"  # the worklist's order: least certain first
    assert "3 of 3 still to decide" in s.progress.value
    assert "00000002/17" in s.heading.value
    assert "not counted (negated)" in s.call.value and "negated" in s.call.value
    assert f'<mark class="negated" style="{review.MARK_STYLES["negated"]}">Not</mark>' in s.text.value
    assert not store.path.exists()  # showing records nothing


def test_a_click_is_recorded_at_once_with_the_text_s_hash_note_and_initials(store):
    s = screen(store, reviewer="AB")
    s.note.value = "a patrol, not a group"
    s.yes.click()
    made = store.latest()["00000002/17"]
    assert (made.decision, made.reviewer, made.note, made.text_hash) == ("yes", "AB", "a patrol, not a group", text_hash(TEXTS["00000002/17"]))
    assert shown(s) == "00000001/17" and s.note.value == ""  # the next one, a clean note
    assert "2 of 3 still to decide" in s.progress.value
    s.no.click()
    assert {ref: d.decision for ref, d in store.latest().items()} == {"00000002/17": "yes", "00000001/17": "no"}


def test_without_initials_a_click_says_so_in_one_line_and_records_nothing(store):
    s = screen(store)
    s.yes.click()
    assert "reviewer: say who made these decisions" in s.message.value
    assert not store.path.exists() and shown(s) == "00000002/17"


@pytest.mark.parametrize(("key", "decision"), [("y", "yes"), ("N", "no")])
def test_the_keys_decide_as_the_buttons_do(store, key, decision):
    s = screen(store, reviewer="AB")
    s.key({"type": "keydown", "key": key})
    assert store.latest()["00000002/17"].decision == decision


def test_skip_and_other_keys_record_nothing_and_skip_moves_on(store):
    s = screen(store, reviewer="AB")
    s.key({"type": "keydown", "key": "x"})
    s.key({"type": "keyup", "key": "y"})
    assert shown(s) == "00000002/17" and not store.path.exists()
    s.key({"type": "keydown", "key": "s"})
    assert shown(s) == "00000001/17" and not store.path.exists()
    assert "3 of 3 still to decide" in s.progress.value


def test_a_screen_opened_again_starts_at_the_first_candidate_still_to_decide_and_wraps_round(store):
    first = screen(store, reviewer="AB")
    first.skip_button.click()  # 00000002/17 left for later
    first.yes.click()  # 00000001/17
    again = screen(store, reviewer="AB")
    assert shown(again) == "00000002/17"
    again.no.click()
    assert shown(again) == "CM/16/0000001"
    again.yes.click()
    assert again.position is None and "All 3 candidates decided" in again.progress.value
    assert all(button.disabled for button in (again.yes, again.no, again.skip_button))
    again.back.click()  # to change a mind: the last candidate, with its decision
    assert shown(again) == "CM/16/0000001" and "decided <b>yes</b> by AB" in again.heading.value


def test_a_decision_on_a_text_that_changed_since_is_asked_again(store):
    store.record("00000002/17", "the text as it was", "yes", "AB")
    store.record("00000001/17", TEXTS["00000001/17"], "no", "AB")
    s = screen(store)
    assert shown(s) == "00000002/17" and "2 of 3 still to decide" in s.progress.value


def test_a_candidate_without_its_text_shows_the_saved_context(store):
    s = screen(store, texts={ref: text for ref, text in TEXTS.items() if ref != "00000002/17"})
    assert "saved context" in s.text.value and "context of 00000002/17" in s.text.value


def test_why_says_the_call_and_the_reason():
    rows = worklist()
    assert review_widgets.why(rows.iloc[1]) == "counted (fuzzy match): a near spelling: “Nothern Shield” for the term “Northern Shield”"
    assert review_widgets.why(rows.iloc[0]) == "not counted (negated): every mention is negated, as “vigilante”"
    assert review_widgets.why(rows.iloc[2]).startswith("counted (exact match): it mentions “Predator Patrol”")


def test_undecided_and_progress_text():
    assert review_widgets.progress_text(5, 2, 0) == "Candidate 1 of 5: 2 of 5 still to decide."
    assert review_widgets.progress_text(5, 0, None).startswith("All 5 candidates decided")


def test_a_second_reviewer_sees_the_sample_of_first_decisions_only_and_is_recorded_as_second(store):
    nothing_yet = review_widgets.review_screen(store, worklist(), pd.Series(TEXTS), pd.Series(TEXTS), reviewer="CD", role="second")
    assert nothing_yet.position is None and "All 0 candidates decided" in nothing_yet.progress.value
    for reference in ("00000001/17", "CM/16/0000001"):
        store.record(reference, TEXTS[reference], "yes", "AB")
    second = review_widgets.review_screen(store, worklist(), pd.Series(TEXTS), pd.Series(TEXTS), reviewer="CD", role="second")
    assert second.references == ["00000001/17", "CM/16/0000001"]  # the sample (all, as fewer than ten), worklist order
    second.no.click()
    assert store.latest(role="second")["00000001/17"].decision == "no"
    assert store.latest()["00000001/17"].decision == "yes"  # the first decision stands
    assert [(first.reviewer, checked.reviewer) for first, checked in store.disagreements()] == [("AB", "CD")]
