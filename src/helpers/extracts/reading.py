"""Reading the force's extract files into one canonical model of crimes, people and charges.

Each system is read through its source definition (`helpers.extracts.sources`): the loader has no branch
for any one system. Three things happen to every file:

1. *Structural checks* stop the run with one line naming the file (`ExtractError`): a missing
   file, an empty file, a missing column, the wrong encoding, a file that ends inside a quoted
   field.
2. *Reading* with Arrow's multi-threaded CSV reader, only the columns needed, all as text.
3. *Row checks*: a row that cannot be used (an impossible date, a code that is not a Home Office
   code, a duplicated reference, a row whose crime is in no file ...) is quarantined with its file,
   line, column and reason, never dropped silently.

Then the systems are merged (`helpers.extracts.reading.merge_systems`): a migrated crime is one crime,
in its newer system's current state, with its original recorded date.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import functools
import hashlib
import importlib
import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from helpers.extracts import codes
from helpers.cache.builder import SIDE_RESULT as _SIDE_RESULT
from helpers.cache.builder import SIDE_REFS as _SIDE_REFS
from helpers.cache.builder import SIDE_TABLES as _PEOPLE_SIDE
from helpers.cache.builder import SIDE_TASK as _SIDE_TASK
from helpers.cache.builder import start_people_side as _start_people_side
from helpers.extracts.people import resolve_individuals
from helpers.extracts.sources import FORCE_SOURCES, PERSONAL_FIELDS, ExtractError, FileSpec, SourceDefinition  # noqa: F401 (ExtractError: raised here)

if TYPE_CHECKING:  # pandas is imported where frames are made: the person side never needs it
    import pandas as pd

CHUNK_BYTES = 16 * 1024 * 1024


# --------------------------------------------------------------------------------------------
# Structural checks


def _decoder_name(source: SourceDefinition) -> str:
    return "utf-8-sig" if source.encoding == "utf-8" else source.encoding


def read_header(path: Path, source: SourceDefinition) -> list[str]:
    """The header row's column names (a UTF-8 byte-order mark is ignored)."""
    with open(path, "rb") as handle:
        first = handle.readline(1 << 20)
    if first.startswith(codecs.BOM_UTF8):
        if source.encoding != "utf-8":
            raise ExtractError(
                f"{path.name}: starts with a UTF-8 byte-order mark, but {source.system} writes "
                f"{source.encoding}: was it re-saved? Export it again"
            )
        first = first.removeprefix(codecs.BOM_UTF8)
    if not first.strip():
        raise ExtractError(f"{path.name}: the file is empty (no header row)")
    text = first.decode(_decoder_name(source), errors="replace")
    try:  # newline="": a carriage return ends the line here; scan_file names it as a fault
        header = next(csv.reader(io.StringIO(text, newline="")), None)
    except csv.Error as error:
        raise ExtractError(f"{path.name}: line 1: the header cannot be read ({error})") from None
    if not header or not any(column.strip() for column in header):
        raise ExtractError(f"{path.name}: the file is empty (no header row)")
    return header


def check_columns(path: Path, header: list[str], needed: list[str]) -> None:
    """Stop on a missing or renamed column, naming it and what it seems to have become."""
    missing = [column for column in needed if column not in header]
    if not missing:
        return
    extra = [column for column in header if column not in needed]
    renamed = difflib.get_close_matches(missing[0], extra, n=1, cutoff=0.5)
    if renamed:
        hint = f"; the header has {renamed[0]!r} instead (renamed?)"
    elif extra:
        hint = f"; the header has {', '.join(repr(c) for c in extra[:6])} instead"
    else:
        hint = ""
    raise ExtractError(f"{path.name}: missing column {', '.join(repr(c) for c in missing)}{hint}")


def scan_file(path: Path, source: SourceDefinition) -> tuple[int, str]:
    """One pass over the bytes: SHA-256, encoding and truncation checks. Returns (size, sha256).

    A CMS (Windows-1252) file that is valid UTF-8 *with* non-ASCII characters has been re-saved as
    UTF-8; a Connect file that is not valid UTF-8 was saved in another encoding. Either would give
    wrong letters (mojibake) in names, so both stop the run. A pure-ASCII file is fine either way.
    An odd number of double quotes means the last quoted field never closed: a truncated file.

    Each check is a vectorised pass over a chunk (numpy, or Arrow's UTF-8 validation over the
    bytes in place); positions are kept as byte offsets and turned into line numbers only for
    the error message.
    """
    digest = hashlib.sha256()
    undefined = _undefined_bytes(source.encoding)
    bad_byte: tuple[int, int] | None = None  # (offset, byte) of a byte the encoding does not define
    bare_cr: int | None = None  # offset of a carriage return without its line feed
    utf8_bad: int | None = None  # offset of the first byte that is not valid UTF-8
    first_non_ascii: int | None = None  # offset
    carried = b""  # a chunk's bytes after its last line feed: a character may continue in the next
    quotes = 0
    offset = 0
    last_byte = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            data = np.frombuffer(chunk, dtype=np.uint8)
            quotes += int(np.count_nonzero(data == 34))
            ascii_only = chunk.isascii()
            if first_non_ascii is None and not ascii_only:
                first_non_ascii = offset + _first_non_ascii(chunk)
            if bad_byte is None and undefined and not ascii_only:
                found = [(chunk.find(byte), byte) for byte in undefined if byte in chunk]
                if found:
                    position, byte = min(found)
                    bad_byte = (offset + position, byte[0])
            if bare_cr is None and last_byte == b"\r" and chunk[:1] != b"\n":
                bare_cr = offset - 1
            if bare_cr is None and b"\r" in chunk:
                returns = np.flatnonzero(data == 13)
                inside = returns[returns < len(chunk) - 1]  # a CR that ends the chunk: checked above, next time
                lone = inside[data[inside + 1] != 10]
                if len(lone):
                    bare_cr = offset + int(lone[0])
            if utf8_bad is None and not (ascii_only and not carried):
                cut = chunk.rfind(b"\n") + 1
                if cut:
                    # whole lines, validated where they lie (no 16 MB joined copy): the line the
                    # carried bytes continue is joined to them; a character never spans a line feed
                    first = chunk.find(b"\n") + 1
                    if not (_valid_utf8(carried + chunk[:first]) and _valid_utf8(memoryview(chunk)[first:cut])):
                        piece = carried + chunk[:cut]
                        utf8_bad = offset + cut - len(piece) + _first_invalid_utf8(piece)
                    carried = chunk[cut:]
                else:
                    carried = carried + chunk
            last_byte = chunk[-1:]
            offset += len(chunk)
    if utf8_bad is None and carried and not _valid_utf8(carried):
        utf8_bad = offset - len(carried) + _first_invalid_utf8(carried)
    size = offset

    if source.encoding == "utf-8" and utf8_bad is not None:
        raise ExtractError(
            f"{path.name}: line {_line_at(path, utf8_bad)} is not valid UTF-8: {source.system} files are UTF-8; "
            "was the file saved in another encoding?"
        )
    if source.encoding != "utf-8" and first_non_ascii is not None and utf8_bad is None:
        raise ExtractError(
            f"{path.name}: the file is UTF-8 (non-ASCII text from line {_line_at(path, first_non_ascii)}), not "
            f"{source.encoding} as {source.system} writes it: was it re-saved? Export it again"
        )
    if bad_byte is not None:
        raise ExtractError(
            f"{path.name}: line {_line_at(path, bad_byte[0])} has byte 0x{bad_byte[1]:02X}, which {source.encoding} does "
            f"not define: the file is damaged or not in {source.system}'s encoding"
        )
    if bare_cr is not None or last_byte == b"\r":
        raise ExtractError(
            f"{path.name}: line {_line_at(path, bare_cr if bare_cr is not None else size - 1)} has a carriage return "
            "without a line feed (old Mac line endings, or a damaged file): records end in CRLF or LF"
        )
    if quotes % 2:
        raise ExtractError(
            f"{path.name}: the file ends inside a quoted field (an odd number of double quotes): "
            "it looks truncated"
        )
    return size, digest.hexdigest()


