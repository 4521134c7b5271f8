"""Rule identifier: no identifier from the extracts, as a whole token, in any file, however
it is spaced or spelled.

A crime reference (CMS `CM/13/0000001`, Connect `00000864/16`), person ID (`PER7004775`,
`PERD…`), nominal number (`408657`) or PNC ID. The text is normalised first
(`helpers.gate.normalise`: NFKC, so fullwidth digits are digits; invisible characters such as a
zero-width space removed; look-alike Cyrillic and Greek letters read as Latin).

Whole tokens: text is split on whitespace and on every punctuation mark except `/` (underscores
split too), and `/` is then trimmed from both ends of a token; a token is a candidate when it has
a digit and 6 or more characters, and the `/`-separated parts of a token are candidates too
(`path/408657`). PNC-like tokens (`2000/0448754A`, `00/448754a`) are asked in normalised form
(`00/448754A`: two-digit year, serial as a number, upper-case check letter), so either system's
spelling of the same ID is caught.

Other separators: inside an identifier's shape, one space, hyphen, dot, comma or slash stands
for any other (`_JOINED`): `PER 7028132`, `00001516-16`, `CM 16 0004418`, `89 920945F` (a PNC
ID: `89/920945F`), `428,132` or `428 132` (a nominal number). A number written with thousands
separators is also how the tool writes its own counts (`428,132` records read), so a nominal
number written `ddd,ddd` is looked for only where the tool writes no figures: a CSV table's
label cells (first row, first column) and any cell that is not a number, and the manifest's
values. In the page (HTML, PDF, other text) it is a figure; so is `ddd ddd` in a PDF, whose
table rows come out as cells separated by one space. An analyst's label or question holding one
is still caught, in its table or in the manifest's parameters, which hold every text typed.

The data decides (`Sensitive.identifiers_present`, one look-up for the whole release): a
6-digit number that is no one's nominal number passes, and so does a sha256 (one 64-character
token) or a longer number that merely contains an identifier.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from helpers.extracts.codes import normalise_pnc
from helpers.gate.normalise import normalise, normalised_segment
from helpers.gate.readers import NEUTRALISED, Content
from helpers.gate.report import Finding, mask
from helpers.gate.rules.base import Context
from helpers.gate.sensitive import Sensitive

_ID_TOKEN = re.compile(r"(?:[^\W_]|/)+")
_PNC_NORMAL = re.compile(r"\d{2}/\d+[A-Z]")

_SEP = r"[ ./,-]"  # one separator, equivalent to any other inside an identifier
_START, _END = r"(?<![^\W_])", r"(?![^\W_]|[.,/-][^\W_])"  # not inside a longer token
#: identifiers written with other separators: (pattern, its identifier in the data's form)
_JOINED = (
    (
        re.compile(_START + rf"(PERD?){_SEP}(\d{{5,9}})" + _END, re.I),
        lambda g: f"{g[0].upper()}{g[1]}",
    ),
    (
        re.compile(_START + rf"(CM){_SEP}(\d{{2}}){_SEP}(\d{{7}})" + _END, re.I),
        lambda g: f"CM/{g[1]}/{g[2]}",
    ),
    (re.compile(_START + rf"(\d{{8}}){_SEP}(\d{{2}})" + _END), lambda g: f"{g[0]}/{g[1]}"),
    (
        re.compile(_START + rf"(\d{{2}}|\d{{4}})\s?{_SEP}\s?(\d{{1,9}})[ .-]?([A-Za-z])" + _END),
        lambda g: f"{g[0][-2:]}/{int(g[1])}{g[2].upper()}",
    ),
)
#: a nominal number in two groups of three: `428,132`, `428 132`, `428-132`
_NOMINAL_GROUPS = re.compile(r"(?<![^\W_])(?<!\d[.,/-])(\d{3})([ ./,-])(\d{3})" + _END)
#: a figure as the tool writes a count in a CSV table's data cell
_FIGURE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


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


def _token_keys(text: str) -> Iterator[tuple[str, int, str]]:
    """(identifier key, position, as written) of each whole token that could be an identifier."""
    for m in _ID_TOKEN.finditer(text):
        token = m.group(0)
        if len(token) < 5 or not any(ch.isdigit() for ch in token):
            continue
        for key in _candidate_keys(token):
            yield key, m.start(), token.strip("/")


def _joined_keys(text: str, nominal_separators: str) -> Iterator[tuple[str, int, str]]:
    """(identifier key, position, as written) of each identifier written with other separators;
    a nominal number in two groups of three only with one of `nominal_separators`."""
    for pattern, key_of in _JOINED:
        for m in pattern.finditer(text):
            if re.search(r"[ .,-]", m.group(0)):  # one written the data's way is a token already
                yield key_of(m.groups()), m.start(), m.group(0)
    for m in _NOMINAL_GROUPS.finditer(text):
        if m.group(2) in nominal_separators:
            yield m.group(1) + m.group(3), m.start(), m.group(0)


def _is_figure_cell(content: Content, row: int, column: int, cell: str) -> bool:
    """A data cell holding a number: a figure the tool wrote, not an identifier."""
    return (
        row >= content.header_rows
        and column >= content.label_cols
        and bool(_FIGURE.fullmatch(cell.strip().removeprefix(NEUTRALISED)))
    )


def _identifier_occurrences(content: Content) -> dict[str, tuple[str, int, str]]:
    """key -> (where first seen, times seen, the text as written) for one file."""
    seen: dict[str, tuple[str, int, str]] = {}

    def note(key: str, where: str, written: str) -> None:
        if key in seen:
            first_where, count, first = seen[key]
            seen[key] = (first_where, count + 1, first)
        else:
            seen[key] = (where, 1, written)

    is_pdf = content.file.lower().endswith(".pdf")
    is_json = content.file.lower().endswith(".json")
    for segment in content.segments:
        normal = normalised_segment(segment)
        for key, pos, written in _token_keys(normal.text):
            note(key, segment.locate(normal.original(pos)), written)
        if content.grid is not None:  # a table: other separators are read cell by cell below
            continue
        # `ddd,ddd` is a figure in the page, `ddd ddd` too in a PDF's table rows
        nominal_separators = " ./,-" if is_json else ("./-" if is_pdf else " ./-")
        for key, pos, written in _joined_keys(normal.text, nominal_separators):
            note(key, segment.locate(normal.original(pos)), written)
    for r, row in enumerate(content.grid or []):
        for c, cell in enumerate(row):
            if not cell or _is_figure_cell(content, r, c, cell):
                continue
            for key, _, written in _joined_keys(normalise(cell).text, " ./,-"):
                note(key, f"row {r + 1}, column {c + 1}", written)
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
