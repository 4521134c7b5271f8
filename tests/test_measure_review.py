"""The review of a search of the request grammar (issue 21: "the existing search, negation and
review, with the terms, exclusions and method text of each measure its own"): each search (a name
in `searches`, shared by the measures that name it, or a measure's own `terms`) writes its own
worklist, a reviewer's decisions on it are recorded under the search's own question in the
request's review store, and the next run counts them in every measure of the search, against the
generator's truth."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.analysis import review
from helpers.analysis.review_store import HUNTER_GROUP, ReviewStore, store_for
from helpers.errors import ParameterError
from helpers.project import project_root
from helpers.request import measures, steps
from helpers.request.parameters import read_parameters
from helpers.synthetic.generator import generate_extracts
from helpers.synthetic.truth_tables import truth_for_tables

EXAMPLE = project_root() / "parameters" / "examples" / "mentions-snapchat-dog.yaml"
TABLE = "e_scooter_by_year"  # the e_scooter measure's table: a row a year


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("measure-review")
    return folder, generate_extracts(folder, n_crimes=20_000, seed=20180075)


@pytest.fixture
def log(tmp_path, monkeypatch):
    """A log folder of this test's own: its review store is read by every run below."""
    folder = tmp_path / "log"
    monkeypatch.setenv("FOI_LOG_DIR", str(folder))
    return folder


def run(folder: Path, out: Path):
    params = read_parameters(EXAMPLE, {"extracts_dir": str(folder), "output_dir": str(out)})
    paths = steps.OutputPaths.for_request(params).make()
    extract = steps.load(params)
    answers = steps.answer(params, extract)
    steps.write_restricted(paths, params, extract, answers)
    results = json.loads((paths.restricted / "results.json").read_text(encoding="utf-8"))
    return params, extract, paths, answers, results


