"""The release gate reads a workbook (`release/tables.xlsx`, `helpers.gate.xlsx`) like every
release file: every cell's text, sheet names, cover, notes, properties and the Excel tables'
names, its formulas, links, macros and parts it cannot read. Each leak, planted in an otherwise
clean workbook (`tests/test_release_workbook.py` makes it), stops the gate; the clean one and one
of hostile texts written as texts pass.

Leaks are planted by rewriting the workbook's XML parts, as a tool or a hand editing it would
leave them, or with openpyxl, as a person editing it in a spreadsheet would.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest
from test_release_workbook import (
    CREATOR,
    OFFENCES,
    REQUEST,
    T,
    hostile_tables,
    opened,
    workbook,
)

from helpers.errors import ReleaseGateError
from helpers.extracts.profile import profile_sources
from helpers.gate.check import check_release, write_tables
from helpers.gate.readers import read_xlsx_bytes
from helpers.gate.sensitive import FrameSensitive, formats_of

CIRCUMSTANCES = "Suspect contacted the girl on a social media app over several weeks and arranged to meet her at the retail park."
SENSITIVE = FrameSensitive(
    pd.DataFrame({"crime_ref": ["CM/13/0000001", "00000864/16"], "circumstances": [CIRCUMSTANCES, "Nothing of note."]}),
    pd.DataFrame(
        {
            "person_ref": ["408657", "PER7004775"],
            "pnc_id": ["2000/0448754A", None],
            "surname": ["MCKENZIE", "Ní Bhriain"],
            "forenames": ["SIOBHÁN", "Zoë"],
            "date_of_birth": ["24/05/1992", "1986-04-25"],
        }
    ),
    # the shipped profile's identifier forms, as a run gives them: a spaced `PER 7004775` is
    # caught by its system's form, not by a shape in the gate's code
    formats=formats_of(profile_sources()),
)


def release_with(tmp_path: Path, data: bytes) -> Path:
    release = tmp_path / "release"
    release.mkdir(parents=True, exist_ok=True)
    (release / "tables.xlsx").write_bytes(data)
    return release


def rewritten(data: bytes, change) -> bytes:
    """The workbook with its parts rewritten: `change(name, text) -> text` for each XML part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.endswith((".xml", ".rels")):
                body = change(info.filename, body.decode("utf-8")).encode("utf-8")
            target.writestr(info, body)
    return out.getvalue()


def in_part(part: str, old: str, new: str):
    def change(name: str, text: str) -> str:
        if name == part:
            assert old in text, (part, old)
            return text.replace(old, new, 1)
        return text

    return change


def shared(old: str, new: str):
    return in_part("xl/sharedStrings.xml", f"<t>{old}</t>", f"<t>{new}</t>")


def gate(tmp_path: Path, data: bytes):
    return check_release(release_with(tmp_path, data), T, SENSITIVE)


def only(report, rule: str) -> list:
    assert not report.passed
    assert {f.rule for f in report.findings} == {rule}, report.findings
    assert {f.file for f in report.findings} == {"tables.xlsx"}
    return report.findings


def test_the_clean_workbook_passes_the_gate(tmp_path):
    report = gate(tmp_path, workbook())
    assert report.passed, report.findings
    assert report.files_checked == ["tables.xlsx"]


def test_a_clean_workbook_of_hostile_texts_passes_the_gate(tmp_path):
    """Formula-like texts written with the quote prefix are texts, as a neutralised CSV cell is."""
    report = gate(tmp_path, workbook(hostile_tables()))
    assert report.passed, report.findings


def test_the_reader_yields_every_text_sheet_names_cover_and_notes_included():
    content = read_xlsx_bytes(workbook(), "tables.xlsx")
    text = "\n".join(segment.text for segment in content.segments)
    for expected in ["Cover", "Contents", "Notes", "Table_1", REQUEST.title, "Records read before any was set aside.", "Hunter-group evidence found", "19,626", "offences_by_year", CREATOR]:
        assert expected in text, expected
    assert [sheet.name for sheet in content.sheets] == ["Cover", "Contents", "Notes", "Table_1", "Table_2"]


