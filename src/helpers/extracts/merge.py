"""One model across the systems: migrated crimes merged, person and charge rows given their crime.

A crime migrated from a legacy system to its successor (the system that took it over) is one crime,
in its newer copy's current state, with its original recorded date. Every crime reference in the
files (a superseded legacy one too) then names a crime ID, and each person and charge row is given
its crime's ID, or quarantined if its crime is in no file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helpers.extracts.arrays import (
    as_arrow,
    count_by_file,
    duplicated,
    isin,
    kept_rows,
    lookup,
    null_mask,
)
from helpers.extracts.quarantine import Quarantine
from helpers.extracts.read import RawFile
from helpers.extracts.sources import SourceDefinition, file_of


@dataclass
class Merged:
    """The crimes merged across the systems (`merge_systems`)."""

    crimes: pa.Table  # one row per crime, its ID its newest system's reference
    # ref -> crime_id, crime_row (in `crimes`, -1 for none): every crime reference in the files
    # (superseded too)
    ref_to_id: pa.Table
    quality: dict[str, int]  # counts for the data-quality section
    superseded_by_file: dict[str, int]  # legacy rows superseded by their newer copy, by file


@dataclass(frozen=True)
class Migration:
    """Each crime row's part in a migration between systems: masks over the rows."""

    key: pa.ChunkedArray  # the row's own crime: `system|reference`
    copy_key: pa.ChunkedArray  # the legacy crime it is a copy of: `legacy system|legacy ref`
    copies: np.ndarray  # a newer system's copy of a legacy crime (the first copy of it)
    twice: np.ndarray  # a further copy of a legacy crime that another row copies already
    superseded: np.ndarray  # a legacy row that a newer copy carries on
    marked: np.ndarray  # marked migrated by its own system
    orphan: np.ndarray  # marked migrated, but no newer crime names it as its legacy crime


def migration_of(crimes: pa.Table, sources: tuple[SourceDefinition, ...]) -> Migration:
    """Which rows are copies of which: a newer system's crime names its legacy crime (its
    `legacy_ref`) in the system its source definition took crimes over from."""
    legacy_of = {source.system: source.legacy_system for source in sources}
    system = pc.cast(crimes["system"], pa.string())
    key = pc.binary_join_element_wise(system, crimes["crime_ref"], "|")
    has_legacy = pc.is_valid(crimes["legacy_ref"]).to_numpy(zero_copy_only=False)
    legacy_system = pc.take(
        pa.array(list(legacy_of.values()), pa.string()),
        pc.index_in(system, value_set=pa.array(list(legacy_of), pa.string())),
    )
    copy_key = pc.binary_join_element_wise(legacy_system, crimes["legacy_ref"], "|")
    twice = has_legacy & duplicated(copy_key)  # the first copy stands
    copies = has_legacy & ~twice
    superseded = isin(key, copy_key.filter(pa.array(copies)))
    marked = pc.equal(crimes["state"], "migrated").to_numpy(zero_copy_only=False)
    return Migration(key, copy_key, copies, twice, superseded, marked, marked & ~superseded)


def counted(migration: Migration, undated: np.ndarray) -> np.ndarray:
    """The crime rows counted, each crime once: a migrated crime counts as its newer copy and
    never as its legacy row, whatever either is marked. Not counted (and quarantined, with the
    reason, by `merge_systems`): a row marked migrated that no newer crime copies, a second copy
    of one legacy crime, and a copy with no recorded date to go by (`undated`)."""
    return ~migration.superseded & ~migration.orphan & ~migration.twice & ~undated


