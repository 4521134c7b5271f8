"""The CSV reader's fast path (bytes parsed by Arrow, only non-ASCII chunks decoded) gives exactly
what Arrow's own transcoding reader gives, for any content, in either system's encoding."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.extracts import read
from helpers.extracts.profile import profile_sources

CMS = next(source for source in profile_sources() if source.encoding != "utf-8")
CONNECT = next(source for source in profile_sources() if source.encoding == "utf-8")
# ASCII with the characters that CSV quotes, and letters Windows-1252 holds outside ASCII: its
# 0xA0-0xFF (two UTF-8 bytes each) and 0x80-0x9F (three: the euro sign, curly quotes, dashes)
TEXT = st.text(st.sampled_from(list("ab Z09,\"\r\n'") + list("éáñ£ÿ€‘’–…")), max_size=12)
COLUMNS = {"ref": "CRIME NO", "text": "CIRCUMSTANCES"}


def reference(path: Path, encoding: str, columns: dict[str, str]) -> tuple[pa.Table, list[str]]:
    """Arrow's transcoding reader, as the project read every file before the fast path."""
    rows: list[str] = []

    def skip(row) -> str:
        rows.append(row.text)
        return "skip"

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
        convert_options=pacsv.ConvertOptions(include_columns=list(columns.values()), column_types={c: pa.string() for c in columns.values()}, strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    return table, rows


def write(path: Path, records: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["CRIME NO", "OTHER", "CIRCUMSTANCES"])
    writer.writerows(records)
    path.write_bytes(buffer.getvalue().encode(encoding))


def read_file(path: Path, source) -> tuple[pa.Table, list[str]]:
    rows: list[str] = []

    def skip(row) -> str:
        rows.append(row.text)
        return "skip"

    return read._read_csv(path, source, COLUMNS, skip, utf8_checked=True), rows


records = st.lists(st.tuples(TEXT, TEXT, TEXT).map(list), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(records=records, malformed=st.one_of(st.none(), st.integers(min_value=0, max_value=29)), extra=TEXT)
@pytest.mark.parametrize("source", [CMS, CONNECT], ids=["windows-1252", "utf-8"])
def test_the_fast_reader_reads_what_arrows_transcoding_reader_reads(tmp_path_factory, source, records, malformed, extra):
    if malformed is not None:  # a record with a field too many, set aside by both readers
        records = records[:]
        records[malformed % len(records)] = records[malformed % len(records)] + [extra]
    path = tmp_path_factory.mktemp("csv") / "file.csv"
    write(path, records, source.encoding)
    table, rows = read_file(path, source)
    expected, expected_rows = reference(path, "utf8" if source.encoding == "utf-8" else source.encoding, COLUMNS)
    assert table.equals(expected)
    assert rows == expected_rows
    if source is CONNECT or malformed is None:  # and it was the fast path that read it
        fast_rows: list = []
        fast = read._read_csv_bytes(path, source, COLUMNS, read._bytes_decoder(source.encoding, True), fast_rows)
        fast.validate(full=True)
        assert fast.equals(expected)
        assert [row.text for row in fast_rows] == expected_rows


def test_windows_1252_text_is_decoded_only_where_needed_and_keeps_every_value_apart(tmp_path):
    path = tmp_path / "file.csv"
    write(path, [["CM/1", "", "€5 café"], ["CM/2", "", "plain"], ["CM/3", "", "‘quoted’, and\r\nmore – ÿ"]], CMS.encoding)
    table, rows = read_file(path, CMS)
    assert table.column("CIRCUMSTANCES").to_pylist() == ["€5 café", "plain", "‘quoted’, and\r\nmore – ÿ"]
    assert table.column("CRIME NO").to_pylist() == ["CM/1", "CM/2", "CM/3"]
    assert rows == []


def test_bytes_windows_1252_does_not_define_go_to_arrows_reader(tmp_path, monkeypatch):
    """0x81 has no character in Windows-1252: the fast path gives up and Arrow's transcoding
    reader, which the project always used, raises as before (the byte scan names the byte)."""
    path = tmp_path / "file.csv"
    path.write_bytes(b"CRIME NO,OTHER,CIRCUMSTANCES\r\nCM/1,,a\x81b\r\n")
    with pytest.raises(UnicodeDecodeError, match="0x81"):
        read_file(path, CMS)


def test_utf8_not_yet_checked_is_validated_by_arrow(tmp_path):
    """Without the byte scan's word that the file is UTF-8, Arrow validates it as it reads."""
    path = tmp_path / "file.csv"
    path.write_bytes(b"CRIME NO,OTHER,CIRCUMSTANCES\nCN/1,,caf\xe9\n")
    with pytest.raises(pa.ArrowInvalid):
        read._read_csv(path, CONNECT, COLUMNS, lambda row: "skip", utf8_checked=False)


@pytest.mark.parametrize("encoding, fast", [("cp1252", True), ("latin-1", True), ("utf-8", True), ("utf-16", False), ("shift_jis", False), ("no-such-codec", False)])
def test_which_encodings_the_fast_path_reads(encoding, fast):
    assert (read._bytes_decoder(encoding, True) is not None) == fast