def _valid_utf8(data: bytes) -> bool:
    """Arrow's (SIMD) UTF-8 validation over the bytes where they are: no copy, no str made."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _first_invalid_utf8(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return len(data)


def _line_at(path: Path, offset: int) -> int:
    """The line (from 1) holding byte `offset` of the file: only for an error message."""
    lines = 1
    with open(path, "rb") as handle:
        while offset > 0 and (chunk := handle.read(min(CHUNK_BYTES, offset))):
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines


def _undefined_bytes(encoding: str) -> list[bytes]:
    """The single bytes an 8-bit encoding leaves undefined (Windows-1252: 0x81, 0x8D, ...)."""
    if encoding.replace("-", "").lower() in {"utf8", "utf8sig"}:
        return []
    undefined = []
    for value in range(128, 256):
        try:
            bytes([value]).decode(encoding)
        except UnicodeDecodeError:
            undefined.append(bytes([value]))
    return undefined


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
    """One file's records as text, with canonical column names."""

    name: str
    system: str
    table: str
    data: pa.Table  # canonical fields, all strings, in file order
    malformed: list[dict]  # records the CSV reader could not split into the header's fields: text, reason
    size: int
    sha256: str
    header: list[str]
    records_read: int = 0  # well-formed and malformed records: every record the file holds
    set_aside_refs: pa.Array | None = None  # crime references of rows quarantined (crimes files)

    def __post_init__(self) -> None:
        self.records_read = self.data.num_rows + len(self.malformed)


def read_file(directory: Path, source: SourceDefinition, spec: FileSpec, fields: list[str] | None = None, scan=None) -> RawFile:
    """Check and read one extract file; only the wanted columns are kept in memory.

    `scan`: the file's byte scan (`scan_file`: SHA-256, encoding checks) already running
    elsewhere, as a future; a transcoded file (Windows-1252) is parsed meanwhile, and the scan's
    verdict comes first: a file it rejects is named for that, whatever the parser made of it.
    By default the scan runs here, before the parse.
    """
    path = Path(directory) / spec.filename
    header = _checked_header(directory, source, spec)
    if scan is None:
        scan = _done(scan_file(path, source))
    elif source.encoding == "utf-8":
        # Arrow reads UTF-8 as it is, and a row it cannot split is handed over as text: bytes that
        # are not UTF-8 there would raise inside Arrow. The scan ran ahead: its verdict first.
        scan.result()
    columns = needed_columns(spec, fields)

    malformed: list[dict] = []

    def on_invalid_row(row) -> str:
        malformed.append({"text": row.text[:200], "reason": f"has {row.actual_columns} fields, the header has {row.expected_columns}"})
        return "skip"

    try:
        table = _read_csv(path, source, columns, on_invalid_row, utf8_checked=source.encoding == "utf-8")
    except Exception as error:
        scan.result()  # a fault the scan names (encoding, truncation) explains the parse error
        if not isinstance(error, pa.ArrowInvalid):
            raise
        if "Empty CSV file" not in str(error):  # a header and nothing after it: no records
            raise ExtractError(f"{path.name}: the CSV cannot be read ({str(error).splitlines()[0]})") from None
        table = pa.table({column: pa.array([], pa.string()) for column in columns.values()})
    size, sha256 = scan.result()
    return RawFile(
        name=spec.filename,
        system=source.system,
        table=spec.table,
        data=table.rename_columns(list(columns)),
        malformed=malformed,
        size=size,
        sha256=sha256,
        header=header,
    )


def _done(value):
    """A finished future holding `value`."""
    from concurrent.futures import Future

    future = Future()
    future.set_result(value)
    return future


def _read_files(directory: Path, files, personal_data: bool, progress, sink, book: Quarantine) -> tuple[dict[str, RawFile], dict[str, list[pa.Table]]]:
    """Check, read and make canonical `files` ((source, spec) pairs) in order, each file's byte
    scan in a thread ahead of its parse: hashing and Arrow's parsing work outside Python's lock."""
    from concurrent.futures import ThreadPoolExecutor

    canonical = {"crimes": canonical_crimes, "people": canonical_people, "charges": canonical_charges}
    raws: dict[str, RawFile] = {}
    tables: dict[str, list[pa.Table]] = {"crimes": [], "people": [], "charges": []}
    scanner = ThreadPoolExecutor(1)
    try:
        scans = {spec.filename: scanner.submit(scan_file, Path(directory) / spec.filename, source) for source, spec in files}
        for source, spec in files:
            if progress:
                progress(spec.filename)
            if spec.table == "crimes":  # one crimes file's texts written before the next is read: less at once
                sink.settle()
            fields = list(spec.columns) if personal_data and spec.table == "people" else None
            raw = read_file(directory, source, spec, fields, scan=scans[spec.filename])
            tables[spec.table].append(canonical[spec.table](raw, source, book, sink))
            raw.data = raw.data.slice(0, 0)  # the canonical rows are all that is needed now
            raws[raw.name] = raw
    finally:
        scanner.shutdown(wait=False, cancel_futures=True)  # after a failure, the other scans are moot
    return raws, tables


