"""The extract cache: an export's canonical model in Parquet (the person rows in an Arrow IPC
file), built once, read in a blink.

The first run on a set of extract files reads and checks the six CSV files (seconds for a
million crimes) and writes what it made of them here; later runs on the same files read the
Parquet files instead (tenths of a second), including the files' SHA-256 hashes for the manifest.

- Where: `$FOI_CACHE_DIR`, else `.cache/extracts/` in the project (git-ignored). The cache holds
  personal data: it is as restricted as the extracts themselves (folders are created 0700).
- Key (`helpers.cache_keys`): each file's name, size, modification and change times, the source
  definitions, the cache's format version and a hash of the code that reads the files. A changed
  file gives a new key, and the old entry for that folder is removed once no run is reading it
  (readers hold a shared lock on their entry: `cache_keys.hold_entry`).
- Safe when two runs build it at once: a lock file serialises the builders (a run takes it and
  hands it to its builder process), and each entry is written to a temporary folder and renamed
  into place, so a reader never sees half an entry.
- Built fast: the crimes files in the builder, the person and charge files in a process of its
  own beside it (`helpers.extracts.read_canonical`); texts and personal data written by a thread
  as each file is read; texts grouped by class in small row groups, so a request reads its own.
- `foi-briefing cache clear` removes it all.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helpers.cache_keys import CACHE_FORMAT, _locked, cache_root, claim_build, entry_name, hold_entry, is_built, remove_entries  # noqa: F401 (the cache's API)
from helpers.extracts import CanonicalTables, Extract, as_arrow, read_canonical, to_pandas
from helpers.sources import FORCE_SOURCES, ExtractError, SourceDefinition

PARQUET = {"compression": "lz4", "row_group_size": 128 * 1024}  # lz4: three times faster to write than zstd, as fast to read
TEXT_ROWS = 8 * 1024  # rows in a row group of circumstances texts


class ParquetSink:
    """Writes each file's texts and personal data to the entry as soon as the file is read, so
    they never pile up in memory while the rest of the extract is loaded."""

    def __init__(self, folder: Path):
        from concurrent.futures import ThreadPoolExecutor

        self.folder = folder
        self._writer = ThreadPoolExecutor(1)
        self._pending: list = []

    def texts(self, file: str, table: pa.Table) -> None:
        """Ordered by class, in small row groups: a request reads its offences' texts from a few
        groups instead of decompressing every text."""
        self._write(_write_texts, table, self.folder / f"texts-{file}.parquet")

    def crimes(self, table: pa.Table) -> None:
        self._write(_write_table, table, self.folder / "crimes.parquet", CRIMES_DICTIONARY)

    def personal(self, file: str, table: pa.Table) -> None:
        self._write(_write_table, table, self.folder / f"personal-{file}.parquet", ["surname", "forenames", "date_of_birth"])

    def _write(self, *task) -> None:
        """Writes go to a thread (Parquet encoding works outside Python's lock) while the next
        file is read; `wait()` collects them, and their errors."""
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


class ParquetStore:
    """People, personal data and texts of a cached extract, read from its files when asked for."""

    def __init__(self, folder: Path, hold=None):
        self.folder = folder
        self._hold = hold  # the entry's shared lock (`hold_entry`): a newer build leaves it be while held
        self._keys: dict[tuple[str, str], pa.ChunkedArray] = {}  # key columns read, kept for the next lookup

    def people(self, columns: list[str] | None = None) -> pa.Table:
        with pa.memory_map(str(self.folder / PEOPLE_FILE)) as source:
            names = pa.ipc.open_file(source).schema.names
            wanted = [c for c in columns if c in names] if columns else names
            # only the columns asked for are read (and decompressed), in the file's order
            table = pa.ipc.open_file(source, options=pa.ipc.IpcReadOptions(included_fields=[names.index(c) for c in wanted])).read_all()
            return table.select(wanted)

    def personal(self) -> pa.Table | None:
        files = sorted(self.folder.glob("personal-*.parquet"))
        return pa.concat_tables([pq.read_table(f) for f in files], promote_options="default") if files else None

    def has_personal(self) -> bool:
        return any(self.folder.glob("personal-*.parquet"))

    def people_born(self, written: list[str]) -> pa.Table:
        """surname, forenames, date_of_birth of the person rows whose date of birth, as written,
        is one of `written`: the dates column is read whole, the names only where it matched."""
        wanted = pa.array(written, pa.string())
        parts = [
            # few distinct dates among millions of rows: looked up through their dictionary
            self._rows_where(path, "date_of_birth", wanted, lambda dates: pc.dictionary_encode(pc.utf8_trim_whitespace(dates)).combine_chunks())
            for path in sorted(self.folder.glob("personal-*.parquet"))
            if "date_of_birth" in pq.read_schema(path).names
        ]
        return _born_columns(parts)

    def column(self, table: str, name: str) -> pa.ChunkedArray:
        """One column of the entry's crimes or charges, read alone."""
        return pq.read_table(self.folder / f"{table}.parquet", columns=[name])[name]

    def texts(self, crime_ids=None) -> pa.Table:
        files = sorted(self.folder.glob("texts-*.parquet"))
        if not files:  # no crimes file had a row to keep
            return pa.table({"crime_id": pa.array([], pa.string()), "circumstances": pa.array([], pa.string())})
        if crime_ids is None:
            return pa.concat_tables([pq.read_table(f) for f in files])
        wanted = as_arrow(crime_ids, unique=True)
        return pa.concat_tables([self._rows_where(f, "crime_id", wanted) for f in files])

    def _rows_where(self, path: Path, key: str, wanted: pa.Array, prepare=None) -> pa.Table:
        """The rows of a Parquet file whose `key` (after `prepare`) is in `wanted`: the key column
        is read whole (once per store), the other columns only from the row groups with a match."""
        if (path.name, key) not in self._keys:
            keys = pq.read_table(path, columns=[key])[key]
            self._keys[path.name, key] = prepare(keys) if prepare else keys
        return _rows_matching(pq.ParquetFile(path), self._keys[path.name, key], wanted)


def _rows_matching(file: pq.ParquetFile, keys, wanted: pa.Array) -> pa.Table:
    if isinstance(keys, pa.DictionaryArray):  # the distinct values asked about, then their rows
        hit = np.append(pc.fill_null(pc.is_in(keys.dictionary, value_set=wanted), False).to_numpy(zero_copy_only=False), False)
        rows = np.flatnonzero(hit[pc.fill_null(keys.indices, -1).to_numpy(zero_copy_only=False)])
    else:
        rows = pc.indices_nonzero(pc.fill_null(pc.is_in(keys, value_set=wanted), False)).to_numpy()
    if not len(rows):
        return file.schema_arrow.empty_table()
    sizes = [file.metadata.row_group(group).num_rows for group in range(file.num_row_groups)]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    groups = sorted({int(group) for group in np.searchsorted(starts, rows, side="right") - 1})
    table = file.read_row_groups(groups)
    # the matched rows' positions within the groups read
    offsets = np.concatenate([np.arange(starts[g], starts[g + 1]) for g in groups])
    return table.take(pa.array(np.searchsorted(offsets, rows)))


def _born_columns(parts: list[pa.Table]) -> pa.Table:
    names = ["surname", "forenames", "date_of_birth"]
    tables = [t.select([n for n in names if n in t.column_names]) for t in parts]
    if not tables:
        return pa.table({n: pa.array([], pa.string()) for n in names})
    return pa.concat_tables(tables, promote_options="default")


def _write_texts(table: pa.Table, path: Path) -> None:
    """crime_id and circumstances, grouped by class (the order of the classes' dictionary codes,
    by a stable integer sort), in small row groups."""
    classes = pc.dictionary_encode(table["ho_class"]).combine_chunks() if table.num_rows else None
    table = table.drop_columns(["ho_class"])
    if classes is None:
        return _write_table(table, path, None, TEXT_ROWS)
    order = np.argsort(pc.fill_null(classes.indices, -1).to_numpy(zero_copy_only=False), kind="stable")
    # in slices of the sorted order: a few row groups' worth of text is copied at a time, not all.
    # No dictionary: texts and IDs hardly repeat, trying one hashes every text, and with one the
    # synthetic extract's texts read five times slower. No statistics of the texts: nothing
    # filters on them.
    options = {"compression": PARQUET["compression"], "use_dictionary": False, "write_statistics": ["crime_id"]}
    with pq.ParquetWriter(path, table.schema, **options) as writer:
        for start in range(0, len(order), 8 * TEXT_ROWS):
            writer.write_table(table.take(order[start : start + 8 * TEXT_ROWS]), row_group_size=TEXT_ROWS)


def _write_table(table: pa.Table, path: Path, dictionary: list[str] | None = None, row_group_size: int | None = None) -> None:
    """A table as Parquet. Dictionary encoding only where named (columns of few distinct values):
    on a column of mostly distinct values (keys, IDs) it falls back to plain encoding after
    trying, and the file is slower to write and three times slower to read. None: every column."""
    options = {**PARQUET, "row_group_size": row_group_size or PARQUET["row_group_size"]}
    if dictionary is not None:
        options["use_dictionary"] = [name for name in dictionary if name in table.column_names]
    pq.write_table(table, path, **options)


def _one_dictionary(column: pa.ChunkedArray) -> bool:
    """Not dictionary-encoded, or every chunk has the same dictionary (the usual case: the person
    side wrote them unified). Unifying a million-entry dictionary again would hash it: seconds."""
    if not pa.types.is_dictionary(column.type) or column.num_chunks < 2:
        return True
    first = column.chunks[0].dictionary
    return all(chunk.dictionary.equals(first) for chunk in column.chunks[1:])


CRIMES_DICTIONARY = ["system", "ho_class", "file"]

#: the person rows (two million for a million crimes) as an Arrow IPC file, LZ4-compressed, not
#: Parquet: written in a third of the time (0.15 s, not 0.47), and that write is on the build's
#: critical path, after the person side's work; read as fast; twice Parquet's size on disk.
PEOPLE_FILE = "people.arrow"


def _write_ipc(table: pa.Table, path: Path) -> None:
    if not all(_one_dictionary(column) for column in table.columns):
        table = table.unify_dictionaries()  # the IPC file format has one dictionary per column
    with pa.OSFile(str(path), "wb") as handle, pa.ipc.new_file(handle, table.schema, options=pa.ipc.IpcWriteOptions(compression="lz4")) as writer:
        writer.write_table(table, max_chunksize=PARQUET["row_group_size"] * 8)


def _write(folder: Path, tables: CanonicalTables, directory: Path) -> None:
    """The rest of the entry, once the files are read (the sink has written the crimes, texts
    and personal data): charges, people, quarantine, meta."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        writes = [
            pool.submit(_write_table, tables.charges, folder / "charges.parquet", ["cjs_code", "file"]),
            pool.submit(_write_ipc, tables.people, folder / PEOPLE_FILE),
        ]
        for write in writes:
            write.result()
    pq.write_table(pa.Table.from_pandas(tables.quarantine, preserve_index=False), folder / "quarantine.parquet", **PARQUET)
    meta = {"format": CACHE_FORMAT, "directory": str(directory), "data_quality": tables.data_quality, "files": tables.files}
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def _read(folder: Path, directory: Path, hold) -> Extract:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return Extract(
        crimes=to_pandas(pq.read_table(folder / "crimes.parquet")),
        charges=to_pandas(pq.read_table(folder / "charges.parquet")),
        quarantine=to_pandas(pq.read_table(folder / "quarantine.parquet")),
        data_quality=meta["data_quality"],
        files=meta["files"],
        directory=directory,
        store=ParquetStore(folder, hold),
    )


@dataclass
class CachedFiles:
    """A built entry without its crimes and charges in memory: the extract files' hashes and the
    store, which is all the release gate needs after the notebook has checked the extract."""

    directory: Path
    files: dict[str, dict]
    store: ParquetStore


def open_built(directory: str | Path, sources: tuple[SourceDefinition, ...] = FORCE_SOURCES) -> CachedFiles | None:
    """The cache entry of `directory` as `CachedFiles` if it is built (else None); reads meta.json only."""
    folder = cache_root() / entry_name(Path(directory), sources)
    hold = hold_entry(folder)
    if hold is None:
        return None
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return CachedFiles(Path(directory), meta["files"], ParquetStore(folder, hold))


def open_extract(directory: str | Path, sources: tuple[SourceDefinition, ...] = FORCE_SOURCES, progress=None, while_waiting=None) -> Extract:
    """The extract of `directory`, from the cache, building the cache entry first if need be.

    `while_waiting`: called (once, with no arguments) if the entry is not built yet, before
    this process waits for another's build or builds it: work it would do later anyway."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ExtractError(f"{directory}: extracts folder not found")
    root, name = cache_root(), entry_name(directory, sources)
    folder = root / name
    if folder in _OPENED and (folder / "meta.json").is_file():
        return _OPENED[folder]
    _OPENED.clear()  # one extract kept at a time; the last one's hold goes before a build removes it
    while (hold := hold_entry(folder)) is None:
        if while_waiting is not None:
            while_waiting()
            while_waiting = None
            continue  # the entry may be built by now
        with _locked(root, name.split("-")[0]):
            if not (folder / "meta.json").is_file():  # another run may have built it meanwhile
                build(directory, sources, root, name, progress)
    extract = _read(folder, directory, hold)
    _OPENED[folder] = extract
    return extract


#: the extract last opened in this process, by entry: a kernel that runs request after request on
#: the same files reads them once. The entry's name changes with the files, so it is never stale;
#: nothing changes an Extract's frames in place (pandas copy-on-write).
_OPENED: dict[Path, Extract] = {}


def build(directory: Path, sources: tuple[SourceDefinition, ...], root: Path, name: str, progress=None, staging: Path | None = None, side=None) -> None:
    """Read the CSV files and write the entry: to a temporary folder first, then renamed.

    `staging` and `side`: that folder, made already, and the process reading the person and
    charge files into it, started already (`helpers.cache_builder`)."""
    if staging is None:
        staging = root / f".{name}.building-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True, mode=0o700)
    try:
        sink = ParquetSink(staging)
        try:
            tables = read_canonical(directory, sources, personal_data=True, progress=progress, sink=sink, people_apart=True, side=side)
        finally:
            sink.wait()
        _write(staging, tables, directory)
        del tables
        os.rename(staging, root / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    # earlier states of the same folder's files: gone, unless a run is still reading one (then
    # the next build, or `cache clear`, removes it)
    remove_entries([old for old in root.glob(f"{name.split('-')[0]}-*") if old.name != name and old.is_dir()])


def clear() -> tuple[int, int]:
    """Remove every cache entry that no run is reading; return (bytes freed, entries kept because
    a run is reading them). An entry being built is left to its builder."""
    _OPENED.clear()  # this process's own hold on its last extract goes with it
    root = cache_root()
    if not root.exists():
        return 0, 0
    before = _size(root)
    kept = remove_entries([path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")])
    if not kept and not any(path.is_dir() for path in root.iterdir()):
        shutil.rmtree(root, ignore_errors=True)  # and the lock files
    return before - _size(root), len(kept)


def _size(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file()) if root.exists() else 0
