"""Rule name_with_dob: no one's name next to their date of birth, and no full name of a person
on the request's crimes.

The release's text is normalised first (`helpers.gate.normalise`: NFKC, invisible characters
removed, look-alike Cyrillic and Greek letters read as Latin), and names are compared accent-,
case- and look-alike-insensitively on both sides (`fold_name`).

Names with a date of birth: a date in the text that is somebody's date of birth, with that
person's surname (all its words, in order) within `NAME_WINDOW` (15) words either side. The
dates: digits with one separator (`/`, `.` or `-`, spaces around it allowed: `24/05/1992`,
`24-05-1992`, `24 . 05 . 1992`, `24/05/92`, both 1992 and 2092 tried) or spaces (`24 05 1992`,
day first), none (`24051992`, day first or year first), `1992-05-24` (and `T00:00:00` after
it); a day and a month's name or abbreviation (`24 May 1992`, `24th of May 1992`, `24-May-1992`,
`May 24, 1992`, `May the 24th, 1992`, `24 Sept 1992`); or the day in ordinal words (`the tenth
of March 2004`, `March the tenth, 2004`, `twenty-first`). A comma between numbers is not a
date's separator (`2016,10,3` is a table's row), nor are spaces with the year first (`2016 10 3`:
the cells of a table's row in a PDF). A surname written all in lower case counts only with one
of the person's forenames in the same window, since common words (`child`, `hunter`, `young`)
are surnames too and the briefing's prose is full of them. The people are asked for once for the
whole release (`Sensitive.people_with_dob`), for the dates found in it.

Full names, with or without a date of birth: one of the forenames (of two letters or more) of a
person in any role on the request's crimes (`Sensitive.people_on_request_crimes`: the search
scope's) next to their surname, in either order (`Maisie Hollingworth`, `HOLLINGWORTH, Maisie`,
`Jane Hollingworth` for a second forename), in any case. A surname alone (`Hunter`), or a
forename alone, passes.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from helpers.gate.normalise import Normalised, fold_name, normalised_segment
from helpers.gate.readers import Content, Segment
from helpers.gate.report import Finding, mask
from helpers.gate.rules.base import Context
from helpers.gate.sensitive import Sensitive

NAME_WINDOW = 15  # words either side of a date of birth searched for the person's name
DOB_YEARS = (1850, 2150)  # dates outside these years are nobody's date of birth


class NameWithDobRule:
    """A person's surname within `NAME_WINDOW` words of their date of birth."""

    name = "name_with_dob"
    reads_extract = True

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        return _name_findings(contents, context.extract())


_MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_UNITS = "first second third fourth fifth sixth seventh eighth ninth".split()
_TEENS = (
    "tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth"
    " nineteenth"
).split()
#: the days of a month in ordinal words: `tenth` -> 10, `twenty first` (any spacing) -> 21
_ORDINALS = {
    **{word: k for k, word in enumerate(_UNITS, start=1)},
    **{word: k for k, word in enumerate(_TEENS, start=10)},
    "twentieth": 20,
    "thirtieth": 30,
    **{f"twenty {word}": 20 + k for k, word in enumerate(_UNITS, start=1)},
    "thirty first": 31,
}
_ORDINAL = (
    "("
    + "|".join(w.replace(" ", r"[\s-]?") for w in sorted(_ORDINALS, key=len, reverse=True))
    + ")"
)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_NOT_BEFORE, _NOT_AFTER = r"(?<![\w/.-])", r"(?![\w/-]|\.\d)"
#: (format, pattern): each pattern's groups are day, month, year in the order `_date_parts` reads
_DATE_PATTERNS = [
    (
        "dd/mm/yyyy",
        re.compile(
            r"(?<![\w/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\w/-]|\.\d)"
        ),
    ),
    ("dd mm yyyy", re.compile(_NOT_BEFORE + r"(\d{1,2})[ \t]+(\d{1,2})[ \t]+(\d{4})" + _NOT_AFTER)),
    ("ddmmyyyy", re.compile(_NOT_BEFORE + r"(\d{8})" + _NOT_AFTER)),
    (
        "yyyy-mm-dd",
        re.compile(r"(?<![\w/.-])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?:(?=T\d)|(?![\w/-]|\.\d))"),
    ),
    (
        "d Month yyyy",
        re.compile(
            r"(?<![\w])" + _DAY + r"(?:\s+of\s+|[\s/.-]+)" + _MONTH + r"[\s/.,-]+(\d{4})(?!\w)",
            re.I,
        ),
    ),
    (
        "Month d, yyyy",
        re.compile(r"(?<![\w])" + _MONTH + r"\s+(?:the\s+)?" + _DAY + r",?\s+(\d{4})(?!\w)", re.I),
    ),
    (
        "the dth of Month yyyy",
        re.compile(
            r"(?<![\w])" + _ORDINAL + r"\s+(?:of\s+)?" + _MONTH + r",?\s+(\d{4})(?!\w)", re.I
        ),
    ),
    (
        "Month the dth, yyyy",
        re.compile(
            r"(?<![\w])" + _MONTH + r"\s+(?:the\s+)?" + _ORDINAL + r",?\s+(\d{4})(?!\w)", re.I
        ),
    ),
]
_WORD = re.compile(r"[^\W_]+")


