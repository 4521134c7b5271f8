"""Reading one extract file with Arrow's multi-threaded CSV reader: the columns needed, as text.

`read_file` checks the header (`helpers.extracts.scan`), takes the file's byte scan's verdict,
and parses the file. Rows the reader cannot split into the header's fields are kept as text for
the quarantine, never dropped. Text is parsed as bytes where that gives the same text for less
work (`_ByteDecoder`); anything else goes through Arrow's transcoding reader.
"""

from __future__ import annotations

import codecs
import functools
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from helpers.errors import ExtractError
from helpers.extracts.scan import Scan, checked_header, decoder_name, scan_file
from helpers.extracts.sheets import as_table, is_sheet, read_sheet
from helpers.extracts.sources import (
    PERSONAL_FIELDS,
    FileSpec,
    SourceDefinition,
    TableName,
    single_byte_table,
)
from helpers.extracts.transcode import as_utf8, is_wide, utf8_copy


def needed_columns(spec: FileSpec, fields: list[str] | None = None) -> dict[str, str]:
    """canonical field -> file column, for the fields wanted (all but personal data by default)."""
    wanted = fields if fields is not None else [f for f in spec.columns if f not in PERSONAL_FIELDS]
    return {f: spec.columns[f] for f in wanted if f in spec.columns}


@dataclass
class RawFile:
    """One file's records as text, with canonical column names."""

    name: str
    system: str
    table: TableName
    data: pa.Table  # canonical fields, all strings, in file order
    malformed: list[
        dict
    ]  # records the CSV reader could not split into the header's fields: text, reason
    size: int
    sha256: str
    header: list[str]
    records_read: int = 0  # well-formed and malformed records: every record the file holds
    set_aside_refs: pa.Array | None = None  # crime references of rows quarantined (crimes files)
    #: how a crimes file titles each class: class -> {title: rows}
    class_titles: dict[str, dict[str, int]] = field(default_factory=dict)
    delimiter: str = ","
    quote_char: str = '"'
    encoding: str = "utf-8"  # the original file's: a UTF-16 file's lines are found in its copy
    lines: np.ndarray | None = None  # a spreadsheet's: each record's row (a CSV's are found later)

    def __post_init__(self) -> None:
        self.records_read = self.data.num_rows + len(self.malformed)


def read_file(
    directory: Path,
    source: SourceDefinition,
    spec: FileSpec,
    fields: list[str] | None = None,
    scan: Future[Scan] | None = None,
) -> RawFile:
    """Check and read one extract file; only the wanted columns are kept in memory.

    `scan`: the file's byte scan (`scan_file`: SHA-256, encoding checks) already running
    elsewhere, as a future; a transcoded file (Windows-1252) is parsed meanwhile, and the scan's
    verdict comes first: a file it rejects is named for that, whatever the parser made of it.
    By default the scan runs here, before the parse.
    """
    path = Path(directory) / spec.filename
    encoding = source.encoding
    header = checked_header(directory, source, spec)
    if scan is None:
        scan = _done(scan_file(path, source))
    if is_sheet(spec.filename):
        return _read_spreadsheet(path, source, spec, needed_columns(spec, fields), header, scan)
    if is_wide(source.encoding):  # UTF-16: its UTF-8 copy is read, as a UTF-8 file
        path, source = utf8_copy(path, source.encoding).path, as_utf8(source)
    if source.encoding == "utf-8":
        # Arrow reads UTF-8 as it is, and a row it cannot split is handed over as text: bytes that
        # are not UTF-8 there would raise inside Arrow. The scan ran ahead: its verdict first.
        scan.result()
    columns = needed_columns(spec, fields)

    malformed: list[dict] = []

    def on_invalid_row(row) -> str:
        malformed.append(
            {
                "text": row.text[:200],
                "reason": f"has {row.actual_columns} fields, the header has {row.expected_columns}",
            }
        )
        return "skip"

    try:
        table = _read_csv(
            path, source, columns, on_invalid_row, utf8_checked=source.encoding == "utf-8"
        )
    except Exception as error:
        scan.result()  # a fault the scan names (encoding, truncation) explains the parse error
        if not isinstance(error, pa.ArrowInvalid):
            raise
        if "Empty CSV file" not in str(error):  # a header and nothing after it: no records
            raise ExtractError(
                f"{path.name}: the CSV cannot be read ({str(error).splitlines()[0]})"
            ) from None
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
        delimiter=source.delimiter,
        quote_char=source.quote_char,
        encoding=encoding,
    )


