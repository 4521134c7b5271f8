"""An intruder who solves published releases together, written apart from the tool's own audit.

It reads only what a requester can read: each `release/` folder's `tables/*.csv` (values as
published, `<5` and `[c]` marks included) and `manifest.json` (the request's parameters and the
extract files' SHA-256). It knows what each published cell counts, as the briefing's method
describes it, and that releases of one extract (the same hashes) count the same records. It does
not read the tool's disclosure code (`helpers.disclosure`), nor anything restricted.

Records are modelled by *types*: the combinations of attributes that the cells' definitions can
tell apart. A crime's type is its class (as far as the releases' class lists distinguish classes),
the stretch of time it was recorded in (cut at every period's bounds and every 1 January), its
outcome group, and, for each set of search terms used on that stretch, whether its circumstances
count under those terms. A person's type, per charge year, is for each *code atom* (codes that
are in the same groups of every release) whether they have a charge of the year under it and, per
set of search terms, whether one of those charges is on a crime counted under those terms.
Every published figure is then a linear equation over the types' counts (nonnegative integers),
every `<T` the range 1..T-1 (a zero is published as `0`), every `[c]` the range 0 and up; one
integer programme over all the releases of an extract gives each protected cell's least and
greatest value, and a cell whose least equals its greatest is *pinned*.

The model is sound rather than sharp: it assumes nothing the definitions do not imply. Notably
two different sets of search terms give unrelated verdicts (adding a term can make another
term's mention read as negated, "no Northern Shield or Predator Patrol involvement", so neither
set's finds contain the other's), and a release with a reviewer's decisions has verdicts of its
own. The free-text search's table and the data-quality tables are not modelled (they add nothing
across releases of one extract that the model could use soundly).
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

# the published tables' row labels, as a requester reads them in any release
HUNTER_ROW = "Hunter-group evidence found"
NO_HUNTER_ROW = "No hunter-group evidence found"
EITHER_ROW = "Charged with any of these (each person once)"
VIGILANTE_ROW = "of whom charged on hunter-group evidence"
TOTAL = "Total"
MODELLED_TABLES = ("offences_by_year", "outcomes_by_year", "people_charged")

_EXACT = re.compile(r"\d{1,3}(,\d{3})*|\d+")
_BELOW = re.compile(r"<(\d+)")
WITHHELD = "[c]"


class AttackModelError(Exception):
    """The published tables do not fit the model: a published file or the model is wrong."""


# ---- what was published


@dataclass(frozen=True)
class Cell:
    """One published figure: where it stands and the range its text allows."""

    release: str  # the release folder's name (its request's reference)
    table: str
    row: str
    column: str
    shown: str
    low: int
    high: int | None  # None: no upper bound

    @property
    def protected(self) -> bool:
        """Shown as a mark (`<T`, `[c]`), not as a number (`<2` allows one value: pinned)."""
        return not _EXACT.fullmatch(self.shown.strip())

    @property
    def name(self) -> str:
        return f"{self.release}: {self.table} [{self.row} | {self.column}] shown {self.shown!r}"


def shown_range(text: str) -> tuple[int, int | None]:
    """The values a published cell's text allows: a number, `<T` (1..T-1), `[c]` (0 and up)."""
    text = text.strip()
    if _EXACT.fullmatch(text):
        value = int(text.replace(",", ""))
        return value, value
    below = _BELOW.fullmatch(text)
    if below:
        return 1, int(below.group(1)) - 1
    if text == WITHHELD:
        return 0, None
    raise AttackModelError(f"a published cell reads {text!r}: neither a number, <T nor [c]")


