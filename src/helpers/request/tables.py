"""The request's tables as released: the labels today's tables share, the data's quality, the
units a cell counts, and `Released`, what disclosure control leaves of the answer tables
(`request.measures`): what the briefing's words, tables and charts are built from
(`helpers.briefing`), so nothing there reads an exact figure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from helpers.analysis import evidence
from helpers.disclosure.tables import Protection, Table
from helpers.extracts.ho_classes import class_title
from helpers.extracts.model import Extract
from helpers.extracts.sources import SourceDefinition
from helpers.request.grammar import PEOPLE_COUNTS
from helpers.request.parameters import (
    RequestParameters,
)

SEARCHED_ROW = "Crimes whose circumstances were searched"
CANDIDATES_ROW = "Crimes with a mention of the terms (to review)"
REVIEWED_ROW = "Reviewed by hand"
OVERTURNED_ROW = "Where the reviewer changed the search's call"


def migration_names(sources: tuple[SourceDefinition, ...]) -> dict[str, str]:
    """The systems a crime migrated between, for the tables' labels: the system that took crimes
    over and the one it took them from, where there was one migration."""
    migrations = [{"old": s.legacy_system, "new": s.system} for s in sources if s.legacy_system]
    if len(migrations) == 1:
        return migrations[0]
    return {"old": "one system", "new": "the next"} if migrations else {"old": "", "new": ""}


def merging_title(sources: tuple[SourceDefinition, ...]) -> str:
    """Table 6's title: how the systems' records (or one system's) were combined."""
    if len(sources) == 1:
        return "How the records were combined"
    return f"How the {number_word(len(sources))} systems' records were combined"


def merging_table(
    quality: dict,
    sources: tuple[SourceDefinition, ...],
    people: bool = True,
    charges: bool = True,
) -> pd.DataFrame:
    """Table 6: crimes and charges migrated between systems (where one took crimes over), and
    person records linked into individuals; charges and people only where the request counts
    them (`people`, `charges`: `counts_people_and_charges`)."""
    rows = {}
    if any(source.legacy_system for source in sources):
        rows[migrated_row(sources)] = quality["migrated_crimes"]
        into = migration_names(sources)["new"].replace("the next", "a newer system")
        if charges:
            rows[f"Charges copied into {into} at migration (each counted once)"] = quality[
                "charges_copied_across_systems"
            ]
    if people or not rows:  # a system that took no crimes over: its people, whatever is counted
        rows["Person records"] = quality["person_records"]
        rows["Individuals, after linking records of the same person"] = quality["individuals"]
    name = (
        "Combining records"
        if len(sources) == 1
        else f"Combining the {number_word(len(sources))} systems"
    )
    return pd.DataFrame({"Records": list(rows.values())}, index=pd.Index(list(rows), name=name))


def number_word(n: int) -> str:
    """Numbers up to nine in words, as house style writes them in running text (not figures from
    the tables, which are always written as figures)."""
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    return words[n] if 0 <= n < len(words) else f"{n:,}"


def listed(items: Sequence[str], last: str = "and") -> str:
    """Items in running text: `a`, `a and b`, `a, b and c` (nothing for none); `last` the word
    before the last (`a, b or c`)."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def migrated_row(sources: tuple[SourceDefinition, ...]) -> str:
    """The data-quality row of crimes migrated between systems (with two migrations or more, of
    each move: a crime migrated twice is two)."""
    if sum(1 for source in sources if source.legacy_system) > 1:
        return "Moves of a crime from one system to the next (each crime counted once)"
    return "Crimes migrated from {old} to {new} (each counted once)".format(
        **migration_names(sources)
    )


RECORDS_READ = "Records read"
RECORDS_SET_ASIDE = "Records set aside"


#: a cell's units: (row, column) -> the units it counts, each "crime:<ref>" or "person:<id>"
CellUnits = dict[tuple[str, str], frozenset[str]]


def searched_in_part_row() -> str:
    """The search table's row of texts over the word limit (shown only when there are any)."""
    return f"Circumstances searched only in part (over {evidence.WORD_LIMIT:,} words)"


def people_column(params: RequestParameters) -> str:
    """The people-charged table's one column (its rows are the offences)."""
    return f"People charged in {params.legacy.charge_year}"


@dataclass(frozen=True)
class AnswerFacts:
    """What the briefing needs of one answer table (`request.measures`) besides its cells: what
    it answers and counts, how it is broken down, its period in words, its method notes."""

    name: str  # its CSV file's name, and its key in `Released.tables`
    title: str
    question: int  # 1-based
    measure: str  # the measure's name
    measure_label: str  # completes "1,234 ..."
    count: str  # offences | victims | suspects | people_charged | charges | mentions
    rows: str | None  # the rows' breakdown (None: one row, Total)
    columns: str | None  # the columns' breakdown (None: one column, the count's heading)
    chart: bool  # the briefing draws it
    notes: list[str]  # the method notes of its rules
    period_from: date
    period_to: date
    period_words: str  # "from 1 January 2016 to 5 December 2018"
    # "the three complete years before 1 January 2019", "2018 up to 5 December", or None
    # for a period of given days
    relative_period: str | None
    as_of: date | None  # the date a relative period was counted back from (None: not used)
    date_basis: str  # recorded | committed | charged
    total_label: str = "Total"  # the Total row's label (the request's own, or Total)
    of_whom: str | None = None  # the label of a row below the Total counting a part of it
    found_label: str | None = None  # a `search` breakdown's row (or column) of what it counts
    part_terms: str | None = None  # the terms of that row's search: any of “dog” or “puppy”
    caveat: str | None = None  # a sentence the answer says after the table's whole figure


@dataclass
class Released:
    """The response's tables after disclosure control: display strings, titles and notes."""

    protection: Protection
    titles: dict[str, str]
    notes: dict[str, list[str]] = field(default_factory=dict)
    #: the units each protected cell counts, by table (restricted: the disclosure log's input)
    units: dict[str, CellUnits] = field(default_factory=dict)
    #: how many releases in the disclosure log this one was checked against
    published_releases: int = 0
    #: the audit across releases, for the restricted gate report (`steps.across_report`)
    across: dict[str, Any] = field(default_factory=dict)
    #: the answer tables of the request grammar, by name, in the request's order
    answers: dict[str, AnswerFacts] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return self.protection.tables

    def value(self, table: str, row, column) -> str:
        return str(self.protection.tables[table].loc[row, column])


def counts_people_and_charges(params: RequestParameters | None) -> tuple[bool, bool]:
    """Whether a request counts people (victims, suspects or people charged), and charges
    (charges or people charged): the data's quality tells how their records were combined only
    then. A request of the first request's shape counts both."""
    if params is None or params.has_legacy:
        return True, True
    counts = {measure.count for measure in params.measures.values()}
    return bool(counts & set(PEOPLE_COUNTS)), bool(counts & {"people_charged", "charges"})


def data_quality_tables(extract: Extract, params: RequestParameters | None = None) -> list[Table]:
    """The tables of the data's quality: the records read from each file, and how the systems'
    records were combined (their people and charges where the request counts them)."""
    quality = extract.data_quality
    files = pd.DataFrame(
        {RECORDS_READ: quality["rows_read"], RECORDS_SET_ASIDE: quality["rows_quarantined"]}
    ).rename_axis("Extract file")
    files.loc["Total"] = files.sum(axis=0)
    merging = merging_table(quality, extract.sources, *counts_people_and_charges(params))
    return [
        Table("data_quality_files", "Records read from each extract file", files),
        Table("data_quality_merging", merging_title(extract.sources), merging),
    ]


# ---- the units each protected cell counts (the disclosure log's record of a release)


def crime_units(crimes: pd.DataFrame) -> pd.Series:
    """Each crime's unit, by the reference it was first recorded under: its legacy reference for
    a crime migrated from the older system, else its own. The same crime keeps its unit when a
    later extract holds it migrated."""
    first = crimes["legacy_ref"].astype("string").fillna(crimes["crime_id"].astype("string"))
    return "crime:" + first


def person_unit(individual_id: str) -> str:
    """A person's unit: the linked individual's ID (one of its record keys, `extracts.people`)."""
    return f"person:{individual_id}"


# ---- classes in a sentence (the briefing's and the tables' notes)

#: a sentence names at most so many classes by title; more by code alone (a table by class has
#: their titles)
MANY_CLASSES = 12


def lower_first(text: str) -> str:
    """A title or label inside a sentence: its first letter small, unless its first word is an
    initialism (`ABH`, `PNC`)."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return text
    return text[:1].lower() + text[1:]


def prose_title(code: str, own: Mapping[str, str] | None = None) -> str | None:
    """A class's title for a sentence, where it sits in brackets after its code: the force's own
    as it gives it (`own`), else the listed title without its closing qualifier (`... grooming
    etc. (offender aged 18 or over ...)` -> `... grooming`), which the code already pins down and
    which would nest brackets."""
    if own and (given := own.get(code)):
        return given
    title = class_title(code)
    if title is None:
        return None
    title = re.sub(r"\s*\([^()]*\)$", "", title)
    return re.sub(r"(\s+etc)?\.?$", "", title) or None


def named_classes(codes: list[str], own: Mapping[str, str] | None = None, last: str = "and") -> str:
    """Classes in a sentence: `088/01 (meeting a female child ...) and 088/02 (...)` (`last`:
    the word before the last, "or" for what one crime is); a class the force titles itself
    (`own`) by its title."""
    named = [
        f"{code} ({lower_first(title)})" if (title := prose_title(code, own)) else code
        for code in codes
    ]
    return ", ".join(named[:-1]) + (f" {last} " if len(named) > 1 else "") + named[-1]
