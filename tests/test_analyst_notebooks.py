"""The analyst's notebooks run under papermill on the project's kernel, on the shared sample export
(or, where it is missing, a synthetic extract): the explore notebook, and the reviewer's notebook
from a run's worklist to a decisions file that the next run uses."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from builders import sample_or_synthetic

from helpers.analysis import review
from helpers.project import project_root

pytestmark = pytest.mark.slow

ROOT = project_root()
PARAMS = ROOT / "parameters" / "20180075.yaml"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> Path:
    return sample_or_synthetic(tmp_path_factory)


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


def readme_review_loop() -> list[str]:
    """The README's review loop (the block after its `review-loop` marker), one command a line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- review-loop:", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [command.strip() for command in block.replace("\\\n", " ").splitlines() if command.strip()]


def filled(command: str, placeholders: dict[str, str]) -> list[str]:
    """A command as a shell would split it, with its named placeholders filled in (a whole
    argument, or a quoted key in a YAML argument)."""
    words = shlex.split(command)
    for name, value in placeholders.items():
        words = [value if word == name else word.replace(f'"{name}"', json.dumps(value)) for word in words]
    return words


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project to run the README's commands in as printed (relative paths, from
    its folder): its outputs are the test's own, its .venv the one running the tests."""
    folder = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "pyproject.toml", folder)
    shutil.copytree(ROOT / "parameters", folder / "parameters")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    shutil.copytree(ROOT / "profiles", folder / "profiles")
    (folder / ".venv").symlink_to(BIN.parent)
    return folder


def test_the_readmes_review_loop_runs_as_printed_and_the_review_survives_every_run(tmp_path, project, extracts):
    from helpers.analysis.review_store import ReviewStore

    log = tmp_path / "log"
    env = {key: value for key, value in os.environ.items() if key != "FOI_PROJECT_ROOT"} | {"FOI_LOG_DIR": str(log)}
    commands = readme_review_loop()
    assert len(commands) == 3 and "evidence_decisions" not in "".join(commands)
    params_before = (project / "parameters" / "20180075.yaml").read_bytes()
    restricted, release = project / "outputs" / "20180075" / "restricted", project / "outputs" / "20180075" / "release"

    def shell(command: str, **placeholders: str) -> subprocess.CompletedProcess:
        done = subprocess.run(filled(command, {"DIR": str(extracts), **placeholders}), capture_output=True, text=True, cwd=project, env=env, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Kernel is running over TCP" not in done.stderr + done.stdout  # socket files, papermill's too
        return done

    shell(commands[0])
    worklist = review.read_candidates(restricted / review.CANDIDATES_FILE)
    chosen = worklist.loc[worklist["kind"] != "negated", "reference"].iloc[0]  # "no" overturns the search's call
    released_before = tree(release)
    shell(commands[1], REF=chosen)
    executed = nbformat.read(restricted / "review.ipynb", as_version=4)
    html = "".join(output["data"]["text/html"] for output in outputs(executed) if "text/html" in output.get("data", {}))
    assert "<mark" in html  # the candidates' texts, with their matches marked
    assert tree(release) == released_before  # the review wrote nothing to release/
    store = ReviewStore.for_request(log, "20180075")
    decided = store.latest()[chosen]
    assert (decided.decision, decided.reviewer, decided.note) == ("no", "AB", "a council team, not a hunter group")
    kept = hashlib.sha256(store.path.read_bytes()).hexdigest()

    # the next run uses the review with no change to the YAML, and leaves the store as it was
    shell(commands[2])
    assert (project / "parameters" / "20180075.yaml").read_bytes() == params_before
    results = json.loads((restricted / "results.json").read_text())
    assert (results["vigilante"]["reviewed"], results["vigilante"]["overturned"]) == (1, 1)
    assert chosen not in results["vigilante"]["crime_references"]
    assert results["vigilante"]["review"]["store"]["sha256"] == kept
    used = review.read_decisions(restricted / review.DECISIONS_FILE)
    assert used["counted"].to_dict() == {chosen: False}
    assert "Staff reviewed" in (release / "briefing.html").read_text(encoding="utf-8")
    assert not any("decisions" in name for name in tree(release))
    assert hashlib.sha256(store.path.read_bytes()).hexdigest() == kept

    # a demo in the same log folder (as `make demo` after a review) leaves the store intact
    demo = subprocess.run([".venv/bin/foi-briefing", "demo", "--crimes", "20000", "--formats", "html"], capture_output=True, text=True, cwd=project, env=env, timeout=900)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert hashlib.sha256(store.path.read_bytes()).hexdigest() == kept


def test_the_review_notebook_says_it_needs_the_parameters_file(tmp_path):
    done = subprocess.run(
        [BIN / "papermill", ROOT / "notebooks" / "evidence_review.ipynb", tmp_path / "review.ipynb", "--kernel", "foi-briefing",
         "--no-progress-bar", "-p", "reviewer", "AB", "-y", "decisions: {}"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert done.returncode != 0
    assert "ParameterError: parameters_file: name the request's parameters file" in done.stderr


def test_a_second_reviewer_checks_the_sample_in_the_notebook_and_the_run_lists_the_disagreement(tmp_path, project, extracts):
    from helpers.analysis.review_store import ReviewStore

    log = tmp_path / "log"
    env = {key: value for key, value in os.environ.items() if key != "FOI_PROJECT_ROOT"} | {"FOI_LOG_DIR": str(log)}
    run = [".venv/bin/foi-briefing", "run", "parameters/20180075.yaml", "--extracts", str(extracts), "--formats", "html", "--no-progress"]
    assert subprocess.run(run, capture_output=True, cwd=project, env=env, timeout=900).returncode == 0
    restricted = project / "outputs" / "20180075" / "restricted"
    worklist = review.read_candidates(restricted / review.CANDIDATES_FILE)
    store = ReviewStore.for_request(log, "20180075")
    texts = dict(zip(worklist["reference"], worklist["context"], strict=True))  # any text: this test checks roles
    for reference in worklist["reference"][:3]:
        store.record(reference, texts[reference], "yes", "AB")
    (checked,) = store.second_review_sample()[:1]

    second = subprocess.run(
        [".venv/bin/papermill", "notebooks/evidence_review.ipynb", str(tmp_path / "second.ipynb"), "--no-progress-bar",
         "-p", "parameters_file", "parameters/20180075.yaml", "-p", "extracts_dir", str(extracts), "-p", "reviewer", "CD",
         "-p", "role", "second", "-y", json.dumps({"decisions": {checked: "no"}})],
        capture_output=True, text=True, cwd=project, env=env, timeout=900,
    )
    assert second.returncode == 0, second.stderr[-3000:]
    assert [(first.reviewer, other.reviewer, other.decision) for first, other in store.disagreements()] == [("AB", "CD", "no")]

    done = subprocess.run(run, capture_output=True, text=True, cwd=project, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "20180075: warning: review: 1 open disagreement(s) between the first and the second reviewer" in done.stderr
    strict = subprocess.run([*run, "--strict"], capture_output=True, text=True, cwd=project, env=env, timeout=900)
    assert strict.returncode == 2 and "open disagreement(s)" in strict.stderr
