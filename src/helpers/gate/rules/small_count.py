"""Rule small_count: no count from 1 to T-1 in a released table (T: the disclosure threshold).

A data cell of a released CSV table holding such a count fails. The first row (column labels) and
first column (row labels) are labels and are not checked; an empty cell, `0`, `f"<{T}"` and `[c]`
(`SUPPRESSED_MARK`) are fine. A count is an integer, also written `1,234`, `3.0`, `+3`, `3*` or
`3 (12%)`, and after a `'` (as text: `'3`, or `'+3*` as `table_csv` neutralises it); `<k` with
k < T is a narrower range than the threshold allows and fails too. (A table passed as a DataFrame
is checked as `table_csv` writes it: the index becomes the label column(s) unless it is a plain
RangeIndex.) The HTML and PDF show the same tables; this rule reads the CSV files, not the page.
A CSV cell that is a formula reaching for the web is the external-link rule's.

In a workbook (xlsx), read as a spreadsheet shows it: every number cell, and every text cell in
an Excel table's data (a sheet without tables: below its first row and right of its first
column), but for each table's header row and first column (labels); the text of gptables'
contents and notes tables (titles and notes) is words, not counts.
"""

from __future__ import annotations

import re

from helpers.gate.readers import NEUTRALISED, Content
from helpers.gate.report import Finding
from helpers.gate.rules.base import Context
from helpers.gate.xlsx import Sheet, SheetCell

SUPPRESSED_MARK = "[c]"


class SmallCountRule:
    """Counts below the threshold in the data cells of a CSV table."""

    name = "small_count"
    reads_extract = False

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        return [
            (_small_count_findings(content, context.threshold) if content.grid is not None else [])
            + [
                Finding(content.file, "small_count", what)
                for sheet in content.sheets
                for what in _sheet_small_counts(sheet, context.threshold)
            ]
            for content in contents
        ]


_COUNT = re.compile(
    r"^\s*([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*[*†‡]*\s*(?:\([^()]*\))?\s*$"
)
_NARROWER = re.compile(r"^\s*<\s*(\d+)\s*$")


def is_small_count(text: str, threshold: int) -> bool:
    """A cell's text showing a count from 1 to threshold - 1, or a range narrower than `<T`."""
    cell = text.strip().removeprefix(NEUTRALISED)  # `'3`, `'+3*`: a count as text is a count
    if not cell or cell in (f"<{threshold}", SUPPRESSED_MARK):
        return False
    m = _COUNT.match(cell)
    if m and not m.group(1) == "-" and not (m.group(3) and int(m.group(3)) != 0):
        if 1 <= int(m.group(2).replace(",", "")) <= threshold - 1:
            return True
    narrow = _NARROWER.match(cell)
    return bool(narrow and int(narrow.group(1)) < threshold)


def _is_label(cell: SheetCell, areas: list[tuple[int, int, int, int]]) -> bool:
    return any(
        (cell.row == top and left <= cell.column <= right)
        or (cell.column == left and top <= cell.row <= bottom)
        for top, left, bottom, right in areas
    )


def _in_data(cell: SheetCell, areas: list[tuple[int, int, int, int]]) -> bool:
    return any(
        top < cell.row <= bottom and left < cell.column <= right
        for top, left, bottom, right in areas
    )


def _sheet_small_counts(sheet: Sheet, threshold: int) -> list[str]:
    """A workbook sheet's cells that show a small count (see the module doc)."""
    areas = sheet.tables
    if not areas and not sheet.word_tables:  # no table: the sheet, as a CSV table
        areas = [(1, 1, 1 << 20, 1 << 14)]
    labels = areas + sheet.word_tables
    return [
        f"{sheet.where}, cell {cell.ref}: a count from 1 to {threshold - 1} shown"
        for cell in sheet.cells
        if (cell.kind == "number" or (cell.kind == "text" and _in_data(cell, areas)))
        and not _is_label(cell, labels)
        and is_small_count(cell.text, threshold)
    ]


def _small_count_findings(content: Content, threshold: int) -> list[Finding]:
    grid = content.grid or []
    findings = []
    header = grid[content.header_rows - 1] if len(grid) >= content.header_rows else []
    for r in range(content.header_rows, len(grid)):
        row = grid[r]
        for c in range(content.label_cols, len(row)):
            if is_small_count(row[c], threshold):
                row_label = " / ".join(row[: content.label_cols]).strip()
                column_label = header[c].strip() if c < len(header) else ""
                findings.append(
                    Finding(
                        content.file,
                        "small_count",
                        f"row {r + 1} ({row_label!r}), column {c + 1} ({column_label!r}):"
                        f" a count from 1 to {threshold - 1} shown",
                    )
                )
    return findings
