"""The truth the tests check the project against: the model behind the files, a request's answer.

`truth_for_request` answers a request from the model alone, never from the CSV files, so it is an
independent check of the project's loader and counting rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from helpers.synthetic.contract import SWITCHOVER


@dataclass(frozen=True)
class SyntheticTruth:
    """The generator's internal model, before rendering into the two systems' formats.

    crimes: one row per true crime (CMS row and Connect copy of a migrated crime are ONE row).
    individuals: one row per real person (whatever number of person records the systems hold).
    links: one row per (crime, individual) involvement, with the record each system used.
    charges: one row per true charge (a charge copied into both systems is ONE row).
    """

    crimes: pd.DataFrame
    individuals: pd.DataFrame
    links: pd.DataFrame
    charges: pd.DataFrame
    seed: int
    n_crimes: int
    taken_on: date
    start_year: int
    switchover: datetime = SWITCHOVER
    files: dict[str, Path] = field(default_factory=dict)


def _norm_class(code: str) -> str:
    a, b = str(code).strip().split("/")
    return f"{int(a):03d}/{int(b):02d}"


def truth_for_request(
    truth: SyntheticTruth,
    period_from: date,
    period_to: date,
    charge_year: int,
    offence_classes: list[str],
    q1_codes: list[str],
    q2_codes: list[str],
) -> dict:
    """The figures a correct pipeline must report for a request, computed from the model alone."""
    crimes = truth.crimes
    classes = {_norm_class(x) for x in offence_classes}
    day = crimes["recorded"].dt.normalize()
    in_period = (day >= pd.Timestamp(period_from)) & (day <= pd.Timestamp(period_to))
    offences = crimes[crimes["ho_class"].isin(classes) & ~crimes["cancelled"] & in_period]
    years = list(range(period_from.year, period_to.year + 1))
    off_year = offences["recorded"].dt.year
    offences_by_year = {str(y): int((off_year == y).sum()) for y in years}
    labels = (
        offences["outcome"]
        .astype("Int64")
        .astype(str)
        .where(offences["outcome"].notna(), "pending")
    )
    outcomes_by_year: dict[str, dict[str, int]] = {}
    for y in years:
        counts = labels[off_year == y].value_counts()
        keys = sorted(counts.index, key=lambda s: (s == "pending", int(s) if s != "pending" else 0))
        outcomes_by_year[str(y)] = {k: int(counts[k]) for k in keys if counts[k] > 0}

    ch = truth.charges
    in_year = ch["charge_date"].dt.year == charge_year
    q1 = set(ch.loc[in_year & ch["cjs_code"].isin(list(q1_codes)), "individual_id"])
    q2 = set(ch.loc[in_year & ch["cjs_code"].isin(list(q2_codes)), "individual_id"])
    # charged on a hunter-group crime: whatever that crime's class or recorded date
    hunter_crimes = crimes.loc[crimes["hunter"], "crime_id"]
    wanted = ch.loc[
        in_year & ch["cjs_code"].isin([*q1_codes, *q2_codes]) & ch["crime_id"].isin(hunter_crimes)
    ]
    return {
        "offences_by_year": offences_by_year,
        "outcomes_by_year": outcomes_by_year,
        "persons_charged": {
            "year": int(charge_year),
            "section_15": len(q1),
            "attempt_section_15": len(q2),
            "either": len(q1 | q2),
            "vigilante": len(set(wanted["individual_id"])),
        },
        "migrated_crimes": int(crimes["migrated"].sum()),
        "hunter_crime_ids": set(offences.loc[offences["hunter"], "canonical_ref"]),
        "hunter_negated_ids": set(offences.loc[offences["hunter_negated"], "canonical_ref"]),
    }