class _WithoutPandas:
    """An import finder that says pandas is not there. The person side makes no frames, but
    pyarrow imports pandas (a fifth of a second, at the start of the build's longest path) the
    first time a compute function is given a plain value, only to ask whether it is a pandas
    one; told there is no pandas, it converts the value itself. Code here that did need pandas
    would fail loudly (ModuleNotFoundError), in every test that builds a cache."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name}: not imported in the person side process", name=name)
        return None


def _people_side_main(folder: str) -> None:
    """The side process: run the task, leave its result (or the error it met) for the parent."""
    import pickle
    import sys

    sys.meta_path.insert(0, _WithoutPandas())
    folder = Path(folder)
    task = pickle.loads((folder / _SIDE_TASK).read_bytes())
    try:
        result = ("ok", _people_side(*task))
    except ExtractError as error:  # the user's file: the parent names it, in its one line
        result = ("extract", str(error))
    (folder / _SIDE_RESULT).write_bytes(pickle.dumps(result))


def _people_side(directory: Path, sources: tuple[SourceDefinition, ...], personal_data: bool, folder: Path) -> tuple:
    """In its own process: the person and charge files checked, read and made canonical (their
    personal data written to `folder` by the cache's sink), who is who worked out on every row,
    and the two tables left in `folder` as Arrow files (mapped, not copied, by the other side)."""
    from helpers.cache.entries import EntrySink

    book, sink = Quarantine(), EntrySink(folder)
    files = [(source, spec) for table in ("people", "charges") for source in sources for spec in source.files if spec.table == table]
    try:
        raws, tables = _read_files(directory, files, personal_data, None, sink, book)
    finally:
        sink.wait()
    people = pa.concat_tables(tables["people"], promote_options="default")
    charges = pa.concat_tables(tables["charges"])
    refs = pa.table({"crime_ref": pa.chunked_array([*people["crime_ref"].chunks, *charges["crime_ref"].chunks], pa.string())})
    with pa.OSFile(str(Path(folder) / (_SIDE_REFS + ".part")), "wb") as handle, pa.ipc.new_file(handle, refs.schema) as writer:
        writer.write_table(refs)
    os.replace(Path(folder) / (_SIDE_REFS + ".part"), Path(folder) / _SIDE_REFS)  # whole, or not there
    who = resolve_individuals(people["person_key"], people["legacy_person_key"], people["pnc_id"], charges["person_key"])
    for table, extra, name in ((people, who.of_people, _PEOPLE_SIDE[0]), (charges, who.of_others, _PEOPLE_SIDE[1])):
        table = table.append_column("individual_id", extra).unify_dictionaries()  # one per column, as IPC files want
        with pa.OSFile(str(Path(folder) / name), "wb") as handle, pa.ipc.new_file(handle, table.schema) as writer:
            writer.write_table(table)
    return raws, (who.person_records, who.individuals, who.others_without_record), book.parts


def _people_side_result(process, folder: Path) -> tuple:
    """What `_people_side` made: its files' RawFiles, the two tables (mapped), who is who, and
    the rows it set aside. Its error, if it met one, raised here."""
    import pickle

    _, stderr = process.communicate()
    result_file = Path(folder) / _SIDE_RESULT
    if process.returncode != 0 or not result_file.is_file():
        last = (stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {process.returncode}"]
        raise RuntimeError(f"reading the person and charge files failed: {last[0]}")
    kind, value = pickle.loads(result_file.read_bytes())
    if kind == "extract":
        raise ExtractError(value)
    raws, who, parts = value
    people, charges = (pa.ipc.open_file(pa.memory_map(str(Path(folder) / name))).read_all() for name in _PEOPLE_SIDE)
    for name in (*_PEOPLE_SIDE, _SIDE_TASK, _SIDE_RESULT, _SIDE_REFS):  # mapped: the data stays readable once the name is gone
        (Path(folder) / name).unlink()
    return raws, people, charges, who, parts


def _people_side_refs(process, folder: Path) -> pa.ChunkedArray | None:
    """The side's person then charge rows' crime references, once it has left them (mapped);
    None if it ended without (its result, or its error, says why)."""
    path = Path(folder) / _SIDE_REFS
    while not path.is_file():
        if process.poll() is not None and not path.is_file():
            return None
        time.sleep(0.005)
    return pa.ipc.open_file(pa.memory_map(str(path))).read_all()["crime_ref"]


def _rows_by_file(table: pa.Table) -> pd.Series:
    import pandas as pd

    counts = pc.value_counts(pc.cast(table["file"], pa.string()))
    return pd.Series(counts.field("counts").to_numpy(), index=counts.field("values").to_pylist(), dtype="int64")


def _checked_header(directory: Path, source: SourceDefinition, spec: FileSpec) -> list[str]:
    """The file is there and its header has every column the source definition names."""
    path = Path(directory) / spec.filename
    if not path.is_file():
        raise ExtractError(f"{spec.filename}: file not found in {directory}")
    header = read_header(path, source)
    check_columns(path, header, list(spec.columns.values()))
    return header


def _read_csv(path: Path, source: SourceDefinition, columns: dict[str, str], on_invalid_row, utf8_checked: bool = False) -> pa.Table:
    """The file's `columns`, as text. `utf8_checked`: a UTF-8 file's bytes are known to be valid
    UTF-8 (its byte scan passed), so Arrow need not validate them again.

    Parsed as bytes where that gives the same text for less work (`_read_csv_bytes`): a checked
    UTF-8 file as it is; a file in an 8-bit encoding (Windows-1252), whose non-ASCII bytes are in
    a few columns (texts, names), by decoding only the chunks that hold any, instead of
    transcoding every byte of the file through Python's codec first. What that path cannot take
    goes through Arrow's transcoding reader, which reads it, or names its fault, as before: a byte
    the encoding does not define, and an 8-bit file's malformed row (Arrow would hand its bytes
    to the handler as UTF-8, which they may not be)."""
    fast = _bytes_decoder(source.encoding, utf8_checked)
    if fast is not None:
        invalid_rows: list = []
        try:
            table = _read_csv_bytes(path, columns, fast, invalid_rows)
        except Exception:  # noqa: BLE001 - the reader below reads the file, or names its fault
            table = None
        if table is not None:
            for row in invalid_rows:  # handed on only now: a failed attempt above reports none
                on_invalid_row(row)
            return table
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=_decoder_name(source) if source.encoding != "utf-8" else "utf8", block_size=8 << 20),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid_row),
        convert_options=_convert_options(columns, pa.string()),
    )


def _convert_options(columns: dict[str, str], kind: pa.DataType) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(
        include_columns=list(columns.values()),
        column_types={column: kind for column in columns.values()},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


def _read_csv_bytes(path: Path, columns: dict[str, str], decoder: "_ByteDecoder", invalid_rows: list) -> pa.Table:
    def skip(row) -> str:
        invalid_rows.append(row)
        return "skip"

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=8 << 20),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip if decoder.encoding is None else None),
        convert_options=_convert_options(columns, pa.binary()),
    )
    return pa.table({name: pa.chunked_array([decoder.text(chunk) for chunk in table[name].chunks], pa.string()) for name in table.column_names})


class _ByteDecoder:
    """Text from bytes parsed by Arrow: ASCII (and checked UTF-8) as it is, without a copy;
    other bytes of an 8-bit encoding decoded, the values' offsets moved by how much longer each
    non-ASCII character is in UTF-8."""

    def __init__(self, encoding: str | None):
        self.encoding = encoding  # None: the bytes are UTF-8 already
        if encoding is not None:
            # UTF-8 bytes of each byte's character, less one (0 for ASCII; undefined bytes never
            # get this far: decoding them fails)
            self.longer = np.array([len(bytes([b]).decode(encoding, errors="replace").encode("utf-8")) - 1 for b in range(256)], dtype=np.int64)

    def text(self, chunk: pa.Array) -> pa.Array:
        if self.encoding is None:
            return chunk.view(pa.string())
        validity, offsets, data = chunk.buffers()
        offsets = np.frombuffer(offsets, dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
        start, end = int(offsets[0]), int(offsets[-1])
        values = np.frombuffer(data, dtype=np.uint8)[start:end] if data is not None else np.zeros(0, dtype=np.uint8)
        high = np.flatnonzero(values >= 0x80)
        if not len(high):
            return chunk.view(pa.string())
        if chunk.null_count:  # never from the reader's options; kept simple rather than offset
            return pa.array([None if v is None else v.decode(self.encoding) for v in chunk.to_pylist()], pa.string())
        text = values.tobytes().decode(self.encoding).encode("utf-8")
        longer_before = np.concatenate([[0], np.cumsum(self.longer[values[high]])])
        relative = offsets - start
        moved = relative + longer_before[np.searchsorted(high, relative)]
        return pa.StringArray.from_buffers(len(chunk), pa.py_buffer(moved.astype(np.int32)), pa.py_buffer(text))


@functools.cache
def _bytes_decoder(encoding: str, utf8_checked: bool) -> _ByteDecoder | None:
    """How `_read_csv_bytes` turns this encoding's bytes into text, or None if it cannot: a UTF-8
    file not yet checked, or an encoding that is not one byte per character with ASCII as ASCII."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return None
    if codec.name in {"utf-8", "utf-8-sig"}:
        return _ByteDecoder(None) if utf8_checked else None
    # a character-map codec (a table of 256 characters: Windows-1252, the ISO 8859 family) or
    # Latin-1; a multi-byte one (Shift JIS, UTF-16) would be cut apart by byte-wise parsing
    module = getattr(codec.decode, "__module__", None) or ""
    if codec.name == "iso8859-1":
        table = "".join(map(chr, range(256)))
    else:
        table = getattr(importlib.import_module(module), "decoding_table", None) if module.startswith("encodings.") else None
    if not isinstance(table, str) or len(table) != 256 or table[:128] != "".join(map(chr, range(128))):
        return None
    return _ByteDecoder(encoding)


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
    import pandas as pd

    layout = pd.DataFrame({"line": start_lines, "fields": fields})[~empty]
    return layout.iloc[1:].reset_index(drop=True)  # the first record is the header


