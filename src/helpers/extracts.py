"""Reading the force's extract files into one canonical model of crimes, people and charges.

Each system is read through its source definition (`helpers.sources`): the loader has no branch
for any one system. Three things happen to every file:

1. *Structural checks* stop the run with one line naming the file (`ExtractError`): a missing
   file, an empty file, a missing column, the wrong encoding, a file that ends inside a quoted
   field.
2. *Reading* with Arrow's multi-threaded CSV reader, only the columns needed, all as text.
3. *Row checks*: a row that cannot be used (an impossible date, a code that is not a Home Office
   code, a duplicated reference, a row whose crime is in no file ...) is quarantined with its file,
   line, column and reason, never dropped silently.

Then the systems are merged (`helpers.extracts.merge_systems`): a migrated crime is one crime,
in its newer system's current state, with its original recorded date.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from helpers import codes
from helpers.people import resolve_individuals
from helpers.sources import FORCE_SOURCES, PERSONAL_FIELDS, FileSpec, SourceDefinition

CHUNK_BYTES = 16 * 1024 * 1024


class ExtractError(Exception):
    """A structural problem with an extract file: the run cannot go on. The message is one line."""


# --------------------------------------------------------------------------------------------
# Structural checks


@dataclass(frozen=True)
class FileCheck:
    """What the structural scan learned about one file."""

    path: Path
    size: int
    sha256: str
    header: list[str]


def _decoder_name(source: SourceDefinition) -> str:
    return "utf-8-sig" if source.encoding == "utf-8" else source.encoding


def read_header(path: Path, source: SourceDefinition) -> list[str]:
    """The header row's column names (a UTF-8 byte-order mark is ignored)."""
    with open(path, "rb") as handle:
        first = handle.readline(1 << 20)
    if not first.strip():
        raise ExtractError(f"{path.name}: the file is empty (no header row)")
    text = first.decode(_decoder_name(source), errors="replace")
    return next(csv.reader(io.StringIO(text)))


def check_columns(path: Path, header: list[str], needed: list[str]) -> None:
    """Stop on a missing or renamed column, naming it and what the header holds instead."""
    missing = [column for column in needed if column not in header]
    if not missing:
        return
    extra = [column for column in header if column not in needed]
    hint = f"; the header has {', '.join(repr(c) for c in extra)} instead" if extra else ""
    raise ExtractError(
        f"{path.name}: missing column {', '.join(repr(c) for c in missing)}{hint}"
    )


def scan_file(path: Path, source: SourceDefinition) -> tuple[int, str]:
    """One pass over the bytes: SHA-256, encoding and truncation checks. Returns (size, sha256).

    A CMS (Windows-1252) file that is valid UTF-8 *with* non-ASCII characters has been re-saved as
    UTF-8; a Connect file that is not valid UTF-8 was saved in another encoding. Either would give
    wrong letters (mojibake) in names, so both stop the run. A pure-ASCII file is fine either way.
    An odd number of double quotes means the last quoted field never closed: a truncated file.
    """
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_valid = True
    first_non_ascii: tuple[int, int] | None = None  # (line, byte offset in file)
    quotes = 0
    lines = 0
    offset = 0
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            quotes += chunk.count(b'"')
            if first_non_ascii is None and not chunk.isascii():
                position = _first_non_ascii(chunk)
                first_non_ascii = (lines + chunk.count(b"\n", 0, position) + 1, offset + position)
            if utf8_valid:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as error:
                    utf8_valid = False
                    bad_at = error.start
                    bad_line = lines + chunk.count(b"\n", 0, max(bad_at, 0)) + 1
            lines += chunk.count(b"\n")
            offset += len(chunk)
        size = offset
    if utf8_valid:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_valid, bad_line = False, lines + 1

    if source.encoding == "utf-8" and not utf8_valid:
        raise ExtractError(
            f"{path.name}: line {bad_line} is not valid UTF-8: {source.system} files are UTF-8; "
            "was the file saved in another encoding?"
        )
    if source.encoding != "utf-8" and first_non_ascii is not None and utf8_valid:
        raise ExtractError(
            f"{path.name}: the file is UTF-8 (non-ASCII text from line {first_non_ascii[0]}), not "
            f"{source.encoding} as {source.system} writes it: was it re-saved? Export it again"
        )
    if quotes % 2:
        raise ExtractError(
            f"{path.name}: the file ends inside a quoted field (an odd number of double quotes): "
            "it looks truncated"
        )
    return size, digest.hexdigest()


