"""The disclosure log: every release of the force made with this tool, each protected cell with the
units it counts (restricted: never published).

One folder per force (`log_folder`), laid out as

    log.json                    the index: format version, and one entry per release version
    secret.key                  the key of the units' hashes (owner-only; back it up with the log)
    records/<ref>/draft.json    a reference's draft: replaced by each run of it
    records/<ref>/v<N>.json     a published version: written once, never overwritten
    versions/<ref>/v<N>/        the published release folder, as it was published
    .lock                       taken by every write (two runs may finish at once)

One JSON file per release version and a small index: a run reads the index and the published
records only (300 releases of ~100 cells are ~300 small files, read in a few tens of ms), a write
rewrites one record and the index; no database to back up or migrate. A unit is stored as its kind
and an HMAC-SHA256 of its key (`crime:<hex>`, `person:<hex>`): the log itself names no one, and the
same crime or person has the same hash in every release of one log.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpers.disclosure.across import LoggedCell
from helpers.errors import DisclosureLogError
from helpers.permissions import OWNER_ONLY, private_folder, seal

#: the environment variable naming the log's folder (the command line's `--log` wins)
LOG_ENV = "FOI_LOG_DIR"
#: what the index says it is, and the version of its layout this code reads
FORMAT = "foi-briefing disclosure log"
FORMAT_VERSION = 1
INDEX, SECRET, LOCK = "log.json", "secret.key", ".lock"
#: in a request's restricted/: each protected cell with its units, written by the notebook (the
#: units raw there, as restricted/ holds the crimes' references already; the log hashes them)
DISCLOSURE_CELLS = "disclosure_cells.json"
STATES = ("draft", "published", "withdrawn")
#: a unit's hash kept to 128 bits (32 hex digits): no two of a force's crimes and people share one
#: (a chance of ~1e-26 among 1e6 units), and the log and its reading are half the size
UNIT_HEX = 32
#: a reference as the parameters allow it (it names folders here too)
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def logged_shown(shown: str) -> str:
    """A cell as the audit across releases reads it: the count without its thousands' commas."""
    return shown.replace(",", "")