# --------------------------------------------------------------------------------------------
# Row checks: quarantine, never a silent drop

QUARANTINE_COLUMNS = ["file", "line", "column", "value", "reason"]


@dataclass
class Quarantine:
    """Rows set aside, with file, record number, column, value and reason.

    Records are numbered as the CSV reader saw them (well-formed records only); `frame()` turns
    them into the physical line where each record starts (the header is line 1).
    """

    parts: list[dict] = field(default_factory=list)  # columns of a frame each (made by `frame()`)

    def add(self, file: str, records: np.ndarray, column: str, values, reason: str) -> None:
        if len(records) == 0:
            return
        text = pa.array(values, type=pa.string()) if not isinstance(values, (pa.Array, pa.ChunkedArray)) else values
        text = pc.fill_null(pc.utf8_slice_codeunits(pc.cast(text, pa.string()), 0, 80), "")
        self.parts.append({"file": file, "record": np.asarray(records, dtype=np.int64), "column": column, "value": text.to_numpy(zero_copy_only=False), "reason": reason})

    def first_failures(self, raw: RawFile, spec: FileSpec, checks: list[tuple[np.ndarray, str, str]]) -> np.ndarray:
        """Quarantine each row under the first check it fails; return the mask of rows kept.

        `checks` are (bad mask, canonical field, reason), in order of precedence.
        """
        failed = np.full(raw.data.num_rows, -1, dtype=np.int16)
        for number, (bad, _, _) in enumerate(checks):
            failed[(failed < 0) & np.asarray(bad, dtype=bool)] = number
        for number, (_, field_name, reason) in enumerate(checks):
            rows = np.flatnonzero(failed == number)
            if len(rows):
                values = raw.data[field_name].take(pa.array(rows)) if field_name in raw.data.column_names else [""] * len(rows)
                self.add(raw.name, rows, spec.columns.get(field_name, field_name), values, reason)
        return failed < 0

    def frame(self, raws: dict[str, RawFile], directory: Path) -> pd.DataFrame:
        """The quarantine with physical line numbers, sorted by file and line."""
        import pandas as pd

        parts = [pd.DataFrame(part) for part in self.parts if len(part["record"])]
        for raw in raws.values():
            if raw.malformed:
                malformed = pd.DataFrame(raw.malformed, columns=["text", "reason"])
                parts.append(malformed.assign(file=raw.name, record=-1, column="(whole record)", value=malformed["text"].str.slice(0, 80)))
        if not parts:
            return pd.DataFrame({column: pd.Series(dtype="int64" if column == "line" else "str") for column in QUARANTINE_COLUMNS})
        table = pd.concat(parts, ignore_index=True)
        table["line"] = np.int64(0)
        for name, rows in table.groupby("file", sort=False).groups.items():
            layout = record_layout(Path(directory) / name)
            width = len(raws[name].header)
            well_formed = layout.loc[layout["fields"] == width, "line"].to_numpy()
            malformed = layout.loc[layout["fields"] != width, "line"].to_numpy()
            if len(layout) != raws[name].records_read or len(malformed) != len(raws[name].malformed):
                # a stray double quote outside a quoted field: the records cannot be placed on lines
                raise ExtractError(
                    f"{name}: {raws[name].records_read} records read but {len(layout)} found by line; "
                    "a double quote is probably stray (outside a quoted field): check the file's quoting"
                )
            records = table.loc[rows, "record"].to_numpy()
            lines = np.empty(len(records), dtype=np.int64)
            lines[records >= 0] = well_formed[records[records >= 0]]
            lines[records < 0] = malformed[: int((records < 0).sum())]
            table.loc[rows, "line"] = lines
        return table.sort_values(["file", "line"], kind="stable")[QUARANTINE_COLUMNS].reset_index(drop=True)


