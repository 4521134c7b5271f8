"""Loading an export: the order of the steps, from the files to one canonical model.

The crimes files are checked, read and made canonical (`helpers.extracts.canonical`), then
merged across the systems (`helpers.extracts.merge`); the person and charge files follow, here
or in a process of their own (`helpers.extracts.people_side`), and are given their crimes' IDs.
Then who is who is worked out, and every record read is accounted for: used or quarantined.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helpers.errors import ExtractError
from helpers.extracts.arrays import count_by_file, duplicated
from helpers.extracts.canonical import read_files
from helpers.extracts.merge import attach_crimes, crimes_of, merge_systems, with_set_aside
from helpers.extracts.model import CanonicalTables, Extract, to_pandas
from helpers.extracts.people import IndividualCounts, resolve_individuals
from helpers.extracts.people_side import PeopleSide, sink_name, start_people_side
from helpers.extracts.profile import chosen_sources
from helpers.extracts.quarantine import Quarantine
from helpers.extracts.side_work import side_refs, side_result
from helpers.extracts.sources import SourceDefinition, files_of
from helpers.extracts.stores import FolderSink, MemorySink, Sink


def load_extracts(
    directory: str | Path,
    sources: tuple[SourceDefinition, ...] | None = None,
    personal_data: bool = False,
    progress: Callable[[str], object] | None = None,
    sink: MemorySink | None = None,
) -> Extract:
    """Read every system's files into one canonical model.

    `personal_data=True` also reads names and dates of birth (the release gate needs them); by
    default they stay on disk. `progress` is called with each file's name as it is read. `sink`
    keeps each file's texts and personal data as soon as it is read (a new one by default).
    """
    sink = sink if sink is not None else MemorySink()
    sources = chosen_sources(sources)
    tables = read_canonical(directory, sources, personal_data, progress, sink=sink)
    return Extract(
        crimes=to_pandas(sink.crimes_table),
        charges=to_pandas(tables.charges),
        quarantine=tables.quarantine,
        data_quality=tables.data_quality,
        files=tables.files,
        directory=Path(directory),
        store=sink.store(tables.people),
        sources=sources,
        class_titles=tables.class_titles,
    )


def read_canonical(
    directory: str | Path,
    sources: tuple[SourceDefinition, ...] | None = None,
    personal_data: bool = False,
    progress: Callable[[str], object] | None = None,
    *,
    sink: Sink,
    people_apart: bool = False,
    side: PeopleSide | None = None,
) -> CanonicalTables:
    """The files read, checked, merged and reconciled into canonical Arrow tables; the crimes
    handed to `sink` (with each file's texts and personal data).

    The crimes files come first, and are merged; then the person and charge files are given their
    crimes' IDs. Each file's byte scan (SHA-256, encoding checks) runs in a thread ahead of its
    parse. `people_apart` (the cache build, whose sink writes to a folder): the person and charge
    files are read, and who is who worked out, in a process of their own while this one reads the
    crimes, and handed over as Arrow files in the sink's folder: both cores work, and neither
    process holds both halves' raw text. `side`: that process, already started on the sink's
    folder (the cache builder starts it before its own imports).
    """
    sources = chosen_sources(sources)
    directory = Path(directory)
    if not directory.is_dir():
        raise ExtractError(f"{directory}: extracts folder not found")
    book = Quarantine()
    crimes_files = files_of(sources, ("crimes",), Path(directory))
    other_files = files_of(sources, ("people", "charges"), Path(directory))
    if side is None and people_apart:
        side = _start_side(directory, sources, personal_data, sink)
    counts: IndividualCounts | None = None
    try:
        crimes_read = read_files(directory, crimes_files, personal_data, progress, sink, book)
        merged = merge_systems(pa.concat_tables(crimes_read.tables.pop("crimes")), sources, book)
        crimes_used = count_by_file(merged.crimes)
        sink.crimes(merged.crimes.drop_columns(["record"]))  # final: the cache writes them out now
        quality, superseded = merged.quality, merged.superseded_by_file
        ref_to_id = with_set_aside(merged.ref_to_id, crimes_read.raws)
        del merged  # the crimes are the sink's now
        looked_up = None
        if side is None:
            others_read = read_files(directory, other_files, personal_data, progress, sink, book)
            more = others_read.raws
            people = pa.concat_tables(others_read.tables["people"], promote_options="default")
            charges = pa.concat_tables(others_read.tables["charges"])
        else:
            # the crimes' IDs of the side's rows, looked up while it works out who is who
            refs = side_refs(side)
            looked_up = crimes_of(refs, ref_to_id) if refs is not None else None
            handed = side_result(side)
            people, charges, counts = handed.people, handed.charges, handed.result.counts
            more = handed.result.raws
            book.parts.extend(handed.result.quarantined)
            del handed  # the tables change below: the side's versions are not kept
    except BaseException:
        if side is not None:
            side.stop()
        raise
    raws = {**crimes_read.raws, **more}
    # in the sources' order
    raws = {
        spec.filename: raws[spec.filename]
        for _, spec in files_of(sources, ("crimes", "people", "charges"), Path(directory))
        if spec.filename in raws
    }

    all_people, all_charges = people.num_rows, charges.num_rows
    people, charges = attach_crimes([people, charges], ref_to_id, book, sources, looked_up)
    del ref_to_id

    if counts is None or people.num_rows != all_people or charges.num_rows != all_charges:
        # not worked out yet, or on rows since set aside (a row set aside links nobody): now
        people, charges = (
            t.drop_columns([c for c in ("individual_id",) if c in t.column_names])
            for t in (people, charges)
        )
        resolved = resolve_individuals(
            people["person_key"],
            people["legacy_person_key"],
            people["pnc_id"],
            charges["person_key"],
        )
        people = people.append_column("individual_id", resolved.of_people)
        charges = charges.append_column("individual_id", resolved.of_others)
        counts = resolved.counts
    else:  # worked out beside: the same columns, in the same order, as if done here
        people, charges = (
            t.select([c for c in t.column_names if c != "individual_id"] + ["individual_id"])
            for t in (people, charges)
        )
    # a charge laid before switch-over on a migrated crime was copied into the newer system
    charge_key = pc.binary_join_element_wise(
        charges["crime_id"],
        charges["individual_id"],
        charges["cjs_code"],
        pc.cast(charges["charge_date"], pa.string()),
        "|",
    )
    key, in_file = codes_of(charge_key), codes_of(charges["file"])
    in_file = key * (int(in_file.max(initial=0)) + 1) + in_file  # the key, in its file
    refs = codes_of(charges["charge_ref"])
    count_no = charge_counts(in_file, refs)
    if count_no.any():
        copied = duplicated(pa.array(key * (int(count_no.max()) + 1) + count_no))
    else:  # a key's one count: the key met before
        copied = met_before(key)
    # the same number twice in one file: one charge exported twice (no number: none is)
    repeated_in_file = np.zeros(len(key), dtype=bool)
    if (refs >= 0).any():
        repeated_in_file = duplicated(pa.array(in_file * (int(count_no.max()) + 1) + count_no))
    charges = charges.drop_columns(["charge_ref"]).append_column(
        "count_no", pa.array(count_no, pa.int32())
    )
    quality["charges_copied_across_systems"] = int((copied & ~repeated_in_file).sum())
    quality["charges_repeated_within_a_file"] = int(repeated_in_file.sum())
    quality["person_records"], quality["individuals"] = counts.person_records, counts.individuals
    quality["unreadable_pnc_ids"] = int(pc.sum(people["pnc_unreadable"]).as_py() or 0)
    quality["charged_without_person_record"] = counts.others_without_record

    quarantine = book.frame(raws, directory)
    rows_read = {name: raw.records_read for name, raw in raws.items()}
    rows_quarantined = {name: int((quarantine["file"] == name).sum()) for name in raws}
    used = crimes_used.add(count_by_file(people), fill_value=0).add(
        count_by_file(charges), fill_value=0
    )
    rows_used = {name: int(used.get(name, 0)) + int(superseded.get(name, 0)) for name in raws}
    for name in raws:  # every record read is either used or quarantined
        if rows_read[name] != rows_used[name] + rows_quarantined[name]:
            raise AssertionError(
                f"{name}: {rows_read[name]} read != {rows_used[name]} used "
                f"+ {rows_quarantined[name]} quarantined"
            )

    return CanonicalTables(
        charges=charges.filter(pa.array(~copied)).drop_columns(["record"]),
        people=people.drop_columns(["record", "pnc_unreadable"]),
        quarantine=quarantine,
        data_quality={
            "rows_read": rows_read,
            "rows_used": rows_used,
            "rows_quarantined": rows_quarantined,
            **quality,
        },
        files={
            name: {
                "system": raw.system,
                "size": raw.size,
                "sha256": raw.sha256,
                "records": raw.records_read,
            }
            for name, raw in raws.items()
        },
        class_titles=joined_class_titles(raw.class_titles for raw in crimes_read.raws.values()),
    )


def codes_of(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Each value's number, numbered in the order first met (equal values, equal numbers; a
    null -1), as int64: one array's dictionary encoding numbers its values so."""
    whole = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    encoded = pc.dictionary_encode(whole)
    return pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64)