@dataclass
class Release:
    """One published release folder, as a requester has it."""

    name: str
    parameters: dict
    extract: str  # the extract files' hashes, as one text: equal means the same records
    cells: list[Cell]

    @property
    def period(self) -> tuple[date, date]:
        """The offences' period as [first day, day after the last)."""
        first = date.fromisoformat(self.parameters["period_from"])
        last = date.fromisoformat(self.parameters["period_to"])
        return first, last + timedelta(days=1)

    @property
    def classes(self) -> frozenset[str]:
        return frozenset(self.parameters["offence_classes"])

    @property
    def charge_year(self) -> int:
        return int(self.parameters["charge_year"])

    @property
    def groups(self) -> dict[str, frozenset[str]]:
        """Each charge group's published label (its row) and its codes."""
        groups = self.parameters["charge_groups"].values()
        labelled = {group["label"]: frozenset(group["codes"]) for group in groups}
        if len(labelled) != len(groups):
            raise AttackModelError(f"{self.name}: two charge groups share a label (one row)")
        return labelled

    @property
    def codes(self) -> frozenset[str]:
        return frozenset().union(*self.groups.values())

    @property
    def verdicts(self) -> tuple:
        """What decides whether a crime counts as found by the search: the set of terms, and a
        reviewer's decisions (which a requester cannot see: such a release has verdicts of its
        own)."""
        if self.parameters.get("evidence_decisions"):
            return ("reviewed", self.name)
        return ("terms", frozenset(self.parameters["search_terms"]))


def read_release(folder: Path) -> Release:
    """A release folder's manifest and modelled tables (`<folder>/manifest.json`, `tables/`)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    name = str(manifest.get("request") or folder.parent.name)
    cells = []
    for table in MODELLED_TABLES:
        path = folder / "tables" / f"{table}.csv"
        if path.exists():
            cells += read_table(name, table, path)
    extract = json.dumps(manifest["extract_files"], sort_keys=True)
    return Release(name, manifest["parameters"], extract, cells)


def read_table(release: str, table: str, path: Path) -> list[Cell]:
    """Every figure of a published table (first column: the row labels)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    cells = []
    for row in rows[1:]:
        for column, text in zip(header[1:], row[1:], strict=True):
            low, high = shown_range(text)
            cells.append(Cell(release, table, row[0], column, text, low, high))
    return cells


# ---- the types of records


@dataclass(frozen=True)
class CrimeType:
    class_atom: frozenset[str]
    span: tuple[date, date]  # [from, to): within one calendar year
    outcome: str
    found_by: frozenset  # the verdicts (Release.verdicts) under which the crime counts as found


@dataclass(frozen=True)
class PersonType:
    year: int
    # for each code atom: None (no charge of the year under it), else the verdicts under which
    # one of those charges is on a crime found by the search
    charged: tuple[frozenset | None, ...]


def atoms(sets: Iterable[frozenset[str]]) -> list[frozenset[str]]:
    """The partition of the sets' union into members that are in exactly the same sets."""
    sets = list(sets)
    by_membership: dict[tuple[bool, ...], set[str]] = {}
    for member in sorted(frozenset().union(*sets)):
        by_membership.setdefault(tuple(member in s for s in sets), set()).add(member)
    return [frozenset(members) for members in by_membership.values()]


