"""Rule small_count: no count from 1 to T-1 in a released table (T: the disclosure threshold).

A data cell of a released CSV table holding such a count fails. The first row (column labels) and
first column (row labels) are labels and are not checked; an empty cell, `0`, `f"<{T}"` and `[c]`
(`SUPPRESSED_MARK`) are fine. A count is an integer, also written `1,234`, `3.0`, `+3`, `3*` or
`3 (12%)`, and after a `'` (as text: `'3`, or `'+3*` as `table_csv` neutralises it); `<k` with
k < T is a narrower range than the threshold allows and fails too. (A table passed as a DataFrame
is checked as `table_csv` writes it: the index becomes the label column(s) unless it is a plain
RangeIndex.) The HTML and PDF show the same tables; this rule reads the CSV files, not the page.
A CSV cell that is a formula reaching for the web is the external-link rule's.
"""

from __future__ import annotations

import re

from helpers.gate.readers import NEUTRALISED, Content
from helpers.gate.report import Finding
from helpers.gate.rules.base import Context

SUPPRESSED_MARK = "[c]"


class SmallCountRule:
    """Counts below the threshold in the data cells of a CSV table."""

    name = "small_count"
    reads_extract = False

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        return [
            _small_count_findings(content, context.threshold) if content.grid is not None else []
            for content in contents
        ]


_COUNT = re.compile(
    r"^\s*([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*[*†‡]*\s*(?:\([^()]*\))?\s*$"
)
_NARROWER = re.compile(r"^\s*<\s*(\d+)\s*$")


def _small_count_findings(content: Content, threshold: int) -> list[Finding]:
    grid = content.grid or []
    findings = []
    fine = {f"<{threshold}", SUPPRESSED_MARK}
    header = grid[content.header_rows - 1] if len(grid) >= content.header_rows else []
    for r in range(content.header_rows, len(grid)):
        row = grid[r]
        for c in range(content.label_cols, len(row)):
            cell = (
                row[c].strip().removeprefix(NEUTRALISED)
            )  # `'3`, `'+3*`: a count as text is a count
            if not cell or cell in fine:
                continue
            small = False
            m = _COUNT.match(cell)
            if m and not m.group(1) == "-" and not (m.group(3) and int(m.group(3)) != 0):
                small = 1 <= int(m.group(2).replace(",", "")) <= threshold - 1
            narrow = _NARROWER.match(cell)
            if narrow and int(narrow.group(1)) < threshold:
                small = True
            if small:
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
