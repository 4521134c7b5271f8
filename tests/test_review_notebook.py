"""The reviewer's notebook helpers: marking the matches, building and writing the decisions file."""

import pandas as pd
import pytest

from helpers.analysis import evidence, review
from helpers.project import project_root
from helpers.request.parameters import read_parameters

PARAMS = project_root() / "parameters" / "20180075.yaml"


def candidates(*rows: tuple[str, str]) -> pd.DataFrame:
    """A worklist with the given (reference, kind) rows and plain values elsewhere."""
    frame = pd.DataFrame([{column: "" for column in review.CANDIDATE_COLUMNS} | {"reference": ref, "kind": kind, "year": "2016", "context": f"context of {ref}"} for ref, kind in rows])
    return frame[review.CANDIDATE_COLUMNS]


WORKLIST = candidates(("00000002/17", "negated"), ("00000001/17", "fuzzy"), ("CM/16/0000001", "exact"))


# ---- highlighting


def test_highlight_marks_each_span_and_escapes_the_rest():
    text = "Met <Bob> & the Predator Patrol group"
    start = text.index("Predator")
    html = review.highlight(text, [(start, start + len("Predator Patrol"), "exact")])
    assert html == 'Met &lt;Bob&gt; &amp; the <mark class="exact">Predator Patrol</mark> group'


def test_highlight_merges_overlapping_spans_and_shows_a_negation():
    text = "no paedophile hunter group involved"
    html = review.highlight(text, [(3, 20, "exact"), (14, 26, "negated"), (40, 50, "exact")])
    assert html == 'no <mark class="negated">paedophile hunter group</mark> involved'


def test_highlight_of_a_text_with_markup_in_it_cannot_inject_html():
    html = review.highlight("<script>alert(1)</script> vigilante", [(26, 35, "exact")])
    assert "<script>" not in html and '<mark class="exact">vigilante</mark>' in html


def test_highlighted_texts_marks_every_mention_of_every_candidate():
    texts = pd.Series(
        {"A": "Predator Patrol met him. Not a vigilante referral.", "B": "Passed to police by Nothern Shield.", "C": "nothing here"}
    )
    mentions = evidence.find_mentions(texts, ["Predator Patrol", "vigilante", "Northern Shield"])
    html = review.highlighted_texts(texts, mentions)
    assert html["A"].count("<mark") == 2 and '<mark class="negated">vigilante</mark>' in html["A"]
    assert '<mark class="fuzzy">Nothern Shield</mark>' in html["B"]
    assert html["C"] == "nothing here"


def test_the_worklist_html_shows_the_text_the_call_and_the_decision():
    sheet = WORKLIST.copy()
    sheet.loc[2, ["decision", "reviewer", "note"]] = ["no", "AB", "a council team"]
    texts = pd.Series({"00000001/17": 'handed over by <mark class="fuzzy">Nothern Shield</mark>'})
    html = review.worklist_html(sheet, texts)
    assert html.count("<tr>") == 4  # the head and three candidates
    assert '<mark class="fuzzy">Nothern Shield</mark>' in html
    assert "context of CM/16/0000001" in html  # no text: the saved context
    assert "not counted (negated)" in html and "counted (exact match)" in html
    assert "<b>no</b><br><small>AB a council team</small>" in html


# ---- the decisions file


def test_merge_decisions_normalises_orders_and_overrides_earlier_ones():
    existing = pd.DataFrame([{"reference": "CM/16/0000001", "decision": "yes", "reviewer": "CD", "note": ""}, {"reference": "OLD/1", "decision": "no", "reviewer": "CD", "note": "gone"}])
    merged = review.merge_decisions(existing, {"CM/16/0000001": ("N", "a council team"), "00000002/17": "y"}, "AB", WORKLIST)
    assert merged.to_dict("records") == [
        {"reference": "00000002/17", "decision": "yes", "reviewer": "AB", "note": ""},
        {"reference": "CM/16/0000001", "decision": "no", "reviewer": "AB", "note": "a council team"},
        {"reference": "OLD/1", "decision": "no", "reviewer": "CD", "note": "gone"},
    ]


