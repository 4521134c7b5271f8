"""Random corruptions of the sample export: every load either stops with one clear line naming the
file, or reconciles exactly (records read = records used + records quarantined, for every file)
with every set-aside row located by file, line, column and reason. Never any other exception.

The base is a small, consistent slice of `../shared/sample-extracts/` (200-330 records a file, 20 odd
charges; kept byte for byte: CMS in Windows-1252 with CRLF and bare LFs inside quoted fields, Connect in
UTF-8 with a BOM), so that each example loads in a fraction of a second; the property is skipped,
saying so, where the shared sample is missing. The failures it found are below as explicit tests on
a small hand-made extract, which need no sample.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import tempfile
import traceback
from pathlib import Path

import pytest
from builders import HEADERS, SAMPLE, cms_crime, connect_crime, migrated, write_extract
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from helpers.errors import ExtractError
from helpers.extracts.load import load_extracts

needs_sample = pytest.mark.skipif(not (SAMPLE / "CMS_CRIMES.csv").is_file(), reason=f"the shared sample export is not at {SAMPLE}")

NAMES = list(HEADERS)
ENCODING = {name: ("cp1252" if name.startswith("CMS") else "utf-8") for name in NAMES}
LINE_END = {name: (b"\r\n" if name.startswith("CMS") else b"\n") for name in NAMES}
BOM = b"\xef\xbb\xbf"

DATE_COLUMNS = {
    "CMS_CRIMES.csv": ["DATE RECORDED", "DATE COMMITTED", "OUTCOME DATE"],
    "CMS_NOMINALS.csv": ["DOB"],
    "CMS_CHARGES.csv": ["CHARGE DATE"],
    "connect_crimes.csv": ["Recorded Date", "Original Recorded Date", "Committed Date", "Outcome Date"],
    "connect_persons.csv": ["Date of Birth"],
    "connect_charges.csv": ["Charge Date"],
}
CLASS_COLUMNS = {"CMS_CRIMES.csv": "HO CLASS", "connect_crimes.csv": "HO Class"}
OUTCOME_COLUMNS = {"CMS_CRIMES.csv": "HO OUTCOME", "connect_crimes.csv": "Outcome"}
FIELD_COUNT = re.compile(r"^has \d+ fields, the header has \d+$")


# ---- records, byte for byte


def split_records(data: bytes) -> list[bytes]:
    """Each CSV record's bytes with its line ending: a newline ends a record only outside quotes."""
    records, start, quotes, at = [], 0, 0, 0
    while (newline := data.find(b"\n", at)) >= 0:
        quotes += data.count(b'"', at, newline)
        at = newline + 1
        if quotes % 2 == 0:
            records.append(data[start:at])
            start = at
    if start < len(data):
        records.append(data[start:])
    return records


def decode(name: str, record: bytes) -> str:
    return record.decode("utf-8-sig" if ENCODING[name] == "utf-8" else "cp1252", errors="replace")


def fields_of(name: str, record: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(decode(name, record), newline="")), [])


