"""From a system's rows to canonical rows: each file checked, read and made canonical in turn.

Each system is read through its source definition (`helpers.extracts.sources`): nothing here
branches on a system. A row that cannot be used (an impossible date, a code that is not a Home
Office code, a duplicated reference, ...) is quarantined under the first check it fails. The
circumstances texts and personal data go to the sink as each file is read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helpers.errors import ExtractError
from helpers.extracts import codes
from helpers.extracts.arrays import duplicated, kept_rows, null_mask
from helpers.extracts.ho_classes import TITLE_CHARACTERS
from helpers.extracts.quarantine import Quarantine
from helpers.extracts.read import RawFile, read_file
from helpers.extracts.scan import scan_file
from helpers.extracts.sources import PERSONAL_FIELDS, FileSpec, SourceDefinition
from helpers.extracts.stores import Sink
from helpers.extracts.transcode import forget_copies, is_wide


@dataclass
class ReadFiles:
    """Files read and made canonical: each file's `RawFile` (its rows dropped), by name, and
    each table's canonical rows, a table per file."""

    raws: dict[str, RawFile]
    tables: dict[str, list[pa.Table]]


def read_files(
    directory: Path,
    files: Sequence[tuple[SourceDefinition, FileSpec]],
    personal_data: bool,
    progress: Callable[[str], object] | None,
    sink: Sink,
    book: Quarantine,
) -> ReadFiles:
    """Check, read and make canonical `files` ((source, spec) pairs) in order, each file's byte
    scan in a thread ahead of its parse: hashing and Arrow's parsing work outside Python's lock."""
    canonical = {
        "crimes": canonical_crimes,
        "people": canonical_people,
        "charges": canonical_charges,
    }
    raws: dict[str, RawFile] = {}
    tables: dict[str, list[pa.Table]] = {"crimes": [], "people": [], "charges": []}
    headers: dict[str, tuple[str, list[str]]] = {}  # a pattern -> its first file and header
    kept: dict[str, pa.Array] = {}  # a crimes pattern -> the references its files kept so far
    scanner = ThreadPoolExecutor(1)
    try:
        scans = {
            spec.filename: scanner.submit(scan_file, Path(directory) / spec.filename, source)
            for source, spec in files
        }
        for source, spec in files:
            if progress:
                progress(spec.filename)
            if (
                spec.table == "crimes"
            ):  # one crimes file's texts written before the next is read: less at once
                sink.settle()
            fields = list(spec.columns) if personal_data and spec.table == "people" else None
            raw = read_file(directory, source, spec, fields, scan=scans[spec.filename])
            check_same_header(raw, spec, headers)
            if spec.table == "crimes" and spec.pattern is not None:
                earlier = kept.get(spec.pattern)
                table = canonical_crimes(raw, source, book, sink, earlier)
                refs = table["crime_ref"].combine_chunks()
                kept[spec.pattern] = refs if earlier is None else pa.concat_arrays([earlier, refs])
            else:
                table = canonical[spec.table](raw, source, book, sink)
            tables[spec.table].append(table)
            raw.data = raw.data.slice(0, 0)  # the canonical rows are all that is needed now
            raws[raw.name] = raw
    finally:
        scanner.shutdown(
            wait=False, cancel_futures=True
        )  # after a failure, the other scans are moot
        if any(is_wide(source.encoding) for source, _ in files):
            # a scan still converting a UTF-16 file would leave its copy behind: it ends first
            scanner.shutdown(wait=True)
            forget_copies()  # UTF-16 files' UTF-8 copies: the read is done
    return ReadFiles(raws, tables)


def check_same_header(
    raw: RawFile, spec: FileSpec, headers: dict[str, tuple[str, list[str]]]
) -> None:
    """The files a pattern matches are one table: each has the first one's header, or the run
    stops naming the one that differs."""
    if spec.pattern is None:
        return
    first, header = headers.setdefault(spec.pattern, (raw.name, raw.header))
    if raw.header != header:
        raise ExtractError(
            f"{raw.name}: its header is not {first}'s (the files matching {spec.pattern} are read "
            "as one table, so each must have the same columns in the same order)"
        )


def committed_dates(values: codes.Strings, source: SourceDefinition) -> pa.Array:
    """The day each offence was committed (or began), read with the system's `datetime_formats`,
    then its `date_format`: a value none reads is left empty, never a reason to set the crime
    aside (counted in the data quality figures, and a run's warnings)."""
    return codes.parse_datetimes(values, (*source.datetime_formats, source.date_format))