@pytest.mark.parametrize(
    ("new", "reviewer", "message"),
    [
        ({"00000001/17": "maybe"}, "AB", "00000001/17: decision must be yes or no (got 'maybe')"),
        ({"99999999/17": "yes"}, "AB", "99999999/17: not on the worklist (check the reference)"),
        ({"00000001/17": "yes"}, " ", "reviewer: say who made these decisions (name or initials)"),
    ],
)
def test_a_bad_decision_is_one_line_naming_the_reference(new, reviewer, message):
    with pytest.raises(review.DecisionsError) as caught:
        review.merge_decisions(None, new, reviewer, WORKLIST)
    assert str(caught.value) == message


def test_written_decisions_read_back_as_a_run_reads_them(tmp_path):
    merged = review.merge_decisions(None, {"00000001/17": ("no", "council, not a group"), "CM/16/0000001": "yes"}, "AB", WORKLIST)
    path = review.write_decisions(merged, tmp_path / "restricted" / review.DECISIONS_FILE)
    decisions = review.read_decisions(path)
    assert decisions["counted"].to_dict() == {"00000001/17": False, "CM/16/0000001": True}
    assert review.read_existing_decisions(path).to_dict("records") == merged.to_dict("records")
    assert review.read_existing_decisions(tmp_path / "none.csv").empty


def test_decisions_are_never_written_under_release(tmp_path):
    with pytest.raises(review.DecisionsError, match="cannot be written under release/"):
        review.write_decisions(review.decisions_frame(None), tmp_path / "20180075" / "release" / "decisions.csv")
    assert not (tmp_path / "20180075").exists()


def test_the_decisions_go_in_the_request_s_restricted_folder(tmp_path):
    params = read_parameters(PARAMS, {"output_dir": str(tmp_path)})
    assert review.decisions_path(params) == tmp_path / "20180075" / "restricted" / "evidence_decisions.csv"


def test_the_worklist_shows_the_decisions_file_s_decisions():
    sheet = WORKLIST.copy()
    sheet.loc[0, ["decision", "reviewer"]] = ["yes", "CD"]  # what the run used
    decisions = pd.DataFrame([{"reference": "00000001/17", "decision": "no", "reviewer": "AB", "note": "council"}])
    shown = review.with_decisions(sheet, decisions)
    assert shown[["decision", "reviewer", "note"]].to_numpy().tolist() == [["yes", "CD", ""], ["no", "AB", "council"], ["", "", ""]]


def test_review_progress_counts_decisions_and_changed_calls():
    decisions = pd.DataFrame(
        [
            {"reference": "00000002/17", "decision": "yes", "reviewer": "AB", "note": ""},  # negated -> yes: a change
            {"reference": "CM/16/0000001", "decision": "yes", "reviewer": "AB", "note": ""},  # as the search said
            {"reference": "OLD/1", "decision": "no", "reviewer": "AB", "note": ""},  # not on the worklist
        ]
    )
    progress = review.review_progress(WORKLIST, decisions)["crimes"].to_dict()
    assert progress == {
        "candidates on the worklist": 3,
        "decided": 2,
        "decided yes (counted)": 2,
        "decided no (not counted)": 0,
        "still to decide": 1,
        "decisions that change the search's call": 1,
    }


def test_read_candidates_says_to_run_the_request_first(tmp_path):
    with pytest.raises(review.DecisionsError, match="run the request first"):
        review.read_candidates(tmp_path / "evidence_candidates.csv")
    WORKLIST.to_csv(tmp_path / "evidence_candidates.csv", index=False)
    assert review.read_candidates(tmp_path / "evidence_candidates.csv").equals(WORKLIST.astype(str))


def test_a_review_needs_its_parameters_file_and_says_so_in_one_line():
    from helpers.errors import ParameterError

    for missing in ("", "  ", None):
        with pytest.raises(ParameterError, match=r"^parameters_file: name the request's parameters file") as caught:
            review.review_parameters(missing)
        assert "\n" not in str(caught.value)
    params = review.review_parameters("parameters/20180075.yaml", "data/synthetic-40000")
    assert params.reference == "20180075" and params.extracts_path == project_root() / "data" / "synthetic-40000"
    assert review.review_parameters("parameters/20180075.yaml").extracts_path == project_root() / "data" / "extracts"


