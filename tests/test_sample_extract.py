"""The test of truth: request 20180075 on the force's real sample export equals the independent count.

`../shared/sample-extracts/` is not part of the project (a user's clone does not have it): these
tests are skipped, saying so, where it is missing. CI has it.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from builders import SAMPLE

from helpers.project import project_root
from helpers.request import steps
from helpers.request.parameters import read_parameters

pytestmark = pytest.mark.skipif(not (SAMPLE / "expected.json").is_file(), reason=f"the shared sample export is not at {SAMPLE}")

ROOT = project_root()
PARAMS = ROOT / "parameters" / "20180075.yaml"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text())


@pytest.fixture(scope="module")
def exact(tmp_path_factory) -> dict:
    """The briefing's steps, without a notebook."""
    out = tmp_path_factory.mktemp("steps")
    params = read_parameters(PARAMS, {"extracts_dir": str(SAMPLE), "output_dir": str(out)})
    extract = steps.load(params)
    answers = steps.answer(params, extract)
    return steps.write_restricted(steps.OutputPaths.for_request(params), params, extract, answers)


@pytest.mark.parametrize("key", ["reference", "period", "offences_by_year", "outcomes_by_year", "persons_charged"])
def test_figures_equal_the_independent_count(exact, expected, key):
    assert exact[key] == expected[key]


def test_hunter_group_figures_equal_the_independent_count(exact, expected):
    assert exact["vigilante"]["crime_references"] == expected["vigilante"]["crime_references"]
    assert exact["vigilante"]["offences_by_year"] == expected["vigilante"]["offences_by_year"]
    assert exact["persons_charged"]["vigilante"] == expected["persons_charged"]["vigilante"]


def test_every_record_read_is_used_or_quarantined(exact):
    quality = exact["data_quality"]
    for name, read in quality["rows_read"].items():
        assert read == quality["rows_used"][name] + quality["rows_quarantined"][name], name
    assert quality["migrated_crimes"] > 0


def test_rows_read_counts_records_not_physical_lines(exact):
    # CMS_CRIMES.csv has line breaks inside quoted circumstances: more lines than records
    lines = (SAMPLE / "CMS_CRIMES.csv").read_bytes().count(b"\n") - 1
    assert exact["data_quality"]["rows_read"]["CMS_CRIMES.csv"] < lines


@pytest.mark.slow
def test_foi_briefing_run_releases_the_briefing_and_the_same_figures(tmp_path, expected):
    done = subprocess.run(
        [BIN / "foi-briefing", "run", PARAMS, "--extracts", SAMPLE, "--out", tmp_path, "--no-progress"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    release = tmp_path / "20180075" / "release"
    assert {p.name for p in release.iterdir()} == {"briefing.html", "briefing.pdf", "manifest.json", "tables", "tables.xlsx"}
    assert (release / "briefing.pdf").read_bytes().startswith(b"%PDF")
    results = json.loads((tmp_path / "20180075" / "restricted" / "results.json").read_text())
    assert {k: results[k] for k in expected} == expected | {"vigilante": {**results["vigilante"], **expected["vigilante"]}}
    html = (release / "briefing.html").read_text()
    assert "<script" not in html and "def " not in html and "import " not in html
    # the briefing answers with released figures: 18 is shown, 4 (attempts) is not
    assert "we charged 18 people" in html and "fewer than 5 people with attempting" in html
    assert not (tmp_path / ".runs").exists() or not any((tmp_path / ".runs").iterdir())


@pytest.mark.slow
def test_a_direct_papermill_run_leaves_the_same_results_and_tables(tmp_path):
    runner_out, papermill_out = tmp_path / "runner", tmp_path / "papermill"
    subprocess.run(
        [BIN / "foi-briefing", "run", PARAMS, "--extracts", SAMPLE, "--out", runner_out, "--formats", "html", "--no-progress"],
        check=True, capture_output=True, cwd=ROOT,
    )
    done = subprocess.run(
        [BIN / "papermill", ROOT / "notebooks" / "request_briefing.ipynb", tmp_path / "executed.ipynb",
         "-f", PARAMS, "-p", "extracts_dir", SAMPLE, "-p", "output_dir", papermill_out, "--no-progress-bar"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for relative in ["restricted/results.json", *[f"release/tables/{p.name}" for p in (runner_out / "20180075" / "release" / "tables").iterdir()]]:
        assert (papermill_out / "20180075" / relative).read_bytes() == (runner_out / "20180075" / relative).read_bytes(), relative
