"""Where a run writes before anything is published: its staging folder and run log; publishing
the staged outputs in one move, and keeping a failed run's outputs aside.

A run writes into `OUT/.runs/<reference>-<time>-<process>-<thread>/<reference>/`; only a run that
passed the gate moves that folder to `OUT/<reference>/`, the previous outputs going once the new
ones are in. A failed run leaves the previous outputs as they were and its own in `OUT/.failed/`,
its `release/` renamed `NOT-RELEASED-failed-run/`, with a README saying why; each run first prunes
the failed runs older than `FOI_FAILED_KEEP_DAYS` (14) or beyond the newest `FOI_FAILED_KEEP_RUNS`
(20). `.runs/`, `.failed/` and `restricted/` are private (`helpers.permissions`).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import stat
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from helpers.errors import ParameterError
from helpers.permissions import access, private_file, private_folder, seal
from helpers.request.parameters import RequestParameters

#: what a failed run's release/ is renamed: it was never released
NOT_RELEASED = "NOT-RELEASED-failed-run"
#: the file that marks a folder of `.failed/` as a failed run the runner kept (and may prune)
FAILED_MARKER = ".foi-briefing-failed-run"
#: the name of a run's staging folder, kept in `.failed/`: <reference>-<date>-<time>-<pid>-<thread>
RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*-\d{8}-\d{6}-\d+-\d+")
#: in a run's restricted/: its release as `foi-briefing log publish` publishes it, without the
#: draft mark `release/` carries (`helpers.run.log`)
TO_PUBLISH = "to-publish"
#: how long failed runs are kept, in days, and how many (the newest), by default
KEEP_DAYS, KEEP_RUNS = ("FOI_FAILED_KEEP_DAYS", 14), ("FOI_FAILED_KEEP_RUNS", 20)
#: the files a run writes in a request's outputs (`*` one name, `**` any path below): a file
#: matching none is a person's (a review notebook, a note), which the next run keeps
RUN_MADE = (
    "release/briefing.html",
    "release/briefing.pdf",
    "release/manifest.json",
    "release/tables.xlsx",
    "release/tables/*.csv",
    f"restricted/{TO_PUBLISH}/**",
    "restricted/candidates/*.csv",
    *(
        f"restricted/{name}"
        for name in (
            "briefing.ipynb",
            "results.json",
            "quarantine.csv",
            "run.log",
            "search_scope.csv",
            "gate_report.json",
            "gate_tables.json",
            "disclosure_cells.json",
            "evidence_candidates.csv",
            "evidence_decisions.csv",
        )
    ),
)
#: where a person's file found in release/ is kept (never published unchecked by the gate)
CARRIED_FROM_RELEASE = "left-in-release"


@dataclass
class Staging:
    """One run's staging folder: `root`, unique to the run, holds `staged`, the request's outputs
    as they will be published; `log` writes `restricted/run.log` there."""

    root: Path
    staged: Path
    log: logging.Logger

    @property
    def release(self) -> Path:
        return self.staged / "release"

    @property
    def restricted(self) -> Path:
        return self.staged / "restricted"

    @property
    def to_publish(self) -> Path:
        """The release as `foi-briefing log publish` publishes it (release/ is its draft)."""
        return self.restricted / TO_PUBLISH


def output_folder(params: RequestParameters) -> Path:
    folder = params.path(params.output_dir)
    assert folder is not None  # output_dir is never empty (the parameters' rule)
    return folder


def _is_release(folder: Path) -> bool:
    """A release folder, a run's or a copy of one for publishing: named release/, beside a
    restricted/ or holding a release's files (a folder of another name called release, such as
    a project kept under /srv/release/, is not)."""
    if folder.name.casefold() != "release" or not folder.is_dir():
        return False
    release_files = ("manifest.json", "briefing.html", "briefing.pdf", "tables")
    return (folder.parent / "restricted").is_dir() or any(
        (folder / name).exists() for name in release_files
    )


def refuse_foreign_output(params: RequestParameters, key: str) -> None:
    """ParameterError, before anything is written, if the output folder is inside a release
    folder (what is published is no place for restricted files: `_is_release`) or inside a
    request's outputs (a folder holding release/ and restricted/, this request's own included):
    a run writes only in a folder of its own. `key`: the option or key that set it."""
    folder = output_folder(params)
    for path in dict.fromkeys((folder.absolute(), folder.resolve())):  # as named, where it leads
        if any(_is_release(place) for place in (path, *path.parents)):
            raise ParameterError(
                f"{key}: {folder} is inside a release folder (what is published): "
                "choose an output folder outside any release/"
            )
        for place in (path, *path.parents):
            if (place / "release").is_dir() and (place / "restricted").is_dir():
                where = "" if place == path else f" ({place})"
                raise ParameterError(
                    f"{key}: {folder} is inside the outputs of request {place.name}{where}: "
                    "choose an output folder of its own"
                )


def open_staging(params: RequestParameters) -> Staging:
    """A new staging folder for a run of `params`, and its log (OSError: the folder cannot be
    written)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    # unique to this run: several run at once, in processes and in a batch's threads
    root = (
        output_folder(params)
        / ".runs"
        / f"{params.reference}-{stamp}-{os.getpid()}-{threading.get_native_id()}"
    )
    staged = root / params.reference
    given = access()
    private_folder(root.parent, given)
    private_folder(root, given)  # before anything is in it: the staged outputs are the run's
    private_folder(staged / "restricted", given)
    (staged / "release").mkdir(parents=True, exist_ok=True)  # published: as the umask says
    log = open_log(staged / "restricted" / "run.log")
    private_file(staged / "restricted" / "run.log", given)
    return Staging(root, staged, log)


