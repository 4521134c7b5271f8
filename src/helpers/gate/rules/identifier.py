"""Rule identifier: no identifier from the extracts, as a whole token, in any file.

A crime reference (CMS `CM/13/0000001`, Connect `00000864/16`), person ID (`PER7004775`,
`PERD…`), nominal number (`408657`) or PNC ID. Text is split on whitespace and on every
punctuation mark except `/` (underscores split too), and `/` is then trimmed from both ends of a
token; a token is a candidate when it has a digit and 6 or more characters, and the `/`-separated
parts of a token are candidates too (`path/408657`). PNC-like tokens (`2000/0448754A`,
`00/448754a`, even `2000 / 0448754A`) are asked in normalised form (`00/448754A`: two-digit year,
serial as a number, upper-case check letter), so either system's spelling of the same ID is
caught. The data decides (`Sensitive.identifiers_present`, one look-up for the whole release): a
6-digit number that is no one's nominal number passes, and so does a sha256 (one 64-character
token) or a longer number that merely contains an identifier.
"""

from __future__ import annotations

import re

from helpers.extracts.codes import normalise_pnc
from helpers.gate.readers import Content, Segment
from helpers.gate.report import Finding, mask
from helpers.gate.rules.base import Context
from helpers.gate.sensitive import Sensitive

_ID_TOKEN = re.compile(r"(?:[^\W_]|/)+")
_SPACED_PNC = re.compile(r"(?<![\w/])(\d{2}|\d{4})\s*/\s*(\d{1,9})\s?([A-Za-z])(?![\w/])")
_PNC_NORMAL = re.compile(r"\d{2}/\d+[A-Z]")


class IdentifierRule:
    """Crime references, person IDs, nominal numbers and PNC IDs the extracts hold."""

    name = "identifier"
    reads_extract = True

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        return _identifier_findings(contents, context.extract())


def _identifier_kind(key: str) -> str:
    if re.fullmatch(r"CM/\d{2}/\d{7}", key) or re.fullmatch(r"\d{8}/\d{2}", key):
        return "crime reference"
    if key.startswith("PER"):
        return "person ID"
    if key.isdigit():
        return "nominal number"
    if _PNC_NORMAL.fullmatch(key):
        return "PNC ID"
    return "identifier"


def _candidate_keys(token: str) -> set[str]:
    token = token.strip("/").upper()
    keys = set()
    for part in {token, *token.split("/")}:
        if len(part) >= 6 and any(ch.isdigit() for ch in part):
            keys.add(part)
    pnc = normalise_pnc(token)
    if pnc:
        keys.add(pnc)
    return keys


def _identifier_occurrences(content: Content) -> dict[str, tuple[str, int, str]]:
    """key -> (where first seen, times seen, the text as written) for one file."""
    seen: dict[str, tuple[str, int, str]] = {}

    def note(key: str, segment: Segment, pos: int, written: str) -> None:
        if key in seen:
            where, count, first = seen[key]
            seen[key] = (where, count + 1, first)
        else:
            seen[key] = (segment.locate(pos), 1, written)

    for segment in content.segments:
        for m in _ID_TOKEN.finditer(segment.text):
            token = m.group(0)
            if len(token) < 5 or not any(ch.isdigit() for ch in token):
                continue
            for key in _candidate_keys(token):
                note(key, segment, m.start(), token.strip("/"))
        for m in _SPACED_PNC.finditer(segment.text):
            if re.search(r"\s", m.group(0)):  # the unspaced ones are tokens already
                note(
                    f"{m.group(1)[-2:]}/{int(m.group(2))}{m.group(3).upper()}",
                    segment,
                    m.start(),
                    m.group(0),
                )
    return seen


def _identifier_findings(contents: list[Content], sensitive: Sensitive) -> list[list[Finding]]:
    occurrences = [_identifier_occurrences(c) for c in contents]
    candidates = set().union(*[set(o) for o in occurrences]) if occurrences else set()
    present = set(sensitive.identifiers_present(candidates)) if candidates else set()
    result = []
    for content, seen in zip(contents, occurrences, strict=True):
        findings = []
        for key in [k for k in seen if k in present]:  # in the order they first appear
            where, count, written = seen[key]
            more = f", and {count - 1} more time{'s' if count > 2 else ''}" if count > 1 else ""
            findings.append(
                Finding(
                    content.file,
                    "identifier",
                    f"{_identifier_kind(key)} {mask(written)} at {where}{more}",
                )
            )
        result.append(findings)
    return result
