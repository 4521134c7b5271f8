"""Warnings about a request whose own words disagree with what it counts.

A parameters file can pass every rule of its schema and still say one thing and count another: a
title about 2016 over a period of 2015 to 2017 that a typo ended in 2017, a `received` date after
the extracts were taken. None of these stops a run (the request may mean it); each is a warning
that `foi-briefing check` prints (an error with `--fail-on-warnings`) and `run` writes to its log
and to stderr.

Each rule is one small named function of the checked request, returning its warnings each with
the key it concerns; `RULES` runs them in order (as nbconvert runs its preprocessors). A new rule
is a function added to `RULES`. A reference to a measure or group that does not exist is no
warning: the schema refuses it (`helpers.request.parameters`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from helpers.look_alike import OTHER_SCRIPT
from helpers.request.grammar import resolve_period
from helpers.request.parameters import RequestParameters


@dataclass(frozen=True)
class RequestWarning:
    """One warning: the key it concerns (as an error names one: `questions.1`) and what is odd."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


@dataclass(frozen=True)
class Request:
    """What a rule reads: the checked parameters, and the day the check is made."""

    params: RequestParameters
    today: date


Rule = Callable[[Request], list[RequestWarning]]


# ---- the years a request counts, and the years its words name


def years_counted(params: RequestParameters) -> set[int]:
    """Every calendar year some figure of the request counts: the offences' period (every year it
    touches) and the charge year, of a request of today's shape; every year a measure's period
    touches."""
    years: set[int] = set()
    if params.has_legacy:
        legacy = params.legacy
        years |= set(legacy.years) | {legacy.charge_year}
    for measure in params.measures.values():
        start, end = resolve_period(measure.period, params.as_of_date)
        years |= set(range(start.year, end.year + 1))
    return years


def worded_texts(params: RequestParameters) -> Iterator[tuple[str, str]]:
    """The request's own words that may name a period, each with its key: the title, each
    question, and each table's title."""
    yield "title", params.title
    for index, question in enumerate(params.questions):
        yield f"questions.{index}", question
    for index, table in enumerate(params.tables):
        yield f"tables.{index}.title", table.title


#: a year a person writes: 1900 to 2099, not part of a longer number or a code (SX03225)
_YEAR = re.compile(r"(?<!\w)(?:19|20)\d{2}(?!\d)")
#: a year that is part of a statute's name, not a period: "Sexual Offences Act 2003", "the
#: Criminal Attempts Act 1981", "(Commencement) Order 2004", "Regulations 2015", and the
#: abbreviations officers write for them ("SOA 2003", "CAA 1981", "FOIA 2000")
_STATUTE_YEAR = re.compile(
    r"(?:\b(?i:act|order|regulations|rules)|\b[A-Z][A-Za-z]{0,4}A)"
    r"(?:\s*\([^)]{1,40}\))?,?\s+(?:of\s+)?(?P<year>(?:19|20)\d{2})(?!\d)"
)


def years_named(text: str) -> list[int]:
    """The years `text` names as periods, each once in the order written (a year in a
    statute's name is not one)."""
    statutes = {found.start("year") for found in _STATUTE_YEAR.finditer(text)}
    years = [int(found[0]) for found in _YEAR.finditer(text) if found.start() not in statutes]
    return list(dict.fromkeys(years))


def years_text(years: set[int]) -> str:
    """Years as a person lists them: "2015 to 2017", "2015 to 2017 and 2019"."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts = [str(run[0]) if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# ---- the rules


def year_not_counted(request: Request) -> list[RequestWarning]:
    """A year the title or a question names that no figure counts: a typo in the period (or in
    the words), or a question the briefing does not answer."""
    counted = years_counted(request.params)
    warnings = []
    for key, text in worded_texts(request.params):
        for year in years_named(text):
            if year not in counted:
                warnings.append(
                    RequestWarning(
                        key,
                        f"names {year}, a year the request does not count (it counts "
                        f"{years_text(counted)}): check the words and the period",
                    )
                )
    return warnings


def _after_extracts_taken(
    params: RequestParameters, key: str, day: date | None
) -> list[RequestWarning]:
    """The request's date `key` (`day`) after the extracts were taken, as a warning."""
    if day is None or day <= params.extracts_taken_on:
        return []
    return [
        RequestWarning(
            key,
            f"{day} is after the extracts were taken (extracts_taken_on: "
            f"{params.extracts_taken_on}): are they the extracts for this request?",
        )
    ]


