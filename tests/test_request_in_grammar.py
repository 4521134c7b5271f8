"""Request 20180075 written in the request grammar (`tests/requests/20180075-grammar.yaml`: a
search keeping the hunter-group review's question, a table split by it, a table with an
`of_whom` row and its own Total label, a table of the search's review) against today's request
file, which the runner reads into the grammar (`request.translate`): the same figures, the same
cells withheld, the same CSV files byte for byte, a reviewer's decision moving both alike, and
`results.json`'s keys of today read from the tables (issue 21, item 3)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from builders import sample_or_synthetic

from helpers.analysis import review
from helpers.analysis.review_store import HUNTER_GROUP, store_for
from helpers.errors import ParameterError
from helpers.project import project_root
from helpers.request import steps
from helpers.request.parameters import read_parameters, validate_parameters

LEGACY = project_root() / "parameters" / "20180075.yaml"
GRAMMAR = Path(__file__).parent / "requests" / "20180075-grammar.yaml"
#: today's tables, which the grammar's file names as today's request has them
SAME = ("people_charged", "offences_by_year", "outcomes_by_year", "evidence_review")


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    return sample_or_synthetic(tmp_path_factory)


@pytest.fixture
def log(tmp_path, monkeypatch):
    """A log folder of this test's own, and so a review store of its own."""
    monkeypatch.setenv("FOI_LOG_DIR", str(tmp_path / "log"))


def steps_of(params_path: Path, extracts: Path, out: Path, **changes):
    """A request's steps as the briefing notebook makes them: its answers, its exact results,
    what disclosure control released, and its released CSV files."""
    params = read_parameters(params_path, {"extracts_dir": str(extracts), "output_dir": str(out), **changes})
    paths = steps.OutputPaths.for_request(params).make()
    extract = steps.load(params)
    answers = steps.answer(params, extract)
    exact = steps.write_restricted(paths, params, extract, answers)
    released = steps.protect(params, extract, answers)
    released = steps.protect_across_releases(params, extract, released, answers)
    steps.write_release_tables(paths, params, released, extract)
    files = {path.name: path.read_bytes() for path in sorted(paths.tables.iterdir())}
    return SimpleNamespace(params=params, extract=extract, paths=paths, answers={a.name: a for a in answers},
                           exact=exact, released=released, files=files)


def assert_the_same(today, grammar) -> None:
    for name in SAME:
        pd.testing.assert_frame_equal(grammar.answers[name].counts, today.answers[name].counts)
        pd.testing.assert_frame_equal(grammar.released.tables[name], today.released.tables[name])
    assert grammar.files == today.files


def test_20180075_in_the_grammar_has_todays_figures_and_withholds_todays_cells(extracts, tmp_path, log):
    today = steps_of(LEGACY, extracts, tmp_path / "today")
    grammar = steps_of(GRAMMAR, extracts, tmp_path / "grammar")
    assert_the_same(today, grammar)
    assert sorted(today.files) == sorted(f"{name}.csv" for name in (*SAME, "data_quality_files", "data_quality_merging"))
    # one search, one review, over the same crimes as today's search (its offences and the
    # crimes of 2017's charges, whatever their class)
    assert grammar.answers["people_charged"].links[-1].kind == "subset"
    assert [link.kind for link in grammar.answers["outcomes_by_year"].links] == ["equal"] * 4
    worklist = review.read_candidates(today.paths.restricted / review.CANDIDATES_FILE)
    reviewed = steps.search_reviews(list(grammar.answers.values()))["hunter_group"]
    assert sorted(reviewed.candidates["reference"]) == sorted(worklist["reference"])


def test_todays_results_are_read_from_its_tables_in_the_grammar(extracts, tmp_path, log):
    """`results.json` of a request of today's shape: today's keys (other tools read them), each
    figure the same as its cell in the grammar's tables, which follow under their names."""
    today = steps_of(LEGACY, extracts, tmp_path / "today")
    exact, tables = today.exact, today.exact["tables"]
    assert list(exact)[:6] == ["reference", "period", "offences_by_year", "outcomes_by_year", "persons_charged", "vigilante"]
    assert list(tables) == list(SAME)
    offences = tables["offences_by_year"]["counts"]
    assert exact["offences_by_year"] == {year: n for year, n in offences["Total"].items() if year != "Total"}
    assert exact["vigilante"]["offences_by_year"] == {year: n for year, n in offences["Hunter-group evidence found"].items() if year != "Total"}
    assert len(exact["vigilante"]["crime_references"]) == offences["Hunter-group evidence found"]["Total"]
    people = {row: cells["People charged in 2017"] for row, cells in tables["people_charged"]["counts"].items()}
    labels = {name: group.label for name, group in today.params.legacy.charge_groups.items()}
    assert exact["persons_charged"] == {
        "year": 2017, **{name: people[label] for name, label in labels.items()},
        "either": people["Charged with any of these (each person once)"],
        "vigilante": people["of whom charged on hunter-group evidence"],
    }
    # an outcome's offences, by code, add up to its year's offences
    assert {year: sum(codes.values()) for year, codes in exact["outcomes_by_year"].items()} == exact["offences_by_year"]
    review_table = tables["evidence_review"]["counts"]
    assert exact["vigilante"]["crimes_searched"] == review_table["Crimes whose circumstances were searched"]["Crimes"]
    assert exact["vigilante"]["candidates"] == review_table["Crimes with a mention of the terms (to review)"]["Crimes"]
    assert "search_reviews" not in exact  # today's search's review is in `vigilante`


