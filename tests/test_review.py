"""The review loop: worklist, decisions file, what the decisions change, and the review's cost."""

from types import SimpleNamespace

import pandas as pd
import pytest
from builders import cms_crime, connect_crime, write_extract

from helpers.analysis import review
from helpers.project import project_root
from helpers.request import steps
from helpers.request.parameters import read_parameters

PARAMS = project_root() / "parameters" / "20180075.yaml"

HUNTER = "Arrested after a sting by the Predator Patrol group, who passed chat logs to police."
TYPO = "Chat logs were handed to police by Nothern Shield after the meeting."
NEGATED = "Enquiries found no paedophile hunter involvement in this case."
PLAIN = "Victim's father found the messages and called police."


def run(tmp_path, decisions: list[dict] | None = None, **overrides):
    extracts = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[
            cms_crime("CM/14/0000001", "02/02/2014 10:00", CIRCUMSTANCES=PLAIN),  # the extract starts before the period
            cms_crime("CM/16/0000001", CIRCUMSTANCES=HUNTER),
            cms_crime("CM/16/0000002", CIRCUMSTANCES=PLAIN),
        ],
        connect_crimes=[
            connect_crime("00000001/17", "2017-12-05T10:00:00", Circumstances=TYPO),
            connect_crime("00000002/17", "2017-12-06T10:00:00", Circumstances=NEGATED),
        ],
    )
    values = {"extracts_dir": str(extracts), "output_dir": str(tmp_path / "out"), **overrides}
    if decisions is not None:
        path = tmp_path / "decisions.csv"
        pd.DataFrame(decisions).to_csv(path, index=False)
        values["evidence_decisions"] = str(path)
    params = read_parameters(PARAMS, values)
    return params, found(params, steps.load(params))


def found(params, extract) -> SimpleNamespace:
    """What the run found of the hunter-group search: its review (`steps.todays_review`) and
    `results.json`'s figures of it (`vigilante`)."""
    answers = steps.answer(params, extract)
    reviewed = steps.todays_review(params, answers)
    vigilante = steps.todays_results(params, extract, answers)["vigilante"]
    return SimpleNamespace(
        candidates=reviewed.candidates,
        counted=reviewed.outcome.counted,
        review=reviewed.outcome,
        reviewed=reviewed.run,
        crime_references=vigilante["crime_references"],
        negated_references=vigilante["negated_references"],
        offences_by_year=vigilante["offences_by_year"],
        summary=vigilante["review"],
        tables={answer.name: answer for answer in answers},
    )


def test_the_worklist_has_every_match_and_negated_match_least_certain_first(tmp_path):
    _, findings = run(tmp_path)
    sheet = findings.candidates
    assert list(sheet.columns) == review.CANDIDATE_COLUMNS
    assert sheet["reference"].tolist() == ["00000002/17", "00000001/17", "CM/16/0000001"]
    assert sheet["kind"].tolist() == ["negated", "fuzzy", "exact"]
    assert sheet.loc[1, "matched"] == "Nothern Shield" and "Nothern Shield" in sheet.loc[1, "context"]
    assert (sheet["decision"] == "").all()
    assert findings.crime_references == ["00000001/17", "CM/16/0000001"]
    assert findings.negated_references == ["00000002/17"]


def test_decisions_override_the_search_and_are_counted(tmp_path):
    _, findings = run(
        tmp_path,
        [
            {"reference": "00000001/17", "decision": "no", "reviewer": "AB", "note": "typo but a council team"},
            {"reference": "00000002/17", "decision": "Yes", "reviewer": "AB", "note": ""},
            {"reference": "CM/16/0000001", "decision": "yes", "reviewer": "AB", "note": ""},
        ],
    )
    assert findings.crime_references == ["00000002/17", "CM/16/0000001"]
    assert findings.offences_by_year == {"2015": 0, "2016": 1, "2017": 1}
    assert (findings.review.reviewed, findings.review.overturned) == (3, 2)
    assert findings.candidates.set_index("reference").loc["00000001/17", "decision"] == "no"


def test_undecided_rows_in_the_decisions_file_leave_the_search_s_call(tmp_path):
    _, findings = run(tmp_path, [{"reference": "00000001/17", "decision": "", "reviewer": "", "note": ""}])
    assert findings.crime_references == ["00000001/17", "CM/16/0000001"]
    assert findings.review.reviewed == 0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"reference": "00000001/17", "decision": "maybe"}], "decisions.csv: line 2: decision must be yes or no (got 'maybe')"),
        ([{"reference": "00000001/17", "decision": "yes"}, {"reference": "00000001/17", "decision": "no"}], "decisions.csv: 00000001/17 has conflicting decisions"),
        ([{"crime": "00000001/17", "decision": "yes"}], "decisions.csv: missing column 'reference'"),
    ],
)
def test_a_bad_decisions_file_is_one_line_naming_file_and_line(tmp_path, rows, message):
    with pytest.raises(review.DecisionsError) as caught:
        run(tmp_path, rows)
    assert str(caught.value) == message


