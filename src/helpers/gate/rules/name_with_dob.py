"""Rule name_with_dob: no one's name next to their date of birth.

A date in the text (`24/05/1992`, `24-05-1992`, `24.05.1992`, `24/05/92` (both 1992 and 2092 are
tried), `1992-05-24`, `1992-05-24T00:00:00`, `24 May 1992`, `24th of May 1992`, `May 24, 1992`,
`24 Sept 1992`) that is somebody's date of birth, with that person's surname (all its words, in
order) within `NAME_WINDOW` (15) words either side. Names are compared accent- and
case-insensitively; a surname written all in lower case counts only with one of the person's
forenames in the same window, since common words (`child`, `hunter`, `young`) are surnames too
and the briefing's prose is full of them. The people are asked for once for the whole release
(`Sensitive.people_with_dob`), for the dates found in it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from datetime import date

import numpy as np
import pandas as pd

from helpers.gate.readers import Content
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
_DATE_PATTERNS = [
    (
        "dd/mm/yyyy",
        re.compile(r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/-]|\.\d)"),
    ),
    (
        "yyyy-mm-dd",
        re.compile(r"(?<![\w/.-])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?:(?=T\d)|(?![\w/-]|\.\d))"),
    ),
    (
        "d Month yyyy",
        re.compile(
            r"(?<![\w])(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(\d{4})(?!\w)",
            re.I,
        ),
    ),
    (
        "Month d, yyyy",
        re.compile(r"(?<![\w])" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\w)", re.I),
    ),
]
_WORD = re.compile(r"[^\W_]+")


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
            g = m.groups()
            if kind == "dd/mm/yyyy":
                dates = _make_dates(g[3], int(g[2]), int(g[0]))
            elif kind == "yyyy-mm-dd":
                dates = _make_dates(g[0], int(g[2]), int(g[3]))
            elif kind == "d Month yyyy":
                dates = _make_dates(g[2], _MONTHS[g[1].lower()], int(g[0]))
            else:
                dates = _make_dates(g[2], _MONTHS[g[0].lower()], int(g[1]))
            dates = [d for d in dates if DOB_YEARS[0] <= d.year <= DOB_YEARS[1]]
            if dates:
                found.append((m.start(), m.end(), dates, kind))
    return found


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a word: `SIOBHÁN` -> `siobhan`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _name_words(name: object) -> tuple[str, ...]:
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
        return ()
    return tuple(_fold(w) for w in _WORD.findall(unicodedata.normalize("NFC", str(name))))


def _name_findings(contents: list[Content], sensitive: Sensitive) -> list[list[Finding]]:
    prepared = []  # per content: list of (segment, words, folded words, starts, dates found)
    all_dates: set[date] = set()
    for content in contents:
        per_segment = []
        for segment in content.segments:
            text = unicodedata.normalize("NFC", segment.text)
            dates = _dates_in(text)
            if not dates:
                continue
            words = list(_WORD.finditer(text))
            per_segment.append(
                (
                    segment,
                    text,
                    words,
                    [_fold(w.group(0)) for w in words],
                    [w.start() for w in words],
                    dates,
                )
            )
            for *_, ds, _ in dates:
                all_dates.update(ds)
        prepared.append(per_segment)
    result: list[list[Finding]] = [[] for _ in contents]
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
    for i, (content, per_segment) in enumerate(zip(contents, prepared, strict=True)):
        reported: set[tuple[str, tuple[str, ...]]] = set()
        for segment, _text, words, folded, starts, dates in per_segment:
            for start, end, ds, kind in dates:
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
                        with_forename = any(
                            folded[k] in forenames for k in window if not j <= k < j + n
                        )
                        if written.islower() and not with_forename:
                            continue
                        where = segment.locate(start)
                        if (where, surname) in reported:
                            break
                        reported.add((where, surname))
                        who = "forename and surname" if with_forename else "surname"
                        result[i].append(
                            Finding(
                                content.file,
                                "name_with_dob",
                                f"{who} {mask(written)} near that person's date of birth"
                                f" (written like {kind}) at {where}",
                            )
                        )
                        break
    return result