def merge_systems(
    crimes: pa.Table, sources: tuple[SourceDefinition, ...], book: Quarantine
) -> Merged:
    """Make a migrated crime one crime: its newer copy's state, its original recorded date.

    Returns the crimes (one row per crime), a table mapping every crime reference in the files
    (the superseded legacy ones too) to the crime's ID, and counts for the data-quality section.
    """
    migration = migration_of(crimes, sources)
    twice = "legacy crime migrated twice (another crime has the same legacy reference)"
    _set_aside(book, crimes, migration.twice, sources, "legacy_ref", None, twice)
    system = pc.cast(crimes["system"], pa.string())

    def orphan(rows: np.ndarray) -> str:
        legacy = system[int(rows[0])].as_py()
        newer = "/".join(s.system for s in sources if s.legacy_system == legacy) or "newer"
        return f"marked migrated but no {newer} crime names it as its legacy crime"

    _set_aside(book, crimes, migration.orphan, sources, "status", "MIGRATED", orphan)
    crimes, undated, dated_from_legacy = _dated_from_legacy(crimes, migration)
    no_date = (
        "migrated crime without its original recorded date (and no legacy row to take it from)"
    )
    _set_aside(book, crimes, undated, sources, "original_recorded_at", "", no_date)
    superseded = migration.superseded
    superseded_rows = pa.array(np.flatnonzero(superseded))
    newest = _newest_copy(migration)[superseded]
    successor = crimes["crime_ref"].take(pa.array(newest))
    kept = counted(migration, undated)
    # each row's row in the merged crimes (-1: not one of them): a person or charge row keeps its
    # crime's row, so a count finds a crime's people by number, not by hashing its ID
    merged_row = np.where(kept, np.cumsum(kept) - 1, -1).astype(np.int32)
    # every reference read names a crime: the live ones themselves, a superseded one its copy, and
    # one set aside here itself (its charges and people are still charges and people)
    own = crimes["crime_ref"].filter(pa.array(~superseded)).combine_chunks()
    ref_to_id = pa.table(
        {
            "ref": pa.chunked_array(
                [own, crimes["crime_ref"].take(superseded_rows).combine_chunks()]
            ),
            "crime_id": pa.chunked_array([own, successor]),
            "crime_row": pa.chunked_array(
                [pa.array(merged_row[~superseded]), pa.array(merged_row[newest])]
            ),
        }
    )
    quality = {
        "migrated_crimes": int(superseded.sum()),
        "migrated_crimes_not_marked_migrated": int((superseded & ~migration.marked).sum()),
        # each superseded row has exactly one copy; the other copies name a crime not in the file
        "migrated_crimes_without_legacy_row": int(migration.copies.sum() - superseded.sum()),
        "migrated_crimes_dated_from_legacy_row": dated_from_legacy,
    }
    superseded_by_file = {
        str(file): int(rows)
        for file, rows in count_by_file(
            pa.table({"file": crimes["file"].filter(pa.array(superseded))})
        ).items()
    }
    merged = kept_rows(crimes, kept)
    quality["committed_dates_unreadable"] = int(pc.sum(merged["committed_unreadable"]).as_py() or 0)
    merged = merged.drop_columns(["original_given", "committed_unreadable"])
    merged = merged.rename_columns(
        ["crime_id" if c == "crime_ref" else c for c in merged.column_names]
    )
    merged = merged.append_column("cancelled", pc.equal(merged["state"], "cancelled")).drop_columns(
        ["state"]
    )
    return Merged(merged, ref_to_id, quality, superseded_by_file)


def _newest_copy(migration: Migration) -> np.ndarray:
    """Each row's newest copy, as a row number (its own where it has none): a crime migrated
    twice (from a first system to a second, then a third) is its third system's crime."""
    copy_rows = np.flatnonzero(migration.copies)
    superseded_rows = np.flatnonzero(migration.superseded)
    newest = np.arange(len(migration.copies))
    newest[superseded_rows] = lookup(
        migration.key.take(pa.array(superseded_rows)),
        migration.copy_key.take(pa.array(copy_rows)),
        pa.array(copy_rows),
    ).to_numpy(zero_copy_only=False)
    while not np.array_equal(newest[newest], newest):  # a copy that was copied again
        newest = newest[newest]
    return newest


def _dated_from_legacy(crimes: pa.Table, migration: Migration) -> tuple[pa.Table, np.ndarray, int]:
    """A copy without its original recorded date takes its legacy row's (the newer system's own
    date is the migration run's). Returns the crimes so dated, the copies with neither date (the
    year they count in is unknown), and how many were dated from their legacy row."""
    undated = migration.copies & ~crimes["original_given"].to_numpy(zero_copy_only=False)
    undated_rows = np.flatnonzero(undated)  # few, usually none: only they are looked up
    without_date = np.zeros(len(undated), dtype=bool)
    if not len(undated_rows):  # else the superseded rows' keys need no hashing
        return crimes, without_date, 0
    superseded_rows = pa.array(np.flatnonzero(migration.superseded))
    legacy_date = lookup(
        migration.copy_key.take(undated_rows),
        migration.key.take(superseded_rows),
        crimes["recorded_at"].take(superseded_rows),
    )
    found = ~null_mask(legacy_date)
    without_date[undated_rows[~found]] = True
    if found.any():
        dated = np.zeros(len(undated), dtype=bool)
        dated[undated_rows[found]] = True
        recorded_at = pc.replace_with_mask(
            crimes["recorded_at"].combine_chunks(),
            pa.array(dated),
            legacy_date.filter(pa.array(found)),
        )
        crimes = crimes.set_column(
            crimes.schema.get_field_index("recorded_at"), "recorded_at", recorded_at
        )
    return crimes, without_date, int(found.sum())