@dataclass
class ReleaseRecord:
    """One release version in the log: its cells (units hashed), what it was made from, its
    state and times."""

    reference: str
    version: int  # 0: the draft; published versions from 1
    state: str
    title: str
    times: dict[str, str]  # drafted, published, withdrawn (ISO 8601, UTC)
    extract_sha256: str  # one digest of the extract files' SHA-256s (the manifest's)
    extract_files: dict[str, str]
    definitions: dict[str, Any]  # the request's parameters, as the manifest publishes them
    release_files: dict[str, str]  # the publishable release's files and their SHA-256
    cells: list[dict[str, Any]] = field(default_factory=list)  # table, row, column, shown, units
    folder: str = ""  # the request's outputs folder the run wrote (a draft's, for publishing)
    threshold: int = 5

    @property
    def name(self) -> str:
        return f"{self.reference}/{'draft' if self.version == 0 else f'v{self.version}'}"

    def logged_cells(self) -> list[LoggedCell]:
        return [
            LoggedCell(
                self.name,
                cell["table"],
                cell["row"],
                cell["column"],
                frozenset(cell["units"]),
                logged_shown(cell["shown"]),
                self.threshold,
            )
            for cell in self.cells
        ]

    def entry(self) -> dict[str, Any]:
        """The record's line in the index."""
        return {
            "reference": self.reference,
            "version": self.version,
            "state": self.state,
            "title": self.title,
            "times": self.times,
            "extract_sha256": self.extract_sha256,
            "folder": self.folder,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.entry(), **{k: getattr(self, k) for k in _RECORD_ONLY}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReleaseRecord:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


_RECORD_ONLY = ("extract_files", "definitions", "release_files", "cells", "threshold")


def extract_digest(extract_files: dict[str, str]) -> str:
    """One SHA-256 for an extract: of its files' names and SHA-256s (the manifest's), sorted."""
    lines = "".join(f"{name}\t{digest}\n" for name, digest in sorted(extract_files.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_reference(reference: str) -> str:
    if not REFERENCE.fullmatch(reference):
        raise DisclosureLogError(
            f"{reference!r} is not a request reference (letters, digits, - and _)"
        )
    return reference


# ---- where the log is


def default_log_folder() -> Path:
    """The force's log: `outputs/disclosure-log/` in the project."""
    from helpers.project import project_root  # lowest layer; here to keep this module's top light

    return project_root() / "outputs" / "disclosure-log"


def synthetic_log_folder() -> Path:
    """The log of runs on synthetic extracts (`demo`, `data/synthetic-*`): never the force's."""
    from helpers.project import project_root

    return project_root() / "outputs" / "synthetic-disclosure-log"


def is_synthetic_extract(extracts: Path | None) -> bool:
    """An extract made by `foi-briefing sample` (or `demo`): the project's `data/synthetic-*`."""
    from helpers.project import project_root

    if extracts is None:
        return False
    folder = Path(extracts).resolve()
    return folder.parent == (project_root() / "data").resolve() and folder.name.startswith(
        "synthetic-"
    )


def log_folder(option: str | None = None, extracts: Path | None = None) -> Path:
    """Where a run's log is: `--log DIR`, else `FOI_LOG_DIR`, else the synthetic extracts' own
    log for a synthetic extract, else the force's (`default_log_folder`), whatever `--out` is."""
    if option:
        return Path(option).resolve()
    if os.environ.get(LOG_ENV, "").strip():
        return Path(os.environ[LOG_ENV].strip()).resolve()
    return synthetic_log_folder() if is_synthetic_extract(extracts) else default_log_folder()


# ---- files: atomic, owner-only


def write_private(path: Path, text: str) -> None:
    """Write `path` whole or not at all (a temporary file beside it, then `os.replace`),
    owner-only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp makes it 0600
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _dump(data: Any) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DisclosureLogError(f"{path}: missing from the disclosure log") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DisclosureLogError(
            f"{path}: the disclosure log cannot be read ({error}); restore it from its backup"
        ) from None


# ---- the log


class DisclosureLog:
    """One force's log in `folder`. `open_log` opens (or starts) one; every change is made under
    the log's lock, its files written whole (`write_private`)."""

    def __init__(self, folder: Path, key: bytes):
        self.folder = folder
        self._key = key
        # a unit is in many cells (a Total holds every unit of its row): each hashed once
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)
        self._hashes: dict[str, str] = {}

    # -- reading

    def entries(self) -> list[dict[str, Any]]:
        """The index's entries, as they are on disk now."""
        return _read_index(self.folder)["releases"]

    def record(self, entry: dict[str, Any]) -> ReleaseRecord:
        path = self._record_path(entry["reference"], entry["version"])
        try:
            return ReleaseRecord.from_dict(_load(path))
        except (KeyError, TypeError) as error:
            raise DisclosureLogError(f"{path}: not a release record ({error})") from None

    def published(self) -> list[ReleaseRecord]:
        """Every release ever published from this log, withdrawn ones too (they were public)."""
        return [self.record(e) for e in self.entries() if e["state"] != "draft"]

    def published_cells(self) -> list[LoggedCell]:
        """The cells of every published release: the constraints on a new one."""
        return [cell for record in self.published() for cell in record.logged_cells()]

    def draft(self, reference: str) -> ReleaseRecord | None:
        for entry in self.entries():
            if entry["reference"] == reference and entry["state"] == "draft":
                return self.record(entry)
        return None

    def hashed(self, units: Iterable[str]) -> list[str]:
        """Each unit (`kind:key`) as `kind:<HMAC-SHA256 of the key, first 128 bits>`, sorted."""
        return sorted(self.hashed_set(units))

    def hashed_set(self, units: Iterable[str]) -> frozenset[str]:
        """The units hashed as `hashed` does them, as a set (a draft's cells: no order to write)."""
        return frozenset(map(self._hashed_unit, units))

    def hashed_sets(self, unit_sets: Sequence[Iterable[str]]) -> list[frozenset[str]]:
        """Many sets of units, each hashed as `hashed_set` does it: each distinct unit is hashed
        once, then looked up (a Total holds every unit of its parts again)."""
        for unit in set().union(*unit_sets).difference(self._hashes):
            self._hashed_unit(unit)
        lookup = self._hashes.__getitem__
        return [frozenset(map(lookup, units)) for units in unit_sets]

    def _hashed_unit(self, unit: str) -> str:
        hashed = self._hashes.get(unit)
        if hashed is None:
            kind, _, key = unit.partition(":")
            mac = self._keyed.copy()
            mac.update(key.encode("utf-8"))
            hashed = self._hashes[unit] = f"{kind}:{mac.hexdigest()[:UNIT_HEX]}"
        return hashed

    # -- writing

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """The log's lock, for one change (a second run waits here for the first)."""
        fd = os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # and with it the lock

    def save_draft(self, record: ReleaseRecord) -> None:
        """Record a run's draft of its reference, replacing any earlier draft of it."""
        record.version, record.state = 0, "draft"
        with self.locked():
            self._write_record(record)
            self._set_entries(
                [e for e in self.entries() if not _is_draft_of(e, record.reference)],
                record,
            )

    def add_published(self, record: ReleaseRecord) -> ReleaseRecord:
        """Record `record` as the next published version of its reference (the draft, if any,
        goes); its version number set here, under the lock."""
        record.version = self.next_version(record.reference)
        record.state = "published"
        record.times = {**record.times, "published": record.times.get("published") or now()}
        self._write_record(record, once=True)
        self._set_entries(
            [e for e in self.entries() if not _is_draft_of(e, record.reference)], record
        )
        self._record_path(record.reference, 0).unlink(missing_ok=True)  # the draft it was
        return record

    def next_version(self, reference: str) -> int:
        versions = [e["version"] for e in self.entries() if e["reference"] == reference]
        return max(versions, default=0) + 1

    def withdraw(self, reference: str) -> ReleaseRecord:
        """Mark the newest published version of `reference` withdrawn (it still constrains)."""
        with self.locked():
            shown = [
                e for e in self.entries() if e["reference"] == reference and e["state"] != "draft"
            ]
            if not shown:
                raise DisclosureLogError(
                    f"{reference}: no published release of it in {self.folder}"
                )
            entry = max(shown, key=lambda e: e["version"])
            record = self.record(entry)
            if record.state == "withdrawn":
                raise DisclosureLogError(f"{record.name}: already withdrawn")
            record.state = "withdrawn"
            record.times = {**record.times, "withdrawn": now()}
            write_private(self._record_path(reference, record.version), _dump(record.to_dict()))
            self._set_entries(
                [e for e in self.entries() if e is not entry and not _same(e, entry)], record
            )
            return record

    def private_folders(self, folder: Path) -> Path:
        """`folder`, inside the log, made with each folder on the way owner-only."""
        for place in reversed([folder, *folder.relative_to(self.folder).parents][:-1]):
            private_folder(self.folder / place if not place.is_absolute() else place, OWNER_ONLY)
        return folder

    def version_folder(self, reference: str, version: int) -> Path:
        return self.folder / "versions" / check_reference(reference) / f"v{version}"

    def keep_version(self, source: Path, reference: str, version: int) -> Path:
        """A release folder copied into the log as a published version, owner-only: written
        beside, then renamed in place; never over an earlier copy."""
        target = self.version_folder(reference, version)
        if target.exists():
            raise DisclosureLogError(f"{target}: this version is already in the log")
        self.private_folders(target.parent)
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(source, partial)
        seal(partial, OWNER_ONLY)
        partial.rename(target)
        return target

    def _record_path(self, reference: str, version: int) -> Path:
        name = "draft" if version == 0 else f"v{version}"
        return self.folder / "records" / check_reference(reference) / f"{name}.json"

    def _write_record(self, record: ReleaseRecord, once: bool = False) -> None:
        path = self._record_path(record.reference, record.version)
        if once and path.exists():  # a published version is never overwritten
            raise DisclosureLogError(f"{path}: this version is already in the log")
        self.private_folders(path.parent)
        write_private(path, _dump(record.to_dict()))

    def _set_entries(self, kept: list[dict[str, Any]], record: ReleaseRecord) -> None:
        entries = sorted(
            [*kept, record.entry()], key=lambda e: (e["reference"], e["version"] or 1 << 30)
        )
        index = {"format": FORMAT, "version": FORMAT_VERSION, "releases": entries}
        write_private(self.folder / INDEX, _dump(index))


def _is_draft_of(entry: dict[str, Any], reference: str) -> bool:
    return entry["reference"] == reference and entry["state"] == "draft"


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["reference"] == b["reference"] and a["version"] == b["version"]


def _read_index(folder: Path) -> dict[str, Any]:
    """The index, checked: DisclosureLogError for a file that is not this log's, or of another
    version of it."""
    index = _load(folder / INDEX)
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise DisclosureLogError(f"{folder / INDEX}: not a foi-briefing disclosure log")
    if index.get("version") != FORMAT_VERSION:
        raise DisclosureLogError(
            f"{folder / INDEX}: a disclosure log of version {index.get('version')!r}; this "
            f"foi-briefing reads version {FORMAT_VERSION}"
        )
    releases = index.get("releases")
    if not isinstance(releases, list) or not all(
        isinstance(e, dict) and {"reference", "version", "state"} <= set(e) for e in releases
    ):
        raise DisclosureLogError(f"{folder / INDEX}: its list of releases is damaged")
    return index


def open_log(folder: Path, start: bool = False) -> tuple[DisclosureLog | None, bool]:
    """The log in `folder`, and whether it was started now. A folder without a log is started
    if `start` (else None); a log that cannot be read is a DisclosureLogError, never an empty log:
    a damaged or foreign index, a missing secret beside an index, a secret not of this log."""
    folder = Path(folder)
    index, secret = folder / INDEX, folder / SECRET
    if not index.exists():
        if (folder / "records").exists() or (folder / "versions").exists():
            raise DisclosureLogError(
                f"{index}: missing, but the log holds records: restore it from its backup"
            )
        if not start:
            return None, False
        try:
            if _started(folder):
                return DisclosureLog(folder, _read_secret(secret)), True
        except OSError as error:
            raise DisclosureLogError(
                f"{folder}: cannot start a disclosure log here ({error.strerror}): "
                f"name another with --log or {LOG_ENV}"
            ) from None
    _read_index(folder)
    if not secret.exists():
        raise DisclosureLogError(
            f"{secret}: missing beside the log's records: restore it from the log's backup"
        )
    return DisclosureLog(folder, _read_secret(secret)), False


def _started(folder: Path) -> bool:
    """A new log's folder, secret and empty index made in `folder`; False if another process
    made them first (two first runs at once: one starts the log)."""
    private_folder(folder, OWNER_ONLY)
    with DisclosureLog(folder, b"").locked():
        if (folder / INDEX).exists():
            return False
        if not (folder / SECRET).exists():
            write_private(folder / SECRET, secrets.token_hex(32) + "\n")
        empty = {"format": FORMAT, "version": FORMAT_VERSION, "releases": []}
        write_private(folder / INDEX, _dump(empty))
        return True


def _read_secret(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError):
        raise DisclosureLogError(f"{path}: not the log's secret (64 hexadecimal digits)") from None
    if len(key) != 32:
        raise DisclosureLogError(f"{path}: not the log's secret (64 hexadecimal digits)")
    return key
