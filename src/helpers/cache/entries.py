"""The extract cache: an export's canonical model in Arrow IPC files, built once, read in a blink.

The first run on a set of extract files reads and checks them and writes what it made of them
here; later runs on the same files map the entry's files instead (the files' hashes too).

- Where: `$FOI_CACHE_DIR`, else `.cache/extracts/` in the project (git-ignored, folders 0700
  and files 0600 whatever the umask: the cache holds personal data; with `FOI_SHARE_GROUP`,
  0750 and 0640 for that group, as `restricted/`: `helpers.permissions`). Key, locks and the mark
  that says a folder is the cache's: `helpers.cache.keys`.
- Built by `build`: the crimes files here, the person and charge files in a process beside it
  (`helpers.extracts.people_side`), texts and personal data written by a thread (`EntrySink`)
  as each file is read; to a temporary folder renamed into place, so no one sees half an entry.
- Stored as plain Arrow IPC files, read by mapping them (`EntryStore`): a lookup touches only
  the pages it needs. Why not Parquet: docs/performance.md.
- `foi-briefing cache clear` removes what the cache made (`clear`): never its root, nor anything
  else in it, nor a folder without its mark.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helpers.cache.keys import (  # noqa: F401 - the cache's API, with this module's
    CACHE_FORMAT,
    _locked,
    cache_root,
    claim_build,
    entry_name,
    hold_entry,
    is_built,
    is_marked,
    made_by_cache,
    own_root,
    remove_entries,
)
from helpers.errors import ExtractError
from helpers.extracts.arrays import as_arrow, take_rows
from helpers.extracts.load import read_canonical
from helpers.extracts.model import CanonicalTables, Extract, to_pandas
from helpers.extracts.people_side import PeopleSide
from helpers.extracts.profile import chosen_sources
from helpers.extracts.sources import SourceDefinition
from helpers.extracts.stores import FolderSink
from helpers.permissions import seal

#: the entry's files: each table's, and each source file's texts and personal data
CRIMES_FILE, CHARGES_FILE, PEOPLE_FILE, QUARANTINE_FILE = (
    "crimes.arrow",
    "charges.arrow",
    "people.arrow",
    "quarantine.arrow",
)
PERSONAL_FILES, TEXT_FILES = "personal-*.arrow", "texts-*.arrow"


class EntrySink:
    """Writes each file's texts and personal data to the entry as soon as the file is read, so
    they never pile up in memory while the rest of the extract is loaded. A `FolderSink`: the
    person side process writes its files' personal data through one of its own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._writer = ThreadPoolExecutor(1)
        self._pending: list = []

    def texts(self, file: str, table: pa.Table) -> None:
        """crime_id and circumstances, in the file's order (a lookup by crime ID maps the IDs)."""
        self._write(
            _write_ipc,
            table.drop_columns(["ho_class"]),
            self.folder / TEXT_FILES.replace("*", file),
        )

    def crimes(self, table: pa.Table) -> None:
        """The final crimes, written as the entry's crimes table, its columns each in one piece
        (a record batch holds up to 1,048,576 crimes: `_write_ipc`): the counts take rows of
        them, and Arrow takes rows of an array in many pieces far slower."""
        self._write(_write_ipc, table.combine_chunks(), self.folder / CRIMES_FILE)

    def personal(self, file: str, table: pa.Table) -> None:
        self._write(_write_ipc, table, self.folder / PERSONAL_FILES.replace("*", file))

    def _write(self, *task) -> None:
        """Writes go to a thread (Arrow writes outside Python's lock) while the next file is
        read; `wait()` collects them, and their errors."""
        self._pending.append(self._writer.submit(*task))

    def settle(self) -> None:
        """Wait for the writes queued so far (their tables are then freed)."""
        for future in self._pending:
            future.result()
        self._pending.clear()

    def wait(self) -> None:
        try:
            self.settle()
        finally:
            self._writer.shutdown()


