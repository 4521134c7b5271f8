"""The request's tables: the figures counted and found, and the tables released from them.

`Figures` (the counts) and `EvidenceFindings` (the search and its review) are what the steps pass
on; `release_tables` makes the response's tables from them as exact counts, with their row
labels below, and `Released` is what disclosure control leaves: what the briefing's words, tables
and chart are built from (`helpers.briefing`), so nothing there reads an exact figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from helpers.analysis import counting, evidence
from helpers.analysis.review import ReviewCost, ReviewOutcome, RunReview
from helpers.disclosure.outcomes import OUTCOME_GROUPS, group_outcomes
from helpers.disclosure.tables import TOTAL, Link, Protection, Table
from helpers.extracts.model import Extract
from helpers.extracts.sources import SourceDefinition
from helpers.request.parameters import (
    EITHER_ROW,
    HUNTER_ROW,
    NO_HUNTER_ROW,
    VIGILANTE_ROW,
    RequestParameters,
)


@dataclass
class Figures:
    """The exact figures: restricted until disclosure control has been applied."""

    offences: pd.DataFrame
    offences_by_year: dict[str, int]
    outcomes_by_year: dict[str, dict[str, int]]
    persons: counting.PersonsCharged


@dataclass
class EvidenceFindings:
    """Which crimes' circumstances mention the search terms, after any review."""

    candidates: pd.DataFrame  # the worklist (restricted)
    counted: frozenset[str]  # crime IDs counted, after review
    negated: frozenset[str]  # crime IDs with only negated mentions
    offences_by_year: dict[str, int]
    crime_references: list[str]
    negated_references: list[str]
    persons: frozenset[str]  # individuals in `either` charged on a counted crime
    review: ReviewOutcome
    cost: ReviewCost
    scope_ids: pd.Index  # the crimes whose circumstances were read
    # crime IDs whose circumstances were searched in their first evidence.WORD_LIMIT words only
    searched_in_part: list[str] = field(default_factory=list)
    # the decisions used and what the run says of the review (None: made without a review)
    reviewed: RunReview | None = None


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


def merging_table(quality: dict, sources: tuple[SourceDefinition, ...]) -> pd.DataFrame:
    """Table 6: crimes and charges migrated between systems (where one took crimes over), and
    person records linked into individuals."""
    rows = {}
    if any(source.legacy_system for source in sources):
        rows[migrated_row(sources)] = quality["migrated_crimes"]
        into = migration_names(sources)["new"].replace("the next", "a newer system")
        rows[f"Charges copied into {into} at migration (each counted once)"] = quality[
            "charges_copied_across_systems"
        ]
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
    # "the three complete years before 1 January 2019", "the year to 5 December 2018", or None
    # for a period of given days
    relative_period: str | None
    as_of: date | None  # the date a relative period was counted back from (None: not used)
    date_basis: str  # recorded | committed | charged
    total_label: str = "Total"  # the Total row's label (the request's own, or Total)
    of_whom: str | None = None  # the label of a row below the Total counting a part of it
    found_label: str | None = None  # a `search` breakdown's row (or column) of what it counts


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


def release_tables(
    params: RequestParameters, extract: Extract, figures: Figures, findings: EvidenceFindings
) -> list[Table]:
    """The tables of the response, as exact counts, before disclosure control."""
    years = [str(year) for year in params.legacy.years]
    charge_year = str(params.legacy.charge_year)

    people = pd.DataFrame(
        {
            people_column(params): [len(members) for members in figures.persons.by_group.values()]
            + [len(figures.persons.either), len(findings.persons)]
        },
        index=pd.Index(
            [group.label for group in params.legacy.charge_groups.values()]
            + [EITHER_ROW, VIGILANTE_ROW],
            name="Offence",
        ),
    )
    hunter = pd.Series(findings.offences_by_year).reindex(years).astype(int)
    total = pd.Series(figures.offences_by_year).reindex(years).astype(int)
    offences = pd.DataFrame(
        [hunter, total - hunter],
        index=pd.Index([HUNTER_ROW, NO_HUNTER_ROW], name="Offences recorded"),
    )
    offences["Total"] = offences.sum(axis=1)
    offences.loc["Total"] = offences.sum(axis=0)
    outcomes = group_outcomes({year: figures.outcomes_by_year[year] for year in years})
    outcomes.columns = [str(column) for column in outcomes.columns]

    review_counts = pd.DataFrame(
        {
            "Crimes": [
                len(findings.scope_ids),
                len(findings.candidates),
                findings.review.reviewed,
                findings.review.overturned,
            ]
        },
        index=pd.Index(
            [SEARCHED_ROW, CANDIDATES_ROW, REVIEWED_ROW, OVERTURNED_ROW], name="Free-text search"
        ),
    )
    # never silently: a text read only in part is counted; a row of 0 is not shown, so that a
    # release with no such text is as it was
    if findings.searched_in_part:
        review_counts.loc[searched_in_part_row()] = len(findings.searched_in_part)
    return [
        Table("people_charged", f"People charged in {charge_year}, by offence", people),
        Table(
            "offences_by_year",
            f"Offences of {params.legacy.offence_description} recorded, by year",
            offences,
        ),
        Table("outcomes_by_year", "Outcomes of those offences, by year recorded", outcomes),
        Table("evidence_review", "The free-text search and its review", review_counts),
        *data_quality_tables(extract),
    ]


def data_quality_tables(extract: Extract) -> list[Table]:
    """The tables of the data's quality: the records read from each file, and how the systems'
    records were combined (whatever the request asks)."""
    quality = extract.data_quality
    files = pd.DataFrame(
        {RECORDS_READ: quality["rows_read"], RECORDS_SET_ASIDE: quality["rows_quarantined"]}
    ).rename_axis("Extract file")
    files.loc["Total"] = files.sum(axis=0)
    merging = merging_table(quality, extract.sources)
    return [
        Table("data_quality_files", "Records read from each extract file", files),
        Table("data_quality_merging", merging_title(extract.sources), merging),
    ]