def encode_fields(name: str, values: list[str], prefix: bytes = b"") -> bytes:
    """A record written as the system writes it (minimal quoting, its encoding and line ending)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=LINE_END[name].decode()).writerow(values)
    return prefix + buffer.getvalue().encode(ENCODING[name], errors="replace")


@functools.cache
def base() -> dict[str, tuple[bytes, ...]]:
    """A consistent slice of the sample: every 100th crime of each system, both copies of every
    migrated crime picked, every crime whose text spans lines, and their person and charge rows."""
    records = {name: split_records((SAMPLE / name).read_bytes()) for name in NAMES}
    cms = [fields_of("CMS_CRIMES.csv", r) for r in records["CMS_CRIMES.csv"]]
    connect = [fields_of("connect_crimes.csv", r) for r in records["connect_crimes.csv"]]
    spans = lambda name: {i for i, r in enumerate(records[name]) if i and b"\n" in r.rstrip(b"\r\n")}  # noqa: E731
    pick_cms = {i for i in range(1, len(cms)) if i % 100 == 0} | spans("CMS_CRIMES.csv")
    pick_connect = {i for i in range(1, len(connect)) if i % 100 == 0} | spans("connect_crimes.csv")
    cms_row = {row[0]: i for i, row in enumerate(cms) if i}
    copy_of = {row[1]: i for i, row in enumerate(connect) if i and row[1]}
    pick_cms |= {cms_row[connect[i][1]] for i in pick_connect if connect[i][1] in cms_row}
    pick_connect |= {copy_of[cms[i][0]] for i in pick_cms if cms[i][0] in copy_of}
    picked = {"CMS_CRIMES.csv": pick_cms, "connect_crimes.csv": pick_connect}
    crimes = {"CMS": {cms[i][0] for i in pick_cms}, "connect": {connect[i][0] for i in pick_connect}}
    for name in ("CMS_NOMINALS.csv", "CMS_CHARGES.csv", "connect_persons.csv", "connect_charges.csv"):
        refs = crimes[name.split("_")[0]]
        picked[name] = {i for i, r in enumerate(records[name]) if i and fields_of(name, r)[0] in refs}
    return {name: (records[name][0], *(records[name][i] for i in sorted(picked[name]))) for name in NAMES}


def write(directory: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


# ---- corruptions: each a function of one file's bytes, drawn by hypothesis


def in_a_record(draw, name: str, data: bytes, column: str, value: str) -> bytes:
    """Set one column of one data record (picked at random) to `value`."""
    records = split_records(data)
    header = fields_of(name, records[0]) if records else []
    if len(records) < 2 or column not in header:
        return data
    i = draw(st.integers(1, len(records) - 1))
    values = fields_of(name, records[i])
    if len(values) != len(header) or not records[i].endswith(LINE_END[name]):
        return data  # already damaged by an earlier corruption: leave it be
    values[header.index(column)] = value
    records[i] = encode_fields(name, values)
    return b"".join(records)


def lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def corruption(draw, name: str, data: bytes) -> tuple[str, bytes]:
    kind = draw(st.sampled_from([
        "delete a line", "duplicate a line", "truncate", "change a byte", "swap two column names",
        "blank a field", "impossible date", "not a class", "not an outcome", "re-encode",
        "byte-order mark", "line endings", "stray quotes",
    ]))
    if kind in {"delete a line", "duplicate a line"}:
        parts = lines(data)
        i = draw(st.integers(0, max(len(parts) - 2, 0)))
        parts[i:i + 1] = [] if kind == "delete a line" else [parts[i], parts[i]]
        return kind, b"\n".join(parts)
    if kind == "truncate":
        return kind, data[:draw(st.integers(0, len(data)))]
    if kind == "change a byte":
        if not data:
            return kind, data
        at = draw(st.integers(0, len(data) - 1))
        # bytes that matter to a CSV reader or a decoder are drawn more often than others
        byte = draw(st.sampled_from([b'"', b",", b"\n", b"\r", b"\x00", b"\x81", b"\x96", b"\xe9", b"\xff"]) | st.binary(min_size=1, max_size=1))
        return f"{kind} at {at} to {byte!r}", data[:at] + byte + data[at + 1:]
    if kind == "swap two column names":
        header = HEADERS[name]
        a, b = draw(st.lists(st.sampled_from(header), min_size=2, max_size=2, unique=True))
        swapped = [b if c == a else a if c == b else c for c in header]
        records = split_records(data)
        if not records or fields_of(name, records[0]) != header:
            return kind, data
        records[0] = encode_fields(name, swapped, BOM if records[0].startswith(BOM) else b"")
        return f"{kind} {a!r} {b!r}", b"".join(records)
    if kind == "blank a field":
        column = draw(st.sampled_from(HEADERS[name]))
        return f"{kind} {column!r}", in_a_record(draw, name, data, column, "")
    if kind == "impossible date":
        column = draw(st.sampled_from(DATE_COLUMNS[name]))
        value = draw(st.sampled_from(["31/02/2016", "31/02/2016 10:00", "2016-02-31", "2016-02-31T10:00:00"]))
        return f"{kind} {column!r} {value!r}", in_a_record(draw, name, data, column, value)
    if kind == "not a class" and name in CLASS_COLUMNS:
        return kind, in_a_record(draw, name, data, CLASS_COLUMNS[name], "ABC")
    if kind == "not an outcome" and name in OUTCOME_COLUMNS:
        return kind, in_a_record(draw, name, data, OUTCOME_COLUMNS[name], "OC99 – x")
    if kind == "re-encode":
        text = data.decode("cp1252", errors="replace") if ENCODING[name] == "cp1252" else data.decode("utf-8-sig", errors="replace")
        target = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"]))
        return f"{kind} as {target}", text.encode(target, errors="replace")
    if kind == "byte-order mark":  # taken off, or put on (a CMS file with one has been re-saved)
        return kind, data[3:] if data.startswith(BOM) else BOM + data
    if kind == "line endings":  # as another tool would save the file: LF, CRLF, or CR (old Macs)
        ending = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
        return f"{kind} {ending!r}", data.replace(b"\r\n", b"\n").replace(b"\n", ending)
    if kind == "stray quotes" and data:  # two, so that the file does not look truncated
        a, b = sorted(draw(st.lists(st.integers(0, len(data)), min_size=2, max_size=2)))
        return f"{kind} at {a} and {b}", data[:a] + b'"' + data[a:b] + b'"' + data[b:]
    return "nothing", data


class Corrupted:
    """The six files after the corruptions, shown (when hypothesis reports an example) as the list
    of what was done, not as 100 kB of bytes."""

    def __init__(self, files: dict[str, bytes], done: list[str]):
        self.files, self.done = files, done

    def __repr__(self) -> str:
        return f"Corrupted({self.done})"


@st.composite
def corrupted_extracts(draw) -> Corrupted:
    files = {name: b"".join(records) for name, records in base().items()}
    done = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(NAMES))
        what, files[name] = draw(corruption(name, files[name]))
        done.append(f"{name}: {what}")
    return Corrupted(files, done)


# ---- the property


def record_starts(data: bytes) -> dict[int, bytes]:
    """Physical line (1-based) where each record starts -> the record's bytes."""
    starts, line = {}, 1
    for record in split_records(data):
        starts[line] = record
        line += record.count(b"\n")
    return starts


