"""Rules of today's request shape the request grammar (`request.measures`) does not make:
a crime recorded within a period by whole local days, and the offences by Home Office outcome
type and year (`results.json`'s `outcomes_by_year`: each current outcome type, `pending` where
none is recorded).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from helpers.extracts import codes


def recorded_within(crimes: pd.DataFrame, period_from: date, period_to: date) -> pd.Series:
    """True for crimes recorded on a day of the period (from 00:00 on the first to the end of
    the last)."""
    start, end = codes.local_day_bounds(period_from, period_to)
    recorded = crimes["recorded_at"]
    return (recorded >= start) & (recorded < end)


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
