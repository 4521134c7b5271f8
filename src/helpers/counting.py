"""The counts a request asks for, each rule a small function over the canonical model.

- Offences: crimes whose *current* classification is one of the request's classes, not cancelled,
  *recorded* within the period (whole local days, inclusive), by calendar year of recording. A
  migrated crime counts once, by the date it was first recorded.
- Outcomes: each offence's current Home Office outcome type, `pending` where none is recorded.
- People charged: distinct *individuals* with at least one charge dated in the request's year under
  the listed CJS codes, whatever the crime's classification or recorded date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from helpers import codes


def period_years(period_from: date, period_to: date) -> list[int]:
    """Every calendar year the period touches."""
    return list(range(period_from.year, period_to.year + 1))


def recorded_within(crimes: pd.DataFrame, period_from: date, period_to: date) -> pd.Series:
    """True for crimes recorded on a day of the period (from 00:00 on the first to the end of the last)."""
    start, end = codes.local_day_bounds(period_from, period_to)
    recorded = crimes["recorded_at"]
    return (recorded >= start) & (recorded < end)


def select_offences(crimes: pd.DataFrame, offence_classes: list[str], period_from: date, period_to: date) -> pd.DataFrame:
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


def outcomes_by_year(offences: pd.DataFrame, years: list[int]) -> dict[str, dict[str, int]]:
    """Each year's offences by current outcome type (`pending`: none recorded); zero counts left out."""
    labels = codes.outcome_label(offences["outcome"])
    table = pd.crosstab(offences["year"], labels)
    result = {}
    for year in years:
        row = table.loc[year] if year in table.index else pd.Series(dtype=int)
        result[str(year)] = {
            label: int(row[label]) for label in sorted(row.index, key=_outcome_sort_key) if row[label] > 0
        }
    return result


def charges_dated_in(charges: pd.DataFrame, year: int) -> pd.DataFrame:
    """Charges with a charge date in the calendar year."""
    return charges.loc[charges["charge_date"].dt.year == year]


@dataclass(frozen=True)
class PersonsCharged:
    """Individuals charged in a year under the request's two code lists."""

    year: int
    section_15: frozenset[str]
    attempt: frozenset[str]

    @property
    def either(self) -> frozenset[str]:
        return self.section_15 | self.attempt

    def counts(self) -> dict[str, int]:
        return {
            "year": self.year,
            "section_15": len(self.section_15),
            "attempt_section_15": len(self.attempt),
            "either": len(self.either),
        }


def persons_charged(charges: pd.DataFrame, year: int, section_15_codes: list[str], attempt_codes: list[str]) -> PersonsCharged:
    """Distinct individuals with a charge dated in `year` under each code list.

    Codes are compared exactly after normalisation, so a suffix matters: `SX03225A` (attempt) is
    not `SX03225`, and `SX03225B` (aiding and abetting) is in neither list.
    """
    in_year = charges_dated_in(charges, year)
    code = in_year["cjs_code"]
    return PersonsCharged(
        year=year,
        section_15=frozenset(in_year.loc[code.isin(section_15_codes), "individual_id"]),
        attempt=frozenset(in_year.loc[code.isin(attempt_codes), "individual_id"]),
    )


def request_charges(charges: pd.DataFrame, year: int, codes_wanted: list[str]) -> pd.DataFrame:
    """The charges in the year under any of the request's codes (the evidence search needs their crimes)."""
    in_year = charges_dated_in(charges, year)
    return in_year.loc[in_year["cjs_code"].isin(codes_wanted)]
