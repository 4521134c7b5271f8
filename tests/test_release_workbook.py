"""`release/tables.xlsx`: the released tables as one accessible spreadsheet (gptables): a cover,
contents, notes and one table per sheet, every text a string cell as typed (never a formula, a
link or a note), counts as numbers and the CSV files' marks, the same bytes from the same inputs.

The workbook is read back with openpyxl, as a spreadsheet would read it (cell types included),
never with the gate's own reader (tests/test_gate_xlsx.py: the gate reads it).
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from datetime import date

import openpyxl
import pandas as pd

import helpers.briefing.workbook as workbook_module
from helpers.briefing.workbook import CREATOR, WorkbookRequest, WorkbookTable, tables_workbook

T = 5
REQUEST = WorkbookRequest("20180075", "People charged with meeting a child following sexual grooming, 2017", date(2019, 1, 1), T)

def frame(rows: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(rows[1:], columns=rows[0])


OFFENCES = frame(
    [
        ["Offences recorded", "2015", "2016", "2017", "Total"],
        ["Hunter-group evidence found", "0", "<5", "[c]", "9"],
        ["No hunter-group evidence found", "27", "[c]", "[c]", "87"],
        ["Total", "27", "29", "40", "96"],
    ]
)
FILES = frame([["Extract file", "Records read", "Records set aside"], ["CMS_CRIMES.csv", "19,626", "0"], ["Total", "1,234,567", "0"]])
TABLES = [
    WorkbookTable("offences_by_year", "Offences of meeting a child following sexual grooming recorded, by year", OFFENCES),
    WorkbookTable("data_quality_files", "Records read from each extract file", FILES, ["Records read before any was set aside."]),
]

#: texts a spreadsheet would take for something else than a text: a formula, a link, a number, a
#: note of gptables' (`$$name$$`), a link of its markdown (`[text](address)`), an escape of xlsx's
HOSTILE = [
    '=HYPERLINK("https://evil.example/p","click")',
    "=1+2",
    "+1",
    "-2",
    "@x",
    "-",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+2",
    "{=A1}",
    "https://evil.example/",
    "[click](https://evil.example)",
    "$$note_1$$ grooming",
    "_x0041_",
    "  ",
    "2017",
    "line one\nline two",
]


def workbook(tables=TABLES, request=REQUEST) -> bytes:
    return tables_workbook(request, tables)


def opened(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def cells(data: bytes) -> dict[tuple[str, str], openpyxl.cell.Cell]:
    book = opened(data)
    return {(sheet.title, cell.coordinate): cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None}


def hostile_tables() -> list[WorkbookTable]:
    labels = frame([["=SUM(A1)", "-1", "$$x$$"]] + [[text, "3,456", "[c]"] for text in HOSTILE])
    return [WorkbookTable(f"hostile_{k}", title, labels, [title]) for k, title in enumerate(HOSTILE[:4])] + TABLES


# ---- the workbook: the Analysis Function's layout, the CSV files' cells


def test_a_cover_contents_and_notes_then_one_table_per_sheet():
    book = opened(workbook())
    assert book.sheetnames == ["Cover", "Contents", "Notes", "Table_1", "Table_2"]
    for name, table in zip(["Table_1", "Table_2"], TABLES, strict=True):
        sheet = book[name]
        assert list(sheet.tables) == [table.name]  # one Excel table, named as its CSV file
        first, last = sheet.tables[table.name].ref.split(":")
        assert sheet[first].value == table.frame.columns[0] and sheet[first].row > 1  # its title above
        assert sheet[last].row - sheet[first].row == len(table.frame)
        assert sheet["A1"].value.startswith(table.title)
    contents = [c.value for row in book["Contents"].iter_rows() for c in row]
    assert "Table_1" in contents and "Table_2" in contents
    assert {c.hyperlink.location for row in book["Contents"].iter_rows() for c in row if c.hyperlink} == {"'Table_1'!A1", "'Table_2'!A1"}
    notes = " ".join(str(c.value) for row in book["Notes"].iter_rows() for c in row)
    assert "<5" in notes and "[c]" in notes and "Records read before any was set aside." in notes


def test_counts_are_numbers_and_the_marks_the_csv_files_marks():
    book = opened(workbook())
    sheet = book["Table_1"]
    top = sheet[sheet.tables["offences_by_year"].ref.split(":")[0]].row
    shown = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=top, max_row=top + len(OFFENCES))]
    assert shown[0] == list(OFFENCES.columns)
    assert shown[1] == ["Hunter-group evidence found", 0, "<5", "[c]", 9]
    for row in sheet.iter_rows(min_row=top + 1, max_row=top + len(OFFENCES), min_col=2):
        for cell in row:
            assert cell.data_type == ("n" if isinstance(cell.value, int) else "s")
            if cell.data_type == "n":
                assert cell.number_format == "#,##0"  # shown as the CSV file writes it
    values = [c.value for row in book["Table_2"].iter_rows() for c in row]
    assert 1234567 in values and 19626 in values and "1,234,567" not in values


def test_every_text_is_a_string_cell_as_typed_never_a_formula_or_a_link():
    data = workbook(hostile_tables())
    found = cells(data)
    texts = {cell.value: cell for cell in found.values() if isinstance(cell.value, str)}
    for text in HOSTILE:
        if text.strip():
            assert text in texts, text
            cell = texts[text]
            assert cell.data_type == "s", (text, cell.data_type)
    for cell in found.values():
        assert cell.data_type in ("s", "n"), (cell.coordinate, cell.data_type, cell.value)
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t":
            assert cell.quotePrefix, f"{cell.value!r} would become a formula once edited"
    # titles, notes and column labels too, and gptables' own syntaxes are left as typed
    values = {cell.value for cell in found.values()}
    assert any(str(v).startswith('=HYPERLINK("https://evil.example/p","click") [note') for v in values)
    assert "=SUM(A1)" in values and "$$x$$" in values and "$$note_1$$ grooming" in values
    book = opened(data)
    links = [c.hyperlink for sheet in book for row in sheet.iter_rows() for c in row if c.hyperlink]
    assert links and all(link.location and not link.target for link in links)  # its own sheets only
    with zipfile.ZipFile(io.BytesIO(data)) as parts:
        for name in parts.namelist():
            assert b"<f>" not in parts.read(name) and b"<f " not in parts.read(name), name
            assert not re.search(rb'TargetMode="External"', parts.read(name)), name


def test_the_same_inputs_give_the_same_bytes_whatever_the_clock():
    first = workbook()
    time.sleep(1.1)  # the file's dates, were they the clock's, would be a second apart
    assert workbook() == first
    with zipfile.ZipFile(io.BytesIO(first)) as parts:
        assert {info.date_time for info in parts.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = parts.read("docProps/core.xml").decode()
    assert f"<dc:creator>{CREATOR}</dc:creator>" in core
    assert core.count("2019-01-01T00:00:00Z") == 2  # created and modified: the extracts' date
    props = opened(first).properties
    assert props.creator == CREATOR and props.title == f"FOI 20180075: {REQUEST.title}"


def test_a_table_label_gptables_would_refuse_is_written_as_it_is():
    """A label of punctuation only, a blank one, an empty corner, two columns of one name."""
    odd = frame([["", "Total", "total"], ["-", "1", "2"], ["  ", "3", "4"], ["…", "5", "6"]])
    sheet = opened(workbook([WorkbookTable("odd", "Odd labels", odd)]))["Table_1"]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "-" in values and "…" in values and "  " in values
    assert {"Column 1", "Total", "total (2)"} <= set(values)


def test_workbook_module_is_gptables():
    """The workbook's classes are gptables', with its text syntaxes turned off only."""
    from gptables.core.wrappers import GPWorkbook, GPWorksheet

    assert issubclass(workbook_module._PlainWorkbook, GPWorkbook)
    assert issubclass(workbook_module._PlainWorksheet, GPWorksheet)


def test_control_characters_leave_a_workbook_a_spreadsheet_can_open():
    """XML cannot hold them: a cell keeps them as xlsx's escapes (`_x0001_`), a column label and
    the properties' title show U+FFFD instead (xlsxwriter would write them as they are, and no
    spreadsheet could open the file)."""
    weird = "a\x01b\x0bc\x1fd\re\tf\u2028g\ufffeh"
    odd = frame([["Offence", weird], [weird, "12"]])
    data = workbook([WorkbookTable("odd", weird, odd, [weird])], WorkbookRequest("R1", weird, date(2019, 1, 1), T))
    book = opened(data)  # it opens
    assert book.properties.title == "FOI R1: a\ufffdb\ufffdc\ufffdd_x000D_e\tf\u2028g\ufffdh"
    values = [c.value for row in book["Table_1"].iter_rows() for c in row if c.value is not None]
    assert "a_x0001_b_x000B_c_x001F_d_x000D_e\tf\u2028g_xFFFE_h" in values  # openpyxl leaves xlsx's escapes
    assert "a\ufffdb\ufffdc\ufffdd_x000D_e\tf\u2028g\ufffdh" in values  # the column label


def test_the_briefing_tells_its_reader_of_the_workbook():
    """The colophon names both forms the tables are published in beside the briefing."""
    from helpers.briefing.narrative import colophon

    text = str(colophon(REQUEST))
    assert "CSV files" in text and "tables.xlsx" in text