@pytest.mark.parametrize(
    "where",
    [
        shared("Hunter-group evidence found", "Hunter-group evidence found in CM/13/0000001"),  # a table label
        shared("Offences recorded", "Offences recorded 408657"),  # a column's corner label
        shared("Records read before any was set aside.", "See PER 7004775."),  # a note
        in_part("xl/workbook.xml", 'name="Table_2"', 'name="PER7004775"'),  # a sheet's name
        in_part("docProps/core.xml", "<dc:creator>foi-briefing</dc:creator>", "<dc:creator>00000864/16</dc:creator>"),
        in_part("docProps/app.xml", "<vt:lpstr>Table_1</vt:lpstr>", "<vt:lpstr>2000/0448754A</vt:lpstr>"),
        in_part("xl/tables/table4.xml", 'name="Extract file"', 'name="Extract file 408657"'),
    ],
    ids=["table label", "corner label", "note", "sheet name", "creator", "properties", "Excel table column"],
)
def test_a_planted_identifier_stops_the_gate(tmp_path, where):
    findings = only(gate(tmp_path, rewritten(workbook(), where)), "identifier")
    assert "408657" not in str(findings) and "7004775" not in str(findings)  # never repeated


def test_a_planted_identifier_says_which_sheet_and_cell(tmp_path):
    data = rewritten(workbook(), shared("Hunter-group evidence found", "Hunter-group evidence found in CM/13/0000001"))
    [finding] = only(gate(tmp_path, data), "identifier")
    assert "sheet 'Table_1', cell A" in finding.detail


