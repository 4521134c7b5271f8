"""Home Office outcome groups: the outcome table of a response, by group and year.

The groups are the published ones, in publication order; an offence with no outcome yet is
counted under "Not yet assigned an outcome".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from helpers.disclosure.tables import TOTAL, is_total
from helpers.extracts.codes import PENDING

OUTCOME_GROUPS: dict[str, tuple[int | str, ...]] = {
    "Charged/summonsed": (1,),
    "Out-of-court (formal)": (2, 3, 6),
    "Out-of-court (informal)": (7, 8),
    "Taken into consideration": (4,),
    "Evidential difficulties": (14, 15, 16),
    "Investigation complete – no suspect identified": (18,),
    "Other outcomes": (5, 9, 10, 11, 12, 13, 17, 19, 20, 21, 22),
    "Not yet assigned an outcome": (PENDING,),
}
"""Published Home Office outcome groups, in publication order, and the outcome types in each."""

_GROUP_OF = {outcome: group for group, outcomes in OUTCOME_GROUPS.items() for outcome in outcomes}


def _outcome_key(key: object) -> int | str:
    if isinstance(key, bool):
        raise ValueError(f"not a Home Office outcome: {key!r}")
    if isinstance(key, (int, np.integer)):
        number = int(key)
    elif isinstance(key, str) and key.strip().lower() == PENDING:
        return PENDING
    elif isinstance(key, str) and key.strip().isdigit():
        number = int(key.strip())
    else:
        raise ValueError(f"not a Home Office outcome type: {key!r} (expected 1-22 or 'pending')")
    if number not in _GROUP_OF:
        raise ValueError(f"not a Home Office outcome type: {key!r} (expected 1-22 or 'pending')")
    return number


# the keys are any hashable labels (years as int or str); Any, as a Mapping's key type is invariant
def group_outcomes(outcomes_by_year: Mapping[Any, Mapping[Any, int]]) -> pd.DataFrame:
    """Counts by Home Office outcome group (rows) and year (columns), with ``Total`` row and column.

    ``outcomes_by_year``: year -> {outcome type (1-22, as int or string, zero-padding allowed, or
    ``"pending"`` for no outcome yet) -> count}.  Rows are the groups of :data:`OUTCOME_GROUPS`
    that have a non-zero count in at least one year, in publication order, then ``Total``;
    columns are the years in the order given, then ``Total``.
    """
    years = list(outcomes_by_year)
    if any(is_total(y) for y in years):
        raise ValueError("'Total' cannot be a year label")
    sums = {group: {year: 0 for year in years} for group in OUTCOME_GROUPS}
    for year, outcomes in outcomes_by_year.items():
        for key, count in outcomes.items():
            if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
                raise ValueError(f"{year}: count for outcome {key!r} must be a non-negative int")
            sums[_GROUP_OF[_outcome_key(key)]][year] += int(count)
    groups = [g for g in OUTCOME_GROUPS if any(sums[g][y] for y in years)]
    frame = pd.DataFrame(
        [[sums[g][y] for y in years] for g in groups],
        index=pd.Index(groups, name="Outcome group"),
        columns=pd.Index(years),
        dtype=np.int64,
    )
    frame[TOTAL] = frame.sum(axis=1).astype(np.int64)
    frame.loc[TOTAL] = frame.sum(axis=0).astype(np.int64)
    return frame.astype(np.int64)