def test_a_decision_under_the_hunter_group_question_moves_both_alike(extracts, tmp_path, log):
    before = steps_of(LEGACY, extracts, tmp_path / "before")
    worklist = review.read_candidates(before.paths.restricted / review.CANDIDATES_FILE)
    counted = worklist.loc[worklist["kind"] != "negated"].iloc[0]
    review.record_decisions(
        store_for(before.params), {counted["reference"]: "no"}, "AB", worklist,
        before.extract.circumstances(worklist["reference"].tolist()), question=HUNTER_GROUP,
    )
    today = steps_of(LEGACY, extracts, tmp_path / "today")
    found = "Hunter-group evidence found"
    assert today.answers["offences_by_year"].counts.loc[found, "Total"] == (
        before.answers["offences_by_year"].counts.loc[found, "Total"] - 1
    )
    assert_the_same(today, steps_of(GRAMMAR, extracts, tmp_path / "grammar"))


def test_a_search_of_all_crimes_and_a_decisions_file_are_keys_of_a_grammar_search_too(extracts, tmp_path, log):
    """`search_scope: all_crimes` (the search reads every crime of the period, whatever its
    class) and `evidence_decisions` (a review made elsewhere) are a grammar search's `scope` and
    `decisions_file`: today's file and the grammar's give the same tables with them too."""
    first = steps_of(LEGACY, extracts, tmp_path / "first")
    worklist = review.read_candidates(first.paths.restricted / review.CANDIDATES_FILE)
    counted = worklist.loc[worklist["kind"] != "negated", "reference"].iloc[0]
    negated = worklist.loc[worklist["kind"] == "negated", "reference"].iloc[0]
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(f"reference,decision,reviewer,note\n{counted},no,AB,\n{negated},yes,AB,\n", encoding="utf-8")
    today = steps_of(LEGACY, extracts, tmp_path / "today", search_scope="all_crimes", evidence_decisions=str(decisions))
    assert today.files["evidence_review.csv"] != first.files["evidence_review.csv"]  # more crimes searched, two decided
    values = yaml.safe_load(GRAMMAR.read_text(encoding="utf-8"))
    values["searches"]["hunter_group"].update(scope="all_crimes", decisions_file=str(decisions))
    grammar = tmp_path / "grammar.yaml"
    grammar.write_text(yaml.safe_dump(values), encoding="utf-8")
    assert_the_same(today, steps_of(grammar, extracts, tmp_path / "grammar"))


def test_a_request_with_todays_keys_and_tables_of_its_own_has_todays_tables_then_its_own(extracts, tmp_path, log):
    """Found by a reviewer of the change: read into the grammar, its own measures and tables
    must not be lost; they come after today's four, in the briefing's "More of your request"."""
    values = yaml.safe_load(LEGACY.read_text(encoding="utf-8"))
    values["measures"] = {"grooming": {"count": "offences", "label": "offences", "classes": ["088/01"], "period": {"last_years": 3}}}
    values["questions"].append("How many offences of grooming were recorded each month?")
    values["tables"] = [{"name": "grooming_by_month", "question": 4, "title": "Offences by month", "measure": "grooming", "rows": "month"}]
    path = tmp_path / "with-tables.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    run = steps_of(path, extracts, tmp_path / "out")
    assert list(run.answers) == [*SAME, "grooming_by_month"]
    # found by a reviewer: today's tables after the first answer the hunter-group question (3),
    # not the file's last
    assert [run.exact["tables"][name]["question"] for name in SAME] == [1, 3, 3, 3]
    assert list(run.released.answers) == ["grooming_by_month"]  # today's four are today's sections
    assert steps.briefing_order(run.params, run.released) == [*SAME, "data_quality_files", "data_quality_merging", "grooming_by_month"]
    assert run.files["offences_by_year.csv"] == steps_of(LEGACY, extracts, tmp_path / "today").files["offences_by_year.csv"]