def duplicated(values: pa.ChunkedArray) -> np.ndarray:
    """True for every occurrence of a value after its first (nulls are never duplicates)."""
    # one hashing pass: its dictionary is as long as the values given when none repeats (the
    # usual case, answered without looking at the codes); Arrow's count_distinct hashes as much
    # again, and merges its per-chunk tables more slowly
    encoded = pc.dictionary_encode(values)
    encoded = encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
    if len(encoded.dictionary) == len(encoded) - encoded.null_count:
        return np.zeros(len(values), dtype=bool)
    codes = pc.fill_null(encoded.indices, -1).to_numpy()
    # each value's first row (a null's go to the extra last slot), by minimum.at: np.unique sorts
    # the whole array, far slower
    first = np.full(len(encoded.dictionary) + 1, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    seen = np.zeros(len(codes) + 1, dtype=bool)
    seen[first] = True
    return ~seen[:-1] & (codes >= 0)


def isin(values, value_set) -> np.ndarray:
    """Arrow's hash-set membership (pandas' isin on Arrow strings is slow for big sets). Arrow
    values are looked up where they are, chunks and all; the set may repeat values."""
    values = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else as_arrow(values)
    return pc.fill_null(pc.is_in(values, value_set=as_arrow(value_set)), False).to_numpy(zero_copy_only=False)


def lookup(keys, index_keys, index_values) -> pa.Array:
    """`index_values` at the position of each key in `index_keys` (null where absent)."""
    position = pc.index_in(as_arrow(keys), value_set=as_arrow(index_keys))
    return pc.take(as_arrow(index_values), position)


def as_arrow(values, unique: bool = False) -> pa.Array:
    """Values (pandas, numpy, list or Arrow) as one Arrow array, optionally without repeats."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    elif not isinstance(values, pa.Array):
        values = pa.array(values.to_numpy() if hasattr(values, "to_numpy") else values, from_pandas=True)
    if values.type == pa.null():  # nothing to go by (an empty list): text, like every key here
        values = values.cast(pa.string())
    return pc.unique(values) if unique else values


def _constant(value: str, length: int) -> pa.DictionaryArray:
    """A column holding one value (a system's or file's name), stored once."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(length, dtype=np.int32)), pa.array([value]))


def _status_state(status: pa.ChunkedArray, source: SourceDefinition) -> pa.ChunkedArray:
    keys = pa.array(list(source.status_values), type=pa.string())
    states = pa.array(list(source.status_values.values()), type=pa.string())
    return pc.take(states, pc.index_in(codes.as_text(status), value_set=keys))


def _column(raw: RawFile, field_name: str) -> pa.ChunkedArray:
    """A canonical field's raw text, or all nulls where this system has no such column."""
    if field_name in raw.data.column_names:
        return raw.data[field_name]
    return pa.chunked_array([pa.nulls(raw.data.num_rows, pa.string())])


def _null(array) -> np.ndarray:
    return pc.is_null(array).to_numpy(zero_copy_only=False)


# --------------------------------------------------------------------------------------------
# From a system's rows to canonical rows


def canonical_crimes(raw: RawFile, source: SourceDefinition, book: Quarantine, sink) -> pa.Table:
    """One system's crimes: reference, dates, classification, state, outcome.

    The circumstances texts (most of the file's bytes) go straight to the sink, by reference."""
    ref = codes.as_text(_column(raw, "crime_ref"))
    recorded = codes.parse_datetimes(_column(raw, "recorded_at"), source.datetime_formats)
    original = codes.parse_datetimes(_column(raw, "original_recorded_at"), source.datetime_formats)
    ho_class = codes.normalise_ho_class(_column(raw, "ho_class"), source.ho_class_pattern)
    outcome = codes.parse_outcome(_column(raw, "outcome"), source.outcome_pattern)
    state = _status_state(_column(raw, "status"), source)
    unreadable_date = "not a date-time (impossible or unreadable date)"
    keep = book.first_failures(raw, source.crimes, [
        (_null(ref), "crime_ref", "no crime reference"),
        (duplicated(ref), "crime_ref", "duplicated crime reference"),
        (_null(recorded), "recorded_at", unreadable_date),
        (codes.invalid(_column(raw, "original_recorded_at"), original), "original_recorded_at", unreadable_date),
        (_null(ho_class), "ho_class", "not a Home Office classification"),
        (codes.invalid(_column(raw, "outcome"), outcome), "outcome", "not a Home Office outcome type (1-22)"),
        (_null(state), "status", "unknown crime status"),
    ])
    table = pa.table({
        "crime_ref": ref,
        "system": _constant(source.system, raw.data.num_rows),
        "legacy_ref": codes.as_text(_column(raw, "legacy_ref")),
        "recorded_at": pc.coalesce(original, recorded),
        "original_given": pc.is_valid(original),
        "ho_class": ho_class,
        "state": state,
        "outcome": outcome,
        "file": _constant(raw.name, raw.data.num_rows),
        "record": pa.array(np.arange(raw.data.num_rows, dtype=np.int32)),
    })
    # with its class: the cache stores a file's texts ordered by class, so one class's are together
    sink.texts(raw.name, _kept(pa.table({"crime_id": ref, "circumstances": _column(raw, "circumstances"), "ho_class": ho_class}), keep))
    # a crime row set aside still names a crime: its charges and people are not orphans
    raw.set_aside_refs = pc.drop_null(ref.filter(pa.array(~keep))).combine_chunks()
    return _kept(table, keep)


def _kept(table: pa.Table, keep: np.ndarray) -> pa.Table:
    return table if keep.all() else table.filter(pa.array(keep))


def _keyed(system: str | None, refs: pa.ChunkedArray) -> pa.ChunkedArray:
    """`SYSTEM:ref`: person references are unique within a system, not across systems."""
    if system is None:
        return pa.chunked_array([pa.nulls(len(refs), pa.string())])
    return pc.binary_join_element_wise(pa.scalar(system), refs, ":")


def canonical_people(raw: RawFile, source: SourceDefinition, book: Quarantine, sink) -> pa.Table:
    """One system's person rows, keyed `SYSTEM:ref`; names and dates of birth, if they were
    read, go straight to the sink."""
    person = codes.as_text(_column(raw, "person_ref"))
    crime = codes.as_text(_column(raw, "crime_ref"))
    pnc_raw = _column(raw, "pnc_id")
    pnc = codes.normalise_pnc_id(pnc_raw, source.pnc_pattern)
    keep = book.first_failures(raw, source.people, [
        (_null(person), "person_ref", "no person reference"),
        (_null(crime), "crime_ref", "no crime reference"),
    ])
    columns = {
        "crime_ref": crime,
        "person_key": _keyed(source.system, person),
        "legacy_person_key": _keyed(source.legacy_system, codes.as_text(_column(raw, "legacy_person_ref"))),
        "pnc_id": pnc,
        # a PNC ID that cannot be read ties nobody together: it is counted, not quarantined
        "pnc_unreadable": pa.array(codes.invalid(pnc_raw, pnc)),
        "role": codes.normalise_role(_column(raw, "role")),
        "file": _constant(raw.name, raw.data.num_rows),
        "record": pa.array(np.arange(raw.data.num_rows, dtype=np.int32)),
    }
    personal = {name: raw.data[name] for name in sorted(PERSONAL_FIELDS) if name in raw.data.column_names}
    if personal:
        sink.personal(raw.name, _kept(pa.table({"person_key": columns["person_key"], **personal}), keep))
    return _kept(pa.table(columns), keep)


def canonical_charges(raw: RawFile, source: SourceDefinition, book: Quarantine, sink=None) -> pa.Table:
    """One system's charges: crime, person key, date and CJS code."""
    person = codes.as_text(_column(raw, "person_ref"))
    crime = codes.as_text(_column(raw, "crime_ref"))
    charge_date = codes.parse_dates(_column(raw, "charge_date"), source.date_format)
    cjs_code = codes.normalise_cjs_code(_column(raw, "cjs_code"))
    keep = book.first_failures(raw, source.charges, [
        (_null(person), "person_ref", "no person reference"),
        (_null(crime), "crime_ref", "no crime reference"),
        (_null(charge_date), "charge_date", "not a date (impossible or unreadable date)"),
        (_null(cjs_code), "cjs_code", "no CJS offence code"),
    ])
    table = pa.table({
        "crime_ref": crime,
        "person_key": _keyed(source.system, person),
        "charge_date": charge_date,
        "cjs_code": cjs_code,
        "file": _constant(raw.name, raw.data.num_rows),
        "record": pa.array(np.arange(raw.data.num_rows, dtype=np.int32)),
    })
    return _kept(table, keep)


# --------------------------------------------------------------------------------------------
# One model across systems


class MemorySink:
    """Keeps the texts and personal data of each file in memory (for runs without the cache)."""

    def __init__(self):
        self.text_tables: list[pa.Table] = []
        self.personal_tables: list[pa.Table] = []

    def texts(self, file: str, table: pa.Table) -> None:
        self.text_tables.append(table.drop_columns(["ho_class"]))

    def settle(self) -> None:
        """Nothing is pending: everything is kept in memory."""

    def crimes(self, table: pa.Table) -> pa.Table:
        return table

    def personal(self, file: str, table: pa.Table) -> None:
        self.personal_tables.append(table)

    def store(self, people: pa.Table) -> "MemoryStore":
        empty_texts = pa.table({"crime_id": pa.array([], pa.string()), "circumstances": pa.array([], pa.string())})
        return MemoryStore(people, pa.concat_tables(self.text_tables) if self.text_tables else empty_texts,
                           pa.concat_tables(self.personal_tables, promote_options="default") if self.personal_tables else None)


class MemoryStore:
    """The parts of an extract read only on demand, held in memory (no cache).

    texts: crime reference and circumstances, for every crime row kept (a migrated crime's old
    row too: its reference is never a crime ID, so it is only ever read by the release gate).
    """

    def __init__(self, people: pa.Table, texts: pa.Table, personal: pa.Table | None):
        self._people, self._texts, self._personal = people, texts, personal

    def people(self, columns: list[str] | None = None) -> pa.Table:
        return self._people.select([c for c in columns if c in self._people.column_names]) if columns else self._people

    def personal(self) -> pa.Table | None:
        """person_key, surname, forenames, date_of_birth (as written) of every person row."""
        return self._personal

    def has_personal(self) -> bool:
        return self._personal is not None

    def people_born(self, written: list[str]) -> pa.Table:
        """surname, forenames, date_of_birth of the person rows born on a date `written` (as written)."""
        names = ["surname", "forenames", "date_of_birth"]
        if self._personal is None or "date_of_birth" not in self._personal.column_names:
            return pa.table({n: pa.array([], pa.string()) for n in names})
        dob = pc.utf8_trim_whitespace(self._personal["date_of_birth"])
        born = self._personal.filter(pc.fill_null(pc.is_in(dob, value_set=pa.array(written, pa.string())), False))
        return born.select([n for n in names if n in born.column_names])

    def texts(self, crime_ids=None) -> pa.Table:
        if crime_ids is None:
            return self._texts
        return self._texts.filter(pc.is_in(self._texts["crime_id"], value_set=as_arrow(crime_ids, unique=True)))


@dataclass
class Extract:
    """The canonical model of one export, with what loading it took and found.

    crimes   crime_id (the newest system's reference), system, legacy_ref, recorded_at (original
             recording, local time), ho_class (`088/01`), cancelled, outcome (HO number or NA)
    charges  crime_id, person_key, individual_id, charge_date, cjs_code (each charge once)
    people   (on demand) crime_id, person_key (`SYSTEM:ref`), legacy_person_key, individual_id,
             pnc_id, role; names and dates of birth only in `store.personal()`, for the gate
    circumstances (on demand, by crime ID) the free text of each crime

    People and texts are the bulk of an extract and most requests need little of them, so they stay
    in the store (memory, or the extract cache's files) until asked for.
    """

    crimes: pd.DataFrame
    charges: pd.DataFrame
    quarantine: pd.DataFrame
    data_quality: dict
    files: dict[str, dict]  # file name -> {"system", "size", "sha256", "records"}
    directory: Path
    store: object  # MemoryStore or helpers.cache.entries.EntryStore

    @property
    def first_recorded(self) -> pd.Timestamp:
        return self.crimes["recorded_at"].min()

    @property
    def last_recorded(self) -> pd.Timestamp:
        return self.crimes["recorded_at"].max()

    @property
    def people(self) -> pd.DataFrame:
        table = self.store.people(PEOPLE_COLUMNS)
        at = table.schema.get_field_index("individual_id")  # stored dictionary-encoded: text here
        return to_pandas(table.set_column(at, "individual_id", pc.cast(table["individual_id"], pa.string())) if at >= 0 else table)

    def circumstances(self, crime_ids=None) -> pd.Series:
        """The circumstances text of each crime asked for (all crimes if None), by crime ID."""
        import pandas as pd

        texts = self.store.texts(crime_ids)
        return pd.Series(texts["circumstances"].to_pandas().array, index=pd.Index(texts["crime_id"].to_pandas().array, name="crime_id"), name="circumstances")


PEOPLE_COLUMNS = ["crime_id", "person_key", "legacy_person_key", "individual_id", "pnc_id", "role"]


def merge_systems(crimes: pa.Table, sources: tuple[SourceDefinition, ...], book: Quarantine) -> tuple[pa.Table, pa.Table, dict]:
    """Make a migrated crime one crime: its newer copy's state, its original recorded date.

    Returns the crimes (one row per crime), a table mapping every crime reference in the files
    (the superseded legacy ones too) to the crime's ID, and counts for the data-quality section.
    """
    legacy_of = {source.system: source.legacy_system for source in sources}
    system = pc.cast(crimes["system"], pa.string())
    key = pc.binary_join_element_wise(system, crimes["crime_ref"], "|")
    has_legacy = pc.is_valid(crimes["legacy_ref"]).to_numpy(zero_copy_only=False)
    legacy_system = pc.take(pa.array(list(legacy_of.values()), pa.string()), pc.index_in(system, value_set=pa.array(list(legacy_of), pa.string())))
    copy_key = pc.binary_join_element_wise(legacy_system, crimes["legacy_ref"], "|")

    # one legacy crime migrated twice: the first copy stands, the others are quarantined
    twice = has_legacy & duplicated(copy_key)
    for file, rows in _by_file(crimes, twice):
        book.add(file, crimes["record"].take(pa.array(rows)).to_numpy(), _column_name(sources, file, "legacy_ref"), crimes["legacy_ref"].take(pa.array(rows)), "legacy crime migrated twice (another crime has the same legacy reference)")
    copies = has_legacy & ~twice
    superseded = isin(key, copy_key.filter(pa.array(copies)))
    migrated_state = pc.equal(crimes["state"], "migrated").to_numpy(zero_copy_only=False)
    orphan = migrated_state & ~superseded
    for file, rows in _by_file(crimes, orphan):
        newer = "/".join(s.system for s in sources if s.legacy_system == system[int(rows[0])].as_py()) or "newer"
        book.add(file, crimes["record"].take(pa.array(rows)).to_numpy(), _column_name(sources, file, "status"), ["MIGRATED"] * len(rows), f"marked migrated but no {newer} crime names it as its legacy crime")

    copy_rows = pa.array(np.flatnonzero(copies))
    superseded_rows = pa.array(np.flatnonzero(superseded))
    # a copy without its original recorded date takes its legacy row's (Connect's own date is the
    # migration run's); with neither, the year it counts in is unknown: set it aside
    undated = copies & ~crimes["original_given"].to_numpy(zero_copy_only=False)
    undated_rows = np.flatnonzero(undated)  # few, usually none: only they are looked up
    if len(undated_rows):  # else the superseded rows' keys need no hashing
        legacy_date = lookup(copy_key.take(undated_rows), key.take(superseded_rows), crimes["recorded_at"].take(superseded_rows))
        found = ~_null(legacy_date)
    else:
        found = np.zeros(0, dtype=bool)
    undated_without_legacy = np.zeros(len(undated), dtype=bool)
    undated_without_legacy[undated_rows[~found]] = True
    for file, rows in _by_file(crimes, undated_without_legacy):
        book.add(file, crimes["record"].take(pa.array(rows)).to_numpy(), _column_name(sources, file, "original_recorded_at"), [""] * len(rows), "migrated crime without its original recorded date (and no legacy row to take it from)")
    if found.any():
        dated_from_legacy = np.zeros(len(undated), dtype=bool)
        dated_from_legacy[undated_rows[found]] = True
        recorded_at = pc.replace_with_mask(crimes["recorded_at"].combine_chunks(), pa.array(dated_from_legacy), legacy_date.filter(pa.array(found)))
        crimes = crimes.set_column(crimes.schema.get_field_index("recorded_at"), "recorded_at", recorded_at)
    live = ~superseded & ~orphan & ~twice & ~undated_without_legacy
    successor = lookup(key.take(superseded_rows), copy_key.take(copy_rows), crimes["crime_ref"].take(copy_rows))
    # every reference read names a crime: the live ones themselves, a superseded one its copy, and
    # one set aside here itself (its charges and people are still charges and people)
    own = crimes["crime_ref"].filter(pa.array(~superseded)).combine_chunks()
    ref_to_id = pa.table({
        "ref": pa.chunked_array([own, crimes["crime_ref"].take(superseded_rows).combine_chunks()]),
        "crime_id": pa.chunked_array([own, successor]),
    })
    quality = {
        "migrated_crimes": int(superseded.sum()),
        "migrated_crimes_not_marked_migrated": int((superseded & ~migrated_state).sum()),
        # each superseded row has exactly one copy; the other copies name a crime not in the file
        "migrated_crimes_without_legacy_row": int(copies.sum() - superseded.sum()),
        "migrated_crimes_dated_from_legacy_row": int((undated & ~undated_without_legacy).sum()),
        "superseded_by_file": _rows_by_file(pa.table({"file": crimes["file"].filter(pa.array(superseded))})).to_dict(),
    }
    merged = _kept(crimes, live).drop_columns(["original_given"])
    merged = merged.rename_columns(["crime_id" if c == "crime_ref" else c for c in merged.column_names])
    merged = merged.append_column("cancelled", pc.equal(merged["state"], "cancelled")).drop_columns(["state"])
    return merged, ref_to_id, quality


def _by_file(table: pa.Table, mask: np.ndarray):
    """(file name, row numbers) for the rows where `mask` holds."""
    rows = np.flatnonzero(mask)
    if not len(rows):
        return []
    files = table["file"].take(pa.array(rows)).to_numpy(zero_copy_only=False)
    _, first = np.unique(files, return_index=True)  # the files in order of their first row here
    return [(name, rows[files == name]) for name in files[np.sort(first)]]


def _column_name(sources: tuple[SourceDefinition, ...], file: str, field_name: str) -> str:
    for source in sources:
        for spec in source.files:
            if spec.filename == file:
                return spec.columns.get(field_name, field_name)
    return field_name


def _with_set_aside(ref_to_id: pa.Table, raws: dict[str, RawFile]) -> pa.Table:
    """`ref_to_id` and the references of crime rows set aside, each its own ID: a crime row set
    aside still names a crime, so its charges and people are not orphans."""
    set_aside = pa.concat_arrays([raw.set_aside_refs for raw in raws.values() if raw.set_aside_refs is not None] or [pa.array([], pa.string())])
    if len(set_aside):  # usually none: then the million references need no hashing here
        set_aside = pc.unique(pc.filter(set_aside, pc.invert(pc.is_in(set_aside, value_set=ref_to_id["ref"].combine_chunks()))))
    return pa.concat_tables([ref_to_id, pa.table({"ref": set_aside, "crime_id": set_aside})])


def crime_ids_of(refs: pa.ChunkedArray, ref_to_id: pa.Table) -> pa.Array:
    """The crime ID each crime reference names (null: no crime has it). The million references
    are hashed once for all the references given."""
    return pc.take(as_arrow(ref_to_id["crime_id"]), pc.index_in(refs, value_set=as_arrow(ref_to_id["ref"])))


def attach_crimes(tables: list[pa.Table], ref_to_id: pa.Table, book: Quarantine, sources: tuple[SourceDefinition, ...], crime_ids=None) -> list[pa.Table]:
    """Give person or charge rows their crime's ID; quarantine rows whose crime is in no file.

    All the tables' references are looked up at once (`crime_ids_of`); `crime_ids`: that lookup,
    done already, for the tables' rows in order."""
    if crime_ids is None:
        crime_ids = crime_ids_of(pa.chunked_array([chunk for table in tables for chunk in table["crime_ref"].chunks], pa.string()), ref_to_id)
    if len(crime_ids) != sum(table.num_rows for table in tables):
        raise AssertionError(f"{len(crime_ids)} crime IDs for {sum(table.num_rows for table in tables)} rows")
    attached, start = [], 0
    for rows in tables:
        crime_id = crime_ids.slice(start, rows.num_rows)
        start += rows.num_rows
        missing = _null(crime_id)
        for file, bad in _by_file(rows, missing):
            book.add(file, rows["record"].take(pa.array(bad)).to_numpy(), _column_name(sources, file, "crime_ref"), rows["crime_ref"].take(pa.array(bad)), "crime not found in any crimes file")
        attached.append(_kept(rows.append_column("crime_id", crime_id).drop_columns(["crime_ref"]), ~missing))
    return attached


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas: text as pandas' Arrow-backed strings, whole numbers as nullable Int64."""
    import pandas as pd

    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get, split_blocks=True)


