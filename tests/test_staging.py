"""Publishing a run's outputs over the previous run's: the tool's files replaced, a person's kept
("nothing is deleted that the tool did not make")."""

from __future__ import annotations

import logging
import stat

from helpers.run.staging import CARRIED_FROM_RELEASE, Staging, made_by_a_run, publish


def write(path, text="x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def staged_run(tmp_path):
    root = tmp_path / "out" / ".runs" / "REF-run"
    staged = root / "REF"
    write(staged / "release" / "briefing.html", "new")
    write(staged / "restricted" / "results.json", "new")
    write(staged / "restricted" / "briefing.ipynb", "new")
    write(staged / "restricted" / "candidates" / "dog.csv", "new")
    return Staging(root, staged, logging.getLogger("test-staging"))


def test_a_persons_files_in_the_outputs_outlive_the_next_run_and_the_tools_own_do_not(tmp_path):
    """Found by a new user following docs/requests.md: the review notebook written into
    restricted/ (as the docs said) was deleted by the next run."""
    final = tmp_path / "out" / "REF"
    write(final / "release" / "briefing.html", "old")
    write(final / "release" / "my-notes.txt", "a person's, in the wrong place")
    write(final / "restricted" / "results.json", "old")
    write(final / "restricted" / "candidates" / "scooter.csv", "a search since removed")
    write(final / "restricted" / "review-dog.ipynb", "the reviewer's record")
    write(final / "restricted" / "notes" / "call.txt", "a person's note")
    (final / "restricted" / "review-dog.ipynb").chmod(0o600)
    publish(staged_run(tmp_path), final)

    assert (final / "release" / "briefing.html").read_text() == "new"
    assert (final / "restricted" / "results.json").read_text() == "new"
    assert not (final / "restricted" / "candidates" / "scooter.csv").exists()  # the tool's, stale
    assert (final / "restricted" / "review-dog.ipynb").read_text() == "the reviewer's record"
    assert stat.S_IMODE((final / "restricted" / "review-dog.ipynb").stat().st_mode) == 0o600
    assert (final / "restricted" / "notes" / "call.txt").read_text() == "a person's note"
    # never published unchecked: a person's file in release/ goes to restricted/
    assert not (final / "release" / "my-notes.txt").exists()
    assert (final / "restricted" / CARRIED_FROM_RELEASE / "my-notes.txt").read_text().startswith("a person's")
    assert not list((tmp_path / "out").glob(".REF.previous-*"))


def test_the_files_a_run_makes_are_named_and_nothing_else_is():
    for made in ("release/briefing.html", "release/tables/x.csv", "restricted/results.json", "restricted/run.log",
                 "restricted/briefing.ipynb", "restricted/candidates/dog.csv", "restricted/to-publish/briefing.html",
                 "restricted/evidence_candidates.csv", "restricted/search_scope.csv", "restricted/gate_report.json"):
        assert made_by_a_run(made), made
    for person in ("restricted/review-dog.ipynb", "restricted/notes.txt", "restricted/candidates/notes.txt",
                   "README.txt", "restricted/my-decisions.csv"):
        assert not made_by_a_run(person), person


def test_a_persons_file_is_never_moved_over_another_nor_through_a_link_nor_left_readable(tmp_path):
    """Found by a reviewer of the change: a file carried from release/ took the name of one
    already kept in restricted/ (which was then deleted), and a link in the previous outputs
    led a restricted file out of them."""
    final = tmp_path / "out" / "REF"
    write(final / "release" / "notes.txt", "the second")
    write(final / "restricted" / CARRIED_FROM_RELEASE / "notes.txt", "the first")
    (final / "restricted" / CARRIED_FROM_RELEASE / "notes.txt").chmod(0o644)
    publish(staged_run(tmp_path), final)
    kept = final / "restricted" / CARRIED_FROM_RELEASE
    assert sorted(p.read_text() for p in kept.iterdir()) == ["the first", "the second"]
    assert {p.name for p in kept.iterdir()} == {"notes.txt", "notes.txt.kept-2"}
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o077 in (0, 0o040) for p in kept.iterdir())  # owner (and group) only


def test_nothing_is_carried_through_a_link_and_what_cannot_be_carried_keeps_the_previous_outputs(tmp_path):
    public = tmp_path / "public"
    public.mkdir()
    final = tmp_path / "out" / "REF"
    write(final / "restricted" / CARRIED_FROM_RELEASE / "foo" / "names.csv", "restricted names")
    (final / "release").mkdir(parents=True)
    (final / "release" / "foo").symlink_to(public, target_is_directory=True)
    write(final / "restricted" / "briefing.ipynb" / "mine.txt", "a folder where the run writes a file")
    publish(staged_run(tmp_path), final)
    assert not (public / "names.csv").exists()
    (aside,) = (tmp_path / "out").glob("REF.previous-*")
    assert (aside / "restricted" / CARRIED_FROM_RELEASE / "foo" / "names.csv").read_text() == "restricted names"
    assert (aside / "restricted" / "briefing.ipynb" / "mine.txt").exists()
    assert (final / "release" / "briefing.html").read_text() == "new"


def test_previous_outputs_that_are_a_link_are_not_followed(tmp_path):
    elsewhere = tmp_path / "archive" / "REF"
    write(elsewhere / "restricted" / "notes.txt", "archived")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "REF").symlink_to(elsewhere, target_is_directory=True)
    final = tmp_path / "out" / "REF"
    publish(staged_run(tmp_path), final)
    assert (elsewhere / "restricted" / "notes.txt").read_text() == "archived"
    assert not (final / "restricted" / "notes.txt").exists() and not final.is_symlink()