def _first_non_ascii(chunk: bytes) -> int:
    array = np.frombuffer(chunk, dtype=np.uint8)
    return int(np.argmax(array > 127))


def needed_columns(spec: FileSpec, fields: list[str] | None = None) -> dict[str, str]:
    """canonical field -> file column, for the fields wanted (all but personal data by default)."""
    wanted = fields if fields is not None else [f for f in spec.columns if f not in PERSONAL_FIELDS]
    return {f: spec.columns[f] for f in wanted if f in spec.columns}


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class RawFile:
    """One file's rows as text, canonical column names, with each record's index in the file."""

    name: str
    system: str
    table: str
    frame: pd.DataFrame  # columns: canonical fields + `record` (0-based record number)
    records_read: int
    malformed: pd.DataFrame  # records the CSV reader could not split into the header's fields
    size: int
    sha256: str
    header: list[str]


def read_file(directory: Path, source: SourceDefinition, spec: FileSpec, fields: list[str] | None = None) -> RawFile:
    """Check and read one extract file; only the wanted columns are kept in memory."""
    path = Path(directory) / spec.filename
    if not path.is_file():
        raise ExtractError(f"{spec.filename}: file not found in {directory}")
    header = read_header(path, source)
    columns = needed_columns(spec, fields)
    check_columns(path, header, list(spec.columns.values()))
    size, sha256 = scan_file(path, source)

    malformed: list[dict] = []

    def on_invalid_row(row) -> str:
        malformed.append(
            {"text": row.text[:200], "reason": f"has {row.actual_columns} fields, the header has {row.expected_columns}"}
        )
        return "skip"

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding=_decoder_name(source) if source.encoding != "utf-8" else "utf8",
            block_size=8 << 20,
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid_row),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(columns.values()),
            column_types={column: pa.string() for column in columns.values()},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    frame = table.rename_columns(list(columns)).to_pandas()
    # the record's number among the well-formed records; `Quarantine.frame` turns it into a line
    frame["record"] = np.arange(len(frame), dtype=np.int64)
    malformed_frame = pd.DataFrame(malformed, columns=["text", "reason"]).assign(record=pd.NA)
    return RawFile(
        name=spec.filename,
        system=source.system,
        table=spec.table,
        frame=frame,
        records_read=len(frame) + len(malformed_frame),
        malformed=malformed_frame,
        size=size,
        sha256=sha256,
        header=header,
    )


# --------------------------------------------------------------------------------------------
# Where each record starts


def record_layout(path: Path) -> pd.DataFrame:
    """For each data record of a CSV file: the physical line it starts on and its field count.

    Only needed when rows are quarantined (to name their lines) or malformed. A newline ends a
    record when an even number of double quotes precede it (quotes inside a quoted field are
    doubled, so they keep the parity); empty lines are not records. Vectorised over the bytes,
    a chunk at a time.
    """
    term_lines: list[np.ndarray] = []  # physical line number (1-based) of each record terminator
    term_offsets: list[np.ndarray] = []
    comma_offsets: list[np.ndarray] = []
    newline_count = 0
    quote_parity = 0
    offset = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            data = np.frombuffer(chunk, dtype=np.uint8)
            quotes = np.flatnonzero(data == 34)
            newlines = np.flatnonzero(data == 10)
            commas = np.flatnonzero(data == 44)
            nl_parity = (quote_parity + np.searchsorted(quotes, newlines)) % 2
            comma_parity = (quote_parity + np.searchsorted(quotes, commas)) % 2
            ends = nl_parity == 0
            term_lines.append(newline_count + np.flatnonzero(ends) + 1)
            term_offsets.append(offset + newlines[ends])
            comma_offsets.append(offset + commas[comma_parity == 0])
            newline_count += len(newlines)
            quote_parity = (quote_parity + len(quotes)) % 2
            offset += len(chunk)
    lines = np.concatenate(term_lines) if term_lines else np.array([], dtype=np.int64)
    ends = np.concatenate(term_offsets) if term_offsets else np.array([], dtype=np.int64)
    commas = np.concatenate(comma_offsets) if comma_offsets else np.array([], dtype=np.int64)
    if not len(ends) or ends[-1] != offset - 1:  # a last record without a final newline
        ends = np.append(ends, offset)
        lines = np.append(lines, newline_count + 1)
    starts = np.concatenate([[0], ends[:-1] + 1])
    start_lines = np.concatenate([[1], lines[:-1] + 1])
    length = ends - starts
    # an empty record: nothing, or a lone carriage return, between two terminators (rare: a
    # loop over them is fine)
    empty = length == 0
    with open(path, "rb") as handle:
        for i in np.flatnonzero(length == 1):
            handle.seek(int(starts[i]))
            empty[i] = handle.read(1) == b"\r"
    fields = np.diff(np.searchsorted(commas, np.concatenate([starts, [ends[-1] + 1]]))) + 1
    layout = pd.DataFrame({"line": start_lines, "fields": fields})[~empty]
    return layout.iloc[1:].reset_index(drop=True)  # the first record is the header


