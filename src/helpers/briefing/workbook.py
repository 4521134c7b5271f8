"""`release/tables.xlsx`: the released tables as one accessible spreadsheet.

Made with gptables, the Government Statistical Service's library for the Analysis Function's
standard for releasing statistics in spreadsheets: a cover sheet, a table of contents, a notes
sheet, then one table per sheet (`Table_1`, `Table_2`... in the briefing's order), each an
Excel table with its title above it. The cells are the CSV files' cells: a count is a number
(shown `1,234`), and `<5` and `[c]` are the same marks as in the CSV files, explained in the
notes.

Every text (a title, a label typed in a parameters file) is written as it was typed, as a
string cell, never a formula, a link or a note: gptables reads `[text](address)` in a text as a
link and `$$name$$` as a note reference, and xlsxwriter writes a text starting with `=` as a
formula and one starting with `http://` as a link. So the workbook's classes below turn those
off (`_PlainWorksheet`, `_PlainWorkbook`), xlsxwriter's options too, and a text a spreadsheet
would read as a formula or a number once its cell is edited (`=...`, `+1`, `-`, `@x`) gets the
quote prefix, as a CSV cell gets its `'`. The release gate reads the workbook back
(`helpers.gate.xlsx`).

The same inputs give the same bytes: the workbook is built in memory (xlsxwriter then dates
every zip entry 1 January 1980), its creator is the tool's name and its created and modified
dates are the date the extracts were taken, never the time of the run.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from gptables import Cover, GPTable
from gptables.core.gptable import FormatList
from gptables.core.wrappers import GPWorkbook, GPWorksheet
from xlsxwriter.workbook import Workbook

from helpers.disclosure.tables import SECONDARY_DISPLAY, primary_display
from helpers.gate.readers import FORMULA_STARTS

WORKBOOK = "tables.xlsx"
CREATOR = "foi-briefing"
#: xlsxwriter's options: no text is ever read as a formula, a link or a number
XLSX_OPTIONS = {
    "in_memory": True,  # zip entries dated 1980-01-01, whatever the clock
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
COUNT_FORMAT = {"num_format": "#,##0", "align": "right"}
#: a count as the CSV files write it: `27`, `1,234`
_COUNT_TEXT = re.compile(r"\d{1,3}(?:,\d{3})+|\d+", re.ASCII)
#: what Excel accepts as a table's name (and is not a cell reference such as `A1` or `R1C1`)
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,254}", re.ASCII)
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]?\d*|[Cc]\d*", re.ASCII)
#: characters XML 1.0 cannot hold: xlsxwriter escapes them in a cell (`_x0001_`), not in a
#: table's column names or the properties
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class WorkbookRequest:
    """What the workbook says of the request: its reference and title, the date of the extracts
    (also the workbook's date) and the disclosure threshold (what `<5` means)."""

    reference: str
    title: str
    extracts_taken_on: date
    threshold: int


@dataclass(frozen=True)
class WorkbookTable:
    """One released table: its name (the CSV file's, `tables/<name>.csv`), title, rows as the
    CSV file has them (first column the row labels, headed by the corner label) and notes."""

    name: str
    title: str
    frame: pd.DataFrame
    notes: Sequence[str] = field(default_factory=tuple)


def request_of(params: Any) -> WorkbookRequest:
    """The request's parameters (`RequestParameters`) as the workbook needs them."""
    return WorkbookRequest(
        str(params.reference),
        str(params.title),
        params.extracts_taken_on,
        int(params.disclosure_threshold),
    )


# ---- gptables, with every text written as typed


class _PlainWorksheet(GPWorksheet):
    """A gptables sheet that writes texts as they are: no markdown link, no `$$note$$`, no
    formula; a text that looks like a formula keeps the quote prefix."""

    @staticmethod
    def _replace_url(string: str) -> object:  # gptables: `[text](address)` becomes a link
        return string

    @staticmethod
    def _replace_reference(string: str, reference_order: list) -> str:  # `$$name$$`: a note
        return string

    def _smart_write(self, row: int, col: int, data: object, format_dict: dict, *args) -> None:
        text = _plain_text(data)
        if text is None:  # a number, a link of the contents sheet (a dict), a blank
            super()._smart_write(row, col, data, format_dict, *args)
            return
        if needs_quote_prefix(text):
            format_dict = {**format_dict, "quote_prefix": True}
        self.write_string(row, col, text, self._workbook.add_format(format_dict))

    def _mark_data_as_worksheet_table(self, gptable: GPTable, formats: pd.DataFrame) -> None:
        # the Excel table writes its header cells again, with the header row's formats
        for header, format_dict in zip(gptable.table.columns, formats.iloc[0], strict=True):
            if needs_quote_prefix(str(header)):
                format_dict["quote_prefix"] = True
        super()._mark_data_as_worksheet_table(gptable, formats)


class _PlainWorkbook(GPWorkbook):
    """A gptables workbook of `_PlainWorksheet`s, whose contents sheet keeps titles whole."""

    def add_worksheet(self, name: str | None = None, gridlines: str = "hide_all") -> Any:
        worksheet = Workbook.add_worksheet(self, name, _PlainWorksheet)
        worksheet.theme = self.theme
        worksheet._workbook = self
        worksheet.hide_gridlines({"show_all": 0, "hide_printed": 1, "hide_all": 2}[gridlines])
        return worksheet

    @staticmethod
    def _strip_annotation_references(text: object) -> object:  # `$$name$$` removed
        return text


def needs_quote_prefix(text: str) -> bool:
    """A text a spreadsheet would read as a formula or a signed number once its cell is edited
    (`=...`, `@x`, `-`, `+1`): the quote prefix keeps it a text, as a CSV cell's `'` does."""
    return text.startswith(FORMULA_STARTS)


def _plain_text(data: object) -> str | None:
    """The text of a cell as gptables hands it over: a string, a one-format text (FormatList),
    or lines (a list, joined by line breaks); None for anything else."""
    if isinstance(data, str):
        return data
    if isinstance(data, FormatList) and all(isinstance(item, (str, dict)) for item in data.list):
        return data.string
    if isinstance(data, list) and data and all(isinstance(item, str) for item in data):
        return "\n".join(data)
    return None


def text_cell(text: str) -> FormatList:
    """A table cell's text, wrapped so gptables takes it as it is: it rejects a cell of only
    punctuation (`-`) and blanks one of spaces, but not a FormatList."""
    return FormatList([{}, str(text)])


def data_cell(text: str) -> int | FormatList:
    """A data cell of a CSV table as the workbook holds it: a count as a number, anything else
    (`<5`, `[c]`) as text."""
    return int(text.replace(",", "")) if _COUNT_TEXT.fullmatch(text) else text_cell(text)


def xml_text(text: str) -> str:
    """A text XML can hold: a control character (but tab and line breaks) as \ufffd."""
    return _NOT_XML.sub("\ufffd", text)


def column_headers(frame: pd.DataFrame) -> list[str]:
    """The table's column labels as an Excel table needs them: none empty (`Column 2`), none
    the same as another but for case (`Total (2)`), no control character (`xml_text`)."""
    headers: list[str] = []
    seen: set[str] = set()
    for k, label in enumerate(xml_text(str(column)) for column in frame.columns):
        header = label if label.strip() else f"Column {k + 1}"
        n = 2
        while header.casefold() in seen:
            header = f"{label if label.strip() else f'Column {k + 1}'} ({n})"
            n += 1
        seen.add(header.casefold())
        headers.append(header)
    return headers


def excel_table_name(name: str, number: int) -> str:
    """The Excel table's name: the CSV file's name if Excel accepts it, else `table_<number>`."""
    if _TABLE_NAME.fullmatch(name) and not _CELL_LIKE.fullmatch(name):
        return name
    return f"table_{number}"


def data_texts(table: WorkbookTable) -> set[str]:
    """The texts of a table's data cells (all but its first column)."""
    return set(table.frame.iloc[:, 1:].to_numpy().ravel().tolist())


def mark_notes(threshold: int) -> dict[str, str]:
    """What each suppression mark means, as the briefing says it."""
    return {
        primary_display(threshold): (
            f"A figure between 1 and {threshold - 1} is shown as \u201c{primary_display(threshold)}"
            "\u201d, so that no one can be identified from it."
        ),
        SECONDARY_DISPLAY: (
            "\u201c[c]\u201d marks a larger figure withheld so that a small one cannot be "
            "worked out from the others."
        ),
    }


def notes_of(
    tables: Sequence[WorkbookTable], threshold: int
) -> tuple[list[str], dict[str, list[int]]]:
    """The notes sheet's notes (the marks the tables show first, then each table's own) and, by
    table name, the numbers of the notes its title refers to."""
    explained = mark_notes(threshold)
    shown = {table.name: data_texts(table) for table in tables}
    marks = [mark for mark in explained if any(mark in texts for texts in shown.values())]
    texts: list[str] = [explained[mark] for mark in marks]
    refers: dict[str, list[int]] = {}
    for table in tables:
        numbers = [k + 1 for k, mark in enumerate(marks) if mark in shown[table.name]]
        for note in table.notes:
            if note not in texts:
                texts.append(note)
            numbers.append(texts.index(note) + 1)
        refers[table.name] = numbers
    return texts, refers


def gp_table(table: WorkbookTable, number: int, notes: list[int]) -> GPTable:
    """One table's sheet: title (with its notes), a line naming its CSV file, the table."""
    frame = table.frame
    cells = pd.DataFrame(
        {
            k: [text_cell(v) for v in frame.iloc[:, 0]]
            if k == 0
            else [data_cell(v) for v in frame.iloc[:, k]]
            for k in range(frame.shape[1])
        }
    )
    # gptables refuses a column label with `$$` in it (an old form of its notes): the labels
    # go in after it has checked the placeholders
    cells.columns = [f"column_{k}" for k in range(frame.shape[1])]
    references = "".join(f" [note {n}]" for n in notes)
    sheet = GPTable(
        table=cells,
        table_name=excel_table_name(table.name, number),
        title=f"{table.title}{references}",
        subtitles=[f"The same table as tables/{table.name}.csv."],
        instructions="This worksheet contains one table. Notes are on the Notes worksheet.",
        index_columns={2: 0},
        additional_formatting=[
            {
                "column": {
                    "columns": list(range(1, frame.shape[1])),
                    "format": dict(COUNT_FORMAT),
                    "include_names": False,
                }
            }
        ]
        if frame.shape[1] > 1
        else [],
    )
    sheet.table.columns = column_headers(frame)
    return sheet


def cover(request: WorkbookRequest, tables: Sequence[WorkbookTable]) -> Cover:
    taken = f"{request.extracts_taken_on.day} {request.extracts_taken_on:%B %Y}"
    about = [
        f"The figures come from the force\u2019s crime extracts of {taken}. They are the "
        "figures of the briefing published with this workbook, after disclosure control.",
        "Each table is also published as a CSV file in the tables folder beside this "
        "workbook; its sheet names the file.",
    ]
    if request.threshold > 1:
        about.append(
            f"Where a figure is between 1 and {request.threshold - 1} it is shown as "
            f"\u201c{primary_display(request.threshold)}\u201d, so that no one can be identified "
            "from it; \u201c[c]\u201d marks a larger figure withheld so that a small one cannot "
            "be worked out. The Notes worksheet says so for each table."
        )
    return Cover(
        title=f"FOI {request.reference}: {request.title}",
        intro=[
            f"The tables of our response to Freedom of Information request {request.reference}, "
            f"{len(tables)} in all, one on each worksheet after the Notes worksheet. The "
            "Contents worksheet lists them."
        ],
        about=about,
    )


def tables_workbook(request: WorkbookRequest, tables: Sequence[WorkbookTable]) -> bytes:
    """The workbook's bytes: cover, contents, notes, then one sheet per table."""
    note_texts, refers = notes_of(tables, request.threshold)
    sheets = {
        f"Table_{k}": gp_table(table, k, refers[table.name])
        for k, table in enumerate(tables, start=1)
    }
    out = io.BytesIO()
    book = _PlainWorkbook(out, options=dict(XLSX_OPTIONS))
    when = datetime.combine(request.extracts_taken_on, datetime.min.time(), UTC)
    title = xml_text(f"FOI {request.reference}: {request.title}")
    book.set_properties({"title": title, "author": CREATOR, "created": when})
    front = cover(request, tables)
    book.add_worksheet(front.cover_label).write_cover(front)
    contents = book.make_table_of_contents(sheets)
    # the contents' descriptions are the titles: as text cells, like any other
    contents.table.iloc[:, 1] = [text_cell(_plain_text(v) or "") for v in contents.table.iloc[:, 1]]
    pages: dict[str, GPTable] = {"Contents": contents}
    if note_texts:
        keys = [f"note_{k}" for k in range(1, len(note_texts) + 1)]
        book._annotations = keys  # the notes' order: gptables reads it from `$$` references
        notes_table = pd.DataFrame(
            {"Note reference": keys, "Note text": [text_cell(t) for t in note_texts]}
        )
        pages["Notes"] = book.make_notesheet(notes_table)
    for label, sheet in {**pages, **sheets}.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # gptables warns of what it would do to a blank cell
            book.add_worksheet(label).write_gptable(sheet, True, [])
    book.close()
    return out.getvalue()


def release_workbook(params: Any, frames: Mapping[str, pd.DataFrame], released: Any) -> bytes:
    """`tables.xlsx` of a run: the CSV files' tables (`frames`, by name, as written), with the
    titles and notes of the release (`Released`)."""
    tables = [
        WorkbookTable(name, released.titles.get(name, name), frame, released.notes.get(name, ()))
        for name, frame in frames.items()
    ]
    return tables_workbook(request_of(params), tables)