def canonical_crimes(
    raw: RawFile,
    source: SourceDefinition,
    book: Quarantine,
    sink: Sink,
    earlier: pa.Array | None = None,
) -> pa.Table:
    """One system's crimes: reference, dates, classification, state, outcome. `earlier`: the
    references kept from the files before this one that the same pattern matched (one table).

    The circumstances texts (most of the file's bytes) go straight to the sink, by reference."""
    ref = codes.as_text(_column(raw, "crime_ref"))
    recorded = codes.parse_datetimes(_column(raw, "recorded_at"), source.datetime_formats)
    original = codes.parse_datetimes(_column(raw, "original_recorded_at"), source.datetime_formats)
    committed = committed_dates(_column(raw, "committed_at"), source)
    ho_class = codes.normalise_ho_class(_column(raw, "ho_class"), source.ho_class_pattern)
    given_outcome = codes.without_pending(_column(raw, "outcome"), source.pending_values)
    outcome = codes.parse_outcome(given_outcome, source.outcome_pattern)
    state = _status_state(_column(raw, "status"), source)
    unreadable_date = "not a date-time (impossible or unreadable date)"
    keep = book.first_failures(
        raw,
        source.crimes,
        [
            (null_mask(ref), "crime_ref", "no crime reference"),
            (duplicated(ref) | in_earlier(ref, earlier), "crime_ref", "duplicated crime reference"),
            (null_mask(recorded), "recorded_at", unreadable_date),
            (
                codes.invalid(_column(raw, "original_recorded_at"), original),
                "original_recorded_at",
                unreadable_date,
            ),
            (null_mask(ho_class), "ho_class", "not a Home Office classification"),
            (
                codes.invalid(given_outcome, outcome),
                "outcome",
                "not a Home Office outcome type (1-22)",
            ),
            (null_mask(state), "status", "unknown crime status"),
        ],
    )
    table = pa.table(
        {
            "crime_ref": ref,
            "system": _constant(source.system, raw.data.num_rows),
            "legacy_ref": codes.as_text(_column(raw, "legacy_ref")),
            "recorded_at": pc.coalesce(original, recorded),
            "original_given": pc.is_valid(original),
            "committed_at": committed,
            "committed_unreadable": pa.array(
                codes.invalid(_column(raw, "committed_at"), committed)
            ),
            "ho_class": ho_class,
            "state": state,
            "outcome": outcome,
            "file": _constant(raw.name, raw.data.num_rows),
            "record": pa.array(np.arange(raw.data.num_rows, dtype=np.int32)),
        }
    )
    # with its class: the cache stores a file's texts ordered by class, so one class's are together
    sink.texts(
        raw.name,
        kept_rows(
            pa.table(
                {
                    "crime_id": ref,
                    "circumstances": _column(raw, "circumstances"),
                    "ho_class": ho_class,
                }
            ),
            keep,
        ),
    )
    raw.class_titles = class_titles_of(ho_class, _column(raw, "ho_class_title"))
    # a crime row set aside still names a crime: its charges and people are not orphans
    raw.set_aside_refs = pc.drop_null(ref.filter(pa.array(~keep))).combine_chunks()
    return kept_rows(table, keep)


#: how many of a file's (class, title) pairs are read (the most written), and how many titles a
#: class keeps (each cut at `ho_classes.TITLE_CHARACTERS`): enough for a warning, whatever the
#: column holds
TITLES_READ, TITLES_KEPT = 10_000, 5


def class_titles_of(
    ho_class: pa.ChunkedArray, titles: pa.ChunkedArray
) -> dict[str, dict[str, int]]:
    """How a file titles each class: class -> {title as written: rows} (none for a system with
    no title column). Every row with both counts, a row set aside too: the title is the
    system's all the same (and the rows are counted where they are, not copied first)."""
    given = pa.table({"ho_class": ho_class, "title": codes.as_text(titles)})
    counted = given.group_by(["ho_class", "title"], use_threads=False).aggregate(
        [([], "count_all")]
    )
    # the most written first, and only the first few of a class: a column of another kind
    # mapped here (a title in every row) keeps the cache entry's meta small all the same
    counted = counted.sort_by([("count_all", "descending")]).slice(0, TITLES_READ)
    found: dict[str, dict[str, int]] = {}
    for row in counted.to_pylist():
        code, title = row["ho_class"], row["title"]
        if code is not None and title is not None and len(found.get(code, ())) < TITLES_KEPT:
            found.setdefault(code, {})[title[:TITLE_CHARACTERS]] = row["count_all"]
    return found


def in_earlier(ref: pa.ChunkedArray, earlier: pa.Array | None) -> np.ndarray:
    """The rows whose reference an earlier file of the same table (a pattern's) already holds."""
    if earlier is None or not len(earlier):
        return np.zeros(len(ref), dtype=bool)
    return pc.fill_null(pc.is_in(ref, value_set=earlier), False).to_numpy(zero_copy_only=False)