@dataclass
class CanonicalTables:
    """What loading the files makes, as Arrow tables: `load_extracts` turns the crimes and
    charges into pandas; the extract cache writes them to its files as they are."""

    crimes: pa.Table | None  # None: the sink has them (the cache wrote them out)
    charges: pa.Table
    people: pa.Table
    quarantine: pd.DataFrame
    data_quality: dict
    files: dict[str, dict]


def load_extracts(
    directory: str | Path,
    sources: tuple[SourceDefinition, ...] = FORCE_SOURCES,
    personal_data: bool = False,
    progress=None,
    sink=None,
) -> Extract:
    """Read every system's files into one canonical model.

    `personal_data=True` also reads names and dates of birth (the release gate needs them); by
    default they stay on disk. `progress` is called with each file's name as it is read. `sink`
    receives each file's texts and personal data as soon as it is read (the extract cache writes
    them to disk); by default they are kept in memory.
    """
    sink = sink if sink is not None else MemorySink()
    tables = read_canonical(directory, sources, personal_data, progress, sink)
    return Extract(
        crimes=to_pandas(tables.crimes),
        charges=to_pandas(tables.charges),
        quarantine=tables.quarantine,
        data_quality=tables.data_quality,
        files=tables.files,
        directory=Path(directory),
        store=sink.store(tables.people),
    )


