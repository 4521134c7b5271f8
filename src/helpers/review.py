"""The manual review of evidence-search matches: the worklist, the reviewer's decisions, the cost.

The search (`helpers.evidence`) proposes; a reviewer decides. The worklist
(`restricted/evidence_candidates.csv`) has one row per crime with a match or a negated match; the
reviewer fills in the decisions file named by the `evidence_decisions` parameter (columns
`reference`, `decision` yes/no, `reviewer`, `note`), and the figures then use those decisions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: FOI Act s12 and the Fees Regulations 2004: 18 hours at £25 an hour for a police force
S12_LIMIT_HOURS = 18.0

DECISION_COLUMNS = ["reference", "decision", "reviewer", "note"]
CANDIDATE_COLUMNS = ["reference", "year", "in_scope_as", "kind", "term", "matched", "context", "terms", "decision", "reviewer", "note"]


class DecisionsError(Exception):
    """The decisions file cannot be used. The message is one line naming the file and line."""


def read_decisions(path: Path) -> pd.DataFrame:
    """The reviewer's decisions: reference -> yes/no, with reviewer and note."""
    if not path.is_file():
        raise DecisionsError(f"{path}: evidence decisions file not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DecisionsError(f"{path.name}: not a readable CSV file ({str(error).splitlines()[0]})") from None
    missing = [column for column in ("reference", "decision") if column not in frame.columns]
    if missing:
        raise DecisionsError(f"{path.name}: missing column {', '.join(repr(c) for c in missing)}")
    frame = frame[frame["decision"].str.strip() != ""].copy()  # rows not yet decided
    decision = frame["decision"].str.strip().str.lower().map({"yes": True, "y": True, "no": False, "n": False})
    bad = decision.isna()
    if bad.any():
        line = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise DecisionsError(f"{path.name}: line {line}: decision must be yes or no (got {frame['decision'][bad].iloc[0]!r})")
    frame["reference"] = frame["reference"].str.strip()
    repeated = frame["reference"].duplicated(keep=False) & ~frame.duplicated(["reference", "decision"], keep=False)
    if repeated.any():
        raise DecisionsError(f"{path.name}: {frame['reference'][repeated].iloc[0]} has conflicting decisions")
    frame["counted"] = decision
    for column in ("reviewer", "note"):
        if column not in frame:
            frame[column] = ""
    return frame.drop_duplicates("reference")[["reference", "counted", "reviewer", "note"]].set_index("reference")


@dataclass(frozen=True)
class ReviewOutcome:
    """What the reviewer's decisions changed."""

    counted: frozenset[str]  # crime IDs counted after review
    reviewed: int  # candidates with a decision
    overturned: int  # decisions that differ from the search's own call
    unmatched_decisions: list[str]  # decisions for references that are not candidates


def apply_decisions(candidates: pd.DataFrame, decisions: pd.DataFrame | None) -> ReviewOutcome:
    """The crimes counted: the search's call, except where a reviewer decided otherwise.

    `candidates`: one row per crime with a match (index crime ID, bool column `counted`).
    """
    searched = candidates["counted"].astype(bool)
    if decisions is None or decisions.empty:
        return ReviewOutcome(frozenset(searched.index[searched]), 0, 0, [])
    decided = decisions["counted"].reindex(searched.index)
    has_decision = decided.notna()
    final = searched.where(~has_decision, decided.fillna(False).astype(bool))
    unmatched = sorted(set(decisions.index) - set(searched.index))
    return ReviewOutcome(
        counted=frozenset(final.index[final]),
        reviewed=int(has_decision.sum()),
        overturned=int((has_decision & (decided.fillna(False).astype(bool) != searched)).sum()),
        unmatched_decisions=unmatched,
    )


@dataclass(frozen=True)
class ReviewCost:
    records: int
    minutes_per_record: float

    @property
    def hours(self) -> float:
        return self.records * self.minutes_per_record / 60

    @property
    def within_s12_limit(self) -> bool:
        return self.hours <= S12_LIMIT_HOURS

    def hours_text(self) -> str:
        """The time rounded up to the half hour, so it does not give away a small record count."""
        if self.hours <= 1:
            return "under 1 hour"
        half_hours = math.ceil(self.hours * 2) / 2
        return f"about {half_hours:g} hours"