def holds(name: str, record: bytes, value: str) -> bool:
    """Whether the record holds the value, in one of its fields or (a damaged record) in its text."""
    return any(value in field for field in fields_of(name, record)) or value in decode(name, record)


def check_load(directory: Path, files: dict[str, bytes], personal_data: bool = False, tolerate_known_bugs: bool = False) -> None:
    """Either one clear ExtractError naming the file (or the folder), or an exact reconciliation
    with every quarantined row at the physical line where its record starts."""
    try:
        extract = load_extracts(directory, personal_data=personal_data)
    except ExtractError as error:
        message = str(error)
        assert message and "\n" not in message and "\r" not in message, message
        assert any(message.startswith(f"{name}:") for name in NAMES) or message.startswith(str(directory)), message
        return
    quality = extract.data_quality
    assert set(quality["rows_read"]) == set(NAMES)
    for name in NAMES:
        read, used, quarantined = (quality[key][name] for key in ("rows_read", "rows_used", "rows_quarantined"))
        assert read == used + quarantined, (name, read, used, quarantined)
    rows = extract.quarantine
    assert {"file", "line", "column", "reason"} <= set(rows.columns)
    starts = {name: record_starts(files[name]) for name in set(rows["file"]) if name in files}
    for row in rows.itertuples():
        assert row.file in NAMES, row
        assert row.line >= 2, row
        assert row.reason, row
        # a row with the wrong number of fields names no one column; every other row does
        assert row.column or FIELD_COUNT.match(row.reason), row
        assert row.line in starts[row.file], (row, "no record starts on that line")
        value = str(row.value).replace("\ufeff", "").strip()  # a copied header line keeps its BOM
        if value and not FIELD_COUNT.match(row.reason):
            record = starts[row.file][row.line]
            assert holds(row.file, record, value), (row, record[:200])


@needs_sample
def test_the_base_slice_loads_cleanly():
    files = {name: b"".join(records) for name, records in base().items()}
    assert all(len(records) > 15 for records in base().values())
    assert any(b"\n" in record.rstrip(b"\r\n") for record in base()["CMS_CRIMES.csv"])  # a bare LF in a quoted field
    with tempfile.TemporaryDirectory() as folder:
        extract = load_extracts(write(Path(folder), files))
    assert extract.quarantine.empty, extract.quarantine.head()
    assert extract.data_quality["migrated_crimes"] > 0