class EntryStore:
    """People, personal data and texts of a cached extract, mapped from its files when asked for."""

    def __init__(self, folder: Path, hold=None):
        self.folder = folder
        self._hold = (
            hold  # the entry's shared lock (`hold_entry`): a newer build leaves it be while held
        )
        self._born: dict[
            str, tuple[pa.Array, np.ndarray]
        ] = {}  # each personal file's dates of birth, prepared once
        self._last_texts: tuple[frozenset, pa.Table] | None = (
            None  # the last crimes' texts asked for, by ID
        )

    def people(self, columns: list[str] | None = None) -> pa.Table:
        return _read_ipc(self.folder / PEOPLE_FILE, columns)

    def personal(self, columns: list[str] | None = None) -> pa.Table | None:
        files = self._files(PERSONAL_FILES)
        return (
            pa.concat_tables([_read_ipc(f, columns) for f in files], promote_options="default")
            if files
            else None
        )

    def personal_of(self, file: str, columns: list[str]) -> pa.Table | None:
        path = self.folder / PERSONAL_FILES.replace("*", file)
        return _read_ipc(path, columns) if path.is_file() else None

    def has_personal(self) -> bool:
        return bool(self._files(PERSONAL_FILES))

    def people_born(self, written: list[str]) -> pa.Table:
        """surname, forenames, date_of_birth of the person rows whose date of birth, as written,
        is one of `written`: the dates are looked up through their few distinct values, and only
        the matching rows' names are touched."""
        wanted = pa.array(written, pa.string())
        parts = []
        for path in self._files(PERSONAL_FILES):
            table = _read_ipc(path)
            if "date_of_birth" not in table.column_names:
                continue
            if path.name not in self._born:
                dates = pc.dictionary_encode(
                    pc.utf8_trim_whitespace(table["date_of_birth"])
                ).combine_chunks()
                # each row's date as a number, -1 (the last slot below) for none
                self._born[path.name] = (
                    dates.dictionary,
                    pc.fill_null(dates.indices, -1).to_numpy(zero_copy_only=False),
                )
            distinct, codes = self._born[path.name]
            hit = np.append(
                pc.fill_null(pc.is_in(distinct, value_set=wanted), False).to_numpy(
                    zero_copy_only=False
                ),
                False,
            )
            parts.append(take_rows(table, np.flatnonzero(hit[codes])))
        return _born_columns(parts)

    def column(self, table: str, name: str) -> pa.ChunkedArray:
        """One column of the entry's crimes or charges."""
        return _read_ipc(self.folder / f"{table}.arrow", [name])[name]

    def texts(self, crime_ids=None) -> pa.Table:
        tables = [_read_ipc(f) for f in self._files(TEXT_FILES)]
        if not tables:  # no crimes file had a row to keep
            return pa.table(
                {"crime_id": pa.array([], pa.string()), "circumstances": pa.array([], pa.string())}
            )
        if crime_ids is None:
            return pa.concat_tables(tables)
        wanted = as_arrow(crime_ids, unique=True)
        # the same crimes are asked for again: by a notebook's search and then the gate on its
        # tables (each lookup compares every text's crime ID)
        key = frozenset(wanted.to_pylist())
        last = self._last_texts
        if last is not None and last[0] == key:
            return last[1]
        found = pa.concat_tables(
            [
                table.filter(pc.fill_null(pc.is_in(table["crime_id"], value_set=wanted), False))
                for table in tables
            ]
        )
        self._last_texts = (key, found)
        return found

    def _files(self, pattern: str) -> list[Path]:
        return sorted(self.folder.glob(pattern))


def _read_ipc(path: Path, columns: list[str] | None = None) -> pa.Table:
    """An entry file, mapped (its pages are read as they are touched), with `columns` only (in
    the order asked for; names it lacks are left out) or all. All are read and some kept: Arrow's
    reader of chosen columns copies whole record batches (docs/performance.md)."""
    with pa.memory_map(str(path)) as source:  # the table's buffers keep the mapping alive
        table = pa.ipc.open_file(source).read_all()
    if columns is None:
        return table
    return table.select([c for c in columns if c in table.column_names])


def _born_columns(parts: list[pa.Table]) -> pa.Table:
    names = ["surname", "forenames", "date_of_birth"]
    tables = [t.select([n for n in names if n in t.column_names]) for t in parts]
    if not tables:
        return pa.table({n: pa.array([], pa.string()) for n in names})
    return pa.concat_tables(tables, promote_options="default")


