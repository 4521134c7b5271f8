"""The disclosure log's commands: a run's draft recorded, and `foi-briefing log publish | withdraw
| list | import` (`helpers.disclosure.log` holds the records and their storage).

A run writes two copies of its briefing: `release/` marked as a draft, and the same release
without the mark in `restricted/to-publish/`, each with its manifest and each checked by the gate.
Publishing copies `to-publish/` into the log (a version nothing overwrites), into the public
folder beside the index (`published/<ref>/v<N>/`) and over the request's `release/`, records the
version, and writes the public index (`index.html`, beside the log), checked by the gate.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.disclosure.log import (
    DISCLOSURE_CELLS,
    DisclosureLog,
    ReleaseRecord,
    check_reference,
    extract_digest,
    now,
    open_log,
)
from helpers.errors import DisclosureLogError, ReleaseGateError
from helpers.run.staging import TO_PUBLISH

MANIFEST = "manifest.json"


def index_path(log: DisclosureLog) -> Path:
    """The public index: beside the log's folder (`outputs/index.html` for the force's log)."""
    return log.folder.parent / "index.html"


def public_folder(log: DisclosureLog, reference: str, version: int) -> Path:
    """Where a published version is shared from, beside the index."""
    return log.folder.parent / "published" / reference / f"v{version}"


def start(folder: Path, tell: Callable[[str], object]) -> DisclosureLog:
    """The log in `folder`, started if there is none yet (and `tell` says so)."""
    log, started = open_log(folder, start=True)
    assert log is not None  # started if need be
    if started:
        tell(
            f"started a new disclosure log in {folder} (back it up with its secret.key: "
            "see the README, 'The disclosure log')"
        )
    return log


def opened(folder: Path) -> DisclosureLog:
    log, _ = open_log(folder)
    if log is None:
        raise DisclosureLogError(f"{folder}: no disclosure log here (a run starts one)")
    return log


# ---- a run's draft


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DisclosureLogError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DisclosureLogError(f"{path}: cannot be read ({error})") from None


def release_record(log: DisclosureLog, outputs: Path, published: Path) -> ReleaseRecord:
    """The log's record of the release in a request's `outputs` folder: `published` is the
    release folder as it is (or will be) published; the units from `restricted/`, hashed."""
    manifest = _json(published / MANIFEST)
    cells = _json(outputs / "restricted" / DISCLOSURE_CELLS)
    try:
        reference = check_reference(str(manifest["request"]))
        return ReleaseRecord(
            reference=reference,
            version=0,
            state="draft",
            title=str(manifest["parameters"].get("title", "")),
            times={"drafted": str(manifest["run_time"])},
            extract_sha256=extract_digest(manifest["extract_files"]),
            extract_files=dict(manifest["extract_files"]),
            definitions=dict(manifest["parameters"]),
            release_files=dict(manifest["release_files"]),
            cells=[
                {
                    "table": str(cell["table"]),
                    "row": str(cell["row"]),
                    "column": str(cell["column"]),
                    "shown": str(cell["shown"]),
                    "units": log.hashed(cell["units"]),
                }
                for cell in cells["cells"]
            ],
            folder=str(outputs),
            threshold=int(manifest["parameters"].get("disclosure_threshold") or 5),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise DisclosureLogError(
            f"{published / MANIFEST} or {DISCLOSURE_CELLS}: not a release of this tool ({error})"
        ) from None


def record_draft(log: DisclosureLog, outputs: Path) -> ReleaseRecord:
    """A run's release, just moved to `outputs`, recorded as its reference's draft."""
    record = release_record(log, outputs, outputs / "restricted" / TO_PUBLISH)
    log.save_draft(record)
    return record


# ---- publishing


def copy_public(source: Path, target: Path) -> Path:
    """A release folder copied to be shared: files and folders as the umask makes them (a
    restricted folder's modes are not carried over); written beside, then renamed in place."""
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(source, partial, copy_function=shutil.copyfile)
    for folder, _, _ in os.walk(partial):
        os.chmod(folder, 0o777 & ~_umask())
    previous = target.with_name(f".{target.name}.previous-{os.getpid()}")
    if target.exists():
        target.rename(previous)
    partial.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
    return target


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish(log: DisclosureLog, reference: str) -> ReleaseRecord:
    """`log publish REF`: the draft of `reference` made its next published version."""
    with log.locked():
        draft = log.draft(check_reference(reference))
        if draft is None:
            raise DisclosureLogError(f"{reference}: no draft in {log.folder} (run it first)")
        outputs = Path(draft.folder)
        source = outputs / "restricted" / TO_PUBLISH
        if not source.is_dir():
            raise DisclosureLogError(f"{source}: missing: run {reference} again, then publish")
        files = _json(source / MANIFEST).get("release_files")
        if files != draft.release_files:
            raise DisclosureLogError(
                f"{source}: not the draft the log holds (another run since?): run {reference} "
                "again, then publish"
            )
        return _publish(log, draft, source, outputs / "release")


def _publish(
    log: DisclosureLog, record: ReleaseRecord, source: Path, release: Path | None
) -> ReleaseRecord:
    """`source` (a release folder without the draft mark) as the next version of `record`'s
    reference: into the log, beside the index, over `release` if given; then the index. Under
    the log's lock."""
    version = log.next_version(record.reference)
    log.keep_version(source, record.reference, version)
    public = public_folder(log, record.reference, version)
    public.parent.mkdir(parents=True, exist_ok=True)
    copy_public(source, public)
    if release is not None:
        copy_public(source, release)
    record.times = {**record.times, "published": now()}
    log.add_published(record)
    write_index(log)
    return record


def withdraw(log: DisclosureLog, reference: str) -> ReleaseRecord:
    """`log withdraw REF`: the newest published version marked withdrawn (it still constrains
    later releases: it was public); the index no longer lists it."""
    record = log.withdraw(check_reference(reference))
    with log.locked():
        write_index(log)
    return record


def import_release(log: DisclosureLog, folder: Path) -> ReleaseRecord:
    """`log import DIR`: a release made with this tool elsewhere, from its outputs folder (the
    one holding release/ and restricted/, or its release/), recorded as published."""
    outputs = folder.parent if folder.name == "release" else folder
    if not (outputs / "release").is_dir() or not (outputs / "restricted").is_dir():
        raise DisclosureLogError(f"{folder}: not a request's outputs (release/ and restricted/)")
    source = outputs / "restricted" / TO_PUBLISH
    if not source.is_dir():  # a release published where it was made: release/ is the clean one
        source = outputs / "release"
    with log.locked():
        record = release_record(log, outputs, source)
        for entry in log.entries():
            if entry["reference"] == record.reference and entry["state"] != "draft":
                if log.record(entry).release_files == record.release_files:
                    raise DisclosureLogError(
                        f"{folder}: already in the log as {record.reference}/v{entry['version']}"
                    )
        return _publish(log, record, source, None)


# ---- the public index


def write_index(log: DisclosureLog) -> Path:
    """The public index of what is published (withdrawn releases left out), newest first,
    checked by the release gate before it replaces the previous one."""
    from helpers.briefing.report import index_page  # heavy (pandas): only publishing needs it
    from helpers.gate.check import check_index

    target = index_path(log)
    listed = []
    for record in sorted(log.published(), key=lambda r: r.times.get("published", ""), reverse=True):
        if record.state != "published":
            continue
        here = public_folder(log, record.reference, record.version).relative_to(target.parent)
        links = [
            (label, (here / name).as_posix())
            for label, name in (
                ("briefing", "briefing.html"),
                ("PDF", "briefing.pdf"),
                ("spreadsheet", "tables.xlsx"),
            )
            if name in record.release_files
        ]
        links += [
            (Path(name).stem, (here / name).as_posix())
            for name in sorted(record.release_files)
            if name.startswith("tables/")
        ]
        listed.append(
            {
                "reference": record.reference,
                "title": record.title,
                "date": record.times.get("published", "")[:10],
                "links": links,
            }
        )
    partial = target.with_name(f".{os.getpid()}-{target.name}")  # read as HTML by the gate
    partial.write_text(index_page(listed), encoding="utf-8")
    threshold = max((r.threshold for r in log.published()), default=5)
    report = check_index(partial, threshold, target.name)
    if not report.passed:
        partial.unlink()
        raise ReleaseGateError(report)
    os.replace(partial, target)
    return target


# ---- the list


def list_lines(log: DisclosureLog) -> list[str]:
    """`log list`: one line per release version: reference, version, state, dates, extract."""
    lines = [
        f"{'reference':<20} {'version':<8} {'state':<10} {'drafted':<11} {'published':<11} "
        f"{'withdrawn':<11} extract"
    ]
    for entry in log.entries():
        times = entry.get("times", {})
        version = "draft" if entry["version"] == 0 else str(entry["version"])
        lines.append(
            f"{entry['reference']:<20} {version:<8}"
            f" {entry['state']:<10} {times.get('drafted', '')[:10]:<11} "
            f"{times.get('published', '')[:10]:<11} {times.get('withdrawn', '')[:10]:<11} "
            f"{entry.get('extract_sha256', '')[:12]}"
        )
    return lines