def met_before(codes: np.ndarray) -> np.ndarray:
    """True for every row whose value (`codes_of`) an earlier row has: numbered in the order
    first met, a value is new exactly where its number passes every number before it."""
    before = np.maximum.accumulate(np.r_[-1, codes[:-1]]) if len(codes) else codes
    return (codes >= 0) & (codes <= before)


def charge_counts(in_file: np.ndarray, charge_ref: np.ndarray) -> np.ndarray:
    """Each charge's count among the charges of one person, code and day on one crime in one file
    (`in_file`, numbered): 0, 1, 2, ... in the file's order, each row a charge (the data
    contract: one row per charge). A system that numbers its charges (`charge_ref`, numbered; -1
    for none) tells its counts apart: a row of a number met already there is the same charge
    exported twice, and takes its count. A copy in another system's file is then the charge of
    the same count there."""
    count_no = np.zeros(len(in_file), dtype=np.int64)
    # only a key met twice in a file has a second count (most keys are met once: found in O(n))
    shared = np.flatnonzero(np.bincount(in_file)[in_file] > 1) if len(in_file) else in_file
    if not len(shared):
        return count_no
    in_file, charge_ref = in_file[shared], charge_ref[shared]
    rows = np.arange(len(shared), dtype=np.int64)
    if (charge_ref < 0).all():  # no number: every row a charge, counted in the file's order
        first, inverse = rows, rows
    else:  # a row with no number stands for a number of its own
        own = np.where(charge_ref >= 0, charge_ref, charge_ref.max() + 1 + rows)
        charge = in_file * (int(own.max()) + 1) + own
        _, first, inverse = np.unique(charge, return_index=True, return_inverse=True)
    # the charges of each key in the order first met, numbered from 0 within the key
    key_of = in_file[first]
    order = np.lexsort((first, key_of))
    ordered = key_of[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    place = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    count_of = np.empty_like(place)
    count_of[order] = place
    count_no[shared] = count_of[inverse.reshape(-1)]
    return count_no


def joined_class_titles(
    of_files: Iterable[dict[str, dict[str, int]]],
) -> dict[str, dict[str, int]]:
    """The class titles of every crimes file, their rows added up, classes sorted."""
    joined: dict[str, Counter[str]] = {}
    for titles in of_files:
        for code, counted in titles.items():
            joined.setdefault(code, Counter()).update(counted)
    return {code: dict(joined[code]) for code in sorted(joined)}


def _start_side(
    directory: Path, sources: tuple[SourceDefinition, ...], personal_data: bool, sink: Sink
) -> PeopleSide:
    """The person side, started on the sink's folder, writing through a sink of its kind."""
    if not isinstance(sink, FolderSink):
        raise TypeError(f"reading the person files apart needs a sink with a folder, not {sink!r}")
    return start_people_side(directory, sources, personal_data, sink.folder, sink_name(type(sink)))