TEXTS = pd.Series({"00000002/17": "no hunter here", "00000001/17": "Nothern Shield", "CM/16/0000001": None})


def test_a_scripted_review_is_recorded_in_the_store_with_the_texts_read(tmp_path):
    from helpers.analysis.review_store import ReviewStore, text_hash

    store = ReviewStore.for_request(tmp_path, "20180075")
    recorded = review.record_decisions(store, {"00000001/17": ("N", "a council team"), "CM/16/0000001": "y"}, "AB", WORKLIST, TEXTS)
    assert [(d.reference, d.decision, d.note) for d in recorded] == [("00000001/17", "no", "a council team"), ("CM/16/0000001", "yes", "")]
    assert store.latest()["00000001/17"].text_hash == text_hash("Nothern Shield")
    assert store.latest()["CM/16/0000001"].text_hash == text_hash("")  # no text in these extracts
    shown = review.stored_decisions(store, WORKLIST)
    assert shown.to_dict("records") == [
        {"reference": "00000001/17", "decision": "no", "reviewer": "AB", "note": "a council team"},
        {"reference": "CM/16/0000001", "decision": "yes", "reviewer": "AB", "note": ""},
    ]
    assert review.review_progress(WORKLIST, shown)["crimes"]["still to decide"] == 1


@pytest.mark.parametrize(
    ("new", "reviewer", "role", "message"),
    [
        ({"00000001/17": "yes", "99999999/17": "yes"}, "AB", "first", "99999999/17: not on the worklist (check the reference)"),
        ({"00000001/17": "yes", "00000002/17": "maybe"}, "AB", "first", "00000002/17: decision must be yes or no (got 'maybe')"),
        ({"00000001/17": "yes"}, "", "first", "reviewer: say who made these decisions (name or initials)"),
        ({"00000001/17": "yes"}, "ab", "second", "00000001/17: the second review is another reviewer's (AB made the first decision)"),
    ],
)
def test_a_scripted_review_with_a_mistake_records_nothing(tmp_path, new, reviewer, role, message):
    from helpers.analysis.review_store import ReviewStore

    store = ReviewStore.for_request(tmp_path, "20180075")
    store.record("00000001/17", "Nothern Shield", "no", "AB")
    with pytest.raises(review.DecisionsError) as caught:
        review.record_decisions(store, new, reviewer, WORKLIST, TEXTS, role)
    assert str(caught.value) == message
    assert len(store.decisions()) == 1


def test_a_second_reviewer_decides_only_the_sample(tmp_path):
    from helpers.analysis.review_store import ReviewStore

    worklist = candidates(*((f"C{n}", "exact") for n in range(60)))
    texts = pd.Series({f"C{n}": f"text {n}" for n in range(60)})
    store = ReviewStore.for_request(tmp_path, "20180075")
    review.record_decisions(store, {f"C{n}": "yes" for n in range(60)}, "AB", worklist, texts)
    sample = store.second_review_sample()
    outside = next(ref for ref in worklist["reference"] if ref not in sample)
    with pytest.raises(review.DecisionsError, match=f"^{outside}: not in the second review's sample"):
        review.record_decisions(store, {outside: "no"}, "CD", worklist, texts, "second")
    review.record_decisions(store, {sample[0]: "no"}, "CD", worklist, texts, "second")
    assert [(first.reference, second.reviewer) for first, second in store.disagreements()] == [(sample[0], "CD")]


def test_a_second_reviewer_works_through_the_sample_without_the_first_decisions(tmp_path):
    from helpers.analysis.review_store import ReviewStore

    worklist = candidates(*((f"C{n}", "exact") for n in range(60)))
    worklist["decision"] = "yes"  # what the run used: the first reviewer's decisions
    store = ReviewStore.for_request(tmp_path, "20180075")
    review.record_decisions(store, {f"C{n}": "yes" for n in range(60)}, "AB", worklist, pd.Series(dtype=object))
    assert review.worklist_for(worklist, store) is worklist
    second = review.worklist_for(worklist, store, "second")
    assert set(second["reference"]) == set(store.second_review_sample()) and len(second) == 12
    assert (second[["decision", "reviewer", "note"]] == "").all().all()
