"""The extract cache: an export's canonical model in Parquet, built once, read in a blink.

The first run on a set of extract files reads and checks the six CSV files (seconds for a
million crimes) and writes what it made of them here; later runs on the same files read the
Parquet files instead (tenths of a second), including the files' SHA-256 hashes for the manifest.

- Where: `$FOI_CACHE_DIR`, else `.cache/extracts/` in the project (git-ignored). The cache holds
  personal data: it is as restricted as the extracts themselves (folders are created 0700).
- Key: each file's name, size, modification and change times, the source definitions, this module's
  format version and a hash of the code that reads the files. A changed file gives a new key, and the old entry for that folder is removed.
- Safe when two runs build it at once: a lock file serialises the builders, and each entry is
  written to a temporary folder and renamed into place, so a reader never sees half an entry.
- `foi-briefing cache clear` removes it all.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helpers.extracts import Extract, ExtractError, as_arrow, load_extracts, to_pandas
from helpers.sources import FORCE_SOURCES, SourceDefinition

#: bump when what is stored changes, so old entries are never read by new code
CACHE_FORMAT = 2


def cache_root() -> Path:
    from helpers.parameters import project_root

    return Path(os.environ.get("FOI_CACHE_DIR") or project_root() / ".cache" / "extracts")


def _signature(directory: Path, sources: tuple[SourceDefinition, ...]) -> list:
    entries = []
    for source in sources:
        for spec in source.files:
            path = directory / spec.filename
            if not path.is_file():
                raise ExtractError(f"{spec.filename}: file not found in {directory}")
            stat = path.stat()
            # ctime too: a copy that keeps the modification time (cp -p, rsync -t) still changes it
            entries.append([spec.filename, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns])
    return entries


def _code_fingerprint() -> str:
    """The loading code's own hash: a fix to how extracts are read makes a new entry by itself."""
    from helpers import codes, extracts, people, sources

    digest = hashlib.sha256()
    for module in (codes, extracts, people, sources):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def entry_name(directory: Path, sources: tuple[SourceDefinition, ...] = FORCE_SOURCES) -> str:
    """`<folder hash>-<contents hash>`: one entry per extracts folder, state of its files and
    version of the code that reads them."""
    folder = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
    state = json.dumps([CACHE_FORMAT, _code_fingerprint(), repr(sources), _signature(directory, sources)])
    return f"{folder}-{hashlib.sha256(state.encode()).hexdigest()[:16]}"


PARQUET = {"compression": "zstd", "row_group_size": 128 * 1024}


class ParquetSink:
    """Writes each file's texts and personal data to the entry as soon as the file is read, so
    they never pile up in memory while the rest of the extract is loaded."""

    def __init__(self, folder: Path):
        self.folder = folder

    def texts(self, file: str, table: pa.Table) -> None:
        pq.write_table(table, self.folder / f"texts-{file}.parquet", **PARQUET)

    def personal(self, file: str, table: pa.Table) -> None:
        pq.write_table(table, self.folder / f"personal-{file}.parquet", **PARQUET)

    def store(self, people: pa.Table) -> "ParquetStore":
        pq.write_table(people, self.folder / "people.parquet", **PARQUET)
        return ParquetStore(self.folder)


