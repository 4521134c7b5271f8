"""`make clean` removes only what the tool made and can make again (the runs' outputs, staging
and failed runs, the venv), never the disclosure logs, their published versions or the review
stores kept in a log's folder: a person's work, which must outlive every make target.

The target is run as it is, on a copy of the Makefile in a temporary project, never in this one.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from helpers.project import project_root


def a_project(root: Path) -> dict[str, Path]:
    """A project's outputs as runs, a log and its publishing leave them; what each place is."""
    outputs = root / "outputs"
    made = {
        "a run's outputs": outputs / "20180075",
        "another run's outputs": outputs / "20190001" / "release",
        "another run's results": outputs / "20190001" / "restricted" / "results.json",
        "staging": outputs / ".runs" / "20180075-20261205-070000-1-1",
        "failed runs": outputs / ".failed" / "20180075-20261204-070000-1-1",
        "the venv": root / ".venv",
    }
    kept = {
        "the force's log": outputs / "disclosure-log",
        "a review store in the log's folder": outputs / "disclosure-log" / "reviews",
        "the synthetic extracts' log": outputs / "synthetic-disclosure-log",
        "published versions": outputs / "published" / "20180075" / "v1",
        "the public index": outputs / "index.html",
        "a folder of someone's": outputs / "notes",
        "the placeholder": outputs / ".gitkeep",
        "a reviewer's notebook in a run's outputs": outputs / "20190001" / "restricted" / "review-dog.ipynb",
    }
    for name in ("20180075", "20190001"):
        (outputs / name / "release" / "tables").mkdir(parents=True)
        (outputs / name / "restricted" / "candidates").mkdir(parents=True)
        (outputs / name / "release" / "briefing.html").write_text("<p>draft</p>")
        (outputs / name / "release" / "tables" / "a.csv").write_text("a,b")
        (outputs / name / "restricted" / "results.json").write_text("{}")
        (outputs / name / "restricted" / "candidates" / "dog.csv").write_text("reference")
    # a reviewer's record of a review, kept in a request's restricted/ (docs/requests.md)
    (outputs / "20190001" / "restricted" / "review-dog.ipynb").write_text("{}")
    for path in (made["staging"], made["failed runs"], made["the venv"] / "bin"):
        path.mkdir(parents=True)
    for log in (kept["the force's log"], kept["the synthetic extracts' log"]):
        (log / "records" / "20180075").mkdir(parents=True)
        (log / "log.json").write_text("{}")
        (log / "secret.key").write_text("key")
        # a published version, as the log keeps it: a release folder inside the log
        (log / "versions" / "20180075" / "v1" / "release").mkdir(parents=True)
        (log / "versions" / "20180075" / "v1" / "restricted").mkdir()
    kept["a review store in the log's folder"].mkdir()
    (kept["a review store in the log's folder"] / "20180075.json").write_text("{}")
    (kept["published versions"] / "tables").mkdir(parents=True)
    (kept["published versions"] / "briefing.html").write_text("<p>published</p>")
    (outputs / "index.html").write_text("<p>index</p>")
    kept["a folder of someone's"].mkdir()
    (kept["a folder of someone's"] / "todo.txt").write_text("call back")
    (outputs / ".gitkeep").write_text("")
    # a link to a request's outputs elsewhere: neither the link nor what it leads to is removed
    elsewhere = root.parent / "archive" / "20170001"
    (elsewhere / "release").mkdir(parents=True)
    (elsewhere / "restricted").mkdir()
    (outputs / "20170001").symlink_to(elsewhere, target_is_directory=True)
    kept["a link to outputs elsewhere"] = outputs / "20170001"
    kept["what the link leads to"] = elsewhere / "release"
    # outputs whose release/ is a link to an archive: what it leads to is never the tool's
    archived = root.parent / "archive" / "20160001-release"
    (archived / "tables").mkdir(parents=True)
    (archived / "briefing.html").write_text("<p>archived</p>")
    (archived / "tables" / "a.csv").write_text("a,b")
    (outputs / "20160001" / "restricted").mkdir(parents=True)
    (outputs / "20160001" / "release").symlink_to(archived, target_is_directory=True)
    kept["an archive a release/ links to"] = archived / "briefing.html"
    kept["its tables"] = archived / "tables" / "a.csv"
    return {**{f"made: {k}": v for k, v in made.items()}, **{f"kept: {k}": v for k, v in kept.items()}}


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_make_clean_removes_the_runs_and_never_the_disclosure_logs_published_versions_or_reviews(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(project_root() / "Makefile", root / "Makefile")
    places = a_project(root)
    done = subprocess.run(["make", "-C", str(root), "clean"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    gone = sorted(name for name, path in places.items() if not path.exists())
    assert gone == sorted(name for name in places if name.startswith("made: ")), gone
    assert (places["kept: the force's log"] / "versions" / "20180075" / "v1" / "release").is_dir()
    assert (places["kept: a folder of someone's"] / "todo.txt").read_text() == "call back"


def test_make_clean_removes_the_files_the_runner_says_a_run_makes():
    """The Makefile's RUN_MADE and the runner's (`helpers.run.staging.RUN_MADE`: what a run
    keeps of a person's in a request's outputs) are one list."""
    from helpers.run.staging import RUN_MADE

    text = (project_root() / "Makefile").read_text(encoding="utf-8")
    lines = text.split("RUN_MADE :=", 1)[1].splitlines()
    # the variable's lines: up to the first that does not go on (ends without a backslash)
    last = next(i for i, line in enumerate(lines) if not line.endswith("\\"))
    listed = " ".join(lines[: last + 1]).replace("\\", " ").split()
    assert sorted(listed) == sorted(pattern.removesuffix("/**") for pattern in RUN_MADE)