def _ordinal(word: str) -> int:
    return _ORDINALS[re.sub(r"[\s-]+", " ", word.lower())]


def _date_parts(kind: str, g: tuple) -> list[tuple[str, int, int]]:
    """(year as written, month, day) that a match can mean."""
    if kind == "dd/mm/yyyy":
        return [(g[3], int(g[2]), int(g[0]))]
    if kind == "dd mm yyyy":
        return [(g[2], int(g[1]), int(g[0]))]
    if kind == "ddmmyyyy":  # day first, as the force writes dates, or the year first
        digits = g[0]
        return [
            (digits[4:], int(digits[2:4]), int(digits[:2])),
            (digits[:4], int(digits[4:6]), int(digits[6:])),
        ]
    if kind == "yyyy-mm-dd":
        return [(g[0], int(g[2]), int(g[3]))]
    if kind == "d Month yyyy":
        return [(g[2], _MONTHS[g[1].lower()], int(g[0]))]
    if kind == "Month d, yyyy":
        return [(g[2], _MONTHS[g[0].lower()], int(g[1]))]
    if kind == "the dth of Month yyyy":
        return [(g[2], _MONTHS[g[1].lower()], _ordinal(g[0]))]
    return [(g[2], _MONTHS[g[0].lower()], _ordinal(g[1]))]  # Month the dth, yyyy


def _make_dates(year: str, month: int, day: int) -> list[date]:
    years = [int(year)] if len(year) == 4 else [1900 + int(year), 2000 + int(year)]
    out = []
    for y in years:
        try:
            out.append(date(y, month, day))
        except ValueError:
            pass
    return out


def _dates_in(text: str) -> list[tuple[int, int, list[date], str]]:
    """(start, end, possible dates, format) for every date written in the text."""
    found = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            dates = [
                d
                for year, month, day in _date_parts(kind, m.groups())
                for d in _make_dates(year, month, day)
                if DOB_YEARS[0] <= d.year <= DOB_YEARS[1]
            ]
            if dates:
                found.append((m.start(), m.end(), dates, kind))
    return found


def _fold(word: str) -> str:
    """A word of the normalised release as names are compared: `SIOBHÁN` -> `siobhan`."""
    if word.isascii():  # most words: quick
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _name_words(name: object) -> tuple[str, ...]:
    """A name of the data as folded words (`Ní Bhriain` -> `ni`, `bhriain`)."""
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
        return ()
    return tuple(_WORD.findall(fold_name(str(name))))


@dataclass
class _Prepared:
    """One segment of the release, normalised and cut into words."""

    segment: Segment
    normal: Normalised
    words: list[re.Match]
    folded: list[str]
    starts: list[int]
    dates: list[tuple[int, int, list[date], str]]

    def where(self, pos: int) -> str:
        return self.segment.locate(self.normal.original(pos))


def _prepare(segment: Segment) -> _Prepared:
    normal = normalised_segment(segment)
    words = list(_WORD.finditer(normal.text))
    return _Prepared(
        segment,
        normal,
        words,
        [_fold(w.group(0)) for w in words],
        [w.start() for w in words],
        _dates_in(normal.text),
    )


