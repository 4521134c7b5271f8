"""Structural checks of an extract file, on its bytes: header, columns, encoding, truncation.

A fault found here stops the run with one line naming the file and, where it can, the line
(`ExtractError`): a missing or empty file, a missing or renamed column, the wrong encoding, a
carriage return without its line feed, a file that ends inside a quoted field. `record_layout`
finds the physical line each record starts on, for the quarantine's line numbers.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pyarrow as pa

from helpers.errors import ExtractError
from helpers.extracts.sheets import is_sheet, sheet_header
from helpers.extracts.sources import FileSpec, SourceDefinition
from helpers.extracts.transcode import as_utf8, is_wide, utf8_copy

if TYPE_CHECKING:  # pandas is imported where frames are made: the person side never needs it
    import pandas as pd

#: bytes read at a time by the scans over a file
CHUNK_BYTES = 16 * 1024 * 1024


def decoder_name(source: SourceDefinition) -> str:
    """The codec this source's text is decoded with (a UTF-8 byte-order mark skipped)."""
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
    text = first.decode(decoder_name(source), errors="replace")
    try:  # newline="": a carriage return ends the line here; scan_file names it as a fault
        rows = csv.reader(
            io.StringIO(text, newline=""), delimiter=source.delimiter, quotechar=source.quote_char
        )
        header = next(rows, None)
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


def checked_header(directory: Path, source: SourceDefinition, spec: FileSpec) -> list[str]:
    """The file is there and its header has every column the source definition names."""
    path = Path(directory) / spec.filename
    if not path.is_file():
        raise ExtractError(f"{spec.filename}: file not found in {directory}")
    if is_sheet(spec.filename):  # a spreadsheet export: its sheet's first row
        header = sheet_header(path, spec.sheet)
        check_columns(path, header, list(spec.columns.values()))
        return header
    if is_wide(source.encoding):  # UTF-16: its UTF-8 copy's header
        path, source = utf8_copy(path, source.encoding).path, as_utf8(source)
    header = read_header(path, source)
    check_columns(path, header, list(spec.columns.values()))
    return header


class Scan(NamedTuple):
    """What the byte scan of a file found: its size and SHA-256 (for the manifest)."""

    size: int
    sha256: str


def scan_file(path: Path, source: SourceDefinition) -> Scan:
    """One pass over the bytes: SHA-256, encoding and truncation checks.

    An 8-bit (Windows-1252) system's file that is valid UTF-8 *with* non-ASCII characters has been
    re-saved as UTF-8; a UTF-8 system's file that is not valid UTF-8 was saved in another encoding.
    Either would give wrong letters (mojibake) in names, so both stop the run. A pure-ASCII file is
    fine either way. An odd number of double quotes means the last quoted field never closed: a
    truncated file.

    Each check is a vectorised pass over a chunk (numpy, or Arrow's UTF-8 validation over the
    bytes in place); positions are kept as byte offsets and turned into line numbers only for
    the error message. A UTF-16 (or UTF-32) file is checked as its UTF-8 copy (`transcode`),
    whose conversion hashed the original.
    """
    if is_sheet(path.name):  # a spreadsheet: its reader checks it; the hash is all there is here
        return hashed(path)
    if is_wide(source.encoding):
        converted = utf8_copy(path, source.encoding)
        scan_file(converted.path, as_utf8(source))
        return Scan(converted.size, converted.sha256)
    digest = hashlib.sha256()
    quote = ord(source.quote_char)
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
            quotes += int(np.count_nonzero(data == quote))
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
                inside = returns[
                    returns < len(chunk) - 1
                ]  # a CR that ends the chunk: checked above, next time
                lone = inside[data[inside + 1] != 10]
                if len(lone):
                    bare_cr = offset + int(lone[0])
            if utf8_bad is None and not (ascii_only and not carried):
                cut = chunk.rfind(b"\n") + 1
                if cut:
                    # whole lines, validated where they lie (no 16 MB joined copy): the line the
                    # carried bytes continue is joined to them; a character never spans a line feed
                    first = chunk.find(b"\n") + 1
                    if not (
                        _valid_utf8(carried + chunk[:first])
                        and _valid_utf8(memoryview(chunk)[first:cut])
                    ):
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
            f"{path.name}: line {_line_at(path, utf8_bad)} is not valid UTF-8: "
            f"{source.system} files are UTF-8; was the file saved in another encoding?"
        )
    if source.encoding != "utf-8" and first_non_ascii is not None and utf8_bad is None:
        raise ExtractError(
            f"{path.name}: the file is UTF-8 (non-ASCII text from line "
            f"{_line_at(path, first_non_ascii)}), not {source.encoding} as {source.system} "
            "writes it: was it re-saved? Export it again"
        )
    if bad_byte is not None:
        raise ExtractError(
            f"{path.name}: line {_line_at(path, bad_byte[0])} has byte 0x{bad_byte[1]:02X}, "
            f"which {source.encoding} does not define: the file is damaged or not in "
            f"{source.system}'s encoding"
        )
    if bare_cr is not None or last_byte == b"\r":
        line = _line_at(path, bare_cr if bare_cr is not None else size - 1)
        raise ExtractError(
            f"{path.name}: line {line} has a carriage return without a line feed (old Mac line "
            "endings, or a damaged file): records end in CRLF or LF"
        )
    if quotes % 2:
        quotes_named = "double quotes" if quote == 34 else f"{source.quote_char} quotes"
        raise ExtractError(
            f"{path.name}: the file ends inside a quoted field (an odd number of {quotes_named}): "
            "it looks truncated"
        )
    return Scan(size, digest.hexdigest())


def hashed(path: Path) -> Scan:
    """The file's size and SHA-256, and nothing else."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return Scan(size, digest.hexdigest())


def _valid_utf8(data: bytes) -> bool:
    """Arrow's (SIMD) UTF-8 validation over the bytes where they are: no copy, no str made."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)]).cast(
            pa.large_string()
        )
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


def record_layout(path: Path, delimiter: str = ",", quote_char: str = '"') -> pd.DataFrame:
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
            quotes = np.flatnonzero(data == ord(quote_char))
            newlines = np.flatnonzero(data == 10)
            commas = np.flatnonzero(data == ord(delimiter))
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
    import pandas as pd  # here: the person side process imports this module and makes no frame

    layout = pd.DataFrame({"line": start_lines, "fields": fields})[~empty]
    return layout.iloc[1:].reset_index(drop=True)  # the first record is the header
