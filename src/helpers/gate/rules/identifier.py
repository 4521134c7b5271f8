r"""Rule identifier: no identifier from the extracts, as a whole token, in any file, however
it is spaced or spelled.

A crime reference, person number or PNC ID, whatever system wrote it. The text is normalised
first (`helpers.gate.normalise`: NFKC, so fullwidth digits are digits; invisible characters such
as a zero-width space removed; look-alike Cyrillic and Greek letters read as Latin), and a page's
inline tags part no words (`P<b>12345</b>` is P12345, as a browser shows it).

What an identifier looks like is the force's to say: the code knows no force's shapes. The force
profile's identifier forms (`identifier_formats`: what each is called, and a regular expression of
its whole form) drive the rule (`Forms`): a token of any length in one of the forms is a candidate
(a force whose person numbers have five digits), a form's separators (`/`, `-`, `.`, a space)
stand for any other (`CM 16 0004418` for a form `CM/\d{2}/\d{7}`), and where a form's letters
meet its digits a separator may be added (`PER 7028132`, `per-7028132` for `PERD?\d{7}`). A
finding names its form.

Force-independent shapes stay in code. Whole tokens: text is split on whitespace and on every
punctuation mark except `/` (underscores split too), and `/` is then trimmed from both ends of a
token; a token is a candidate when it has a digit and 6 or more characters, and the `/`-separated
parts of a token are candidates too (`path/408657`). PNC IDs (`2000/0448754A`, `00/448754a`, `89
920945F`) are asked in normalised form (`00/448754A`: two-digit year, serial as a number,
upper-case check letter), so any system's spelling of the same ID is caught. A run of digits
written in groups of three (`428,132`, `428 132`, `1.234.567`) is asked as its digits when they
are six or more or in a form. A number written with thousands separators is also how the tool
writes its own counts (`428,132` records read), so such a run is looked for only where the tool
writes no figures: a CSV table's label cells (first row, first column) and any cell that is not a
number, a workbook's cells that are not numbers, and the manifest's values. In the page (HTML,
PDF, other text) it is a figure; so is `ddd ddd` in a PDF, whose table rows come out as cells
separated by one space. An analyst's label or question holding one is still caught, in its table
or in the manifest's parameters, which hold every text typed.

The data decides (`Sensitive.identifiers_present`, one look-up for the whole release): a
6-digit number that is no one's person number passes, and so does a sha256 (one 64-character
token) or a longer number that merely contains an identifier.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

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
#: a PNC ID written with other separators, whatever the force (`89 920945F`, `2000-448754 A`):
#: (pattern, the ID in its normalised form)
_JOINED = (
    (
        re.compile(_START + rf"(\d{{2}}|\d{{4}})\s?{_SEP}\s?(\d{{1,9}})[ .-]?([A-Za-z])" + _END),
        lambda g: f"{g[0][-2:]}/{int(g[1])}{g[2].upper()}",
    ),
)
#: a run of digits in groups of three, as a figure is written: `428,132`, `428 132`, `12-345`
_DIGIT_GROUPS = re.compile(r"(?<![^\W_])(?<!\d[.,/-])(\d{1,3})([ ./,-])(\d{3}(?:\2\d{3})*)" + _END)
#: a figure as the tool writes a count in a CSV table's data cell
_FIGURE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


class IdentifierRule:
    """Crime references, person numbers and PNC IDs the extracts hold."""

    name = "identifier"
    reads_extract = True

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        return _identifier_findings(contents, context.extract())


@dataclass(frozen=True)
class Forms:
    """The force profile's identifier forms, as the rule matches them: whole tokens (`named`),
    and written with other separators (`joined`: a pattern and the separators it stands for)."""

    named: tuple[tuple[str, re.Pattern[str]], ...] = ()
    joined: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, formats: dict[str, str]) -> Forms:
        named = tuple((name, re.compile(pattern, re.I)) for name, pattern in formats.items())
        joined = tuple(
            (re.compile(_START + f"(?:{relaxed})" + _END, re.I), literals)
            for relaxed, literals in map(_relaxed, formats.values())
            if literals
        )
        return cls(named, joined)

    def match(self, part: str) -> bool:
        # an identifier is short: a long token is never one (and is not matched at all)
        return len(part) <= 64 and any(pattern.fullmatch(part) for _, pattern in self.named)


#: an optional separator where a form's letters meet its digits (`PER 7028132` for `PER\d{7}`)
_BOUNDARY = ""


def _relaxed(pattern: str) -> tuple[str, tuple[str, ...]]:
    """`pattern` with each literal separator (`/`, `-`, `.`, a space) outside a character class
    made a group of any separator (`_SEP`), an optional one added where a letter meets a digit,
    and the separators in order (`_BOUNDARY` for an added one)."""
    out: list[str] = []
    literals: list[str] = []
    at, last = 0, None  # `last`: the kind of the atom before, "letter" or "digit"
    while at < len(pattern):
        atom, kind, at = _next_atom(pattern, at)
        if atom in ("/", "-", " ", "\\/", "\\-", "\\.", "\\ "):
            out.append(f"(?P<s{len(literals)}>{_SEP})")
            literals.append(atom[-1])
            last = None
            continue
        if kind is not None and last is not None and kind != last:
            out.append(f"(?P<s{len(literals)}>{_SEP})?")
            literals.append(_BOUNDARY)
        out.append(atom)
        if atom.startswith("(") or atom == "|":
            last = None
        elif kind is not None:
            last = kind
    return "".join(out), tuple(literals)


def _next_atom(pattern: str, at: int) -> tuple[str, str | None, int]:
    """The regular expression's atom at `at` (a character, an escape, a class, a group's opening
    or a quantifier), whether it reads a letter or a digit, and where the next one starts."""
    char = pattern[at]
    if char == "\\":
        atom = pattern[at : at + 2]
        kind = "digit" if atom == "\\d" else None
        return atom, kind, at + 2
    if char == "[":
        end = at + 1 + (pattern[at + 1 : at + 2] == "^")
        end += pattern[end : end + 1] == "]"  # a `]` first is literal
        while end < len(pattern) and pattern[end] != "]":
            end += 2 if pattern[end] == "\\" else 1
        atom = pattern[at : end + 1]
        inside = atom[1:-1]
        kind = None
        if inside and not inside.startswith("^"):
            letters = inside.replace("-", "")
            kind = "digit" if letters.isdigit() else "letter" if letters.isalpha() else None
        return atom, kind, end + 1
    if char == "(" and pattern[at + 1 : at + 2] == "?":
        end = at + 2
        if pattern[end : end + 1] == "P" and pattern[end + 1 : end + 2] == "<":
            end = pattern.index(">", end) + 1
        elif pattern[end : end + 1] == "<" and pattern[end + 1 : end + 2] in "=!":
            end += 2
        else:
            end += 1
        return pattern[at:end], None, end
    if char == "{":
        end = pattern.find("}", at)
        if end > 0:
            return pattern[at : end + 1], None, end + 1
    if char.isascii() and char.isalpha():
        return char, "letter", at + 1
    if char.isdigit():
        return char, "digit", at + 1
    return char, None, at + 1


def _identifier_kind(key: str, forms: Forms = Forms()) -> str:
    for name, pattern in forms.named:
        if pattern.fullmatch(key):
            return name
    if _PNC_NORMAL.fullmatch(key):
        return "PNC ID"
    if key.isdigit():
        return "number"
    return "identifier"


def _candidate_keys(token: str, forms: Forms = Forms()) -> set[str]:
    token = token.strip("/").upper()
    keys = set()
    for part in {token, *token.split("/")}:
        if (len(part) >= 6 and any(ch.isdigit() for ch in part)) or forms.match(part):
            keys.add(part)
    pnc = normalise_pnc(token)
    if pnc:
        keys.add(pnc)
    return keys


def _token_keys(text: str, forms: Forms = Forms()) -> Iterator[tuple[str, int, str]]:
    """(identifier key, position, as written) of each whole token that could be an identifier."""
    for m in _ID_TOKEN.finditer(text):
        token = m.group(0)
        if (len(token) < 5 or not any(ch.isdigit() for ch in token)) and not (
            forms.named and any(forms.match(part) for part in token.strip("/").split("/"))
        ):
            continue
        for key in _candidate_keys(token, forms):
            yield key, m.start(), token.strip("/")


def _joined_keys(
    text: str, group_separators: str, forms: Forms = Forms()
) -> Iterator[tuple[str, int, str]]:
    """(identifier key, position, as written) of each identifier written with other separators;
    a run of digits in groups of three only with one of `group_separators`."""
    for pattern, key_of in _JOINED:
        for m in pattern.finditer(text):
            if re.search(r"[ .,-]", m.group(0)):  # one written the data's way is a token already
                yield key_of(m.groups()), m.start(), m.group(0)
    for pattern, literals in forms.joined:
        for m in pattern.finditer(text):
            if not _a_whole_token(m, literals):
                yield _as_form(m, literals), m.start(), m.group(0)
    for m in _DIGIT_GROUPS.finditer(text):
        digits = m.group(1) + m.group(3).replace(m.group(2), "")
        if m.group(2) in group_separators and (len(digits) >= 6 or forms.match(digits)):
            yield digits, m.start(), m.group(0)


def _a_whole_token(m: re.Match[str], literals: tuple[str, ...]) -> bool:
    """Whether a match of a relaxed form is written as the form writes it with `/` only (or no
    separator): a whole token, which `_token_keys` reads already (an alternative not taken has
    no separators to compare)."""
    return all(
        m.group(f"s{i}") is None or (m.group(f"s{i}") == literal and literal in ("/", _BOUNDARY))
        for i, literal in enumerate(literals)
    )


def _as_form(m: re.Match[str], literals: tuple[str, ...]) -> str:
    """A match of a relaxed form with each separator written as the form writes it."""
    key, at = [], m.start()
    for i, literal in enumerate(literals):
        start, end = m.span(f"s{i}")
        if start < 0:  # an optional separator not written
            continue
        key += [m.string[at:start], literal]
        at = end
    key.append(m.string[at : m.end()])
    return "".join(key).upper()


def _is_figure_cell(content: Content, row: int, column: int, cell: str) -> bool:
    """A data cell holding a number: a figure the tool wrote, not an identifier."""
    return (
        row >= content.header_rows
        and column >= content.label_cols
        and bool(_FIGURE.fullmatch(cell.strip().removeprefix(NEUTRALISED)))
    )


def _identifier_occurrences(
    content: Content, forms: Forms = Forms()
) -> dict[str, tuple[str, int, str]]:
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
        for key, pos, written in _token_keys(normal.text, forms):
            note(key, segment.locate(normal.original(pos)), written)
        if content.grid is not None:  # a table: other separators are read cell by cell below
            continue
        # `ddd,ddd` is a figure in the page, `ddd ddd` too in a PDF's table rows
        group_separators = " ./,-" if is_json else ("./-" if is_pdf else " ./-")
        for key, pos, written in _joined_keys(normal.text, group_separators, forms):
            note(key, segment.locate(normal.original(pos)), written)
    for r, row in enumerate(content.grid or []):
        for c, cell in enumerate(row):
            if not cell or _is_figure_cell(content, r, c, cell):
                continue
            for key, _, written in _joined_keys(normalise(cell).text, " ./,-", forms):
                note(key, f"row {r + 1}, column {c + 1}", written)
    # a workbook's texts, as a CSV table's labels: `ddd,ddd` too (its segments have the rest)
    for sheet in content.sheets:
        for sheet_cell in sheet.cells:
            if sheet_cell.kind == "number":
                continue
            where = f"{sheet.where}, cell {sheet_cell.ref}"
            for key, _, written in _joined_keys(normalise(sheet_cell.text).text, " ./,-", forms):
                note(key, where, written)
    return seen


def _identifier_findings(contents: list[Content], sensitive: Sensitive) -> list[list[Finding]]:
    forms = Forms.of(sensitive.identifier_formats())
    occurrences = [_identifier_occurrences(c, forms) for c in contents]
    candidates = set().union(*[set(o) for o in occurrences]) if occurrences else set()
    present = set(sensitive.identifiers_present(candidates)) if candidates else set()
    result = []
    for content, seen in zip(contents, occurrences, strict=True):
        findings = []
        for key in [k for k in seen if k in present]:  # in the order they first appear
            where, count, written = seen[key]
            more = f", and {count - 1} more time{'s' if count > 2 else ''}" if count > 1 else ""
            kind = _identifier_kind(key, forms)
            findings.append(
                Finding(
                    content.file, "identifier", f"{kind} {mask(written)} at {where}{more}", kind
                )
            )
        result.append(findings)
    return result