@needs_sample
@settings(max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(corrupted=corrupted_extracts(), personal_data=st.booleans())
def test_every_corruption_fails_clearly_or_reconciles_exactly(corrupted, personal_data):
    with tempfile.TemporaryDirectory() as folder:
        directory = write(Path(folder), corrupted.files)
        try:
            check_load(directory, corrupted.files, personal_data, tolerate_known_bugs=True)
        except (AssertionError, ExtractError):
            raise
        except Exception as error:  # noqa: BLE001 - any other exception is a bug, unless a known one
            if known_bug(error, corrupted.files):
                event(f"known bug: {type(error).__name__}")
                return
            raise AssertionError(f"{type(error).__name__}: {error}, after {corrupted.done}") from error


# ---- bugs this test found, shrunk to small cases: each is now named as a structural error (or
# read right). A new one would go in KNOWN_BUGS with an xfail test until it is fixed.


def bare_carriage_return(data: bytes) -> bool:
    return re.search(rb"\r(?!\n)", data) is not None


def undefined_in_cp1252(data: bytes) -> bool:
    return any(byte in data for byte in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"))


def stray_quote(data: bytes) -> bool:
    """A double quote that neither opens a field nor closes or doubles inside a quoted one."""
    quoted, field_start, i = False, True, 0
    while i < len(data):
        byte = data[i:i + 1]
        if quoted:
            if byte == b'"':
                if data[i + 1:i + 2] == b'"':
                    i += 1
                else:
                    quoted = False
                    if data[i + 1:i + 2] not in (b",", b"\r", b"\n", b""):
                        return True
        elif byte == b'"':
            if not field_start:
                return True
            quoted = True
        field_start = not quoted and byte in (b",", b"\r", b"\n")
        i += 1
    return False


def layout_trouble(data: bytes) -> bool:
    """What `record_layout` and Arrow's CSV reader split into records differently."""
    return bare_carriage_return(data) or stray_quote(data)


def header_only_without_line_end(data: bytes) -> bool:
    return b"\n" not in data and b"\r" not in data and bool(data.strip())


def bom_only(data: bytes) -> bool:
    return data.startswith(BOM) and not data[3:].strip(b"\r\n")


#: (exception type, the function of the extract-reading code it escapes from, trigger in a file);
#: the seven bugs this test found are fixed, each with its regular test below
KNOWN_BUGS: list = []

#: the modules of the extract-reading code (once helpers/extracts/reading.py)
READING_MODULES = tuple(
    f"helpers/extracts/{name}.py"
    for name in ("scan", "read", "quarantine", "arrays", "canonical", "merge", "stores", "model", "people_side", "side_work", "load")
)


def known_bug(error: Exception, files: dict[str, bytes]) -> bool:
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.endswith(READING_MODULES)]
    where = frames[-1].name if frames else None
    return any(
        type(error).__name__ == kind and where == function and any(trigger(name, data) for name, data in files.items())
        for kind, function, trigger in KNOWN_BUGS
    )


# ---- the examples hypothesis found, shrunk, on a small hand-made extract (no sample needed)


def small_extract(directory: Path) -> Path:
    cms, connect = migrated("CM/16/0000001", "00000001/16", "2016-03-01T09:30:00")
    return write_extract(
        directory,
        CMS_CRIMES=[cms, cms_crime("CM/16/0000002"), cms_crime("CM/16/0000003")],
        CMS_NOMINALS=[
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "100002"},  # line 2
            {"CRIME NO": "CM/16/0000003", "NOMINAL NO": "100003"},  # line 3
            {"CRIME NO": "CM/16/0000404", "NOMINAL NO": "100404"},  # line 4: crime in neither system
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "100005"},  # line 5
            {"CRIME NO": "CM/16/0000003", "NOMINAL NO": "100006"},  # line 6
        ],
        connect_crimes=[connect, connect_crime("00000002/17")],
    )


def replaced(directory: Path, name: str, old: bytes, new: bytes) -> None:
    path = directory / name
    data = path.read_bytes()
    assert old in data, (name, old)
    path.write_bytes(data.replace(old, new, 1))


def check_small(directory: Path) -> None:
    check_load(directory, {name: (directory / name).read_bytes() for name in NAMES})


def test_the_small_extract_quarantines_one_row_at_line_4(tmp_path):
    extract = load_extracts(small_extract(tmp_path))
    assert extract.quarantine[["file", "line", "column"]].values.tolist() == [["CMS_NOMINALS.csv", 4, "CRIME NO"]]
    check_small(tmp_path)


def test_a_cms_file_with_a_byte_windows_1252_does_not_define_is_named(tmp_path):
    replaced(small_extract(tmp_path), "CMS_CRIMES.csv", b"online contact", b"online \x81contact")
    check_small(tmp_path)


def test_a_connect_file_holding_only_a_byte_order_mark_is_named_as_empty(tmp_path):
    (small_extract(tmp_path) / "connect_charges.csv").write_bytes(BOM)
    check_small(tmp_path)


def test_a_file_saved_with_cr_line_endings_is_named(tmp_path):
    path = small_extract(tmp_path) / "CMS_NOMINALS.csv"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r"))
    check_small(tmp_path)


def test_a_file_that_is_only_a_header_without_a_line_ending_is_read_or_named(tmp_path):
    (small_extract(tmp_path) / "CMS_CHARGES.csv").write_bytes(b"CRIME NO,NOMINAL NO,CHARGE DATE,CJS CODE,OFFENCE WORDING")
    check_small(tmp_path)


@pytest.mark.parametrize("old, new", [
    pytest.param(b"100002", b"100\r002", id="CR inside an unquoted field"),
    pytest.param(b"100002,,SUSPECT,SMITH,JOHN,01/01/1980\r\n", b"100002,,SUSPECT,SMITH,JOHN,01/01/1980\r", id="CR without its LF"),
    pytest.param(b"100003", b'100"003', id="two stray quotes"),
])
def test_records_the_reader_splits_oddly_are_still_located_or_named(tmp_path, old, new):
    small_extract(tmp_path)
    replaced(tmp_path, "CMS_NOMINALS.csv", old, new)
    if new.count(b'"') == 1:
        replaced(tmp_path, "CMS_NOMINALS.csv", b"100006", b'100"006')  # the second one
    check_small(tmp_path)