def publish(staging: Staging, final: Path) -> Path:
    """Move the staged outputs to `final` (returned); the previous outputs go only once the new
    ones are in."""
    seal(staging.restricted)  # the files the notebook, the export and the gate wrote there
    final.parent.mkdir(parents=True, exist_ok=True)
    previous = None
    if final.exists():
        previous = final.with_name(
            f".{final.name}.previous-{os.getpid()}-{threading.get_native_id()}"
        )
        final.rename(previous)
    try:
        staging.staged.rename(final)
    except OSError:
        if previous is not None:
            previous.rename(final)
        raise
    if previous is not None:
        try:
            retire(previous, final, staging.log)
        except OSError as error:  # the new outputs are in: the old stay where they are
            staging.log.warning("the previous outputs are kept in %s (%s)", previous, error)
    shutil.rmtree(staging.root, ignore_errors=True)
    # a draft until `foi-briefing log publish`: "published" here misled a new user
    staging.log.info("the draft is in %s", final)
    return final


def retire(previous: Path, final: Path, log: logging.Logger) -> None:
    """The previous outputs, once the new ones are in `final`: a person's files carried into
    them (`carry_over`), the rest deleted; kept whole, under a name that says so, if any file of
    a person's could not be carried (or if they were a link: nothing of its target is moved)."""
    if previous.is_symlink():
        log.warning("the previous outputs were a link, kept as they were: %s", previous)
        return
    moved, left = carry_over(previous, final)
    seal(final / "restricted")  # a carried file is restricted as the run's own are
    for kept in moved:
        log.info("kept from the previous outputs: %s", kept)
    if left:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = free_name(final.with_name(f"{final.name}.previous-{stamp}"))
        previous.rename(aside)
        log.warning(
            "the previous outputs are kept whole in %s: %d file(s) of a person's could not be "
            "carried over (first: %s)",
            aside,
            len(left),
            left[0],
        )
        return
    shutil.rmtree(previous, ignore_errors=True)


def made_by_a_run(relative: str) -> bool:
    """Whether a file of a request's outputs (its path from the outputs' folder, with `/`) is
    one a run writes (`RUN_MADE`)."""
    path = PurePosixPath(relative)
    for pattern in RUN_MADE:
        if pattern.endswith("/**"):
            if path.is_relative_to(pattern[: -len("/**")]):
                return True
        elif path.match(pattern) and len(path.parts) == len(PurePosixPath(pattern).parts):
            return True
    return False


def carry_over(previous: Path, final: Path) -> tuple[list[str], list[str]]:
    """Move a person's files (not `made_by_a_run`) from the previous outputs into the new ones,
    as they were, a file in release/ into restricted/ (`CARRIED_FROM_RELEASE`: the gate never
    read it); one whose name is taken there under `NAME.kept-2`, ... (never over a file). The
    paths moved, and those left where they were, each with why (a link or a file where a
    folder is needed: nothing is moved through a link)."""
    moved, left = [], []
    for found in sorted(previous.rglob("*")):
        if found.is_dir() and not found.is_symlink():
            continue
        relative = found.relative_to(previous).as_posix()
        if made_by_a_run(relative):
            continue
        if relative.startswith("release/"):
            relative = f"restricted/{CARRIED_FROM_RELEASE}/{relative.removeprefix('release/')}"
        try:
            target = free_name(folder_within(final, PurePosixPath(relative).parent) / found.name)
            found.rename(target)
            moved.append(target.relative_to(final).as_posix())
        except OSError as error:
            left.append(f"{relative} ({error.strerror or error})")
    return moved, left