def test_each_search_writes_its_own_worklist_and_counts_its_call_until_reviewed(synthetic, tmp_path, log):
    folder, truth = synthetic
    params, _, paths, answers, results = run(folder, tmp_path)
    assert sorted(results["search_reviews"]) == ["dog", "e_scooter", "snapchat"]
    # the measures that name the search, and those whose tables split by it
    users = {"dog": ["dog_offences", "dog_victims", "dog_charged", "assault_damage", "charged"],
             "e_scooter": ["e_scooter"], "snapchat": ["snapchat"]}
    for name, summary in results["search_reviews"].items():
        worklist = review.read_candidates(paths.restricted / "candidates" / f"{name}.csv")
        assert summary["worklist"] == f"restricted/candidates/{name}.csv"
        assert summary["measures"] == users[name]
        assert summary["candidates"] == len(worklist) > 0
        assert (summary["reviewed"], summary["not_yet_reviewed"]) == (0, len(worklist))
        assert set(worklist["kind"]) >= {"negated", "exact"}  # a negated mention is a candidate too
        # each crime says which of the measures' crimes it is one of
        named = worklist["in_scope_as"].str.removeprefix("a crime of ").str.split(r", | and ")
        assert worklist["in_scope_as"].str.startswith("a crime of ").all()
        assert all(set(names) <= set(users[name]) for names in named)
    # unreviewed, the figures are the search's call: the generator's truth
    expected = truth_for_tables(truth, yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    assert {name: table["counts"] for name, table in results["tables"].items()} == expected
    (table,) = [a for a in answers if a.name == TABLE]
    assert "no reviewer has read them yet" in table.notes[-1]


def test_a_reviewers_decisions_on_a_measure_change_its_count_and_no_other(synthetic, tmp_path, log):
    folder, truth = synthetic
    params, extract, paths, _, before = run(folder, tmp_path / "before")
    target = review.review_target(params, "e_scooter")  # a measure's own terms: a search of its own
    worklist = review.read_candidates(target.worklist)
    assert target.worklist == paths.restricted / "candidates" / "e_scooter.csv"
    counted = worklist.loc[worklist["kind"] != "negated"].iloc[0]
    negated = worklist.loc[worklist["kind"] == "negated"].iloc[0]
    texts = extract.circumstances(worklist["reference"].tolist())
    store = store_for(params)
    # the reviewer's path, as the review notebook takes it
    review.record_decisions(
        store, {counted["reference"]: ("no", "a toy scooter"), negated["reference"]: "yes"}, "AB",
        worklist, texts, question=target.question,
    )
    assert store.latest(HUNTER_GROUP) == {} and set(store.latest(target.question)) == {counted["reference"], negated["reference"]}

    _, _, _, answers, after = run(folder, tmp_path / "after")
    expected = truth_for_tables(truth, yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    cells = expected[TABLE]
    cells[counted["year"]]["Offences"] -= 1
    cells[negated["year"]]["Offences"] += 1
    assert after["tables"][TABLE]["counts"] == cells
    for other in ("snapchat_by_class", "dog_by_year_and_outcome", "dog_victims_by_year", "dog_charged_by_year"):
        assert after["tables"][other]["counts"] == before["tables"][other]["counts"]
    summary = after["search_reviews"]["e_scooter"]
    assert (summary["reviewed"], summary["overturned"]) == (2, 2)
    assert summary["not_yet_reviewed"] == summary["candidates"] - 2
    (table,) = [a for a in answers if a.name == TABLE]
    assert "A reviewer read some of the crimes the search found" in table.notes[-1]
    sheet = review.read_candidates(tmp_path / "after" / params.reference / "restricted" / "candidates" / "e_scooter.csv")
    assert sheet.set_index("reference").loc[counted["reference"], "note"] == "a toy scooter"


def test_a_shared_search_is_searched_and_reviewed_once_for_all_its_measures(synthetic, tmp_path, log):
    folder, _ = synthetic
    params, extract, paths, answers, before = run(folder, tmp_path / "before")
    by_name = {answer.name: answer for answer in answers}
    offences, victims = by_name["dog_by_year_and_outcome"], by_name["dog_victims_by_year"]
    assert offences.events.review is victims.events.review is not None  # one search, one review
    assert sorted(p.name for p in (paths.restricted / "candidates").iterdir()) == ["dog.csv", "e_scooter.csv", "snapchat.csv"]
    worklist = review.read_candidates(paths.restricted / "candidates" / "dog.csv")
    # a counted crime with a victim: a "no" takes it out of both measures
    victims_on = {unit for cell in victims.units.values() for unit in cell}
    view = measures.ExtractView(extract)
    counted = {unit for cell in offences.units.values() for unit in cell}
    for crime in worklist.loc[worklist["kind"] != "negated", "reference"]:
        people = view.in_role("victim", view.crime_rows(pd.Series([crime])))
        if len(people) and f"crime:{crime}" in counted:  # an offence the table counts
            break
    target = review.review_target(params, "dog")
    review.record_decisions(store_for(params), {crime: "no"}, "AB", worklist,
                            extract.circumstances(worklist["reference"].tolist()), question=target.question)
    _, _, _, answers, after = run(folder, tmp_path / "after")
    by_name = {answer.name: answer for answer in answers}
    assert crime not in by_name["dog_victims_by_year"].events.review.outcome.counted
    total = lambda results, table: results["tables"][table]["counts"]["Total"]  # noqa: E731
    assert total(after, "dog_by_year_and_outcome")["Total"] == total(before, "dog_by_year_and_outcome")["Total"] - 1
    assert total(after, "dog_victims_by_year")["Victims"] <= total(before, "dog_victims_by_year")["Victims"]
    assert after["search_reviews"]["dog"]["reviewed"] == 1 and len(victims_on) == total(before, "dog_victims_by_year")["Victims"]


def test_decisions_on_a_search_are_not_used_once_its_terms_change(synthetic, tmp_path, log):
    """A decision answers "does this text mention what the search looks for?": another search of
    the same name (its terms changed) starts its review afresh."""
    folder, _ = synthetic
    params, extract, paths, _, _ = run(folder, tmp_path / "before")
    target = review.review_target(params, "e_scooter")
    worklist = review.read_candidates(target.worklist)
    chosen = worklist.loc[worklist["kind"] != "negated", "reference"].iloc[0]
    review.record_decisions(store_for(params), {chosen: "no"}, "AB", worklist,
                            extract.circumstances([chosen]), question=target.question)
    changed = EXAMPLE.read_text(encoding="utf-8").replace("terms: [e-scooter]", "terms: [e-scooter, scooter]")
    assert changed != EXAMPLE.read_text(encoding="utf-8")
    other = tmp_path / "changed.yaml"
    other.write_text(changed, encoding="utf-8")
    params = read_parameters(other, {"extracts_dir": str(folder), "output_dir": str(tmp_path / "after")})
    assert review.review_target(params, "e_scooter").question != target.question
    answers = steps.answer(params, steps.load(params))
    (table,) = [a for a in answers if a.name == TABLE]
    assert table.events.review.outcome.reviewed == 0 and chosen in table.events.review.outcome.counted


def test_the_review_notebooks_target_names_what_can_be_reviewed(synthetic, tmp_path):
    folder, _ = synthetic
    params = read_parameters(EXAMPLE, {"extracts_dir": str(folder), "output_dir": str(tmp_path)})
    with pytest.raises(ParameterError, match=r"^search: 'e_scoter' is not a search of EX-2019-0004 \(a name in searches, or a measure with its own terms\); its searches: dog, snapchat, e_scooter$"):
        review.review_target(params, "e_scoter")
    with pytest.raises(ParameterError, match="has no hunter-group search; name the search to review, one of: dog, snapchat, e_scooter"):
        review.review_target(params, "")
    assert review.review_target(params, "dog").question.startswith("search_dog_")
    legacy = read_parameters(project_root() / "parameters" / "20180075.yaml")
    assert review.review_target(legacy).question == HUNTER_GROUP


def docs_review_loop() -> list[str]:
    """docs/requests.md's review of a search (the block after its marker), a command a line."""
    text = (project_root() / "docs" / "requests.md").read_text(encoding="utf-8")
    block = text.split("<!-- search-review-loop:", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [" ".join(line.split()) for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def filled(command: str, placeholders: dict[str, str]) -> list[str]:
    """A command as a shell splits it, its placeholders filled (a word, or a quoted YAML key)."""
    words = shlex.split(command)
    for name, value in placeholders.items():
        words = [value if word == name else word.replace(f'"{name}"', json.dumps(value)) for word in words]
    return words


@pytest.mark.slow
def test_the_docs_review_of_a_search_runs_as_printed_and_the_next_run_counts_it(synthetic, tmp_path, log):
    """The loop a reviewer follows from docs/requests.md alone, in a copy of the project: run,
    review the search in the notebook, run again; the run's lines name the search, and both
    measures of the search count the decision."""
    folder, _ = synthetic
    project = tmp_path / "project"
    for name in ("parameters", "notebooks", "profiles"):
        shutil.copytree(project_root() / name, project / name)
    shutil.copy(project_root() / "pyproject.toml", project)
    (project / ".venv").symlink_to(Path(sys.executable).parent.parent)
    first, review_it, again = docs_review_loop()
    env = {key: value for key, value in os.environ.items() if key != "FOI_PROJECT_ROOT"}

    def shell(command: str, **placeholders: str) -> subprocess.CompletedProcess:
        done = subprocess.run(filled(command, {"DIR": str(folder), **placeholders}), capture_output=True, text=True,
                              cwd=project, env=env, timeout=900, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    restricted = project / "outputs" / "EX-2019-0004" / "restricted"
    said = shell(first).stderr
    assert "EX-2019-0004: warning: review of dog: " in said and "candidate(s) not yet reviewed" in said
    worklist = review.read_candidates(restricted / "candidates" / "dog.csv")
    cells = json.loads((restricted / "disclosure_cells.json").read_text(encoding="utf-8"))["cells"]
    (total,) = [c for c in cells if (c["table"], c["row"], c["column"]) == ("dog_by_year_and_outcome", "Total", "Total")]
    offences = set(total["units"])  # the crimes the offences table counts (the search also reads charged crimes)
    called = worklist.loc[worklist["kind"] != "negated", "reference"]
    chosen = next(crime for crime in called if f"crime:{crime}" in offences)  # "no" overturns the search
    before = json.loads((restricted / "results.json").read_text(encoding="utf-8"))
    shell(review_it, REF=chosen)
    assert "<mark" in (restricted / "review-dog.ipynb").read_text(encoding="utf-8")  # the matches marked
    store = ReviewStore.for_request(log, "EX-2019-0004")
    question = review.review_target(read_parameters(EXAMPLE), "dog").question
    assert store.latest(question)[chosen].decision == "no" and store.latest(HUNTER_GROUP) == {}
    shell(again)
    after = json.loads((restricted / "results.json").read_text(encoding="utf-8"))
    total = ("Total", "Total")
    table = "dog_by_year_and_outcome"
    assert after["tables"][table]["counts"][total[0]][total[1]] == before["tables"][table]["counts"][total[0]][total[1]] - 1
    assert f"review of dog: 1 of {len(worklist)} candidate(s) reviewed" in (restricted / "run.log").read_text(encoding="utf-8")


def test_a_worklist_cell_a_spreadsheet_would_run_is_written_as_text():
    frame = pd.DataFrame({"reference": ["-0001/18", "00000002/18"], "term": ["+Snapchat", "dog"],
                          "note": ['=HYPERLINK("http://evil","x")', ""], "year": [2018, 2018]})
    safe = steps.spreadsheet_safe(frame)
    assert safe["term"].tolist() == ["'+Snapchat", "dog"]
    assert safe["note"].tolist() == ["'=HYPERLINK(\"http://evil\",\"x\")", ""]
    assert safe["reference"].tolist() == ["-0001/18", "00000002/18"]  # matched by the notebook
    assert safe["year"].tolist() == [2018, 2018] and frame["term"][0] == "+Snapchat"