def canonical_people(
    raw: RawFile, source: SourceDefinition, book: Quarantine, sink: Sink
) -> pa.Table:
    """One system's person rows, keyed `SYSTEM:ref`; names and dates of birth, if they were
    read, go straight to the sink."""
    person = codes.as_text(_column(raw, "person_ref"))
    crime = codes.as_text(_column(raw, "crime_ref"))
    pnc_raw = _column(raw, "pnc_id")
    pnc = codes.normalise_pnc_id(pnc_raw, source.pnc_pattern or codes.PNC_ANY_FORM)
    keep = book.first_failures(
        raw,
        source.people,
        [
            (null_mask(person), "person_ref", "no person reference"),
            (null_mask(crime), "crime_ref", "no crime reference"),
        ],
    )
    columns = {
        "crime_ref": crime,
        "person_key": _keyed(source.system, person),
        "legacy_person_key": _keyed(
            source.legacy_system, codes.as_text(_column(raw, "legacy_person_ref"))
        ),
        "pnc_id": pnc,
        # a PNC ID that cannot be read ties nobody together: it is counted, not quarantined
        "pnc_unreadable": pa.array(codes.invalid(pnc_raw, pnc)),
        "role": codes.normalise_role(_column(raw, "role"), dict(source.role_values)),
        "file": _constant(raw.name, raw.data.num_rows),
        "record": pa.array(np.arange(raw.data.num_rows, dtype=np.int32)),
    }
    personal = {
        name: raw.data[name] for name in sorted(PERSONAL_FIELDS) if name in raw.data.column_names
    }
    if personal:
        sink.personal(
            raw.name, kept_rows(pa.table({"person_key": columns["person_key"], **personal}), keep)
        )
    people = kept_rows(pa.table(columns), keep)
    # the row's names and date of birth: that row of its file's personal data (`Store.personal_of`)
    return people.append_column(
        "personal_row", pa.array(np.arange(people.num_rows, dtype=np.int32))
    )


def canonical_charges(
    raw: RawFile, source: SourceDefinition, book: Quarantine, sink: Sink
) -> pa.Table:
    """One system's charges: crime, person key, date, CJS code and the charge's own number
    (null where the system exports none; nothing for the sink)."""
    person = codes.as_text(_column(raw, "person_ref"))
    crime = codes.as_text(_column(raw, "crime_ref"))
    charge_date = codes.parse_dates(_column(raw, "charge_date"), source.date_format)
    cjs_code = codes.normalise_cjs_code(_column(raw, "cjs_code"))
    keep = book.first_failures(
        raw,
        source.charges,
        [
            (null_mask(person), "person_ref", "no person reference"),
            (null_mask(crime), "crime_ref", "no crime reference"),
            (null_mask(charge_date), "charge_date", "not a date (impossible or unreadable date)"),
            (null_mask(cjs_code), "cjs_code", "no CJS offence code"),
        ],
    )
    table = pa.table(
        {
            "crime_ref": crime,
            "person_key": _keyed(source.system, person),
            "charge_date": charge_date,
            "cjs_code": cjs_code,
            "charge_ref": codes.as_text(_column(raw, "charge_ref")),
            "file": _constant(raw.name, raw.data.num_rows),
            "record": pa.array(np.arange(raw.data.num_rows, dtype=np.int32)),
        }
    )
    return kept_rows(table, keep)


def _status_state(status: pa.ChunkedArray, source: SourceDefinition) -> pa.ChunkedArray:
    keys = pa.array(list(source.status_values), type=pa.string())
    states = pa.array(list(source.status_values.values()), type=pa.string())
    return pc.take(states, pc.index_in(codes.as_text(status), value_set=keys))


def _column(raw: RawFile, field_name: str) -> pa.ChunkedArray:
    """A canonical field's raw text, or all nulls where this system has no such column."""
    if field_name in raw.data.column_names:
        return raw.data[field_name]
    return pa.chunked_array([pa.nulls(raw.data.num_rows, pa.string())])


def _keyed(system: str | None, refs: pa.ChunkedArray) -> pa.ChunkedArray:
    """`SYSTEM:ref`: person references are unique within a system, not across systems."""
    if system is None:
        return pa.chunked_array([pa.nulls(len(refs), pa.string())])
    return pc.binary_join_element_wise(pa.scalar(system), refs, ":")


def _constant(value: str, length: int) -> pa.DictionaryArray:
    """A column holding one value (a system's or file's name), stored once."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(length, dtype=np.int32)), pa.array([value])
    )