def read_canonical(
    directory: str | Path,
    sources: tuple[SourceDefinition, ...] = FORCE_SOURCES,
    personal_data: bool = False,
    progress=None,
    sink=None,
    people_apart: bool = False,
    side=None,
) -> CanonicalTables:
    """The files read, checked, merged and reconciled into canonical Arrow tables.

    The crimes files come first, and are merged; then the person and charge files are given their
    crimes' IDs. Each file's byte scan (SHA-256, encoding checks) runs in a thread ahead of its
    parse. `people_apart` (the cache build, whose sink writes to a folder): the person and charge
    files are read, and who is who worked out, in a process of their own while this one reads the
    crimes, and handed over as Arrow files in the sink's folder: both cores work, and neither
    process holds both halves' raw text. `side`: that process, already started on the sink's
    folder (the cache builder starts it before its own imports).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ExtractError(f"{directory}: extracts folder not found")
    book = Quarantine()
    sink = sink if sink is not None else MemorySink()
    crimes_files = [(source, spec) for source in sources for spec in source.files if spec.table == "crimes"]
    other_files = [(source, spec) for table in ("people", "charges") for source in sources for spec in source.files if spec.table == table]
    apart = side if side is not None else _start_people_side(directory, sources, personal_data, sink.folder) if people_apart else None
    try:
        raws, tables = _read_files(directory, crimes_files, personal_data, progress, sink, book)
        crimes, ref_to_id, quality = merge_systems(pa.concat_tables(tables.pop("crimes")), sources, book)
        crimes_used = _rows_by_file(crimes)
        crimes = sink.crimes(crimes.drop_columns(["record"]))  # final: the cache writes them out now
        ref_to_id = _with_set_aside(ref_to_id, raws)
        crime_ids = None
        if apart is None:
            more, tables = _read_files(directory, other_files, personal_data, progress, sink, book)
            people = pa.concat_tables(tables["people"], promote_options="default")
            charges = pa.concat_tables(tables["charges"])
            who = None
        else:
            # the crimes' IDs of the side's rows, looked up while it works out who is who
            refs = _people_side_refs(apart, sink.folder)
            crime_ids = crime_ids_of(refs, ref_to_id) if refs is not None else None
            more, people, charges, who, parts = _people_side_result(apart, sink.folder)
            book.parts.extend(parts)
    except BaseException:
        if apart is not None and apart.poll() is None:  # its files go with the staging folder
            apart.kill()
            apart.wait()
        raise
    raws = {**raws, **more}
    raws = {spec.filename: raws[spec.filename] for source in sources for spec in source.files}  # in the sources' order

    all_people, all_charges = people.num_rows, charges.num_rows
    people, charges = attach_crimes([people, charges], ref_to_id, book, sources, crime_ids)
    del ref_to_id

    if who is None or people.num_rows != all_people or charges.num_rows != all_charges:
        # not worked out yet, or on rows since set aside (a row set aside links nobody): now
        people, charges = (t.drop_columns([c for c in ("individual_id",) if c in t.column_names]) for t in (people, charges))
        resolved = resolve_individuals(people["person_key"], people["legacy_person_key"], people["pnc_id"], charges["person_key"])
        people = people.append_column("individual_id", resolved.of_people)
        charges = charges.append_column("individual_id", resolved.of_others)
        who = (resolved.person_records, resolved.individuals, resolved.others_without_record)
    else:  # worked out beside: the same columns, in the same order, as if done here
        people, charges = (t.select([c for c in t.column_names if c != "individual_id"] + ["individual_id"]) for t in (people, charges))
    # a charge laid before switch-over on a migrated crime was copied into the newer system
    charge_key = pc.binary_join_element_wise(charges["crime_id"], charges["individual_id"], charges["cjs_code"], pc.cast(charges["charge_date"], pa.string()), "|")
    copied = duplicated(charge_key)
    repeated_in_file = duplicated(pc.binary_join_element_wise(charge_key, pc.cast(charges["file"], pa.string()), "|"))
    quality["charges_copied_across_systems"] = int((copied & ~repeated_in_file).sum())
    quality["charges_repeated_within_a_file"] = int(repeated_in_file.sum())
    quality["person_records"], quality["individuals"] = who[:2]
    quality["unreadable_pnc_ids"] = int(pc.sum(people["pnc_unreadable"]).as_py() or 0)
    quality["charged_without_person_record"] = who[2]

    quarantine = book.frame(raws, directory)
    rows_read = {name: raw.records_read for name, raw in raws.items()}
    rows_quarantined = {name: int((quarantine["file"] == name).sum()) for name in raws}
    used = crimes_used.add(_rows_by_file(people), fill_value=0).add(_rows_by_file(charges), fill_value=0)
    superseded = quality.pop("superseded_by_file")
    rows_used = {name: int(used.get(name, 0)) + int(superseded.get(name, 0)) for name in raws}
    for name in raws:  # every record read is either used or quarantined
        if rows_read[name] != rows_used[name] + rows_quarantined[name]:
            raise AssertionError(f"{name}: {rows_read[name]} read != {rows_used[name]} used + {rows_quarantined[name]} quarantined")

    return CanonicalTables(
        crimes=crimes,
        charges=charges.filter(pa.array(~copied)).drop_columns(["record"]),
        people=people.drop_columns(["record", "pnc_unreadable"]),
        quarantine=quarantine,
        data_quality={"rows_read": rows_read, "rows_used": rows_used, "rows_quarantined": rows_quarantined, **quality},
        files={name: {"system": raw.system, "size": raw.size, "sha256": raw.sha256, "records": raw.records_read} for name, raw in raws.items()},
    )


