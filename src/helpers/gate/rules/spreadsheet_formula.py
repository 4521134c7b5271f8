"""Rule spreadsheet_formula: no CSV cell that a spreadsheet would run as a formula.

A released CSV is opened in Excel or LibreOffice, which run a cell starting with `=`, `+`, `-`,
`@`, a tab or a carriage return as a formula (OWASP, "CSV injection": `@SUM(1+9)*cmd|' /C
calc'!A0` starts a program, `=IMAGE("ht"&"tps:/"&"/evil.example/p.png")` fetches an address). Such
a cell fails unless it is a number (`-3`, `-1.5`, `+3`, `-1,234`) or is neutralised: written after
a `'`, as `readers.table_csv` writes every released table (`readers.is_formula`). So this rule
finds a formula only in a CSV written by hand or by another tool. Every cell is checked, labels
too. A formula reaching for the web or another program (`=HYPERLINK(...)`, a URL) is the
external-link rule's finding, not this rule's: one finding a cell. The finding names the row,
the column and the first character, never the cell.
"""

from __future__ import annotations

from helpers.gate.readers import Content, is_formula
from helpers.gate.report import Finding
from helpers.gate.rules.base import Context
from helpers.gate.rules.external_link import formula_reaches_outside
from helpers.gate.xlsx import Sheet

_SHOWN = {"\t": "a tab", "\r": "a carriage return"}


class SpreadsheetFormulaRule:
    """Cells of a CSV table that a spreadsheet would run as a formula."""

    name = "spreadsheet_formula"
    reads_extract = False

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        return [_formula_findings(content) for content in contents]


def _formula_findings(content: Content) -> list[Finding]:
    findings = [
        Finding(content.file, "spreadsheet_formula", what)
        for sheet in content.sheets
        for what in _sheet_formulas(sheet)
    ]
    for r, row in enumerate(content.grid or [], start=1):
        for c, cell in enumerate(row, start=1):
            if is_formula(cell) and not formula_reaches_outside(cell):
                first = _SHOWN.get(cell[0], f"`{cell[0]}`")
                findings.append(
                    Finding(
                        content.file,
                        "spreadsheet_formula",
                        f"row {r}, column {c}: a cell starting with {first} that a spreadsheet "
                        "would run as a formula (write it after a ' to make it text)",
                    )
                )
    return findings


def _sheet_formulas(sheet: Sheet) -> list[str]:
    """What of a workbook's sheet a spreadsheet would run (reaching outside: the link rule's)."""
    found = []
    for cell in sheet.cells:
        if formula_reaches_outside(cell.text):
            continue
        if cell.kind == "formula":
            found.append(f"{sheet.where}, cell {cell.ref}: a formula")
        elif cell.kind == "text" and is_formula(cell.text) and not cell.quoted:
            first = _SHOWN.get(cell.text[0], f"`{cell.text[0]}`")
            found.append(
                f"{sheet.where}, cell {cell.ref}: a text starting with {first} that a spreadsheet "
                "would run as a formula once the cell is edited (give it the quote prefix)"
            )
    found += [
        f"{where}: a formula" for where, text in sheet.formulas if not formula_reaches_outside(text)
    ]
    return found