def received_after_extracts_taken(request: Request) -> list[RequestWarning]:
    """Extracts taken before the request was received: older extracts than the request's, or a
    date mistyped."""
    return _after_extracts_taken(request.params, "received", request.params.received)


def received_in_the_future(request: Request) -> list[RequestWarning]:
    """A request received on a day still to come: a date mistyped."""
    received = request.params.received
    if received is None or received <= request.today:
        return []
    return [RequestWarning("received", f"{received} is in the future (today is {request.today})")]


def as_of_after_extracts_taken(request: Request) -> list[RequestWarning]:
    """A reference date after the extracts were taken: its periods count back from days the
    extracts cannot hold, or a date mistyped."""
    return _after_extracts_taken(request.params, "as_of", request.params.as_of)


def _days(start: date, end: date) -> str:
    """`1 January 2016 to 31 December 2018`."""
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"


def period_not_from_received(request: Request) -> list[RequestWarning]:
    """Periods counted back from the extracts' date (no `as_of`) that would be other days counted
    back from the day the request was received: "the last three years" of a request received in
    March 2018 counts 2016 to 2018 from extracts taken in 2019, in silence."""
    params = request.params
    if params.as_of is not None or params.received is None:
        return []
    differ = [
        (name, taken, received)
        for name, measure in params.measures.items()
        if (taken := resolve_period(measure.period, params.extracts_taken_on))
        != (received := resolve_period(measure.period, params.received))
    ]
    if not differ:
        return []
    name, taken, received = differ[0]
    more = f" (and {len(differ) - 1} more)" if len(differ) > 1 else ""
    return [
        RequestWarning(
            "as_of",
            f"missing: measures.{name}.period{more} reckoned from extracts_taken_on "
            f"({params.extracts_taken_on}) is {_days(*taken)}; reckoned from received "
            f"({params.received}), {_days(*received)}: give as_of, the date the request's "
            "periods are reckoned from",
        )
    ]


def question_with_no_table(request: Request) -> list[RequestWarning]:
    """A question of a request of tables that no table answers: the briefing would publish it
    with "This question has no table". (A request of the first request's shape answers its
    questions in its own tables.)"""
    params = request.params
    if params.has_legacy:
        return []
    answered = {table.question for table in params.tables}
    return [
        RequestWarning(
            f"questions.{number - 1}",
            "no table answers it (no table has question: "
            f"{number}): add one, or leave the question out",
        )
        for number in range(1, len(params.questions) + 1)
        if number not in answered
    ]


def request_texts(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every text of the request as written (no default filled in), each with its key:
    `measures.snapchat.terms.0`."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from request_texts(item, f"{key}.{name}" if key else str(name))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from request_texts(item, f"{key}.{index}")


#: a word: letters and digits of any script
_WORD = re.compile(r"\w+")


def look_alike_letters(request: Request) -> list[RequestWarning]:
    """A word of the request mixing Latin letters with Cyrillic or Greek ones drawn like them
    (`helpers.look_alike`): it shows one word and is another, pasted or typed on another
    keyboard, so a search for it finds nothing and a label is not the word it shows."""
    warnings = []
    written = request.params.model_dump(exclude_defaults=True)
    for key, text in request_texts(written):
        for word in _WORD.findall(text):
            alike = [letter for letter in dict.fromkeys(word) if letter in OTHER_SCRIPT]
            if alike and any("a" <= letter.lower() <= "z" for letter in word):
                names = ", ".join(unicodedata.name(letter) for letter in alike)
                warnings.append(
                    RequestWarning(
                        key,
                        f"{ascii(word)} mixes Latin letters with {names}, drawn like a Latin "
                        "one: the word is not the one it shows (retype it)",
                    )
                )
    return warnings


#: every rule, in the order its warnings are told
RULES: tuple[Rule, ...] = (
    year_not_counted,
    received_after_extracts_taken,
    received_in_the_future,
    as_of_after_extracts_taken,
    period_not_from_received,
    question_with_no_table,
    look_alike_letters,
)


def request_warnings(params: RequestParameters, today: date | None = None) -> list[RequestWarning]:
    """Every rule's warnings about `params`, in `RULES`' order (`today`: the day of the check)."""
    request = Request(params, today or date.today())
    return [warning for rule in RULES for warning in rule(request)]
