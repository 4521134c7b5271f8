"""The gate's report: a `Finding` for each reason the release must not go out, and `GateReport`,
which says them on one console line (`summary_line`) and saves them as JSON (`write`).

A finding's detail never repeats the leaked value in full (`crime reference CM/1… at line 12`:
`mask`), since the report is printed on the console as well as saved in `restricted/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.errors import ReleaseGateError

#: every rule a finding can name, in the order the report lists a file's findings: the leak
#: rules (`rules/`), then what reading a file found (`readers`)
RULE_NAMES = (
    "identifier",
    "name_with_dob",
    "copied_text",
    "small_count",
    "external_link",
    "spreadsheet_formula",
    "active_content",
    "unreadable",
)


@dataclass(frozen=True)
class Finding:
    """One reason the release must not go out. `detail` never holds the leaked value in full."""

    file: str
    rule: str
    detail: str
    #: what an identifier finding found, as the console names it ("a person number"): the force
    #: profile's own name for the form, which the detail starts with
    kind: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.rule not in RULE_NAMES:
            raise ValueError(f"unknown release gate rule {self.rule!r}")

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "rule": self.rule, "detail": self.detail}


_RULE_PHRASES = {
    "name_with_dob": "a name with a date of birth",
    "copied_text": "text copied from a circumstances record",
    "small_count": "a count below the threshold",
    "external_link": "a link to an outside resource",
    "spreadsheet_formula": "a spreadsheet formula",
    "active_content": "active content (a script, an event handler, a frame or a form)",
    "unreadable": "cannot be read by the gate",
}
_IDENTIFIER_KINDS = ("crime reference", "person ID", "nominal number", "PNC ID", "identifier")


def _phrase(finding: Finding) -> str:
    if finding.rule == "name_with_dob" and finding.detail.startswith("full name"):
        return "contains a person's full name"
    if finding.rule == "identifier":
        kind = finding.kind or next(
            (k for k in _IDENTIFIER_KINDS if finding.detail.startswith(k)), "identifier"
        )
        article = "an" if kind[0] in "aeiou" else "a"
        return f"contains {article} {kind}"
    phrase = _RULE_PHRASES[finding.rule]
    return phrase if finding.rule == "unreadable" else f"contains {phrase}"


@dataclass
class GateReport:
    """What the gate found in the files it checked; `passed` when it found nothing."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "summary": self.summary_line(),
            "files_checked": list(self.files_checked),
            "findings": [f.to_dict() for f in self.findings],
        }

    def summary_line(self) -> str:
        """One line for the console; names the first finding, never the leaked value."""
        if self.passed:
            n = len(self.files_checked)
            return f"release gate: passed ({n} file{'' if n == 1 else 's'})"
        first, n = self.findings[0], len(self.findings)
        count = f"1 of {n} finding{'' if n == 1 else 's'}"
        return f"release gate: FAILED: {first.file} {_phrase(first)} ({count})"

    def raise_if_failed(self) -> GateReport:
        if not self.passed:
            raise ReleaseGateError(self)
        return self

    def write(self, path: Path) -> Path:
        """Save the report (for `restricted/`)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return path


def mask(value: str) -> str:
    """Enough of a value to find it again, not enough to disclose it: `CM/13/0000001` -> `CM/1…`."""
    return value[: max(1, min(4, len(value) // 3))] + "…"