def spans(periods: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """The stretches of time between all the periods' bounds and the 1 Januarys they cross,
    each within some period."""
    periods = list(periods)
    bounds = set()
    for first, end in periods:
        bounds |= {first, end}
        bounds |= {date(year, 1, 1) for year in range(first.year + 1, end.year + 1)}
    ordered = sorted(bounds)
    return [
        (a, b)
        for a, b in itertools.pairwise(ordered)
        if any(first <= a and b <= end for first, end in periods)
    ]


def subsets(items: Sequence) -> list[frozenset]:
    return [
        frozenset(chosen)
        for size in range(len(items) + 1)
        for chosen in itertools.combinations(items, size)
    ]


@dataclass
class Model:
    """The types of one extract's records and the predicate of every modelled published cell."""

    releases: list[Release]
    types: list = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    code_atoms: dict[int, list[frozenset[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.types = self._crime_types() + self._person_types()

    def _covers(self, release: Release, class_atom: frozenset[str], span) -> bool:
        first, end = release.period
        return class_atom <= release.classes and first <= span[0] and span[1] <= end

    def _crime_types(self) -> list[CrimeType]:
        listed = [
            frozenset(c.row for c in r.cells if c.table == "outcomes_by_year" and c.row != TOTAL)
            for r in self.releases
        ]
        self.outcomes = sorted(frozenset().union(*listed))
        if len(set(listed)) > 1 or not self.outcomes:
            # a release lists only the groups it has: one no release lists may exist
            self.outcomes.append("(a group not listed)")
        types = []
        for class_atom in atoms(r.classes for r in self.releases):
            for span in spans(r.period for r in self.releases):
                covering = [r for r in self.releases if self._covers(r, class_atom, span)]
                if not covering:
                    continue
                verdicts = sorted({r.verdicts for r in covering}, key=repr)
                for outcome in self.outcomes:
                    for found_by in subsets(verdicts):
                        types.append(CrimeType(class_atom, span, outcome, found_by))
        return types

    def _person_types(self) -> list[PersonType]:
        types: list[PersonType] = []
        for year in sorted({r.charge_year for r in self.releases}):
            of_year = [r for r in self.releases if r.charge_year == year]
            code_atoms = atoms(codes for r in of_year for codes in r.groups.values())
            self.code_atoms[year] = code_atoms
            states = []
            for atom in code_atoms:
                verdicts = sorted({r.verdicts for r in of_year if atom <= r.codes}, key=repr)
                states.append([None, *subsets(verdicts)])
            for charged in itertools.product(*states):
                if any(state is not None for state in charged):
                    types.append(PersonType(year, charged))
        return types

    # ---- what each published cell counts

    def predicate(self, release: Release, cell: Cell) -> Callable[[object], bool] | None:
        """Which types the cell counts; None for a cell the model does not read."""
        if cell.table in ("offences_by_year", "outcomes_by_year"):
            return self._crime_predicate(release, cell)
        if cell.table == "people_charged":
            return self._person_predicate(release, cell)
        return None

    def _crime_predicate(self, release: Release, cell: Cell):
        if not (cell.column == TOTAL or cell.column.isdigit()):
            raise AttackModelError(f"{cell.name}: a column that is neither a year nor the total")
        year = None if cell.column == TOTAL else int(cell.column)
        if cell.table == "offences_by_year":
            rows = {HUNTER_ROW: True, NO_HUNTER_ROW: False, TOTAL: None}
            if cell.row not in rows:
                raise AttackModelError(f"{cell.name}: a row the offences table does not have")
            found, outcome = rows[cell.row], None
        else:
            found, outcome = None, (None if cell.row == TOTAL else cell.row)

        def counts(t) -> bool:
            return (
                isinstance(t, CrimeType)
                and self._covers(release, t.class_atom, t.span)
                and (year is None or t.span[0].year == year)
                and (found is None or (release.verdicts in t.found_by) == found)
                and (outcome is None or t.outcome == outcome)
            )

        return counts

    def _person_predicate(self, release: Release, cell: Cell):
        year = release.charge_year
        code_atoms = self.code_atoms[year]
        groups = release.groups
        if cell.row in groups:
            wanted = [i for i, atom in enumerate(code_atoms) if atom <= groups[cell.row]]
            found = False
        elif cell.row in (EITHER_ROW, VIGILANTE_ROW):
            wanted = [i for i, atom in enumerate(code_atoms) if atom <= release.codes]
            found = cell.row == VIGILANTE_ROW
        else:
            raise AttackModelError(f"{cell.name}: a row the people table does not have")

        def counts(t) -> bool:
            if not isinstance(t, PersonType) or t.year != year:
                return False
            states = [t.charged[i] for i in wanted]
            if found:
                return any(s is not None and release.verdicts in s for s in states)
            return any(s is not None for s in states)

        return counts


# ---- the attack


@dataclass(frozen=True)
class Bound:
    cell: Cell
    low: float
    high: float  # inf: no upper bound
    #: the same sum of types is shown as a count in some release: its value is public already
    published_elsewhere: bool = False

    @property
    def pinned(self) -> bool:
        return self.low == self.high

    @property
    def recovered(self) -> bool:
        """Pinned, and not a figure some release shows: a hidden value worked out."""
        return self.pinned and not self.published_elsewhere


def extracts_of(releases: Iterable[Release]) -> dict[str, list[Release]]:
    """The releases grouped by extract: only those count the same records."""
    grouped: dict[str, list[Release]] = {}
    for release in releases:
        grouped.setdefault(release.extract, []).append(release)
    return grouped


def attack(folders: Iterable[Path]) -> list[Bound]:
    """The least and greatest value of every protected cell the model reads, given all the
    published releases (`release/` folders) together."""
    releases = [read_release(Path(folder)) for folder in folders]
    bounds = []
    for group in extracts_of(releases).values():
        bounds += attack_one_extract(group)
    return bounds


def pinned(folders: Iterable[Path]) -> list[Bound]:
    """The protected cells that the releases together narrow to one value."""
    return [bound for bound in attack(folders) if bound.pinned]


def attack_one_extract(releases: list[Release]) -> list[Bound]:
    model = Model(releases)
    rows, lows, highs, targets = [], [], [], []
    shown: set[bytes] = set()  # the sums some release shows as a count
    for release in releases:
        for cell in release.cells:
            predicate = model.predicate(release, cell)
            if predicate is None:
                continue
            row = np.array([predicate(t) for t in model.types], dtype=float)
            rows.append(row)
            lows.append(cell.low)
            highs.append(np.inf if cell.high is None else cell.high)
            if cell.protected:
                targets.append((cell, row))
            elif cell.low == cell.high:
                shown.add(row.tobytes())
    if not rows:
        return []
    programme = Programme(np.array(rows), np.array(lows), np.array(highs))
    if not programme.feasible():
        raise AttackModelError(
            "the published tables contradict the model (no counts fit them all): "
            + ", ".join(r.name for r in releases)
        )
    bounds = []
    solved: dict[bytes, tuple[float, float]] = {}  # one pair of solves per distinct sum
    for cell, row in targets:
        key = row.tobytes()
        if key not in solved:
            solved[key] = (programme.least(row), programme.greatest(row))
        low, high = solved[key]
        bounds.append(Bound(cell, low, high, key in shown))
    return bounds


class Programme:
    """Nonnegative integer counts of the types, each published figure's sum within its range."""

    def __init__(self, sums: np.ndarray, lows: np.ndarray, highs: np.ndarray):
        self.constraints = LinearConstraint(sums, lows, highs)
        self.integral = np.ones(sums.shape[1])

    def _minimise(self, objective: np.ndarray):
        return milp(
            objective,
            constraints=self.constraints,
            integrality=self.integral,
            bounds=Bounds(0, np.inf),
        )

    def feasible(self) -> bool:
        result = self._minimise(np.zeros_like(self.integral))
        if result.status == 0:
            return True
        if result.status == 2 or "infeasible" in result.message:
            return False
        raise AttackModelError(f"the solver stopped: {result.message}")

    def least(self, row: np.ndarray) -> float:
        """A sum's least value (the programme is feasible and the counts nonnegative: bounded)."""
        result = self._minimise(row)
        if result.status != 0:
            raise AttackModelError(f"the solver stopped: {result.message}")
        return round(result.fun)

    def greatest(self, row: np.ndarray) -> float:
        """A sum's greatest value; inf where nothing bounds it (HiGHS then says "unbounded", or
        "infeasible or unbounded" of a programme known feasible)."""
        result = self._minimise(-row)
        if result.status == 3 or (result.status == 4 and "unbounded" in result.message):
            return np.inf
        if result.status != 0:
            raise AttackModelError(f"the solver stopped: {result.message}")
        return -round(result.fun)


def main(folders: list[str]) -> int:
    """`python tests/attacker.py RELEASE_DIR...`: every protected cell's range; 1 if any hidden
    value is recovered (pinned, and shown as a count by no release)."""
    bounds = attack(Path(folder) for folder in folders)
    for bound in bounds:
        mark = "PUBLIC" if bound.published_elsewhere else "PINNED" if bound.pinned else "      "
        print(f"{mark} {bound.cell.name}: {bound.low:g}..{bound.high:g}")
    return int(any(bound.recovered for bound in bounds))


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
