"""The audit: can a reader work out a withheld figure from everything the response releases?

For each withheld cell, its smallest and largest value over the integer assignments the released
tables and their links allow; the cell is *pinned* when the two are equal, the protection *safe*
when none is. The attacker model in full: docs/design-notes.md, "the attacker model".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from helpers.disclosure.highs import solve
from helpers.disclosure.tables import (
    DEFAULT_THRESHOLD,
    DISTINCT_TOTALS,
    PRIMARY,
    SECONDARY,
    SECONDARY_DISPLAY,
    SHOWN,
    STATUS_CODE,
    TOTAL,
    Cell,
    Link,
    Table,
    is_total,
    primary_display,
)
from helpers.request.parameters import THRESHOLD_RANGE, THRESHOLD_RULE

StatusCodes = npt.NDArray[np.int8]
"""Every cell's status code (:data:`~helpers.disclosure.tables.STATUS_CODE`), in model order."""


@dataclass(frozen=True)
class Constraint:
    """One additive relation between the cells (variables) of the attacker's model."""

    vars: tuple[int, ...]
    coefs: tuple[float, ...]
    sense: Literal["eq", "ge"]  # sum(coef * x) == 0, or >= 0
    tag: str


def _check_threshold(threshold: object) -> int:
    """A guard: the parameters' schema is the rule users meet (`THRESHOLD_RANGE`)."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)):
        raise TypeError(f"threshold must be an integer, got {threshold!r}")
    if not THRESHOLD_RANGE.start <= threshold < THRESHOLD_RANGE.stop:
        # with T = 2, "<2" would say the count is exactly 1; with T = 1 nothing is protected
        raise ValueError(f"threshold must be {THRESHOLD_RULE}, got {threshold}")
    return int(threshold)


def _as_counts(table: Table) -> pd.DataFrame:
    if not isinstance(table, Table):
        raise TypeError(f"expected a Table, got {type(table).__name__}")
    if not isinstance(table.name, str) or not table.name:
        raise ValueError("a table needs a non-empty name")
    counts = table.counts
    if not isinstance(counts, pd.DataFrame):
        raise TypeError(f"table {table.name!r}: counts must be a DataFrame")
    for axis, labels in (("row", counts.index), ("column", counts.columns)):
        if labels.has_duplicates:
            raise ValueError(f"table {table.name!r}: duplicate {axis} labels")
    if counts.size == 0:
        raise ValueError(f"table {table.name!r} has no cells")
    try:
        raw = counts.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"table {table.name!r}: counts must be numbers") from exc
    if np.isnan(raw).any() or (raw < 0).any() or (raw != np.round(raw)).any():
        raise ValueError(f"table {table.name!r}: counts must be non-negative integers")
    return pd.DataFrame(raw.astype(np.int64), index=counts.index, columns=counts.columns)


class AttackerModel:
    """Every cell of every table as a variable, with the response's additive relations.

    Cells are numbered in stable order: tables as given, then rows, then columns. A set of
    statuses is a :data:`StatusCodes` array in that order.
    """

    def __init__(self, tables: Sequence[Table], links: Iterable[Link], threshold: int) -> None:
        self.T = _check_threshold(threshold)
        tables = list(tables)
        links = list(links)
        names = [t.name for t in tables]
        if len(set(names)) != len(names):
            raise ValueError(f"table names must be unique, got {names}")
        self.tables = tables
        self.counts: dict[str, pd.DataFrame] = {}
        self.cells: list[Cell] = []
        self.index: dict[Cell, int] = {}
        values: list[int] = []
        in_total: list[bool] = []
        for table in tables:
            counts = _as_counts(table)
            self.counts[table.name] = counts
            for r, row in zip(counts.index, counts.to_numpy(), strict=True):
                for c, v in zip(counts.columns, row, strict=True):
                    self.index[(table.name, r, c)] = len(self.cells)
                    self.cells.append((table.name, r, c))
                    values.append(int(v))
                    in_total.append(is_total(r) or is_total(c))
        self.values = np.array(values, dtype=np.int64)
        self.n = len(self.cells)

        self.constraints: list[Constraint] = []
        self.distinct_totals = False  # a Total told as the union of its parts, not their sum
        for table in tables:
            self._add_table(table, self.counts[table.name])
        kinds: set[str] = {link.kind for link in links}
        if self.distinct_totals:
            kinds.add(DISTINCT_TOTALS)
        self.link_kinds = tuple(sorted(kinds))
        parent = list(range(self.n))  # union-find over 'equal' links

        def find(v: int) -> int:
            while parent[v] != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v

        for link in links:
            if not isinstance(link, Link):
                raise TypeError(f"expected a Link, got {type(link).__name__}")
            self._add_link(link)
            if link.kind == "equal":
                a, b = find(self._var(link.parts[0])), find(self._var(link.target))
                parent[max(a, b)] = min(a, b)
        for con in self.constraints:
            total = sum(k * self.values[v] for v, k in zip(con.vars, con.coefs, strict=True))
            if (con.sense == "eq" and total != 0) or (con.sense == "ge" and total < 0):
                raise ValueError(f"the figures do not satisfy {con.tag}")

        groups: dict[int, list[int]] = {}
        for v in range(self.n):
            groups.setdefault(find(v), []).append(v)
        self.equal_class = [groups[find(v)] for v in range(self.n)]
        self.total_like = np.array(
            [any(in_total[u] for u in self.equal_class[v]) for v in range(self.n)]
        )
        self.var_cons: list[list[int]] = [[] for _ in range(self.n)]
        for i, con in enumerate(self.constraints):
            for v in con.vars:
                self.var_cons[v].append(i)

    # -- construction ------------------------------------------------------------------------

    def _var(self, cell: Cell) -> int:
        try:
            return self.index[cell]
        except KeyError:
            name, r, c = cell
            if name not in self.counts:
                raise KeyError(f"link refers to unknown table {name!r}") from None
            counts = self.counts[name]
            raise KeyError(
                f"link refers to cell ({r!r}, {c!r}) not in table {name!r} "
                f"(rows {list(counts.index)!r}, columns {list(counts.columns)!r})"
            ) from None

    def _add(self, terms: list[tuple[int, float]], sense: Literal["eq", "ge"], tag: str) -> None:
        vs, ks = zip(*terms, strict=True)
        self.constraints.append(Constraint(tuple(vs), tuple(float(k) for k in ks), sense, tag))

    def _add_table(self, table: Table, counts: pd.DataFrame) -> None:
        idx, name = self.index, table.name
        rows = [r for r in counts.index if not is_total(r) and r not in table.subset_rows]
        cols = [c for c in counts.columns if not is_total(c)]
        # a Total with no parts (a table of one row, "Total") is a count of its own
        if TOTAL in counts.columns and cols:
            for r in counts.index:
                self._add_total(
                    [idx[(name, r, c)] for c in cols],
                    idx[(name, r, TOTAL)],
                    table.columns_add_up,
                    f"row {r!r} of table {name!r}",
                )
        if TOTAL in counts.index and rows:
            for c in counts.columns:
                self._add_total(
                    [idx[(name, r, c)] for r in rows],
                    idx[(name, TOTAL, c)],
                    table.rows_add_up,
                    f"column {c!r} of table {name!r}",
                )

    def _add_total(self, parts: list[int], total: int, adds_up: bool, where: str) -> None:
        """A Total and its parts: their sum, or their union (each part at most the Total, the
        Total at most their sum)."""
        if adds_up:
            terms = [(p, 1.0) for p in parts] + [(total, -1.0)]
            self._add(terms, "eq", f"{where} adding up to its Total")
            return
        self.distinct_totals = True
        for p in parts:
            self._add([(total, 1.0), (p, -1.0)], "ge", f"{where}: a part at most its Total")
        self._add(
            [(p, 1.0) for p in parts] + [(total, -1.0)],
            "ge",
            f"{where}: its Total at most the sum of its parts",
        )

    def _add_link(self, link: Link) -> None:
        t = self._var(link.target)
        ps = [self._var(p) for p in link.parts]
        comp = None if link.complement is None else self._var(link.complement)
        desc = f"{link.kind} link {link.cells}"
        if link.kind == "equal":
            self._add([(ps[0], 1.0), (t, -1.0)], "eq", desc)
        elif link.kind == "sum":
            self._add([(p, 1.0) for p in ps] + [(t, -1.0)], "eq", desc)
        elif link.kind == "subset":
            self._add([(t, 1.0), (ps[0], -1.0)], "ge", desc)
            if comp is not None:
                self._add([(t, 1.0), (ps[0], -1.0), (comp, -1.0)], "eq", desc + " (complement)")
        else:  # union
            for p in ps:
                self._add([(t, 1.0), (p, -1.0)], "ge", desc + " (part <= union)")
            self._add([(p, 1.0) for p in ps] + [(t, -1.0)], "ge", desc + " (union <= sum of parts)")
            if comp is not None:
                self._add(
                    [(p, 1.0) for p in ps] + [(t, -1.0), (comp, -1.0)],
                    "eq",
                    desc + " (intersection)",
                )

    # -- statuses ----------------------------------------------------------------------------

    def initial_status(self) -> StatusCodes:
        small = (self.values >= 1) & (self.values <= self.T - 1)
        return np.where(small, STATUS_CODE[PRIMARY], STATUS_CODE[SHOWN]).astype(np.int8)

    def status_from_frames(self, status: Mapping[str, pd.DataFrame]) -> StatusCodes:
        codes = np.zeros(self.n, dtype=np.int8)
        for name, counts in self.counts.items():
            if name not in status:
                raise ValueError(f"no status for table {name!r}")
            frame = status[name]
            if not (frame.index.equals(counts.index) and frame.columns.equals(counts.columns)):
                raise ValueError(
                    f"status of table {name!r} has other rows or columns than its counts"
                )
            for r, row in zip(frame.index, frame.to_numpy(), strict=True):
                for c, s in zip(frame.columns, row, strict=True):
                    if s not in STATUS_CODE:
                        raise ValueError(f"unknown status {s!r} in table {name!r}")
                    codes[self.index[(name, r, c)]] = STATUS_CODE[s]
        small = (self.values >= 1) & (self.values <= self.T - 1)
        if ((codes == STATUS_CODE[PRIMARY]) != small).any():
            v = int(np.flatnonzero((codes == STATUS_CODE[PRIMARY]) != small)[0])
            raise ValueError(
                f"cell {self.cells[v]}: 'primary' is exactly the counts 1..{self.T - 1}"
            )
        if ((codes == STATUS_CODE[SECONDARY]) & (self.values < self.T)).any():
            v = int(np.flatnonzero((codes == STATUS_CODE[SECONDARY]) & (self.values < self.T))[0])
            raise ValueError(f"cell {self.cells[v]}: a 'secondary' cell must hold {self.T} or more")
        return codes

    def frames(self, codes: StatusCodes) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
        display, status = {}, {}
        names = {v: k for k, v in STATUS_CODE.items()}
        for name, counts in self.counts.items():
            vs = [[self.index[(name, r, c)] for c in counts.columns] for r in counts.index]
            status[name] = pd.DataFrame(
                [[names[int(codes[v])] for v in row] for row in vs],
                index=counts.index.copy(),
                columns=counts.columns.copy(),
            )
            display[name] = pd.DataFrame(
                [[self.display(v, codes) for v in row] for row in vs],
                index=counts.index.copy(),
                columns=counts.columns.copy(),
            )
        return display, status

    def display(self, v: int, codes: StatusCodes) -> str:
        code = int(codes[v])
        if code == STATUS_CODE[PRIMARY]:
            return primary_display(self.T)
        if code == STATUS_CODE[SECONDARY]:
            return SECONDARY_DISPLAY
        return str(int(self.values[v]))

    # -- the attacker's problem ----------------------------------------------------------------

    def component(self, p: int, codes: StatusCodes) -> tuple[list[int], list[int]]:
        """Withheld cells connected to ``p`` through constraints, and those constraints."""
        seen = {p}
        stack = [p]
        cons: set[int] = set()
        while stack:
            v = stack.pop()
            for ci in self.var_cons[v]:
                if ci in cons:
                    continue
                cons.add(ci)
                for u in self.constraints[ci].vars:
                    if codes[u] != 0 and u not in seen:
                        seen.add(u)
                        stack.append(u)
        return sorted(seen), sorted(cons)

    def extreme(
        self, p: int, codes: StatusCodes, maximise: bool
    ) -> tuple[float, dict[int, int] | None]:
        """The attacker's min (or max) of cell ``p``, and a feasible assignment attaining it."""
        comp, cons = self.component(p, codes)
        pos = {v: i for i, v in enumerate(comp)}
        n = len(comp)
        lo = np.where(codes[comp] == STATUS_CODE[PRIMARY], 1.0, float(self.T))
        hi = np.where(codes[comp] == STATUS_CODE[PRIMARY], float(self.T - 1), np.inf)
        j = pos[p]
        A = np.zeros((len(cons), n))
        clo = np.zeros(len(cons))
        chi = np.zeros(len(cons))
        for row, ci in enumerate(cons):
            con = self.constraints[ci]
            const = 0.0
            for v, k in zip(con.vars, con.coefs, strict=True):
                if v in pos:
                    A[row, pos[v]] += k
                else:
                    const += k * self.values[v]
            clo[row] = -const
            chi[row] = -const if con.sense == "eq" else np.inf
        if len(cons) == 0:
            return (hi[j] if maximise else lo[j]), None
        c = np.zeros(n)
        c[j] = -1.0 if maximise else 1.0
        status, x = solve(c, lo, hi, A, clo, chi, integer=True)
        if status == "optimal":
            assert x is not None  # an optimal solve comes with its solution
            solution = np.rint(x).astype(np.int64)
            return float(solution[j]), {v: int(solution[pos[v]]) for v in comp}
        # not optimal: unbounded (or told as infeasible, which the true figures never are)
        if maximise and self._has_ray(A, clo == chi, np.isinf(hi), j):
            return math.inf, None
        raise RuntimeError(
            f"the attacker's problem for {self.cells[p]} failed: HiGHS says {status}"
        )

    @staticmethod
    def _has_ray(A: np.ndarray, eq: np.ndarray, free_above: np.ndarray, j: int) -> bool:
        """Whether variable ``j`` can grow without limit.

        The attacker's polyhedron is non-empty (it holds the true figures), so ``x_j`` is
        unbounded above exactly when a direction ``d`` of its recession cone has ``d_j > 0``:
        ``A_eq d = 0``, ``A_ge d >= 0``, ``d = 0`` on cells bounded above (``<T``), ``d >= 0`` on
        ``[c]`` cells.  For rational data the integer points have the same recession cone, so the
        same holds for the integer problem.  Scaled to ``d <= 1`` this LP is always feasible
        (``d = 0``) and bounded, so, unlike the status of an unbounded solve (HiGHS can report
        such problems as infeasible), its answer needs no interpretation.
        """
        n = A.shape[1]
        c = np.zeros(n)
        c[j] = -1.0
        # A d = 0 on equality rows, A d >= 0 on the others
        status, d = solve(
            c,
            np.zeros(n),
            np.where(free_above, 1.0, 0.0),
            A,
            np.zeros(len(A)),
            np.where(eq, 0.0, np.inf),
            integer=False,
        )
        if status != "optimal" or d is None:
            raise RuntimeError(f"the recession-cone check failed: HiGHS says {status}")
        return float(d[j]) > 1e-7

    def is_pinned(self, p: int, codes: StatusCodes, certified: set[int]) -> bool:
        """Whether ``p`` can take only its true value.  Adds to ``certified`` every withheld cell
        that a solution found on the way shows can take another value (so is not pinned)."""
        for maximise in (True, False):
            value, sol = self.extreme(p, codes, maximise)
            if sol is not None:
                certified.update(v for v, x in sol.items() if x != self.values[v])
            if value != self.values[p]:
                certified.add(p)
                return False
        return True

    def audit_frame(self, codes: StatusCodes) -> pd.DataFrame:
        names = {v: k for k, v in STATUS_CODE.items()}
        rows = []
        for index in np.flatnonzero(codes != 0):
            v = int(index)
            lo, _ = self.extreme(v, codes, maximise=False)
            hi, _ = self.extreme(v, codes, maximise=True)
            name, r, c = self.cells[v]
            rows.append(
                {
                    "table": name,
                    "row": r,
                    "col": c,
                    "status": names[int(codes[v])],
                    "display": self.display(v, codes),
                    "true_value": int(self.values[v]),
                    "min": float(lo),
                    "max": float(hi),
                    "pinned": bool(lo == hi),
                }
            )
        columns = ["table", "row", "col", "status", "display", "true_value", "min", "max", "pinned"]
        frame = pd.DataFrame(rows, columns=columns)
        return frame.astype(
            {"true_value": "int64", "min": "float64", "max": "float64", "pinned": bool}
        )


def audit(
    tables: Sequence[Table],
    links: Iterable[Link],
    status: Mapping[str, pd.DataFrame],
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The attacker's minimum and maximum for every withheld cell (the module docstring says how).

    ``status``: table name -> DataFrame like the table's counts holding ``"shown"``,
    ``"primary"`` (must be exactly the counts 1..T-1) or ``"secondary"`` (counts >= T).
    Returns one row per withheld cell, in stable order: ``table, row, col, status, display,
    true_value`` (restricted: the withheld figure), ``min``, ``max`` (``inf`` when no upper
    limit can be deduced), ``pinned`` (``min == max``).
    """
    model = AttackerModel(tables, links, threshold)
    return model.audit_frame(model.status_from_frames(status))