class ParquetStore:
    """People, personal data and texts of a cached extract, read from Parquet when asked for."""

    def __init__(self, folder: Path):
        self.folder = folder

    def people(self, columns: list[str] | None = None) -> pa.Table:
        available = pq.read_schema(self.folder / "people.parquet").names
        return pq.read_table(self.folder / "people.parquet", columns=[c for c in columns if c in available] if columns else None)

    def personal(self) -> pa.Table | None:
        files = sorted(self.folder.glob("personal-*.parquet"))
        return pa.concat_tables([pq.read_table(f) for f in files], promote_options="default") if files else None

    def texts(self, crime_ids=None) -> pa.Table:
        files = sorted(self.folder.glob("texts-*.parquet"))
        if not files:  # no crimes file had a row to keep
            return pa.table({"crime_id": pa.array([], pa.string()), "circumstances": pa.array([], pa.string())})
        if crime_ids is None:
            return pa.concat_tables([pq.read_table(f) for f in files])
        wanted = as_arrow(crime_ids, unique=True)
        return pa.concat_tables([self._texts_of(f, wanted) for f in files])

    @staticmethod
    def _texts_of(path: Path, wanted: pa.Array) -> pa.Table:
        """The wanted crimes' texts in one file, reading only the row groups that hold them."""
        file = pq.ParquetFile(path)
        rows = pc.indices_nonzero(pc.is_in(file.read(columns=["crime_id"])["crime_id"], value_set=wanted)).to_numpy()
        if not len(rows):
            return file.schema_arrow.empty_table()
        sizes = [file.metadata.row_group(group).num_rows for group in range(file.num_row_groups)]
        groups = np.unique(np.searchsorted(np.cumsum(sizes), rows, side="right"))
        table = file.read_row_groups([int(group) for group in groups])
        return table.filter(pc.is_in(table["crime_id"], value_set=wanted))


def _write(folder: Path, extract: Extract) -> None:
    """The rest of the entry, once the extract is loaded: crimes, charges, quarantine, meta."""
    pq.write_table(pa.Table.from_pandas(extract.crimes, preserve_index=False), folder / "crimes.parquet", **PARQUET)
    pq.write_table(pa.Table.from_pandas(extract.charges, preserve_index=False), folder / "charges.parquet", **PARQUET)
    pq.write_table(pa.Table.from_pandas(extract.quarantine, preserve_index=False), folder / "quarantine.parquet", **PARQUET)
    meta = {"format": CACHE_FORMAT, "directory": str(extract.directory), "data_quality": extract.data_quality, "files": extract.files}
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def _read(folder: Path, directory: Path) -> Extract:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return Extract(
        crimes=to_pandas(pq.read_table(folder / "crimes.parquet")),
        charges=to_pandas(pq.read_table(folder / "charges.parquet")),
        quarantine=to_pandas(pq.read_table(folder / "quarantine.parquet")),
        data_quality=meta["data_quality"],
        files=meta["files"],
        directory=directory,
        store=ParquetStore(folder),
    )


@contextmanager
def _locked(root: Path, name: str):
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def is_built(directory: str | Path, sources: tuple[SourceDefinition, ...] = FORCE_SOURCES) -> bool:
    return (cache_root() / entry_name(Path(directory), sources) / "meta.json").is_file()


def open_extract(directory: str | Path, sources: tuple[SourceDefinition, ...] = FORCE_SOURCES, progress=None) -> Extract:
    """The extract of `directory`, from the cache, building the cache entry first if need be."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ExtractError(f"{directory}: extracts folder not found")
    root, name = cache_root(), entry_name(directory, sources)
    folder = root / name
    if not (folder / "meta.json").is_file():
        with _locked(root, name.split("-")[0]):
            if not (folder / "meta.json").is_file():  # another run may have built it meanwhile
                build(directory, sources, root, name, progress)
    return _read(folder, directory)


def build(directory: Path, sources: tuple[SourceDefinition, ...], root: Path, name: str, progress=None) -> None:
    """Read the CSV files and write the entry: to a temporary folder first, then renamed."""
    staging = root / f".{name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    try:
        extract = load_extracts(directory, sources, personal_data=True, progress=progress, sink=ParquetSink(staging))
        _write(staging, extract)
        del extract
        os.rename(staging, root / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for old in root.glob(f"{name.split('-')[0]}-*"):  # earlier states of the same folder's files
        if old.name != name and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def clear() -> int:
    """Remove every cache entry; return the number of bytes freed."""
    root = cache_root()
    if not root.exists():
        return 0
    size = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    shutil.rmtree(root)
    return size
