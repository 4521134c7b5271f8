"""What the person-and-charge side process does, and what its parent reads of it.

The side (`main`, started by `helpers.extracts.people_side.start_people_side`) checks, reads and
makes canonical the person and charge files, leaves their rows' crime references (`side_refs`),
works out who is who on every row, and leaves the two tables as Arrow files in the folder,
mapped, not copied, by the parent (`side_result`). pandas is hidden from it (`_WithoutPandas`).
"""

from __future__ import annotations

import importlib
import os
import pickle
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from helpers.errors import ExtractError
from helpers.extracts.canonical import read_files
from helpers.extracts.people import IndividualCounts, resolve_individuals
from helpers.extracts.people_side import (
    SIDE_REFS,
    SIDE_RESULT,
    SIDE_TABLES,
    SIDE_TASK,
    PeopleSide,
    SideTask,
)
from helpers.extracts.quarantine import Quarantine
from helpers.extracts.read import RawFile
from helpers.extracts.sources import SourceDefinition, files_of
from helpers.extracts.stores import MemorySink, Sink


@dataclass
class SideResult:
    """What the side hands back, pickled (its two tables are Arrow files beside it)."""

    raws: dict[str, RawFile]  # its files', their rows dropped
    counts: IndividualCounts
    quarantined: list[dict]  # the rows it set aside (`Quarantine.parts`)


@dataclass
class SideTables:
    """The side's result in the parent, with its two tables mapped."""

    people: pa.Table
    charges: pa.Table
    result: SideResult


class _WithoutPandas:
    """An import finder that says pandas is not there. The person side makes no frames, but
    pyarrow imports pandas (slow, at the start of the build's longest path) the first time a
    compute function is given a plain value, only to ask whether it is a pandas one; told there
    is no pandas, it converts the value itself. Code here that did need pandas would fail loudly
    (ModuleNotFoundError), in every test that builds a cache.

    Written for pyarrow 26.0.1 (pandas 3.1.1, Python 3.11): pyarrow's pandas shim
    (`pandas-shim.pxi`, `_PandasAPIShim._import_pandas`) catches the ImportError and goes on
    without pandas. tests/test_architecture.py fails if it stops doing so."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: object = None) -> None:
        if fullname == "pandas" or fullname.startswith("pandas."):
            raise ModuleNotFoundError(
                f"{fullname}: not imported in the person side process", name=fullname
            )
        return None


def main(folder: str) -> None:
    """The side process: run the task, leave its result (or the error it met) for the parent."""
    sys.meta_path.insert(0, _WithoutPandas())
    task: SideTask = pickle.loads((Path(folder) / SIDE_TASK).read_bytes())
    try:
        module, _, name = task.sink.partition(":")
        sink = getattr(importlib.import_module(module), name)(task.folder)
        side = _people_side(task.directory, task.sources, task.personal_data, task.folder, sink)
        result: tuple[str, object] = ("ok", side)
    except ExtractError as error:  # the user's file: the parent names it, in its one line
        result = ("extract", str(error))
    (Path(folder) / SIDE_RESULT).write_bytes(pickle.dumps(result))


def _people_side(
    directory: Path,
    sources: tuple[SourceDefinition, ...],
    personal_data: bool,
    folder: Path,
    sink: Sink | None = None,
) -> SideResult:
    """In its own process: the person and charge files checked, read and made canonical (their
    personal data handed to `sink`: the parent's kind of sink on `folder`; by default kept in
    memory), who is who worked out on every row, and the two tables left in `folder` as Arrow
    files (mapped, not copied, by the other side)."""
    book = Quarantine()
    sink = sink if sink is not None else MemorySink()
    files = files_of(sources, ("people", "charges"), directory)
    try:
        read = read_files(directory, files, personal_data, None, sink, book)
    finally:
        sink.wait()
    people = pa.concat_tables(read.tables["people"], promote_options="default")
    charges = pa.concat_tables(read.tables["charges"])
    refs = pa.table(
        {
            "crime_ref": pa.chunked_array(
                [*people["crime_ref"].chunks, *charges["crime_ref"].chunks], pa.string()
            )
        }
    )
    part = Path(folder) / (SIDE_REFS + ".part")
    with pa.OSFile(str(part), "wb") as handle, pa.ipc.new_file(handle, refs.schema) as writer:
        writer.write_table(refs)
    os.replace(part, Path(folder) / SIDE_REFS)  # whole, or not there
    who = resolve_individuals(
        people["person_key"], people["legacy_person_key"], people["pnc_id"], charges["person_key"]
    )
    for table, extra, name in (
        (people, who.of_people, SIDE_TABLES[0]),
        (charges, who.of_others, SIDE_TABLES[1]),
    ):
        # one dictionary per column, as IPC files want
        table = table.append_column("individual_id", extra).unify_dictionaries()
        with (
            pa.OSFile(str(Path(folder) / name), "wb") as handle,
            pa.ipc.new_file(handle, table.schema) as writer,
        ):
            writer.write_table(table)
    return SideResult(read.raws, who.counts, book.parts)


def side_refs(side: PeopleSide) -> pa.ChunkedArray | None:
    """The side's person then charge rows' crime references, once it has left them (mapped);
    None if it ended without (its result, or its error, says why)."""
    path = side.folder / SIDE_REFS
    while not path.is_file():
        if side.process.poll() is not None and not path.is_file():
            return None
        time.sleep(0.005)
    return pa.ipc.open_file(pa.memory_map(str(path))).read_all()["crime_ref"]


def side_result(side: PeopleSide) -> SideTables:
    """What `_people_side` made: its files' RawFiles, the two tables (mapped), who is who, and
    the rows it set aside. Its error, if it met one, raised here."""
    _, stderr = side.process.communicate()
    result_file = side.folder / SIDE_RESULT
    if side.process.returncode != 0 or not result_file.is_file():
        last = (stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:]
        message = last[0] if last else f"exit code {side.process.returncode}"
        raise RuntimeError(f"reading the person and charge files failed: {message}")
    kind, value = pickle.loads(result_file.read_bytes())
    if kind == "extract":
        raise ExtractError(value)
    people, charges = (
        pa.ipc.open_file(pa.memory_map(str(side.folder / name))).read_all() for name in SIDE_TABLES
    )
    # mapped: the data stays readable once the name is gone
    for name in (*SIDE_TABLES, SIDE_TASK, SIDE_RESULT, SIDE_REFS):
        (side.folder / name).unlink()
    return SideTables(people, charges, value)
