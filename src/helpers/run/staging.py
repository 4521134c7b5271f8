"""Where a run writes before anything is published: its staging folder and run log; publishing
the staged outputs in one move, and keeping a failed run's outputs aside.

A run writes into `OUT/.runs/<reference>-<time>-<process>-<thread>/<reference>/`; only a run that
passed the gate moves that folder to `OUT/<reference>/`, the previous outputs going once the new
ones are in. A failed run leaves the previous outputs as they were and its own in `OUT/.failed/`.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from helpers.errors import ParameterError
from helpers.request.parameters import RequestParameters


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


def output_folder(params: RequestParameters) -> Path:
    folder = params.path(params.output_dir)
    assert folder is not None  # output_dir is never empty (the parameters' rule)
    return folder


def refuse_foreign_output(params: RequestParameters, key: str) -> None:
    """ParameterError, before anything is written, if the output folder is inside a folder named
    release/ (anywhere in its path: what is published is no place for restricted files) or
    inside a request's outputs (a folder holding release/ and restricted/, this request's own
    included): a run writes only in a folder of its own. `key`: the option or key that set it."""
    folder = output_folder(params)
    for path in dict.fromkeys((folder.absolute(), folder.resolve())):  # as named, where it leads
        if any(part.casefold() == "release" for part in path.parts):
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
    (staged / "restricted").mkdir(parents=True, exist_ok=True)
    (staged / "release").mkdir(parents=True, exist_ok=True)
    return Staging(root, staged, open_log(staged / "restricted" / "run.log"))


def publish(staging: Staging, final: Path) -> Path:
    """Move the staged outputs to `final` (returned); the previous outputs go only once the new
    ones are in."""
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
        shutil.rmtree(previous, ignore_errors=True)
    shutil.rmtree(staging.root, ignore_errors=True)
    staging.log.info("published %s", final)
    return final


def keep_failed(staging: Staging, params: RequestParameters) -> Path:
    """Move a failed run's staging folder to `OUT/.failed/`; where its outputs now are."""
    failed = output_folder(params) / ".failed" / staging.root.name
    failed.parent.mkdir(parents=True, exist_ok=True)
    if staging.root.exists():
        staging.root.rename(failed)
    return failed / params.reference


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
