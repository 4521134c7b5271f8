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

_SHOWN = {"\t": "a tab", "\r": "a carriage return"}


class SpreadsheetFormulaRule:
    """Cells of a CSV table that a spreadsheet would run as a formula."""

    name = "spreadsheet_formula"
    reads_extract = False

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        return [_formula_findings(content) for content in contents]


def _formula_findings(content: Content) -> list[Finding]:
    findings = []
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
