"""The review loop: worklist, decisions file, what the decisions change, and the review's cost."""

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
    extract = steps.load(params)
    figures = steps.count(params, extract)
    return params, steps.search(params, extract, figures)


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