def own_tables(**changes) -> dict:
    """20180075's file with a search, a measure and a table of its own (changed by `changes`:
    dotted keys)."""
    values = yaml.safe_load(LEGACY.read_text(encoding="utf-8"))
    values["searches"] = {"dog": {"terms": ["dog"]}}
    values["measures"] = {"grooming": {"count": "offences", "label": "offences", "classes": ["088/01"], "period": {"last_years": 3}, "search": "dog"}}
    values["tables"] = [{"name": "grooming_by_month", "question": 1, "title": "Offences by month", "measure": "grooming", "rows": "month"}]
    for dotted, value in changes.items():
        *path, last = dotted.split(".")
        place = values
        for key in path:
            place = place[key]
        place[last] = value
    return values


def renamed(key: str, name: str) -> dict:
    values = own_tables()
    values[key][name] = values[key].pop("dog" if key == "searches" else "grooming")
    if key == "searches":
        values["measures"]["grooming"]["search"] = name
    else:
        values["tables"][0]["measure"] = name
    return values


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (renamed("measures", "offences"), "measures.offences: the name of today's request's own measure"),
        (renamed("measures", "people_charged"), "measures.people_charged: the name of today's request's own measure"),
        (renamed("searches", "hunter_group"), "searches.hunter_group: the name of today's request's own search"),
        # found by a reviewer of the change: names of the other kind, and the review's question
        (renamed("searches", "offences"), "searches.offences: the name of today's request's own measure"),
        (renamed("searches", "people_charged"), "searches.people_charged: the name of today's request's own measure"),
        (renamed("measures", "hunter_group"), "measures.hunter_group: the name of today's request's own search"),
        (own_tables(**{"searches.dog.question": "hunter_group"}), "searches.dog.question: the question today's hunter-group search keeps its decisions under"),
    ],
)
def test_a_request_with_todays_keys_gives_its_own_measures_and_searches_other_names(values, expected):
    validate_parameters(own_tables())
    with pytest.raises(ParameterError) as caught:
        validate_parameters(values)
    assert str(caught.value).startswith(f"parameters: {expected}")


def test_a_charge_group_name_with_a_space_is_read_into_the_grammar_as_typed(extracts, tmp_path, log):
    """Found by a reviewer of the change: a measure's charge codes lost their spaces, so a group
    named "attempt s15" became the unknown 'attempts15' and the run stopped."""
    values = yaml.safe_load(LEGACY.read_text(encoding="utf-8"))
    values["charge_groups"] = {"s15": values["charge_groups"]["section_15"], "attempt s15": values["charge_groups"]["attempt_section_15"]}
    path = tmp_path / "spaced.yaml"
    path.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    run = steps_of(path, extracts, tmp_path / "out")
    today = steps_of(LEGACY, extracts, tmp_path / "today")
    assert run.files == today.files
    assert run.exact["persons_charged"]["attempt s15"] == today.exact["persons_charged"]["attempt_section_15"]


def test_a_charge_year_after_the_extracts_were_taken_is_refused_naming_charge_year(tmp_path):
    """Found by a docs audit: `charge_year: 2019` on extracts of 1 January 2019 was refused naming
    `measures.people_charged.period`, a key the file does not have."""
    from helpers.run.request import read_request

    text = LEGACY.read_text(encoding="utf-8")
    assert "\ncharge_year: 2017\n" in text
    later = tmp_path / "later.yaml"
    later.write_text(text.replace("\ncharge_year: 2017\n", "\ncharge_year: 2019\n"), encoding="utf-8")
    with pytest.raises(ParameterError) as refused:
        read_request(later, None, None, None)
    assert str(refused.value) == (
        "later.yaml: charge_year: it ends on 2019-12-31, after the extracts were taken (2019-01-01)"
    )
    text = text.replace("\nperiod_to: 2017-12-31\n", "\nperiod_to: 2019-12-31\n")
    later.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=r"^later.yaml: extracts_taken_on: the extracts \(2019-01-01\) were taken before the period ends"):
        read_request(later, None, None, None)


def test_check_refuses_a_request_of_todays_shape_that_cannot_be_read_into_the_grammar(monkeypatch):
    """`check` and `run` read a request of today's shape into the grammar as its run counts it,
    so that what the run would refuse is refused before it, in one line naming the file (found
    by a reviewer: check said ok, then the run stopped naming keys the file does not have)."""
    from helpers.request import translate
    from helpers.run.request import read_request

    todays = translate.grammar_keys
    monkeypatch.setattr(translate, "grammar_keys", lambda params: {**todays(params), "tables": [{**todays(params)["tables"][0], "measure": "nothing"}]})
    with pytest.raises(ParameterError, match=r"^20180075.yaml: today's keys read into the request grammar: tables.0.measure: "):
        read_request(LEGACY, None, None, None)
