"""The counts a request asks for, each rule a small function over the canonical model.

- Offences: crimes whose *current* classification is one of the request's classes, not cancelled,
  *recorded* within the period (whole local days, inclusive), by calendar year of recording. A
  migrated crime counts once, by the date it was first recorded.
- Outcomes: each offence's current Home Office outcome type, `pending` where none is recorded.
- People charged: distinct *individuals* with at least one charge dated in the request's year under
  the listed CJS codes, whatever the crime's classification or recorded date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from helpers.extracts import codes


def recorded_within(crimes: pd.DataFrame, period_from: date, period_to: date) -> pd.Series:
    """True for crimes recorded on a day of the period (from 00:00 on the first to the end of
    the last)."""
    start, end = codes.local_day_bounds(period_from, period_to)
    recorded = crimes["recorded_at"]
    return (recorded >= start) & (recorded < end)


def select_offences(
    crimes: pd.DataFrame, offence_classes: list[str], period_from: date, period_to: date
) -> pd.DataFrame:
    """The request's offences, with the calendar year each was recorded in."""
    keep = (
        crimes["ho_class"].isin(offence_classes)
        & ~crimes["cancelled"]
        & recorded_within(crimes, period_from, period_to)
    )
    offences = crimes.loc[keep]
    return offences.assign(year=offences["recorded_at"].dt.year.astype(int))


def offences_by_year(offences: pd.DataFrame, years: list[int]) -> dict[str, int]:
    """Offences per year; every year of the period present, 0 where there are none."""
    counts = offences["year"].value_counts()
    return {str(year): int(counts.get(year, 0)) for year in years}


def _outcome_sort_key(label: str) -> tuple[int, int]:
    return (1, 0) if label == codes.PENDING else (0, int(label))


def outcome_label(outcome: pd.Series) -> pd.Series:
    """The key used in `outcomes_by_year`: the outcome number as text, or `pending`."""
    return outcome.astype("Int64").astype("string").fillna(codes.PENDING)


def outcomes_by_year(offences: pd.DataFrame, years: list[int]) -> dict[str, dict[str, int]]:
    """Each year's offences by current outcome type (`pending`: none recorded); zero counts left
    out."""
    labels = outcome_label(offences["outcome"])
    table = pd.crosstab(offences["year"], labels)
    result = {}
    for year in years:
        row = table.loc[year] if year in table.index else pd.Series(dtype=int)
        result[str(year)] = {
            label: int(row[label])
            for label in sorted(row.index, key=_outcome_sort_key)
            if row[label] > 0
        }
    return result


def charges_dated_in(charges: pd.DataFrame, year: int) -> pd.DataFrame:
    """Charges with a charge date in the calendar year."""
    return charges.loc[charges["charge_date"].dt.year == year]


@dataclass(frozen=True)
class PersonsCharged:
    """Individuals charged in a year under each of the request's code groups.

    `charges` are the year's charges under any group's codes: the evidence search looks at their
    crimes.
    """

    year: int
    by_group: dict[str, frozenset[str]]
    charges: pd.DataFrame

    @property
    def either(self) -> frozenset[str]:
        """Everyone charged under at least one group: a person in two groups counts once."""
        return frozenset().union(*self.by_group.values())

    def counts(self) -> dict[str, int]:
        return {
            "year": self.year,
            **{name: len(people) for name, people in self.by_group.items()},
            "either": len(self.either),
        }


def persons_charged(
    charges: pd.DataFrame, year: int, groups: Mapping[str, list[str]]
) -> PersonsCharged:
    """Distinct individuals with a charge dated in `year` under each group's codes.

    Codes are compared exactly after normalisation, so a suffix matters: `SX03225A` (attempt) is
    not `SX03225`, and `SX03225B` (aiding and abetting) is in neither list.
    """
    in_year = charges_dated_in(charges, year)
    wanted = in_year.loc[
        in_year["cjs_code"].isin([code for codes_ in groups.values() for code in codes_])
    ]
    return PersonsCharged(
        year=year,
        by_group={
            name: frozenset(wanted.loc[wanted["cjs_code"].isin(group_codes), "individual_id"])
            for name, group_codes in groups.items()
        },
        charges=wanted,
    )