def test_the_search_scope_can_be_every_crime_in_the_period(tmp_path):
    # a hunter-group mention on a crime of another class is only found with the wider scope
    params, findings = run(tmp_path, offence_classes=["088/02"])
    assert findings.crime_references == []
    params, findings = run(tmp_path, offence_classes=["088/02"], search_scope="all_crimes")
    assert set(findings.counted) == {"00000001/17", "CM/16/0000001"}


@pytest.mark.parametrize(("records", "minutes", "within"), [(3, 5, True), (216, 5, True), (217, 5, False), (300, 5, False)])
def test_the_review_cost_is_set_against_the_s12_limit_of_18_hours(records, minutes, within):
    assert review.ReviewCost(records, minutes).within_s12_limit is within


def test_a_decision_for_a_crime_not_on_the_worklist_is_reported_not_applied(tmp_path):
    params, findings = run(tmp_path, [{"reference": "00000999/17", "decision": "yes", "reviewer": "AB", "note": ""}])
    assert findings.review.unmatched_decisions == ["00000999/17"]
    assert "00000999/17" not in findings.counted
    assert findings.review.reviewed == 0


def test_an_empty_decisions_file_and_a_bad_line_are_named(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text("")
    with pytest.raises(review.DecisionsError, match=r"^decisions.csv: the file is empty"):
        review.read_decisions(path)
    path.write_text("reference,decision\n00000001/17,\n00000002/17,yes\n00000003/17,perhaps\n")
    with pytest.raises(review.DecisionsError, match=r"^decisions.csv: line 4: decision must be yes or no"):
        review.read_decisions(path)


def test_a_period_starting_before_the_extracts_is_a_parameters_error(tmp_path):
    with pytest.raises(steps.DataCoverageError, match=r"^period_from: 2010-01-01 is before the extracts begin"):
        run(tmp_path, period_from="2010-01-01")


# ---- issue 19: the review store, read by every run with no YAML line


@pytest.fixture(autouse=True)
def own_log(tmp_path, monkeypatch):
    """Each test's review store is its own (the store lives in the run's log folder)."""
    monkeypatch.setenv("FOI_LOG_DIR", str(tmp_path / "log"))
    return tmp_path / "log"


def store_of(log):
    from helpers.analysis.review_store import ReviewStore

    return ReviewStore.for_request(log, "20180075")


def test_a_run_uses_the_requests_stored_decisions_with_no_yaml_line(tmp_path, own_log):
    store_of(own_log).record("00000001/17", TYPO, "no", "AB", note="a council team")
    params, findings = run(tmp_path)
    assert params.evidence_decisions is None
    assert findings.crime_references == ["CM/16/0000001"]
    assert (findings.review.reviewed, findings.review.overturned) == (1, 1)
    row = findings.candidates.set_index("reference").loc["00000001/17"]
    assert (row["decision"], row["reviewer"], row["note"]) == ("no", "AB", "a council team")
    summary = findings.summary
    assert (summary["from_store"], summary["from_file"], summary["not_yet_reviewed"]) == (1, 0, 2)
    assert summary["store"]["decided"] == 1 and summary["store"]["sha256"]


def test_a_decision_on_a_text_changed_since_is_flagged_never_reused(tmp_path, own_log):
    store_of(own_log).record("00000001/17", "Chat logs were handed to police by a council team.", "no", "AB")
    params, findings = run(tmp_path)
    assert "00000001/17" in findings.counted  # the search's call, not the stale decision
    assert findings.review.reviewed == 0
    assert sorted(findings.reviewed.review_again) == ["00000001/17"]
    note = findings.candidates.set_index("reference").loc["00000001/17", "note"]
    assert note.startswith("TEXT CHANGED since AB decided no") and "decide again" in note
    assert findings.summary["review_again"] == ["00000001/17"]
    assert findings.tables["evidence_review"].counts["Crimes"].tolist() == [4, 3, 0, 0]  # Table 4 as before: no count of them


def test_a_text_whose_line_endings_changed_is_the_same_text(tmp_path, own_log):
    # the extract writes its line break as \r\n; the reviewer's copy had \n
    text = "Arrested after a sting by the Predator Patrol group.\r\nThey passed chat logs to police."
    extracts = write_extract(tmp_path / "extracts", CMS_CRIMES=[cms_crime("CM/14/0000001", "02/02/2014 10:00"), cms_crime("CM/16/0000001", CIRCUMSTANCES=text)],
                             connect_crimes=[connect_crime("00000001/17", "2017-12-05T10:00:00")])
    store_of(own_log).record("CM/16/0000001", text.replace("\r\n", "\n"), "no", "AB")
    params = read_parameters(PARAMS, {"extracts_dir": str(extracts), "output_dir": str(tmp_path / "out")})
    extract = steps.load(params)
    findings = found(params, extract)
    assert findings.reviewed.review_again == {} and findings.review.reviewed == 1
    assert "CM/16/0000001" not in findings.counted


def test_where_the_store_and_the_named_file_both_decide_the_later_wins_and_is_listed(tmp_path, own_log):
    store_of(own_log).record("00000001/17", TYPO, "yes", "AB")
    store_of(own_log).record("CM/16/0000001", HUNTER, "yes", "AB")
    older = {"reference": "00000001/17", "decision": "no", "reviewer": "CD", "note": "", "at": "2020-01-01T09:00:00"}
    same = {"reference": "CM/16/0000001", "decision": "yes", "reviewer": "CD", "note": "", "at": "2020-01-01T09:00:00"}
    _, findings = run(tmp_path, [older, same])
    assert "00000001/17" in findings.counted
    conflicts = findings.reviewed.conflicts
    assert [(c["reference"], c["used"]) for c in conflicts] == [("00000001/17", "review store")]
    assert conflicts[0]["file"].startswith("no (CD, 2020-01-01T09:00:00")
    newer = dict(older, at="2999-01-01T00:00:00+00:00")
    _, findings = run(tmp_path, [newer])
    assert "00000001/17" not in findings.counted
    assert findings.reviewed.conflicts[0]["used"] == "decisions.csv"
    summary = findings.summary
    assert (summary["from_store"], summary["from_file"]) == (1, 1)


def test_a_decision_made_under_a_migrated_crimes_legacy_reference_is_matched(tmp_path, own_log):
    from builders import migrated

    cms_copy, connect_copy = migrated("CM/16/0000009", "00000009/16", "2016-03-01T09:30:00", Circumstances=HUNTER)
    extracts = write_extract(tmp_path / "extracts", CMS_CRIMES=[cms_crime("CM/14/0000001", "02/02/2014 10:00"), cms_copy],
                             connect_crimes=[connect_copy, connect_crime("00000001/17", "2017-12-05T10:00:00")])
    store_of(own_log).record("CM/16/0000009", HUNTER, "no", "AB", note="decided before the migration")
    params = read_parameters(PARAMS, {"extracts_dir": str(extracts), "output_dir": str(tmp_path / "out")})
    extract = steps.load(params)
    findings = found(params, extract)
    assert findings.candidates["reference"].tolist() == ["00000009/16"]
    assert findings.counted == frozenset() and findings.review.reviewed == 1
    assert findings.review.unmatched_decisions == []


def test_an_open_disagreement_is_listed_and_stops_only_a_strict_run(tmp_path, own_log):
    store = store_of(own_log)
    store.record("00000001/17", TYPO, "yes", "AB")
    store.record("00000001/17", TYPO, "no", "CD", role="second")
    _, findings = run(tmp_path)
    assert "00000001/17" in findings.counted  # the first reviewer's decision, meanwhile
    assert [d["reference"] for d in findings.reviewed.disagreements] == ["00000001/17"]
    with pytest.raises(review.DecisionsError, match=r"^1 open disagreement\(s\) .* of the search hunter_group and strict is on; first: 00000001/17") as caught:
        run(tmp_path, strict=True)
    assert type(caught.value).__name__ == "ReviewDisagreementError" and "\n" not in str(caught.value)
    store.record("00000001/17", TYPO, "no", "AB", note="settled with CD")
    _, findings = run(tmp_path, strict=True)
    assert findings.reviewed.disagreements == [] and "00000001/17" not in findings.counted


def test_a_second_review_asked_for_reports_its_progress_and_the_method_says_so(tmp_path, own_log):
    from helpers.briefing.narrative import second_review_sentence

    store = store_of(own_log)
    for reference, text in (("00000001/17", TYPO), ("00000002/17", NEGATED), ("CM/16/0000001", HUNTER)):
        store.record(reference, text, "yes", "AB")
    _, findings = run(tmp_path, second_review=True)
    assert findings.reviewed.second_review == {"asked": True, "made": False, "sample": 3, "checked": 0, "open_disagreements": 0}
    assert second_review_sentence(findings.reviewed) == "A second review of these decisions was asked for but not yet made."
    store.record("CM/16/0000001", HUNTER, "yes", "CD", role="second")
    _, findings = run(tmp_path, second_review=True)
    assert findings.reviewed.second_review["checked"] == 1
    assert second_review_sentence(findings.reviewed).endswith("and the two settled every disagreement.")
    lines = review_store_lines(findings.summary)
    assert "review: second review asked for: 2 of its sample of 3 decision(s) still to check" in lines
    _, findings = run(tmp_path)
    assert second_review_sentence(findings.reviewed) .startswith("A second reviewer checked a sample")


def review_store_lines(summary):
    from helpers.analysis.review_store import review_lines

    return [line for _, line in review_lines(summary)]


def test_the_run_says_how_many_were_reviewed_and_warns_of_the_rest(tmp_path, own_log):
    from helpers.analysis.review_store import review_details, review_lines

    store_of(own_log).record("00000001/17", TYPO, "no", "AB")
    store_of(own_log).record("00000002/17", "an older text", "yes", "AB")
    store_of(own_log).record("99999999/17", "gone", "yes", "AB")
    _, findings = run(tmp_path)
    summary = findings.summary
    lines = review_lines(summary)
    assert lines[0] == (False, "review: 1 of 3 candidate(s) reviewed (1 from the review store (reviews/20180075.jsonl)); 1 change the search's call")
    warned = [line for warning, line in lines if warning]
    assert warned == [
        "review: 1 candidate(s) not yet reviewed: counted as the search called them (restricted/evidence_candidates.csv)",
        "review: 1 decision(s) made on a text that has changed since: not used, to be reviewed again (marked on the worklist)",
        "review: 1 decision(s) for crimes not on the worklist: not used",
    ]
    assert not any("00000002/17" in line for line in warned)  # crimes in the restricted log only
    assert review_details(summary) == ["review: to review again (text changed): 00000002/17"]


def test_the_runs_review_lines_write_counts_as_the_briefing_does(tmp_path, own_log):
    """Found by a new user: "1125 candidate(s)" on the console, "1,125" in the briefing."""
    _, findings = run(tmp_path)
    summary = findings.summary | {"candidates": 1125, "not_yet_reviewed": 1125, "reviewed": 0}
    lines = review_store_lines(summary)
    assert lines[0].startswith("review: 0 of 1,125 candidate(s) reviewed")
    assert "review: 1,125 candidate(s) not yet reviewed" in lines[1]


def test_a_damaged_store_stops_the_run_in_one_line_naming_file_and_line(tmp_path, own_log):
    store = store_of(own_log)
    store.record("00000001/17", TYPO, "no", "AB")
    with open(store.path, "a", encoding="utf-8") as file:
        file.write("not json\n")
    with pytest.raises(review.DecisionsError, match=r"20180075.jsonl: line 2: damaged"):
        run(tmp_path)


def test_a_decisions_file_with_a_bad_time_is_named(tmp_path):
    with pytest.raises(review.DecisionsError, match=r"^decisions.csv: line 2: at must be a date and time"):
        run(tmp_path, [{"reference": "00000001/17", "decision": "no", "at": "yesterday"}])


def test_the_run_records_the_decisions_it_used_as_a_decisions_file(tmp_path, own_log):
    store_of(own_log).record("00000001/17", TYPO, "no", "AB", note="a council team")
    params, findings = run(tmp_path)
    used = review.used_decisions_csv(findings.reviewed)
    assert used[["reference", "decision", "reviewer", "note", "source"]].to_dict("records") == [
        {"reference": "00000001/17", "decision": "no", "reviewer": "AB", "note": "a council team", "source": "review store"}
    ]
    path = tmp_path / "used.csv"
    used.to_csv(path, index=False)
    assert review.read_decisions(path)["counted"].to_dict() == {"00000001/17": False}  # a run can read it back


def test_the_review_notebooks_next_run_command_keeps_the_folders_it_was_given():
    """Found by a new user: the notebook printed `foi-briefing run FILE` alone after a review
    of a run made with --extracts, --out and --log, a command that read other extracts and
    another review store."""
    import shlex

    from helpers.analysis.review import run_again_command
    from helpers.project import project_root

    # found by a new user: the command worked only from the project's folder
    here = f"cd {shlex.quote(str(project_root()))} && "
    assert run_again_command("parameters/x.yaml") == here + ".venv/bin/foi-briefing run parameters/x.yaml"
    assert run_again_command("p.yaml", "/data/my extracts", "/tmp/out", "/tmp/log") == here + (
        ".venv/bin/foi-briefing run p.yaml --extracts '/data/my extracts' --out /tmp/out --log /tmp/log"
    )


def test_the_hunter_group_search_of_todays_request_can_be_named_to_the_review_notebook():
    """A strict run names the search it stopped on ("... of the search hunter_group ..."): the
    review notebook takes that name as well as none (found by a reviewer: it said today's request
    had no searches)."""
    params = read_parameters(PARAMS)
    assert review.review_target(params, "hunter_group") == review.review_target(params)
    assert review.review_target(params).worklist.name == review.CANDIDATES_FILE