def _one_dictionary(column: pa.ChunkedArray) -> bool:
    """Not dictionary-encoded, or every chunk has the same dictionary (the usual case: the person
    side wrote them unified): unifying a million-entry dictionary again would hash all of it."""
    if not pa.types.is_dictionary(column.type) or column.num_chunks < 2:
        return True
    first = column.chunks[0].dictionary
    return all(chunk.dictionary.equals(first) for chunk in column.chunks[1:])


def _write_ipc(table: pa.Table, path: Path) -> None:
    """A table as an Arrow IPC file, uncompressed. The format has one dictionary per column: a
    dictionary column whose chunks differ (each file's own system and file name) is unified."""
    if not all(_one_dictionary(column) for column in table.columns):
        table = table.unify_dictionaries()
    with pa.OSFile(str(path), "wb") as handle, pa.ipc.new_file(handle, table.schema) as writer:
        writer.write_table(table, max_chunksize=1 << 20)


def _write(folder: Path, tables: CanonicalTables, directory: Path) -> None:
    """The rest of the entry, once the files are read (the sink has written the crimes, texts
    and personal data): charges, people, quarantine, meta."""
    with ThreadPoolExecutor(2) as pool:
        writes = [
            pool.submit(_write_ipc, tables.charges, folder / CHARGES_FILE),
            pool.submit(_write_ipc, tables.people, folder / PEOPLE_FILE),
        ]
        for write in writes:
            write.result()
    _write_ipc(
        pa.Table.from_pandas(tables.quarantine, preserve_index=False), folder / QUARANTINE_FILE
    )
    meta = {
        "format": CACHE_FORMAT,
        "directory": str(directory),
        "data_quality": tables.data_quality,
        "files": tables.files,
        "class_titles": tables.class_titles,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def _read(folder: Path, directory: Path, hold, sources: tuple[SourceDefinition, ...]) -> Extract:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return Extract(
        crimes=to_pandas(_read_ipc(folder / CRIMES_FILE)),
        charges=to_pandas(_read_ipc(folder / CHARGES_FILE)),
        quarantine=to_pandas(_read_ipc(folder / QUARANTINE_FILE)),
        data_quality=meta["data_quality"],
        files=meta["files"],
        directory=directory,
        store=EntryStore(folder, hold),
        sources=sources,
        class_titles=meta.get("class_titles", {}),
    )


@dataclass
class CachedFiles:
    """A built entry without its crimes and charges in memory: the extract files' hashes and the
    store, which is all the release gate needs after the notebook has checked the extract."""

    directory: Path
    files: dict[str, dict]
    store: EntryStore
    sources: tuple[SourceDefinition, ...]


def open_built(
    directory: str | Path, sources: tuple[SourceDefinition, ...] | None = None
) -> CachedFiles | None:
    """The cache entry of `directory` as `CachedFiles` if it is built (else None); reads
    meta.json only."""
    sources = chosen_sources(sources)
    folder = cache_root() / entry_name(Path(directory), sources)
    hold = hold_entry(folder)
    if hold is None:
        return None
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return CachedFiles(Path(directory), meta["files"], EntryStore(folder, hold), sources)


def open_extract(
    directory: str | Path,
    sources: tuple[SourceDefinition, ...] | None = None,
    progress=None,
    while_waiting=None,
) -> Extract:
    """The extract of `directory`, from the cache, building the cache entry first if need be.

    `while_waiting`: called (once, with no arguments) if the entry is not built yet, before
    this process waits for another's build or builds it: work it would do later anyway."""
    directory = Path(directory)
    sources = chosen_sources(sources)
    if not directory.is_dir():
        raise ExtractError(f"{directory}: extracts folder not found")
    root, name = cache_root(), entry_name(directory, sources)
    folder = root / name
    if folder in _OPENED and (folder / "meta.json").is_file():
        return _OPENED[folder]
    # one extract kept at a time; the last one's hold goes before a build removes it
    _OPENED.clear()
    while (hold := hold_entry(folder)) is None:
        if while_waiting is not None:
            while_waiting()
            while_waiting = None
            continue  # the entry may be built by now
        with _locked(root, name.split("-")[0]):
            if not (folder / "meta.json").is_file():  # another run may have built it meanwhile
                build(directory, sources, root, name, progress)
    extract = _read(folder, directory, hold, sources)
    _OPENED[folder] = extract
    return extract


#: the extract last opened in this process, by entry: a kernel that runs request after request on
#: the same files reads them once. The entry's name changes with the files, so it is never stale;
#: nothing changes an Extract's frames in place (pandas copy-on-write).
_OPENED: dict[Path, Extract] = {}


def build(
    directory: Path,
    sources: tuple[SourceDefinition, ...],
    root: Path,
    name: str,
    progress: Callable[[str], object] | None = None,
    staging: Path | None = None,
    side: PeopleSide | None = None,
) -> None:
    """Read the CSV files and write the entry: to a temporary folder first, then renamed.

    `staging` and `side`: that folder, made already, and the process reading the person and
    charge files into it, started already (`helpers.cache.builder`)."""
    if staging is None:
        staging = root / f".{name}.building-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        own_root(root)
        staging.mkdir(mode=0o700)
    try:
        sink: FolderSink = EntrySink(staging)
        try:
            tables = read_canonical(
                directory,
                sources,
                personal_data=True,
                progress=progress,
                sink=sink,
                people_apart=True,
                side=side,
            )
        finally:
            sink.wait()
        _write(staging, tables, directory)
        del tables
        seal(staging)  # 0600 (or FOI_SHARE_GROUP's 0640) whatever the umask they were written under
        os.rename(staging, root / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    # earlier states of the same folder's files: gone, unless a run is still reading one (then
    # the next build, or `cache clear`, removes it)
    remove_entries(
        [
            old
            for old in root.glob(f"{name.split('-')[0]}-*")
            if old.name != name and made_by_cache(old) == "entry"
        ]
    )


def clear(tell: Callable[[str], object] | None = None) -> tuple[int, int]:
    """Remove every cache entry that no run is reading, and what else the cache made and no
    process uses (locks, what a stopped build or removal left); return (bytes freed, entries
    kept because a run is reading them). An entry being built is left to its builder; the root,
    and anything in it the cache did not make, stay.

    ParameterError: the root is not the cache's (no mark, and things in it the cache did not
    make): nothing is removed. `tell(line)`: told if an unmarked root from before the mark is
    adopted (`own_root`)."""
    _OPENED.clear()  # this process's own hold on its last extract goes with it
    root = cache_root()
    if not root.exists() or (not is_marked(root) and root.is_dir() and not any(root.iterdir())):
        return 0, 0  # nothing to clear (and an empty folder of someone's is left unmarked)
    if own_root(root, refused="cache clear: nothing removed") and tell is not None:
        tell(f"adopted {root} as the extract cache: it held only entries and locks, unmarked")
    before = _size(root)
    kept = remove_entries([path for path in root.iterdir() if made_by_cache(path) == "entry"])
    for path in root.iterdir():
        if made_by_cache(path) == "at work" and not _running(int(path.name.rsplit("-", 1)[1])):
            shutil.rmtree(path, ignore_errors=True)  # left by a build or removal that stopped
    left = {path.name.split("-")[0].lstrip(".") for path in root.iterdir() if path.is_dir()}
    for lock in root.glob("*.lock"):
        if made_by_cache(lock) == "lock" and lock.stem not in left:
            _remove_free_lock(lock)
    return before - _size(root), len(kept)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # another user's
        return True
    return True


def _remove_free_lock(path: Path) -> None:
    """A lock file no process holds, removed (one that is held stays)."""
    try:
        with open(path, "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            path.unlink()
    except (BlockingIOError, FileNotFoundError):
        pass


def _size(root: Path) -> int:
    """The bytes of what the cache made in `root` (a file another process removes meanwhile
    counts as none)."""
    total = 0
    for item in root.iterdir():
        if made_by_cache(item) is not None:
            for path in (item, *(item.rglob("*") if item.is_dir() else ())):
                with contextlib.suppress(FileNotFoundError):
                    total += path.stat().st_size if path.is_file() else 0
    return total