def folder_within(final: Path, relative: PurePosixPath) -> Path:
    """The folder `relative` of `final`, made where missing; OSError where a part of it is a
    link or not a folder (a person's file carried over earlier, or a link of theirs)."""
    folder = final
    for part in relative.parts:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise OSError(0, f"{folder.relative_to(final)} is not a folder of the outputs")
        if not folder.exists():
            folder.mkdir()
    return folder


def free_name(target: Path) -> Path:
    """`target`, or `NAME.kept-2`, `NAME.kept-3`, ... where a file (or a link) has it."""
    candidate, n = target, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = target.with_name(f"{target.name}.kept-{n}")
    return candidate


def keep_failed(staging: Staging, params: RequestParameters, reason: str) -> Path:
    """Move a failed run's staging folder to `OUT/.failed/`, its release/ renamed and a README
    saying why (`reason`) beside it; where its outputs now are."""
    given = access()
    failed = private_folder(output_folder(params) / ".failed", given) / staging.root.name
    kept = failed / params.reference
    if not staging.root.exists():
        return kept
    staging.root.rename(failed)
    if kept.is_dir():
        if (kept / "release").is_dir():
            (kept / "release").rename(kept / NOT_RELEASED)
        (kept / "README.txt").write_text(failed_readme(params, reason), encoding="utf-8")
    seal(failed, given)
    # last: a folder without it is never pruned, so a prune cannot take one half kept
    (failed / FAILED_MARKER).write_text(
        f"a failed run of request {params.reference}, kept by foi-briefing\n", encoding="utf-8"
    )
    private_file(failed / FAILED_MARKER, given)
    return kept


def failed_readme(params: RequestParameters, reason: str) -> str:
    days, runs = retention()
    return (
        f"NOT RELEASED: this run of request {params.reference} failed, and nothing in this "
        "folder was published.\n\n"
        f"Why: {reason}\n\n"
        f"{NOT_RELEASED}/ holds what the run had written for release/ before it failed: it must "
        "not be published. restricted/ holds the executed notebook (briefing.ipynb) and the run's "
        "log (run.log).\n\n"
        f"A later run removes this folder once it is older than {days} days or more than {runs} "
        f"newer failed runs are kept ({KEEP_DAYS[0]}, {KEEP_RUNS[0]}).\n"
    )


def retention() -> tuple[int, int]:
    """How long failed runs are kept, in days, and how many (ParameterError: a setting that is
    not a whole number)."""
    return _whole_number(*KEEP_DAYS), _whole_number(*KEEP_RUNS)


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not re.fullmatch(r"[0-9]{1,6}", value):
        raise ParameterError(f"{name}: expected a whole number from 0 to 999999, got {value!r}")
    return int(value)


def prune_failed(params: RequestParameters, log: logging.Logger) -> list[str]:
    """Remove the failed runs in `OUT/.failed/` older than `FOI_FAILED_KEEP_DAYS` or beyond the
    newest `FOI_FAILED_KEEP_RUNS`, saying so in `log`; their names. Only folders the runner kept
    are removed: named as a run's staging folder, with the marker `keep_failed` writes in it."""
    days, runs = retention()
    folder = output_folder(params) / ".failed"
    if folder.is_dir():  # kept by an older version as the umask made it: closed now
        private_folder(folder)
    kept = []  # (when it failed, folder)
    for entry in folder.iterdir() if folder.is_dir() else ():
        if not RUN_NAME.fullmatch(entry.name) or entry.is_symlink() or not entry.is_dir():
            continue
        try:
            marker = (entry / FAILED_MARKER).lstat()
        except OSError:
            continue
        if stat.S_ISREG(marker.st_mode):
            kept.append((marker.st_mtime, entry))
    kept.sort(key=lambda pair: pair[0], reverse=True)  # the newest first
    oldest = time.time() - days * 86_400
    gone = [entry for n, (when, entry) in enumerate(kept) if n >= runs or when < oldest]
    for entry in gone:
        shutil.rmtree(entry, ignore_errors=True)
    if gone:
        log.info(
            "pruned %d failed run(s) from %s (older than %d days or beyond the newest %d): %s",
            len(gone),
            folder,
            days,
            runs,
            ", ".join(entry.name for entry in gone),
        )
    return [entry.name for entry in gone]


def open_log(path: Path) -> logging.Logger:
    logger = logging.getLogger(f"foi-briefing.{path}")
    logger.setLevel(logging.INFO)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    return logger


def close_log(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)
