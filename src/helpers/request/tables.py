"""The request's tables: the figures counted and found, and the tables released from them.

`Figures` (the counts) and `EvidenceFindings` (the search and its review) are what the steps pass
on; `release_tables` makes the response's tables from them as exact counts, with their row
labels below, and `Released` is what disclosure control leaves: what the briefing's words, tables
and chart are built from (`helpers.briefing`), so nothing there reads an exact figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from helpers.analysis import counting
from helpers.analysis.review import ReviewCost, ReviewOutcome
from helpers.disclosure.outcomes import group_outcomes
from helpers.disclosure.tables import Link, Protection, Table
from helpers.extracts.model import Extract
from helpers.extracts.sources import FORCE_SOURCES
from helpers.request.parameters import EITHER_ROW, VIGILANTE_ROW, RequestParameters


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


HUNTER_ROW = "Hunter-group evidence found"
NO_HUNTER_ROW = "No hunter-group evidence found"
SEARCHED_ROW = "Crimes whose circumstances were searched"
CANDIDATES_ROW = "Crimes with a mention of the terms (to review)"
REVIEWED_ROW = "Reviewed by hand"
OVERTURNED_ROW = "Where the reviewer changed the search's call"
MIGRATED_ROW = "Crimes migrated from {old} to {new} (each counted once)".format(
    **next(
        ({"old": s.legacy_system, "new": s.system} for s in FORCE_SOURCES if s.legacy_system),
        {"old": "the old system", "new": "the new one"},
    )
)
RECORDS_READ = "Records read"
RECORDS_SET_ASIDE = "Records set aside"


def people_column(params: RequestParameters) -> str:
    """The people-charged table's one column (its rows are the offences)."""
    return f"People charged in {params.charge_year}"


@dataclass
class Released:
    """The response's tables after disclosure control: display strings, titles and notes."""

    protection: Protection
    titles: dict[str, str]
    notes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return self.protection.tables

    def value(self, table: str, row, column) -> str:
        return str(self.protection.tables[table].loc[row, column])


def release_tables(
    params: RequestParameters, extract: Extract, figures: Figures, findings: EvidenceFindings
) -> list[Table]:
    """The tables of the response, as exact counts, before disclosure control."""
    years = [str(year) for year in params.years]
    charge_year = str(params.charge_year)

    people = pd.DataFrame(
        {
            people_column(params): [len(members) for members in figures.persons.by_group.values()]
            + [len(figures.persons.either), len(findings.persons)]
        },
        index=pd.Index(
            [group.label for group in params.charge_groups.values()] + [EITHER_ROW, VIGILANTE_ROW],
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

    quality = extract.data_quality
    files = pd.DataFrame(
        {RECORDS_READ: quality["rows_read"], RECORDS_SET_ASIDE: quality["rows_quarantined"]}
    ).rename_axis("Extract file")
    files.loc["Total"] = files.sum(axis=0)
    merging = pd.DataFrame(
        {
            "Records": [
                quality["migrated_crimes"],
                quality["charges_copied_across_systems"],
                quality["person_records"],
                quality["individuals"],
            ]
        },
        index=pd.Index(
            [
                MIGRATED_ROW,
                "Charges copied into Connect at migration (each counted once)",
                "Person records",
                "Individuals, after linking records of the same person",
            ],
            name="Combining the two systems",
        ),
    )
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
    return [
        Table("people_charged", f"People charged in {charge_year}, by offence", people),
        Table(
            "offences_by_year",
            f"Offences of {params.offence_description} recorded, by year",
            offences,
        ),
        Table("outcomes_by_year", "Outcomes of those offences, by year recorded", outcomes),
        Table("evidence_review", "The free-text search and its review", review_counts),
        Table("data_quality_files", "Records read from each extract file", files),
        Table("data_quality_merging", "How the two systems' records were combined", merging),
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
    for year in by_name["offences_by_year"].counts.columns:  # the years and the Total
        links.append(
            Link.equal(("outcomes_by_year", "Total", year), ("offences_by_year", "Total", year))
        )
    return links