def release_links(params: RequestParameters, tables: list[Table]) -> list[Link]:
    """How the tables' figures relate, for the attacker model of the disclosure audit."""
    by_name = {table.name: table for table in tables}
    people = by_name["people_charged"].counts
    column = people.columns[0]
    groups = [(("people_charged", label, column)) for label in people.index[:-2]]
    either = ("people_charged", EITHER_ROW, column)
    links = [Link.subset(("people_charged", VIGILANTE_ROW, column), either)]
    if len(groups) > 1:
        links.append(Link.union(either, groups))
    else:
        links.append(Link.equal(groups[0], either))
    crimes = lambda row: ("evidence_review", row, "Crimes")  # noqa: E731
    links += [
        Link.subset(crimes(CANDIDATES_ROW), crimes(SEARCHED_ROW)),
        Link.subset(crimes(REVIEWED_ROW), crimes(CANDIDATES_ROW)),
        Link.subset(crimes(OVERTURNED_ROW), crimes(REVIEWED_ROW)),
    ]
    if searched_in_part_row() in by_name["evidence_review"].counts.index:
        links.append(Link.subset(crimes(searched_in_part_row()), crimes(SEARCHED_ROW)))
    for year in by_name["offences_by_year"].counts.columns:  # the years and the Total
        links.append(
            Link.equal(("outcomes_by_year", "Total", year), ("offences_by_year", "Total", year))
        )
    return links


# ---- the units each protected cell counts (the disclosure log's record of a release)

#: the tables disclosure control protects whose cells count people or crimes: the log records
#: their units (the others count records of the extract itself, or the search's work)
PROTECTED_TABLES = ("people_charged", "offences_by_year", "outcomes_by_year")


def crime_units(crimes: pd.DataFrame) -> pd.Series:
    """Each crime's unit, by the reference it was first recorded under: its legacy reference for
    a crime migrated from the older system, else its own. The same crime keeps its unit when a
    later extract holds it migrated."""
    first = crimes["legacy_ref"].astype("string").fillna(crimes["crime_id"].astype("string"))
    return "crime:" + first


def person_unit(individual_id: str) -> str:
    """A person's unit: the linked individual's ID (one of its record keys, `extracts.people`)."""
    return f"person:{individual_id}"


def _with_totals(cells: dict[tuple[str, str], set[str]], rows, columns) -> CellUnits:
    """Cells with a Total row and column added: the union of their parts."""
    full: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        full[(row, TOTAL)] = set().union(*(cells[(row, column)] for column in columns))
        for column in columns:
            full[(row, column)] = cells[(row, column)]
    for column in [*columns, TOTAL]:
        full[(TOTAL, column)] = set().union(*(full[(row, column)] for row in rows))
    return {cell: frozenset(units) for cell, units in full.items()}


def people_charged_units(
    params: RequestParameters, figures: Figures, findings: EvidenceFindings
) -> CellUnits:
    """The people each row of the people-charged table counts."""
    column = people_column(params)
    rows = {
        params.legacy.charge_groups[name].label: members
        for name, members in figures.persons.by_group.items()
    }
    rows[EITHER_ROW] = figures.persons.either
    rows[VIGILANTE_ROW] = findings.persons
    return {
        (row, column): frozenset(person_unit(member) for member in members)
        for row, members in rows.items()
    }


def offences_by_year_units(
    params: RequestParameters, figures: Figures, findings: EvidenceFindings
) -> CellUnits:
    """The crimes each cell of the offences table counts (with or without hunter-group
    evidence, by year recorded)."""
    offences = figures.offences.assign(unit=crime_units(figures.offences))
    hunter = offences["crime_id"].isin(findings.counted)
    years = [str(year) for year in params.legacy.years]
    cells: dict[tuple[str, str], set[str]] = {}
    for year in years:
        in_year = offences["year"] == int(year)
        cells[(HUNTER_ROW, year)] = set(offences.loc[in_year & hunter, "unit"])
        cells[(NO_HUNTER_ROW, year)] = set(offences.loc[in_year & ~hunter, "unit"])
    return _with_totals(cells, [HUNTER_ROW, NO_HUNTER_ROW], years)


def outcomes_by_year_units(params: RequestParameters, figures: Figures) -> CellUnits:
    """The crimes each cell of the outcomes table counts (by outcome group and year recorded);
    its rows are the groups with any offence, as `group_outcomes` makes them."""
    group_of = {str(o): group for group, outcomes in OUTCOME_GROUPS.items() for o in outcomes}
    offences = figures.offences.assign(
        unit=crime_units(figures.offences),
        group=counting.outcome_label(figures.offences["outcome"]).map(group_of),
    )
    years = [str(year) for year in params.legacy.years]
    rows = [group for group in OUTCOME_GROUPS if (offences["group"] == group).any()]
    cells = {
        (group, year): set(
            offences.loc[(offences["group"] == group) & (offences["year"] == int(year)), "unit"]
        )
        for group in rows
        for year in years
    }
    return _with_totals(cells, rows, years)


def cell_units(
    params: RequestParameters, extract: Extract, figures: Figures, findings: EvidenceFindings
) -> dict[str, CellUnits]:
    """The units of every cell of the protected tables (`PROTECTED_TABLES`), by table."""
    return {
        "people_charged": people_charged_units(params, figures, findings),
        "offences_by_year": offences_by_year_units(params, figures, findings),
        "outcomes_by_year": outcomes_by_year_units(params, figures),
    }
