"""Request 20180075 written in the request grammar (`tests/requests/20180075-grammar.yaml`: a
search keeping the hunter-group review's question, a table split by it, a table with an
`of_whom` row and its own Total label, a table of the search's review) against today's request
file: the same figures, the same
cells withheld, and a reviewer's decision moving both alike (issue 21, item 3)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from builders import sample_or_synthetic

from helpers.analysis import review
from helpers.analysis.review_store import HUNTER_GROUP, store_for
from helpers.project import project_root
from helpers.request import steps
from helpers.request.parameters import read_parameters
from helpers.request.tables import release_tables

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


def todays(extracts: Path, out: Path):
    params = read_parameters(LEGACY, {"extracts_dir": str(extracts), "output_dir": str(out)})
    extract = steps.load(params)
    figures = steps.count(params, extract)
    findings = steps.search(params, extract, figures)
    paths = steps.OutputPaths.for_request(params).make()
    steps.write_restricted(paths, params, extract, figures, findings, [])
    tables = {t.name: t.counts for t in release_tables(params, extract, figures, findings)}
    released = steps.protect(params, extract, figures, findings)
    return params, extract, paths, tables, released


def in_grammar(extracts: Path, out: Path):
    params = read_parameters(GRAMMAR, {"extracts_dir": str(extracts), "output_dir": str(out)})
    extract = steps.load(params)
    answers = steps.answer(params, extract)
    released = steps.protect(params, extract, None, None, answers)
    return {a.name: a.counts for a in answers}, released, answers


def assert_the_same(today, grammar) -> None:
    (_, _, _, tables, released), (counts, grammar_released, _) = today, grammar
    for name in SAME:
        pd.testing.assert_frame_equal(counts[name], tables[name], check_dtype=False)
        pd.testing.assert_frame_equal(
            grammar_released.tables[name], released.tables[name], check_dtype=False
        )


def test_20180075_in_the_grammar_has_todays_figures_and_withholds_todays_cells(extracts, tmp_path, log):
    today = todays(extracts, tmp_path / "today")
    grammar = in_grammar(extracts, tmp_path / "grammar")
    assert_the_same(today, grammar)
    _, _, answers = grammar
    by_name = {a.name: a for a in answers}
    # one search, one review, over the same crimes as today's search (its offences and the
    # crimes of 2017's charges, whatever their class)
    assert by_name["people_charged"].links[-1].kind == "subset"
    assert [link.kind for link in by_name["outcomes_by_year"].links] == ["equal"] * 4
    reviewed = steps.search_reviews(answers)["hunter_group"]
    _, _, paths, _, _ = today
    worklist = review.read_candidates(paths.restricted / review.CANDIDATES_FILE)
    assert sorted(reviewed.candidates["reference"]) == sorted(worklist["reference"])


def test_a_decision_under_the_hunter_group_question_moves_both_alike(extracts, tmp_path, log):
    params, extract, paths, before, _ = todays(extracts, tmp_path / "before")
    worklist = review.read_candidates(paths.restricted / review.CANDIDATES_FILE)
    counted = worklist.loc[worklist["kind"] != "negated"].iloc[0]
    review.record_decisions(
        store_for(params), {counted["reference"]: "no"}, "AB", worklist,
        extract.circumstances(worklist["reference"].tolist()), question=HUNTER_GROUP,
    )
    today = todays(extracts, tmp_path / "today")
    assert today[3]["offences_by_year"].loc["Hunter-group evidence found", "Total"] == (
        before["offences_by_year"].loc["Hunter-group evidence found", "Total"] - 1
    )
    assert_the_same(today, in_grammar(extracts, tmp_path / "grammar"))


def written_tables(params_path: Path, extracts: Path, out: Path, translated: bool = False) -> dict[str, bytes]:
    """The released CSV files of a request, as its steps write them (a request of today's shape
    read into the grammar, if `translated`)."""
    from helpers.request.translate import in_grammar

    params = read_parameters(params_path, {"extracts_dir": str(extracts), "output_dir": str(out)})
    params = in_grammar(params) if translated else params
    paths = steps.OutputPaths.for_request(params).make()
    extract = steps.load(params)
    figures = steps.count(params, extract) if params.has_legacy else None
    findings = steps.search(params, extract, figures) if figures is not None else None
    answers = steps.answer(params, extract)
    released = steps.protect(params, extract, figures, findings, answers)
    released = steps.protect_across_releases(params, extract, figures, findings, released, answers)
    steps.write_release_tables(paths, params, released, extract)
    return {path.name: path.read_bytes() for path in sorted(paths.tables.iterdir())}


def test_20180075_in_the_grammar_releases_todays_csv_files_byte_for_byte(extracts, tmp_path, log):
    today = written_tables(LEGACY, extracts, tmp_path / "today")
    grammar = written_tables(GRAMMAR, extracts, tmp_path / "grammar")
    assert sorted(today) == sorted(f"{name}.csv" for name in (*SAME, "data_quality_files", "data_quality_merging"))
    assert grammar == today


# ---- today's keys read into the grammar (`request.translate`)


def test_todays_keys_read_into_the_grammar_release_todays_csv_files_byte_for_byte(extracts, tmp_path, log):
    translated = written_tables(LEGACY, extracts, tmp_path / "grammar", translated=True)
    assert translated == written_tables(LEGACY, extracts, tmp_path / "today")


def test_a_search_of_all_crimes_and_a_decisions_file_read_into_the_grammar_are_todays_too(extracts, tmp_path, log):
    """`search_scope: all_crimes` (the search reads every crime of the period, whatever its
    class) and `evidence_decisions` (a review made elsewhere) are keys of a grammar search too
    (`scope`, `decisions_file`)."""
    from test_runner import parameters_file

    first = written_tables(LEGACY, extracts, tmp_path / "first")
    _, _, paths, _, _ = todays(extracts, tmp_path / "worklist")  # its worklist, to decide on
    worklist = review.read_candidates(paths.restricted / review.CANDIDATES_FILE)
    counted = worklist.loc[worklist["kind"] != "negated", "reference"].iloc[0]
    negated = worklist.loc[worklist["kind"] == "negated", "reference"].iloc[0]
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(f"reference,decision,reviewer,note\n{counted},no,AB,\n{negated},yes,AB,\n", encoding="utf-8")
    path = parameters_file(tmp_path / "all-crimes.yaml", search_scope="all_crimes", evidence_decisions=str(decisions))
    today = written_tables(path, extracts, tmp_path / "today")
    assert today["evidence_review.csv"] != first["evidence_review.csv"]  # more crimes searched, two decided
    assert written_tables(path, extracts, tmp_path / "grammar", translated=True) == today


def test_a_request_with_todays_keys_and_tables_of_its_own_is_not_read_into_the_grammar():
    """Found by a reviewer of the change: its own measures and tables would have been lost."""
    import yaml

    from helpers.errors import ParameterError
    from helpers.request.parameters import validate_parameters
    from helpers.request.translate import in_grammar

    values = yaml.safe_load(LEGACY.read_text(encoding="utf-8"))
    values["measures"] = {"grooming": {"count": "offences", "label": "offences", "classes": ["088/01"], "period": {"last_years": 3}}}
    values["tables"] = [{"name": "grooming_by_month", "question": 1, "title": "Offences by month", "measure": "grooming", "rows": "month"}]
    with pytest.raises(ParameterError, match="^tables: a request with today's keys and tables of its own"):
        in_grammar(validate_parameters(values))