def _read_spreadsheet(
    path: Path,
    source: SourceDefinition,
    spec: FileSpec,
    columns: dict[str, str],
    header: list[str],
    scan: Future[Scan],
) -> RawFile:
    """A spreadsheet export's records (`helpers.extracts.sheets`): text columns, as a CSV's."""
    sheet = read_sheet(path, spec.sheet, list(columns.values()))
    size, sha256 = scan.result()
    return RawFile(
        name=spec.filename,
        system=source.system,
        table=spec.table,
        data=as_table(sheet).rename_columns(list(columns)),
        malformed=[],
        size=size,
        sha256=sha256,
        header=header,
        lines=sheet.rows,
    )


def _done(value: Scan) -> Future[Scan]:
    """A finished future holding `value`."""
    future: Future[Scan] = Future()
    future.set_result(value)
    return future


def _read_csv(
    path: Path,
    source: SourceDefinition,
    columns: dict[str, str],
    on_invalid_row,
    utf8_checked: bool = False,
) -> pa.Table:
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
            table = _read_csv_bytes(path, source, columns, fast, invalid_rows)
        except Exception:  # noqa: BLE001 - the reader below reads the file, or names its fault
            table = None
        if table is not None:
            for row in invalid_rows:  # handed on only now: a failed attempt above reports none
                on_invalid_row(row)
            return table
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding=decoder_name(source) if source.encoding != "utf-8" else "utf8",
            block_size=8 << 20,
        ),
        parse_options=_parse_options(source, on_invalid_row),
        convert_options=_convert_options(columns, pa.string()),
    )


def _convert_options(columns: dict[str, str], kind: pa.DataType) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(
        include_columns=list(columns.values()),
        column_types={column: kind for column in columns.values()},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


def _parse_options(source: SourceDefinition, invalid_row_handler) -> pacsv.ParseOptions:
    return pacsv.ParseOptions(
        delimiter=source.delimiter,
        quote_char=source.quote_char,
        newlines_in_values=True,
        invalid_row_handler=invalid_row_handler,
    )


def _read_csv_bytes(
    path: Path,
    source: SourceDefinition,
    columns: dict[str, str],
    decoder: _ByteDecoder,
    invalid_rows: list,
) -> pa.Table:
    def skip(row) -> str:
        invalid_rows.append(row)
        return "skip"

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=8 << 20),
        parse_options=_parse_options(source, skip if decoder.encoding is None else None),
        convert_options=_convert_options(columns, pa.binary()),
    )
    return pa.table(
        {
            name: pa.chunked_array(
                [decoder.text(chunk) for chunk in table[name].chunks], pa.string()
            )
            for name in table.column_names
        }
    )


class _ByteDecoder:
    """Text from bytes parsed by Arrow: ASCII (and checked UTF-8) as it is, without a copy;
    other bytes of an 8-bit encoding decoded, the values' offsets moved by how much longer each
    non-ASCII character is in UTF-8."""

    def __init__(self, encoding: str | None):
        self.encoding = encoding  # None: the bytes are UTF-8 already
        if encoding is not None:
            # UTF-8 bytes of each byte's character, less one (0 for ASCII; undefined bytes never
            # get this far: decoding them fails)
            self.longer = np.array(
                [
                    len(bytes([b]).decode(encoding, errors="replace").encode("utf-8")) - 1
                    for b in range(256)
                ],
                dtype=np.int64,
            )

    def text(self, chunk: pa.Array) -> pa.Array:
        if self.encoding is None:
            return chunk.view(pa.string())
        validity, offsets, data = chunk.buffers()
        offsets = np.frombuffer(offsets, dtype=np.int32)[
            chunk.offset : chunk.offset + len(chunk) + 1
        ]
        start, end = int(offsets[0]), int(offsets[-1])
        values = (
            np.frombuffer(data, dtype=np.uint8)[start:end]
            if data is not None
            else np.zeros(0, dtype=np.uint8)
        )
        high = np.flatnonzero(values >= 0x80)
        if not len(high):
            return chunk.view(pa.string())
        if chunk.null_count:  # never from the reader's options; kept simple rather than offset
            return pa.array(
                [None if v is None else v.decode(self.encoding) for v in chunk.to_pylist()],
                pa.string(),
            )
        text = values.tobytes().decode(self.encoding).encode("utf-8")
        longer_before = np.concatenate([[0], np.cumsum(self.longer[values[high]])])
        relative = offsets - start
        moved = relative + longer_before[np.searchsorted(high, relative)]
        return pa.StringArray.from_buffers(
            len(chunk), pa.py_buffer(moved.astype(np.int32)), pa.py_buffer(text)
        )


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
    return _ByteDecoder(encoding) if single_byte_table(encoding) is not None else None