def sheet_xml(data: bytes, part: str = "xl/worksheets/sheet4.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as parts:
        return parts.read(part).decode()


def label_cell(data: bytes) -> str:
    """The XML of Table_1's first row label cell (`Hunter-group evidence found`)."""
    return re.search(r'<c r="A5"[^>]*>.*?</c>', sheet_xml(data)).group(0)


@pytest.mark.parametrize(
    "formula, rule",
    [
        ('HYPERLINK("https://evil.example/p","40")', "external_link"),
        ("WEBSERVICE(&quot;https://evil.example/&quot;)", "external_link"),
        ("1+2", "spreadsheet_formula"),
        ("SUM(B5:E5)", "spreadsheet_formula"),
    ],
)
def test_a_formula_in_a_table_label_stops_the_gate(tmp_path, formula, rule):
    data = workbook()
    cell = label_cell(data)
    planted = rewritten(data, in_part("xl/worksheets/sheet4.xml", cell, f'<c r="A5" t="str"><f>{formula}</f><v>x</v></c>'))
    assert opened(planted)["Table_1"]["A5"].data_type == "f"  # a spreadsheet reads a formula there
    [finding] = only(gate(tmp_path, planted), rule)
    assert "sheet 'Table_1', cell A5" in finding.detail


@pytest.mark.parametrize("text", ["=1+2", "@SUM(1+9)*cmd|' /C calc'!A0", '=HYPERLINK("https://evil.example/p","x")', "-"])
def test_a_formula_like_text_without_the_quote_prefix_stops_the_gate(tmp_path, text):
    """A label cell holding `=1+2` as text, written by another tool: a spreadsheet runs it as soon
    as the cell is edited, as it would a CSV cell's."""
    planted = rewritten(workbook(), shared("Hunter-group evidence found", escape(text)))
    cell = opened(planted)["Table_1"]["A5"]
    assert cell.data_type == "s" and not cell.quotePrefix
    rule = "external_link" if "HYPERLINK" in text else "spreadsheet_formula"
    [finding] = only(gate(tmp_path, planted), rule)
    assert "sheet 'Table_1', cell A5" in finding.detail


def test_a_formula_planted_with_openpyxl_stops_the_gate(tmp_path):
    """As a person editing the workbook would plant it: openpyxl writes `=...` as a formula."""
    book = opened(workbook())
    assert gate(tmp_path / "saved", _saved(book)).passed  # the reader reads openpyxl's workbook too
    book["Table_1"]["A6"] = '=HYPERLINK("https://evil.example/p","No hunter-group evidence found")'
    only(gate(tmp_path, _saved(book)), "external_link")


def _saved(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_small_count_planted_as_a_number_stops_the_gate(tmp_path):
    data = workbook()
    number = re.search(r'<c r="B6" s="\d+"><v>27</v></c>', sheet_xml(data)).group(0)
    planted = rewritten(data, in_part("xl/worksheets/sheet4.xml", number, number.replace("27", "3")))
    [finding, *_] = only(gate(tmp_path, planted), "small_count")
    assert "sheet 'Table_1', cell B6" in finding.detail


def test_a_small_count_planted_as_text_in_a_table_stops_the_gate(tmp_path):
    planted = rewritten(workbook(), shared("[c]", "3"))
    only(gate(tmp_path, planted), "small_count")


def test_a_name_with_a_date_of_birth_on_the_cover_stops_the_gate(tmp_path):
    planted = rewritten(workbook(), shared("Introductory information", "Siobhán McKenzie, born 24 May 1992"))
    only(gate(tmp_path, planted), "name_with_dob")


def test_text_copied_from_circumstances_in_a_note_stops_the_gate(tmp_path):
    planted = rewritten(workbook(), shared("Records read before any was set aside.", "Note: contacted the girl on a social media app over several weeks."))
    only(gate(tmp_path, planted), "copied_text")


def test_a_link_to_outside_stops_the_gate(tmp_path):
    data = workbook()

    def change(name: str, text: str) -> str:
        if name == "xl/worksheets/_rels/sheet4.xml.rels":
            return text.replace("</Relationships>", '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://evil.example/" TargetMode="External"/></Relationships>')
        return text

    only(gate(tmp_path, rewritten(data, change)), "external_link")


def test_a_macro_stops_the_gate(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 a VBA project")
    only(gate(tmp_path, out.getvalue()), "active_content")


def test_a_defined_name_that_calls_a_function_stops_the_gate(tmp_path):
    planted = rewritten(workbook(), in_part("xl/workbook.xml", "</sheets>", '</sheets><definedNames><definedName name="Auto_Open">EXEC("calc")</definedName></definedNames>'))
    only(gate(tmp_path, planted), "spreadsheet_formula")


@pytest.mark.parametrize(
    "data",
    [
        b"not a zip at all",
        "a DTD",
        "an image",
        "two parts of one name",
    ],
)
def test_a_workbook_the_gate_cannot_read_stops_it(tmp_path, data):
    if data == "a DTD":
        data = rewritten(workbook(), in_part("xl/sharedStrings.xml", "<sst", '<!DOCTYPE sst [<!ENTITY x "y">]><sst'))
    elif data == "an image":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(workbook())) as source, zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                target.writestr(info, source.read(info))
            target.writestr("xl/media/image1.png", b"\x89PNG not read")
        data = out.getvalue()
    elif data == "two parts of one name":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(workbook())) as source, zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                target.writestr(info, source.read(info))
            with pytest.warns(UserWarning):
                target.writestr("xl/sharedStrings.xml", b"<sst/>")
        data = out.getvalue()
    only(gate(tmp_path, data), "unreadable")


# ---- written with the CSV files: checked first, written whole


def test_write_tables_checks_and_writes_the_workbook_with_the_tables(tmp_path):
    data = workbook()
    tables = {"offences_by_year": OFFENCES}
    report = write_tables(tables, tmp_path / "release" / "tables", T, SENSITIVE, (tmp_path / "release" / "tables.xlsx", data))
    assert report.passed and report.files_checked == ["offences_by_year", "tables.xlsx"]
    assert (tmp_path / "release" / "tables.xlsx").read_bytes() == data
    assert sorted(p.name for p in (tmp_path / "release").iterdir()) == ["tables", "tables.xlsx"]  # no partial file left


def test_write_tables_writes_nothing_when_the_workbook_fails_the_gate(tmp_path):
    planted = rewritten(workbook(), shared("Hunter-group evidence found", "Hunter-group evidence found in CM/13/0000001"))
    with pytest.raises(ReleaseGateError):
        write_tables({"offences_by_year": OFFENCES}, tmp_path / "release" / "tables", T, SENSITIVE, (tmp_path / "release" / "tables.xlsx", planted))
    assert not (tmp_path / "release").exists()


def test_a_workbook_is_never_left_half_written(tmp_path, monkeypatch):
    target = tmp_path / "release" / "tables.xlsx"

    def stopped(source, destination):
        raise OSError("the disk is full")

    monkeypatch.setattr(os, "replace", stopped)
    with pytest.raises(OSError):
        write_tables({"offences_by_year": OFFENCES}, tmp_path / "release" / "tables", T, SENSITIVE, (target, workbook()))
    assert not target.exists()
    assert [p.name for p in target.parent.iterdir()] == ["tables"]  # nor its partial copy


