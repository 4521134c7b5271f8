"""Spreadsheet exports (xlsx, xls, ods) read with python-calamine to text columns, as a CSV.

A file whose name ends `.xlsx`, `.xlsm`, `.xls` or `.ods` is read from its sheet (the profile's
`sheet`, or the first): the first non-empty row is the header, each later non-empty row a
record, every cell as text: a text cell as typed, a number as its shortest form (`18`, `2.5`), a
date or date-time in ISO 8601 (`2017-12-04`, `2017-12-04T07:00:00`: the profile's date formats
must read that), an empty cell as empty text. The records then go through the same canonical
steps as a CSV's; a record's line is its row in the sheet.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from helpers.errors import ExtractError

#: the endings of the file names read as spreadsheets
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def is_sheet(filename: str) -> bool:
    """The file is a spreadsheet export (by its name's ending, in any case)."""
    return filename.lower().endswith(SHEET_SUFFIXES)


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV export would hold (see the module's note)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


class Sheet(NamedTuple):
    """A sheet's header, its records' cells as text columns, and each record's row."""

    header: list[str]
    columns: dict[str, list[str]]
    rows: np.ndarray  # the sheet row (from 1) of each record


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """A workbook that python-calamine cannot read: an ExtractError naming the file."""
    from python_calamine import CalamineError  # only for a spreadsheet export

    try:
        yield
    except (CalamineError, OSError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ExtractError(f"{path.name}: the spreadsheet cannot be read ({reason})") from None


def _from_header(rows: list[list]) -> tuple[int, list[list]] | None:
    """The rows from the first non-empty one (the header), and that row's number; None: none."""
    for number, row in enumerate(rows):
        if any(cell_text(value).strip() for value in row):
            return number + 1, rows[number:]
    return None


def _cells(path: Path, sheet: str | None, header_only: bool = False) -> tuple[int, list[list]]:
    """The sheet's rows from its first non-empty one (the header), and that row's number."""
    from python_calamine import load_workbook  # only for a spreadsheet export

    with _reading(path):
        book = load_workbook(path)
        if sheet is not None and sheet not in book.sheet_names:
            raise ExtractError(
                f"{path.name}: no sheet {sheet!r} (the sheets: "
                f"{', '.join(repr(name) for name in book.sheet_names)})"
            )
        chosen = book.get_sheet_by_name(sheet) if sheet is not None else book.get_sheet_by_index(0)
        rows = chosen.to_python(skip_empty_area=False, nrows=None if not header_only else 1000)
    found = _from_header(rows)
    if found is None:
        raise ExtractError(f"{path.name}: the sheet is empty (no header row)")
    return found


def sheet_headers(path: Path) -> dict[str, list[str]]:
    """Each sheet's header row's column names (none for an empty sheet), in the workbook's
    order, the workbook read once."""
    from python_calamine import load_workbook  # only for a spreadsheet export

    with _reading(path):
        book = load_workbook(path)
        tops = {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=1000)
            for name in book.sheet_names
        }
    found = {name: _from_header(rows) for name, rows in tops.items()}
    return {
        name: [cell_text(value).strip() for value in top[1][0]] if top is not None else []
        for name, top in found.items()
    }


def sheet_header(path: Path, sheet: str | None) -> list[str]:
    """The header row's column names."""
    _, rows = _cells(path, sheet, header_only=True)
    return [cell_text(value).strip() for value in rows[0]]


def read_sheet(path: Path, sheet: str | None, wanted: list[str]) -> Sheet:
    """The sheet's records, the `wanted` columns as text (empty rows skipped, as a CSV's empty
    lines are)."""
    first, rows = _cells(path, sheet)
    header = [cell_text(value).strip() for value in rows[0]]
    records = [
        (first + offset, row)
        for offset, row in enumerate(rows[1:], start=1)
        if any(cell_text(value) != "" for value in row)
    ]
    where = {name: header.index(name) for name in wanted}
    columns = {
        name: [cell_text(row[index]) if index < len(row) else "" for _, row in records]
        for name, index in where.items()
    }
    return Sheet(header, columns, np.array([number for number, _ in records], dtype=np.int64))


def as_table(sheet: Sheet) -> pa.Table:
    """The wanted columns as an Arrow table of text, as the CSV reader gives them."""
    return pa.table({name: pa.array(values, pa.string()) for name, values in sheet.columns.items()})