def _name_findings(contents: list[Content], sensitive: Sensitive) -> list[list[Finding]]:
    prepared = [[_prepare(segment) for segment in content.segments] for content in contents]
    result: list[list[Finding]] = [[] for _ in contents]
    named = _named_people(sensitive.people_on_request_crimes())
    for i, (content, segments) in enumerate(zip(contents, prepared, strict=True)):
        for part in segments:
            result[i] += _full_name_findings(content.file, part, named)
    all_dates = {
        d for segments in prepared for part in segments for *_, ds, _ in part.dates for d in ds
    }
    if not all_dates:
        return result
    people = sensitive.people_with_dob(all_dates)
    if people is None or len(people) == 0:
        return result
    by_date: dict[date, list[tuple[tuple[str, ...], set[str]]]] = {}
    for row in people.itertuples(index=False):
        dob = pd.Timestamp(row.date_of_birth).date()  # type: ignore[arg-type]  # a date: row's any
        surname = _name_words(row.surname)
        if surname:
            by_date.setdefault(dob, []).append(
                (surname, set(_name_words(getattr(row, "forenames", None))))
            )
    for i, (content, segments) in enumerate(zip(contents, prepared, strict=True)):
        reported: set[tuple[str, tuple[str, ...]]] = set()
        for part in segments:
            result[i] += _dob_findings(content.file, part, by_date, reported)
    return result


def _dob_findings(
    file: str,
    part: _Prepared,
    by_date: dict[date, list[tuple[tuple[str, ...], set[str]]]],
    reported: set[tuple[str, tuple[str, ...]]],
) -> list[Finding]:
    """A person's surname within `NAME_WINDOW` words of their date of birth, in one segment."""
    findings = []
    words, folded, starts = part.words, part.folded, part.starts
    for start, end, ds, kind in part.dates:
        people_here = [p for d in ds for p in by_date.get(d, [])]
        if not people_here:
            continue
        first = bisect.bisect_left(starts, start)
        last = bisect.bisect_left(starts, end)  # words [first, last) are the date itself
        lo, hi = max(0, first - NAME_WINDOW), min(len(words), last + NAME_WINDOW)
        window = [j for j in range(lo, hi) if not first <= j < last]
        for surname, forenames in people_here:
            n = len(surname)
            for j in window:
                if tuple(folded[j : j + n]) != surname or any(
                    first <= k < last for k in range(j, j + n)
                ):
                    continue
                written = words[j].group(0)
                with_forename = any(folded[k] in forenames for k in window if not j <= k < j + n)
                if written.islower() and not with_forename:
                    continue
                where = part.where(start)
                if (where, surname) in reported:
                    break
                reported.add((where, surname))
                who = "forename and surname" if with_forename else "surname"
                findings.append(
                    Finding(
                        file,
                        "name_with_dob",
                        f"{who} {mask(written)} near that person's date of birth"
                        f" (written like {kind}) at {where}",
                    )
                )
                break
    return findings


#: a name's first surname word -> (the surname's words, the forenames' words) of each person
_Named = dict[str, list[tuple[tuple[str, ...], frozenset[str]]]]


def _named_people(people: pd.DataFrame | None) -> _Named:
    """The people on the request's crimes, by the first word of their surname. A forename of one
    letter (an initial) is left out: `a`, `j` are words of any text."""
    named: _Named = {}
    if people is None or len(people) == 0:
        return named
    folded: dict[object, tuple[str, ...]] = {}  # many people share a name
    # as Python lists: iterating a pandas column of Arrow strings costs a call per value
    surnames, forenames_of = people["surname"].tolist(), people["forenames"].tolist()
    for surname, forenames in zip(surnames, forenames_of, strict=True):
        last = folded.get(surname) or folded.setdefault(surname, _name_words(surname))
        first = folded.get(forenames) or folded.setdefault(forenames, _name_words(forenames))
        given = frozenset(w for w in first if len(w) > 1)
        if last and given:
            named.setdefault(last[0], []).append((last, given))
    return named


def _full_name_findings(file: str, part: _Prepared, named: _Named) -> list[Finding]:
    """A forename next to the surname (either order, `Surname, Forename` too) of a person on the
    request's crimes, in one segment: once per person and place."""
    findings, reported = [], set()
    folded = part.folded
    for j, word in enumerate(folded):
        for surname, forenames in named.get(word, ()):
            n = len(surname)
            if tuple(folded[j : j + n]) != surname:
                continue
            before = folded[j - 1] if j > 0 else None
            after = folded[j + n] if j + n < len(folded) else None
            if before not in forenames and after not in forenames:
                continue
            where = part.where(part.starts[j])
            if (where, surname, forenames) in reported:
                continue
            reported.add((where, surname, forenames))
            findings.append(
                Finding(
                    file,
                    "name_with_dob",
                    f"full name {mask(part.words[j].group(0))} of a person on the request's"
                    f" crimes at {where}",
                )
            )
    return findings
