"""The analyst's notebooks run under papermill on the project's kernel, on the shared sample export
(or, where it is missing, a synthetic extract): the explore notebook, and the reviewer's notebook
from a run's worklist to a decisions file that the next run uses."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from builders import SAMPLE

from helpers.analysis import review
from helpers.project import project_root

pytestmark = pytest.mark.slow

ROOT = project_root()
PARAMS = ROOT / "parameters" / "20180075.yaml"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> Path:
    if (SAMPLE / "CMS_CRIMES.csv").is_file():
        return SAMPLE
    from helpers.synthetic.generator import generate_extracts

    folder = tmp_path_factory.mktemp("synthetic") / "extracts"
    generate_extracts(folder, n_crimes=20_000)
    return folder


def papermill(notebook: str, out: Path, *args) -> nbformat.NotebookNode:
    done = subprocess.run(
        [BIN / "papermill", ROOT / "notebooks" / notebook, out, "--kernel", "foi-briefing", "--no-progress-bar", *args],
        capture_output=True, text=True, cwd=out.parent,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return nbformat.read(out, as_version=4)


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def tree(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_explore_notebook_runs_and_draws_its_charts(tmp_path, extracts):
    executed = papermill("explore_extracts.ipynb", tmp_path / "explore.ipynb", "-p", "extracts_dir", str(extracts))
    shown = outputs(executed)
    assert not [output for output in shown if output.output_type == "error"]
    assert sum("image/png" in output.get("data", {}) for output in shown) == 5  # two monthly, classes, two outcomes
    tables = [output["data"]["text/html"] for output in shown if "text/html" in output.get("data", {})]
    assert any("Connect" in table and "CMS" in table for table in tables)
    assert executed.metadata.kernelspec.name == "foi-briefing"


def test_the_review_notebook_writes_decisions_that_the_next_run_uses(tmp_path, extracts):
    out = tmp_path / "outputs"
    run = [BIN / "foi-briefing", "run", "--extracts", str(extracts), "--out", str(out), "--formats", "html", "--no-progress"]
    subprocess.run([*run[:2], PARAMS, *run[2:]], check=True, capture_output=True, cwd=ROOT)
    restricted, release = out / "20180075" / "restricted", out / "20180075" / "release"
    worklist = review.read_candidates(restricted / review.CANDIDATES_FILE)
    first = worklist.iloc[0]
    flipped = "yes" if first["kind"] == "negated" else "no"  # the reviewer overturns the search's call
    released_before = tree(release)

    executed = papermill(
        "evidence_review.ipynb", tmp_path / "review.ipynb",
        "-p", "extracts_dir", str(extracts), "-p", "output_dir", str(out), "-p", "reviewer", "AB",
        "-y", yaml.safe_dump({"decisions": {first["reference"]: [flipped, "checked by hand"]}}),
    )
    html = "".join(output["data"]["text/html"] for output in outputs(executed) if "text/html" in output.get("data", {}))
    assert "<mark" in html  # the candidates' texts, with their matches marked
    decisions_file = restricted / review.DECISIONS_FILE
    assert review.read_existing_decisions(decisions_file).to_dict("records") == [
        {"reference": first["reference"], "decision": flipped, "reviewer": "AB", "note": "checked by hand"}
    ]
    assert tree(release) == released_before  # the review wrote nothing to release/

    # the next run reads the decisions, counts them, and keeps the file
    params = yaml.safe_load(PARAMS.read_text()) | {"evidence_decisions": str(decisions_file)}
    reviewed_params = tmp_path / "20180075.yaml"
    reviewed_params.write_text(yaml.safe_dump(params))
    done = subprocess.run([*run[:2], reviewed_params, *run[2:]], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    results = json.loads((restricted / "results.json").read_text())
    assert (results["vigilante"]["reviewed"], results["vigilante"]["overturned"]) == (1, 1)
    assert decisions_file.is_file()
    assert "Staff reviewed" in (release / "briefing.html").read_text(encoding="utf-8")
    assert not any("decisions" in name for name in tree(release))