def _set_aside(
    book: Quarantine,
    table: pa.Table,
    mask: np.ndarray,
    sources: tuple[SourceDefinition, ...],
    field_name: str,
    shown: str | None,
    reason: str | Callable[[np.ndarray], str],
) -> None:
    """Quarantine the rows of `table` where `mask` holds, file by file: the column of
    `field_name`, its value (or `shown` in its place), and why (`reason`, or `reason(rows)`)."""
    for file, rows in _by_file(table, mask):
        taken = pa.array(rows)
        book.add(
            file,
            table["record"].take(taken).to_numpy(),
            _column_name(sources, file, field_name),
            table[field_name].take(taken) if shown is None else [shown] * len(rows),
            reason if isinstance(reason, str) else reason(rows),
        )


def _column_name(sources: tuple[SourceDefinition, ...], file: str, field_name: str) -> str:
    for source in sources:
        for spec in source.files:
            if file_of(spec, file):
                return spec.columns.get(field_name, field_name)
    return field_name


def with_set_aside(ref_to_id: pa.Table, raws: dict[str, RawFile]) -> pa.Table:
    """`ref_to_id` and the references of crime rows set aside, each its own ID: a crime row set
    aside still names a crime, so its charges and people are not orphans."""
    set_aside = pa.concat_arrays(
        [raw.set_aside_refs for raw in raws.values() if raw.set_aside_refs is not None]
        or [pa.array([], pa.string())]
    )
    if len(set_aside):  # usually none: then the million references need no hashing here
        set_aside = pc.unique(
            pc.filter(
                set_aside,
                pc.invert(pc.is_in(set_aside, value_set=ref_to_id["ref"].combine_chunks())),
            )
        )
    none = pa.array(np.full(len(set_aside), -1, dtype=np.int32))
    return pa.concat_tables(
        [ref_to_id, pa.table({"ref": set_aside, "crime_id": set_aside, "crime_row": none})]
    )


def crimes_of(refs: pa.ChunkedArray, ref_to_id: pa.Table) -> pa.Table:
    """The crime each crime reference names: its crime_id (null: no crime has it) and crime_row
    (-1: not among the merged crimes). The million references are hashed once for all the
    references given."""
    at = pc.index_in(refs, value_set=as_arrow(ref_to_id["ref"]))
    return pa.table(
        {
            "crime_id": pc.take(as_arrow(ref_to_id["crime_id"]), at),
            "crime_row": pc.fill_null(pc.take(as_arrow(ref_to_id["crime_row"]), at), -1),
        }
    )


def attach_crimes(
    tables: list[pa.Table],
    ref_to_id: pa.Table,
    book: Quarantine,
    sources: tuple[SourceDefinition, ...],
    looked_up: pa.Table | None = None,
) -> list[pa.Table]:
    """Give person or charge rows their crime's ID and row (`crimes_of`); quarantine rows whose
    crime is in no file.

    All the tables' references are looked up at once; `looked_up`: that look-up, done already,
    for the tables' rows in order."""
    if looked_up is None:
        looked_up = crimes_of(
            pa.chunked_array(
                [chunk for table in tables for chunk in table["crime_ref"].chunks], pa.string()
            ),
            ref_to_id,
        )
    if looked_up.num_rows != sum(table.num_rows for table in tables):
        raise AssertionError(
            f"{looked_up.num_rows} crime IDs for {sum(table.num_rows for table in tables)} rows"
        )
    attached, start = [], 0
    for rows in tables:
        crime = looked_up.slice(start, rows.num_rows)
        start += rows.num_rows
        missing = null_mask(crime["crime_id"])
        _set_aside(
            book, rows, missing, sources, "crime_ref", None, "crime not found in any crimes file"
        )
        rows = rows.append_column("crime_id", crime["crime_id"])
        rows = rows.append_column("crime_row", crime["crime_row"]).drop_columns(["crime_ref"])
        attached.append(kept_rows(rows, ~missing))
    return attached


def _by_file(table: pa.Table, mask: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(file name, row numbers) for the rows where `mask` holds."""
    rows = np.flatnonzero(mask)
    if not len(rows):
        return []
    files = table["file"].take(pa.array(rows)).to_numpy(zero_copy_only=False)
    _, first = np.unique(files, return_index=True)  # the files in order of their first row here
    return [(name, rows[files == name]) for name in files[np.sort(first)]]