# --------------------------------------------------------------------------------------------
# Row checks: quarantine, never a silent drop

QUARANTINE_COLUMNS = ["file", "line", "column", "value", "reason"]


@dataclass
class Quarantine:
    """Rows set aside, with file, record number, column, value and reason.

    Records are numbered as the CSV reader saw them; `lines()` turns them into the physical line
    where each record starts (the header is line 1) once loading is done.
    """

    parts: list[pd.DataFrame] = field(default_factory=list)

    def set_aside(self, raw: RawFile, spec: FileSpec, frame: pd.DataFrame, bad: pd.Series, field_name: str, reason: str) -> pd.DataFrame:
        """Quarantine the rows of `frame` where `bad` holds; return the others."""
        bad = bad.fillna(False).astype(bool)
        if not bad.any():
            return frame
        rows = frame.loc[bad]
        value = rows[field_name].astype("string").fillna("") if field_name in rows else pd.Series("", index=rows.index)
        self.parts.append(
            pd.DataFrame(
                {
                    "file": raw.name,
                    "record": rows["record"].to_numpy(),
                    "column": spec.columns.get(field_name, field_name),
                    "value": value.str.slice(0, 80).to_numpy(),
                    "reason": reason,
                }
            )
        )
        return frame.loc[~bad]

    def count_by_file(self) -> dict[str, int]:
        if not self.parts:
            return {}
        return pd.concat(self.parts)["file"].value_counts().to_dict()

    def frame(self, raws: dict[str, RawFile], directory: Path) -> pd.DataFrame:
        """The quarantine with physical line numbers, sorted by file and line."""
        parts = [p for p in self.parts if not p.empty]
        for raw in raws.values():
            if not raw.malformed.empty:
                parts.append(raw.malformed.assign(file=raw.name, column="", value=raw.malformed["text"].str.slice(0, 80)))
        if not parts:
            return pd.DataFrame(columns=QUARANTINE_COLUMNS)
        table = pd.concat(parts, ignore_index=True)
        table["line"] = pd.array([pd.NA] * len(table), dtype="Int64")
        for name, rows in table.groupby("file", sort=False).groups.items():
            layout = record_layout(Path(directory) / name)
            raw = raws[name]
            n_fields = len(raw.header)
            well_formed = layout.loc[layout["fields"] == n_fields, "line"].to_numpy()
            malformed = layout.loc[layout["fields"] != n_fields, "line"].to_numpy()
            subset = table.loc[rows]
            is_malformed = subset["record"].isna()
            lines = np.empty(len(subset), dtype=np.int64)
            records = subset.loc[~is_malformed, "record"].astype(np.int64).to_numpy()
            lines[~is_malformed.to_numpy()] = well_formed[records]
            lines[is_malformed.to_numpy()] = malformed[: int(is_malformed.sum())]
            table.loc[rows, "line"] = lines
        return table.sort_values(["file", "line"], kind="stable")[QUARANTINE_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# From a system's rows to canonical rows


def _text(frame: pd.DataFrame, field_name: str) -> pd.Series:
    """A column as text with blanks as NA (absent columns are all NA)."""
    if field_name not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    text = frame[field_name].astype("string").str.strip()
    return text.where(text != "")


def canonical_crimes(raw: RawFile, source: SourceDefinition, book: Quarantine) -> pd.DataFrame:
    """One system's crimes: reference, dates, classification, state, outcome, circumstances."""
    spec = source.crimes
    frame = raw.frame
    frame = book.set_aside(raw, spec, frame, _text(frame, "crime_ref").isna(), "crime_ref", "no crime reference")
    frame = book.set_aside(raw, spec, frame, frame["crime_ref"].str.strip().duplicated(), "crime_ref", "duplicated crime reference")

    recorded = codes.parse_datetimes(frame["recorded_at"], source.datetime_formats)
    frame = book.set_aside(raw, spec, frame, recorded.isna(), "recorded_at", "not a date-time (impossible or unreadable date)")
    original_text = _text(frame, "original_recorded_at")
    original = codes.parse_datetimes(original_text, source.datetime_formats)
    frame = book.set_aside(raw, spec, frame, codes.invalid_mask(original_text, original), "original_recorded_at", "not a date-time (impossible or unreadable date)")

    ho_class = codes.normalise_ho_class(frame["ho_class"], source.ho_class_pattern)
    frame = book.set_aside(raw, spec, frame, ho_class.isna(), "ho_class", "not a Home Office classification")
    outcome = codes.parse_outcome(frame["outcome"], source.outcome_pattern)
    frame = book.set_aside(raw, spec, frame, codes.invalid_mask(frame["outcome"], outcome), "outcome", "not a Home Office outcome type (1-22)")
    state = frame["status"].str.strip().map(dict(source.status_values))
    frame = book.set_aside(raw, spec, frame, state.isna(), "status", "unknown crime status")

    index = frame.index
    return pd.DataFrame(
        {
            "crime_ref": frame["crime_ref"].str.strip(),
            "system": source.system,
            "legacy_ref": _text(frame, "legacy_ref"),
            "recorded_at": original[index].fillna(recorded[index]),
            "ho_class": ho_class[index],
            "state": state[index],
            "outcome": outcome[index],
            "circumstances": frame["circumstances"] if "circumstances" in frame else pd.NA,
            "file": raw.name,
            "record": frame["record"],
        }
    ).reset_index(drop=True)


def canonical_people(raw: RawFile, source: SourceDefinition, book: Quarantine) -> pd.DataFrame:
    """One system's person rows, keyed `SYSTEM:ref`; personal fields only if they were read."""
    spec = source.people
    frame = raw.frame
    frame = book.set_aside(raw, spec, frame, _text(frame, "person_ref").isna(), "person_ref", "no person reference")
    frame = book.set_aside(raw, spec, frame, _text(frame, "crime_ref").isna(), "crime_ref", "no crime reference")
    legacy = _text(frame, "legacy_person_ref")
    pnc_text = _text(frame, "pnc_id")
    pnc_id = codes.normalise_pnc_id(pnc_text, source.pnc_pattern)
    people = pd.DataFrame(
        {
            "crime_ref": frame["crime_ref"].str.strip(),
            "person_key": source.system + ":" + frame["person_ref"].str.strip(),
            "legacy_person_key": (f"{source.legacy_system}:" + legacy) if source.legacy_system else pd.NA,
            "pnc_id": pnc_id,
            # a PNC ID that cannot be read ties nobody together; it is counted, not quarantined
            "pnc_unreadable": codes.invalid_mask(pnc_text, pnc_id),
            "role": _text(frame, "role").str.lower(),
            "file": raw.name,
            "record": frame["record"],
        }
    )
    for personal in ("surname", "forenames", "date_of_birth"):
        if personal in frame:
            people[personal] = frame[personal]
    return people.reset_index(drop=True)


def canonical_charges(raw: RawFile, source: SourceDefinition, book: Quarantine) -> pd.DataFrame:
    """One system's charges: crime, person key, date and CJS code."""
    spec = source.charges
    frame = raw.frame
    frame = book.set_aside(raw, spec, frame, _text(frame, "person_ref").isna(), "person_ref", "no person reference")
    frame = book.set_aside(raw, spec, frame, _text(frame, "crime_ref").isna(), "crime_ref", "no crime reference")
    charge_date = codes.parse_dates(frame["charge_date"], source.date_format)
    frame = book.set_aside(raw, spec, frame, charge_date.isna(), "charge_date", "not a date (impossible or unreadable date)")
    cjs_code = codes.normalise_cjs_code(frame["cjs_code"])
    frame = book.set_aside(raw, spec, frame, cjs_code.isna(), "cjs_code", "no CJS offence code")
    index = frame.index
    return pd.DataFrame(
        {
            "crime_ref": frame["crime_ref"].str.strip(),
            "person_key": source.system + ":" + frame["person_ref"].str.strip(),
            "charge_date": charge_date[index],
            "cjs_code": cjs_code[index],
            "system": source.system,
            "file": raw.name,
            "record": frame["record"],
        }
    ).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# One model across systems


@dataclass
class Extract:
    """The canonical model of one export, with what loading it took and found.

    crimes   crime_id (the newest system's reference), system, legacy_ref, recorded_at (original
             recording, local time), ho_class (`088/01`), cancelled, outcome (HO number or NA),
             circumstances
    people   crime_id, person_key (`SYSTEM:ref`), individual_id, pnc_id, role [+ personal data]
    charges  crime_id, person_key, individual_id, charge_date, cjs_code (each charge once)
    """

    crimes: pd.DataFrame
    people: pd.DataFrame
    charges: pd.DataFrame
    quarantine: pd.DataFrame
    data_quality: dict
    files: dict[str, dict]  # file name -> {"sha256", "size", "system", "records"}
    directory: Path

    @property
    def first_recorded(self) -> pd.Timestamp:
        return self.crimes["recorded_at"].min()

    @property
    def last_recorded(self) -> pd.Timestamp:
        return self.crimes["recorded_at"].max()


def merge_systems(crimes: pd.DataFrame, sources: tuple[SourceDefinition, ...], book: Quarantine, raws: dict[str, RawFile]) -> tuple[pd.DataFrame, pd.Series, dict]:
    """Make a migrated crime one crime: its newer copy's state, its original recorded date.

    Returns the crimes (one row per crime), a map from every crime reference in the files (the
    superseded legacy ones too) to the crime's ID, and counts for the data-quality section.
    """
    by_system = {source.system: source for source in sources}
    copies = crimes.loc[crimes["legacy_ref"].notna(), ["crime_ref", "system", "legacy_ref", "file", "record"]]
    copies = copies.assign(legacy_system=copies["system"].map({s: by_system[s].legacy_system for s in by_system}))
    # one legacy crime migrated twice: keep the first copy, quarantine the others
    twice = copies.duplicated(["legacy_system", "legacy_ref"])
    for name, rows in copies.loc[twice].groupby("file"):
        source = by_system[raws[name].system]
        book.set_aside(raws[name], source.crimes, rows, pd.Series(True, index=rows.index), "legacy_ref", "legacy crime migrated twice (another crime has the same legacy reference)")
    crimes = crimes.drop(index=copies.index[twice])
    copies = copies.loc[~twice]

    key = crimes["system"] + "|" + crimes["crime_ref"]
    copy_key = copies["legacy_system"] + "|" + copies["legacy_ref"]
    successor = pd.Series(copies["crime_ref"].to_numpy(), index=copy_key.to_numpy())
    superseded = key.isin(successor.index)
    orphan_migrated = (crimes["state"] == "migrated") & ~superseded
    for name, rows in crimes.loc[orphan_migrated].groupby("file"):
        source = by_system[raws[name].system]
        newer = [s.system for s in sources if s.legacy_system == source.system]
        book.set_aside(raws[name], source.crimes, rows, pd.Series(True, index=rows.index), "status", f"marked migrated but no {'/'.join(newer) or 'newer'} crime names it as its legacy crime")

    ref_to_id = pd.concat(
        [
            pd.Series(crimes.loc[~superseded & ~orphan_migrated, "crime_ref"].to_numpy(), index=crimes.loc[~superseded & ~orphan_migrated, "crime_ref"].to_numpy()),
            pd.Series(successor[key[superseded]].to_numpy(), index=crimes.loc[superseded, "crime_ref"].to_numpy()),
        ]
    )
    legacy_missing = ~copy_key.isin(key)
    quality = {
        "migrated_crimes": int(superseded.sum()),
        "migrated_crimes_not_marked_migrated": int((superseded & (crimes["state"] != "migrated")).sum()),
        "migrated_crimes_without_legacy_row": int(legacy_missing.sum()),
        "superseded_by_file": crimes.loc[superseded, "file"].value_counts().to_dict(),
    }
    merged = crimes.loc[~superseded & ~orphan_migrated].rename(columns={"crime_ref": "crime_id"})
    merged = merged.assign(cancelled=merged["state"] == "cancelled").drop(columns=["state"])
    return merged.reset_index(drop=True), ref_to_id, quality


def attach_crimes(rows: pd.DataFrame, ref_to_id: pd.Series, book: Quarantine, raws: dict[str, RawFile], sources: tuple[SourceDefinition, ...], table: str) -> pd.DataFrame:
    """Give person or charge rows their crime's ID; quarantine rows whose crime is in no file."""
    crime_id = rows["crime_ref"].map(ref_to_id)
    missing = crime_id.isna()
    by_system = {source.system: source for source in sources}
    for name, bad in rows.loc[missing].groupby("file"):
        spec = getattr(by_system[raws[name].system], table)
        book.set_aside(raws[name], spec, bad, pd.Series(True, index=bad.index), "crime_ref", "crime not found in any crimes file")
    return rows.loc[~missing].assign(crime_id=crime_id[~missing]).drop(columns=["crime_ref"])


def load_extracts(
    directory: str | Path,
    sources: tuple[SourceDefinition, ...] = FORCE_SOURCES,
    personal_data: bool = False,
    progress=None,
) -> Extract:
    """Read every system's files into one canonical model.

    `personal_data=True` also reads names and dates of birth (the release gate needs them); by
    default they stay on disk. `progress` is called with each file's name as it is read.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ExtractError(f"{directory}: extracts folder not found")
    book = Quarantine()
    raws: dict[str, RawFile] = {}
    crimes, people, charges = [], [], []
    for source in sources:
        for spec, canonical, bucket in (
            (source.crimes, canonical_crimes, crimes),
            (source.people, canonical_people, people),
            (source.charges, canonical_charges, charges),
        ):
            if progress:
                progress(spec.filename)
            fields = None
            if personal_data and spec.table == "people":
                fields = list(spec.columns)
            raw = read_file(directory, source, spec, fields)
            raws[raw.name] = raw
            bucket.append(canonical(raw, source, book))
            raw.frame = raw.frame.iloc[0:0]  # the canonical rows are all that is needed now

    crimes_frame, ref_to_id, quality = merge_systems(pd.concat(crimes, ignore_index=True), sources, book, raws)
    people_frame = attach_crimes(pd.concat(people, ignore_index=True), ref_to_id, book, raws, sources, "people")
    charges_frame = attach_crimes(pd.concat(charges, ignore_index=True), ref_to_id, book, raws, sources, "charges")

    individuals = resolve_individuals(
        people_frame["person_key"], people_frame["legacy_person_key"], people_frame["pnc_id"], charges_frame["person_key"]
    )
    people_frame["individual_id"] = people_frame["person_key"].map(individuals)
    charges_frame["individual_id"] = charges_frame["person_key"].map(individuals)
    # a charge laid before switch-over on a migrated crime was copied into the newer system
    copied = charges_frame.duplicated(["crime_id", "individual_id", "cjs_code", "charge_date"])
    quality["charges_copied_across_systems"] = int(copied.sum())
    quality["person_records"] = int(people_frame["person_key"].nunique())
    quality["individuals"] = int(people_frame["individual_id"].nunique())
    quality["unreadable_pnc_ids"] = int(people_frame["pnc_unreadable"].sum())
    quality["charged_without_person_record"] = int((~charges_frame["person_key"].isin(people_frame["person_key"])).sum())

    quarantine = book.frame(raws, directory)
    rows_read = {name: raw.records_read for name, raw in raws.items()}
    rows_quarantined = {name: int((quarantine["file"] == name).sum()) for name in raws}
    used = pd.concat([crimes_frame["file"], people_frame["file"], charges_frame["file"]]).value_counts()
    rows_used = {name: int(used.get(name, 0)) + int(quality["superseded_by_file"].get(name, 0)) for name in raws}
    for name in raws:  # every record read is either used or quarantined
        if rows_read[name] != rows_used[name] + rows_quarantined[name]:
            raise AssertionError(f"{name}: {rows_read[name]} read != {rows_used[name]} used + {rows_quarantined[name]} quarantined")
    del quality["superseded_by_file"]

    data_quality = {"rows_read": rows_read, "rows_used": rows_used, "rows_quarantined": rows_quarantined, **quality}
    files = {name: {"system": raw.system, "size": raw.size, "sha256": raw.sha256, "records": raw.records_read} for name, raw in raws.items()}
    return Extract(
        crimes=crimes_frame.drop(columns=["record"]),
        people=people_frame.drop(columns=["record", "pnc_unreadable"]),
        charges=charges_frame.loc[~copied].drop(columns=["record"]).reset_index(drop=True),
        quarantine=quarantine,
        data_quality=data_quality,
        files=files,
        directory=directory,
    )
