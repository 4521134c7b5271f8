"""Every example request in `parameters/examples/` against the synthetic generator's own truth.

`truth_for_tables` counts each table from the generator's model (never the files, never the
project's counting); the project reads the files the model was written into and counts them with
the request grammar. Every exact figure in results.json, and every released cell that is not
withheld, must equal the truth.
"""

from __future__ import annotations

import json

import pytest
import yaml

from helpers.briefing.report import as_number
from helpers.project import project_root
from helpers.request import steps
from helpers.request.parameters import read_parameters
from helpers.synthetic.generator import generate_extracts
from helpers.synthetic.truth_tables import truth_for_tables

EXAMPLES = sorted((project_root() / "parameters" / "examples").glob("*.yaml"))


def test_there_are_at_least_six_examples():
    assert len(EXAMPLES) >= 6


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("examples-synthetic")
    return folder, generate_extracts(folder, n_crimes=20_000, seed=20180075)


def run_steps(path, folder, out):
    """The briefing notebook's steps for a request of any shape, without the notebook."""
    params = read_parameters(path, {"extracts_dir": str(folder), "output_dir": str(out)})
    paths = steps.OutputPaths.for_request(params).make()
    extract = steps.load(params)
    answers = steps.answer(params, extract)
    steps.write_restricted(paths, params, extract, answers)
    released = steps.protect(params, extract, answers)
    released = steps.protect_across_releases(params, extract, released, answers)
    steps.write_release_tables(paths, params, released, extract)
    return paths, released


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_figure_of_an_example_equals_the_generators_truth(synthetic, tmp_path, path):
    folder, truth = synthetic
    expected = truth_for_tables(truth, yaml.safe_load(path.read_text(encoding="utf-8")))
    paths, released = run_steps(path, folder, tmp_path)

    results = json.loads((paths.restricted / "results.json").read_text(encoding="utf-8"))
    got = {name: table["counts"] for name, table in results["tables"].items()}
    assert got == expected
    for name, counts in expected.items():
        display = released.tables[name]
        for row, columns in counts.items():
            for column, value in columns.items():
                shown = as_number(display.loc[row, column])
                assert shown is None or shown == value, (name, row, column)
        # a released table is exactly the truth's rows and columns, in order
        assert [str(r) for r in display.index] == list(counts)
    assert any(as_number(v) is not None and v != "0" for t in expected for v in released.tables[t].to_numpy().ravel())


def test_the_first_request_of_the_docs_runs_as_printed_and_equals_the_truth(synthetic, tmp_path):
    """docs/requests.md's "A first request, whole", copied as a user would copy it."""
    text = (project_root() / "docs" / "requests.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "EX-DAMAGE.yaml"
    path.write_text(block, encoding="utf-8")
    folder, truth = synthetic
    expected = truth_for_tables(truth, yaml.safe_load(block))
    paths, _ = run_steps(path, folder, tmp_path / "out")
    results = json.loads((paths.restricted / "results.json").read_text(encoding="utf-8"))
    assert {name: table["counts"] for name, table in results["tables"].items()} == expected
    assert list(expected["damage_by_year"]) == ["2016", "2017", "2018 (to 5 Dec 2018)", "Total"]


@pytest.mark.slow
def test_an_example_runs_through_the_notebook_to_a_checked_release(synthetic, tmp_path):
    """`foi-briefing run` on a request of tables only: the notebook, the release gate, the
    workbook; the briefing answers each question from its tables and has none of the first
    request's sections."""
    import subprocess
    import sys
    from pathlib import Path

    folder, _ = synthetic
    path = project_root() / "parameters" / "examples" / "sexual-offences-by-age.yaml"
    done = subprocess.run(
        [Path(sys.executable).parent / "foi-briefing", "run", path, "--extracts", folder,
         "--out", tmp_path, "--no-progress"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    release = tmp_path / "EX-2019-0001" / "release"
    names = sorted(p.name for p in (release / "tables").iterdir())
    assert names == sorted(["victims_by_age.csv", "suspects_by_age.csv", "offences_by_victim_age.csv",
                            "data_quality_files.csv", "data_quality_merging.csv"])
    assert (release / "tables.xlsx").is_file() and (release / "briefing.pdf").is_file()
    page = (release / "briefing.html").read_text(encoding="utf-8")
    assert "Our answer" in page and "Table 3: Sexual offences, by year committed" in page
    assert "Figure 3" in page and "Table 5:" in page and "Table 6:" not in page
    assert "hunter" not in page.lower() and "People charged in" not in page
    assert "crimes and the people recorded with them" in page


def test_the_docs_table_split_by_a_search_runs_as_printed_and_equals_the_truth(synthetic, tmp_path):
    """docs/requests.md's `rows: search` and `of_whom` snippet, made a request by its few
    top-level keys, counted as the generator's truth counts it."""
    text = (project_root() / "docs" / "requests.md").read_text(encoding="utf-8")
    after = text.split("can also split a table", 1)[1]
    block = after.split("```yaml\n", 1)[1].split("```", 1)[0]
    values = yaml.safe_load(block) | {
        "reference": "EX-DOCS-SPLIT", "title": "Assaults and dogs", "received": "2018-12-14",
        "questions": ["How many assaults mention a dog?", "How many people were charged?"],
        "extracts_taken_on": "2019-01-01", "extracts_dir": "data/extracts",
    }
    path = tmp_path / "EX-DOCS-SPLIT.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    folder, truth = synthetic
    expected = truth_for_tables(truth, yaml.safe_load(path.read_text(encoding="utf-8")))
    paths, _ = run_steps(path, folder, tmp_path / "out")
    results = json.loads((paths.restricted / "results.json").read_text(encoding="utf-8"))
    assert {name: table["counts"] for name, table in results["tables"].items()} == expected
    assert list(expected["assault_by_dog"]) == ["The circumstances mention a dog", "No mention of a dog", "Total"]
    assert expected["charged_of_whom_dog"]["of whom charged on a crime mentioning a dog"]["People charged"] > 0
    assert results["search_reviews"]["dog"]["measures"] == ["assault", "charged"]


def test_the_workbooks_tables_are_numbered_as_the_briefing_numbers_them(synthetic, tmp_path):
    """Found by a new user: the workbook's Table_1 was the data's quality, the briefing's Table 1
    the first answer (the briefing numbers the tables by question, then the data's quality)."""
    import openpyxl

    folder, _ = synthetic
    path = project_root() / "parameters" / "examples" / "charges-and-outcomes.yaml"
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    values["tables"] = list(reversed(values["tables"]))  # the file's order is not the questions'
    reordered = tmp_path / "reordered.yaml"
    reordered.write_text(yaml.safe_dump(values), encoding="utf-8")
    paths, _ = run_steps(reordered, folder, tmp_path / "out")
    book = openpyxl.load_workbook(paths.release / "tables.xlsx")
    sheets = [name for name in book.sheetnames if name.startswith("Table_")]
    names = [next(iter(book[sheet].tables)) for sheet in sheets]
    assert names == ["charges_by_offence", "people_charged_by_offence", "crime_outcomes_by_year",
                     "charges_on_damage_by_year", "data_quality_files", "data_quality_merging"]
