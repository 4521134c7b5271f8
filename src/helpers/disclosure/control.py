"""Statistical disclosure control for the tables of one FOI response.

The figures we release are about child sexual offences, so a small count, or a figure that can be
worked back from totals or from another table, could identify a victim or a suspect.  This module
decides which cells of the response's tables are withheld, and proves that the withheld cells
cannot be worked out.

Rules
-----
* **Primary suppression.**  With threshold ``T`` (default 5), every count from 1 to ``T - 1`` is
  withheld and shown as ``f"<{T}"``.  Zero is shown as ``0``; counts of ``T`` or more are shown.
* **Secondary suppression.**  Further cells are withheld, and shown as ``[c]`` (the ONS convention
  for "confidential"), until no withheld cell can be narrowed to a single value.  A ``[c]`` cell
  always holds ``T`` or more (only non-zero shown cells, which are ``>= T``, are ever chosen), so it
  is never shown as ``<T``, which would be false.  Totals are withheld only when nothing else works.

Attacker model (what the audit assumes the reader knows)
--------------------------------------------------------
One integer variable per cell of every table of the response (totals included).

* a shown cell is fixed at its shown value (zeros included);
* a ``<T`` cell lies in ``[1, T - 1]``;
* a ``[c]`` cell lies in ``[T, +inf)``: no upper bound is assumed; a maximum that does not exist is
  reported as ``inf`` (detected with the LP relaxation, which is unbounded exactly when the integer
  problem is, since the true figures are always a feasible point);
* every table with a ``Total`` column: in each row, the ``Total`` cell equals the sum of the other
  cells; with a ``Total`` row: in each column, the ``Total`` cell equals the sum of the other cells;
* every :class:`Link` between cells of the response's tables:

  - ``equal``:  ``a == b`` (the same figure in two tables);
  - ``subset``: ``part <= whole`` (the hidden complement ``whole - part`` is a non-negative unknown);
    if the complement is itself released, ``whole == part + complement``;
  - ``union``:  ``max(parts) <= either <= sum(parts)`` (people can be in more than one part; for
    two parts the hidden intersection ``q1 + q2 - either`` is a non-negative unknown); if the
    intersection is released (two parts only), ``either == q1 + q2 - both``.

For each withheld cell the audit computes the smallest and the largest value the cell can take
over all **integer** assignments that satisfy all of the above (an integer program solved by
HiGHS, exact: ``mip_rel_gap = 0``), which is at least as strong as any attacker who uses only
these additive relations and bounds.  The cell is *pinned* when the minimum equals the maximum.  The protection is
*safe* when no withheld cell (``<T`` or ``[c]``) is pinned.

Secondary suppression algorithm (deterministic)
-----------------------------------------------
Cells are ordered stably: tables in the order given, then rows, then columns, as in each table.
Repeat: find the first withheld cell that is pinned.  Candidates are the shown, non-zero cells
that share a constraint with it (same row, same column, same link: *direct*) or with any withheld
cell it is connected to through constraints (*wider*), ordered by (is a total, is not direct,
value, stable order); a cell counts as a total if it, or a cell linked to it by ``equal``, is in a
``Total`` row or column.  The first candidate whose withholding unpins the cell is withheld as
``[c]``, together with every cell ``equal``-linked to it; if no single candidate does, the first
candidate is withheld anyway and the search repeats.  If there is no candidate at all (everything
around the cell is withheld or zero, so no further withholding can help), the cell is left pinned
and the protection is unsafe.  Each round withholds at least one cell or gives up one cell, so the
loop ends.  Withholding a cell only widens the attacker's set of possibilities, so a cell once
shown to be unpinned stays unpinned; the search uses this to avoid repeating work.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from helpers.errors import DisclosureError

__all__ = [
    "DEFAULT_THRESHOLD",
    "OUTCOME_GROUPS",
    "PENDING",
    "SECONDARY_DISPLAY",
    "TOTAL",
    "Cell",
    "DisclosureError",
    "Link",
    "Protection",
    "Table",
    "audit",
    "describe_protection",
    "group_outcomes",
    "primary_display",
    "protect",
]

DEFAULT_THRESHOLD = 5
TOTAL = "Total"
SECONDARY_DISPLAY = "[c]"
SHOWN, PRIMARY, SECONDARY = "shown", "primary", "secondary"
_STATUSES = (SHOWN, PRIMARY, SECONDARY)
_CODE = {SHOWN: 0, PRIMARY: 1, SECONDARY: 2}

Cell = tuple[str, Hashable, Hashable]
"""A cell of a released table: ``(table_name, row_label, column_label)``."""


# --------------------------------------------------------------------------------------------
# Tables and links
# --------------------------------------------------------------------------------------------


def solve(
    cost, lower, upper, matrix, row_lower, row_upper, integer: bool
) -> tuple[str, np.ndarray | None]:
    """Minimise ``cost @ x`` for ``lower <= x <= upper`` and ``row_lower <= matrix @ x <= row_upper``
    (``inf`` for no bound), over integers or not, with HiGHS: ("optimal", x), or (its status, None).

    HiGHS's own Python interface, not scipy's `milp` (the same solver): importing scipy.optimize
    took the briefing's kernel a third of a second at every start. Its core class, which unlike
    `highspy.Highs` prints no banner (it would land in the notebook); quiet, and exact for integers.
    """
    import highspy

    matrix = np.asarray(matrix, dtype=np.float64)
    rows, cols = np.nonzero(matrix)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = matrix.shape[1], matrix.shape[0]
    model.col_cost_ = np.asarray(cost, dtype=np.float64)
    model.col_lower_, model.col_upper_ = (
        np.asarray(lower, dtype=np.float64),
        np.asarray(upper, dtype=np.float64),
    )
    model.row_lower_, model.row_upper_ = (
        np.asarray(row_lower, dtype=np.float64),
        np.asarray(row_upper, dtype=np.float64),
    )
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.start_ = np.searchsorted(rows, np.arange(matrix.shape[0] + 1)).astype(np.int32)
    model.a_matrix_.index_ = cols.astype(np.int32)
    model.a_matrix_.value_ = matrix[rows, cols]
    if integer:
        model.integrality_ = [highspy.HighsVarType.kInteger] * matrix.shape[1]
    solver = highspy._Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.setOptionValue("presolve", "on")
    solver.passModel(model)
    solver.run()
    status = solver.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return solver.modelStatusToString(status), None
    return "optimal", np.array(solver.getSolution().col_value)


@dataclass
class Table:
    """One released table of counts.

    ``counts``: integer counts, index = row labels, columns = column labels.  A row labelled
    ``"Total"`` must equal the sum of the other rows, and a column labelled ``"Total"`` the sum
    of the other columns (checked).
    """

    name: str
    title: str
    counts: pd.DataFrame


@dataclass(frozen=True)
class Link:
    """An additive relation between cells of (usually different) tables of one response.

    Build links with the constructors, which say which cell is which:

    * ``Link.equal(a, b)``: the same figure, ``a == b``;
    * ``Link.subset(part, whole, complement=None)``: ``part`` counts a subset of what ``whole``
      counts, ``part <= whole``; pass ``complement`` if ``whole - part`` is itself released;
    * ``Link.union(either, parts, both=None)``: ``either`` counts the union of what the ``parts``
      count, ``max(parts) <= either <= sum(parts)``; pass ``both`` (two parts only) if the
      intersection is itself released.

    Fields: ``target`` is ``b`` / ``whole`` / ``either``; ``parts`` is ``(a,)`` / ``(part,)`` /
    the union's parts; ``complement`` is the released complement or intersection, if any.
    """

    kind: Literal["equal", "subset", "union"]
    target: Cell
    parts: tuple[Cell, ...]
    complement: Cell | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("equal", "subset", "union"):
            raise ValueError(f"unknown link kind {self.kind!r}: use 'equal', 'subset' or 'union'")
        target = _as_cell(self.target)
        parts = tuple(_as_cell(p) for p in self.parts)
        complement = None if self.complement is None else _as_cell(self.complement)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "complement", complement)
        if self.kind in ("equal", "subset") and len(parts) != 1:
            raise ValueError(f"a {self.kind!r} link relates exactly two cells")
        if self.kind == "union" and len(parts) < 2:
            raise ValueError("a 'union' link needs at least two parts")
        if self.kind == "equal" and complement is not None:
            raise ValueError("an 'equal' link has no complement")
        if self.kind == "union" and complement is not None and len(parts) != 2:
            raise ValueError("a union's intersection ('both') can only be given for two parts")
        cells = self.cells
        if len(set(cells)) != len(cells):
            raise ValueError(f"a link relates distinct cells, got {cells}")

    @classmethod
    def equal(cls, a: Cell, b: Cell) -> Link:
        return cls("equal", b, (a,))

    @classmethod
    def subset(cls, part: Cell, whole: Cell, complement: Cell | None = None) -> Link:
        return cls("subset", whole, (part,), complement)

    @classmethod
    def union(cls, either: Cell, parts: Sequence[Cell], both: Cell | None = None) -> Link:
        return cls("union", either, tuple(parts), both)

    @property
    def cells(self) -> tuple[Cell, ...]:
        extra = () if self.complement is None else (self.complement,)
        return (self.target, *self.parts, *extra)


def _as_cell(cell) -> Cell:
    if not isinstance(cell, (tuple, list)) or len(cell) != 3 or not isinstance(cell[0], str):
        raise ValueError(f"a cell is (table_name, row_label, column_label), got {cell!r}")
    return (cell[0], cell[1], cell[2])


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass
class Protection:
    """The outcome of :func:`protect`.

    * ``tables``: name -> DataFrame of display strings (``"12"``, ``"0"``, ``"<5"``, ``"[c]"``),
      ready to release;
    * ``status``: name -> DataFrame of ``"shown"`` / ``"primary"`` / ``"secondary"``;
    * ``audit``: one row per withheld cell: ``table, row, col, status, display, true_value,
      min, max, pinned``.  **``true_value`` is restricted** (it is the withheld figure): release
      only :meth:`public_audit`;
    * ``safe``: no withheld cell is pinned;
    * ``threshold``, ``titles`` (name -> title), ``link_kinds`` (kinds of link used) and
      ``secondary_log`` (why each ``[c]`` was chosen: which pinned cell it protects), for the
      method note and for review.
    """

    tables: dict[str, pd.DataFrame]
    status: dict[str, pd.DataFrame]
    audit: pd.DataFrame
    safe: bool
    threshold: int
    titles: dict[str, str] = field(default_factory=dict)
    link_kinds: tuple[str, ...] = ()
    secondary_log: list[dict] = field(default_factory=list)

    def public_audit(self) -> pd.DataFrame:
        """The audit without the restricted true values."""
        return self.audit.drop(columns=["true_value"])

    def counts_by_status(self) -> dict[str, dict[str, int]]:
        """name -> {"primary": n, "secondary": n} (how many cells show ``<T`` and ``[c]``)."""
        return {
            name: {s: int((st == s).to_numpy().sum()) for s in (PRIMARY, SECONDARY)}
            for name, st in self.status.items()
        }


def primary_display(threshold: int = DEFAULT_THRESHOLD) -> str:
    """How a primary-suppressed count is shown: ``"<5"`` for the default threshold."""
    return f"<{threshold}"


# --------------------------------------------------------------------------------------------
# The attacker's model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Constraint:
    vars: tuple[int, ...]
    coefs: tuple[float, ...]
    sense: Literal["eq", "ge"]  # sum(coef * x) == 0, or >= 0
    tag: str


def _check_threshold(threshold) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)):
        raise TypeError(f"threshold must be an integer, got {threshold!r}")
    if threshold < 3:
        # with T = 2, "<2" would say the count is exactly 1; with T = 1 nothing is protected
        raise ValueError(f"threshold must be at least 3, got {threshold}")
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


class _Model:
    """Every cell of every table as a variable, with the response's additive relations."""

    def __init__(self, tables: Sequence[Table], links: Iterable[Link], threshold: int):
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
            for r, row in zip(counts.index, counts.to_numpy()):
                for c, v in zip(counts.columns, row):
                    self.index[(table.name, r, c)] = len(self.cells)
                    self.cells.append((table.name, r, c))
                    values.append(int(v))
                    in_total.append(_is_total(r) or _is_total(c))
        self.values = np.array(values, dtype=np.int64)
        self.n = len(self.cells)

        self.constraints: list[_Constraint] = []
        for table in tables:
            self._add_table(table.name, self.counts[table.name])
        self.link_kinds = tuple(sorted({link.kind for link in links}))
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
            total = sum(k * self.values[v] for v, k in zip(con.vars, con.coefs))
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

    def _add(self, terms: list[tuple[int, float]], sense: str, tag: str) -> None:
        vs, ks = zip(*terms)
        self.constraints.append(_Constraint(tuple(vs), tuple(float(k) for k in ks), sense, tag))

    def _add_table(self, name: str, counts: pd.DataFrame) -> None:
        idx = self.index
        rows = [r for r in counts.index if not _is_total(r)]
        cols = [c for c in counts.columns if not _is_total(c)]
        if TOTAL in counts.columns:
            for r in counts.index:
                terms = [(idx[(name, r, c)], 1.0) for c in cols] + [(idx[(name, r, TOTAL)], -1.0)]
                self._add(terms, "eq", f"row {r!r} of table {name!r} adding up to its Total")
        if TOTAL in counts.index:
            for c in counts.columns:
                terms = [(idx[(name, r, c)], 1.0) for r in rows] + [(idx[(name, TOTAL, c)], -1.0)]
                self._add(terms, "eq", f"column {c!r} of table {name!r} adding up to its Total")

    def _add_link(self, link: Link) -> None:
        t = self._var(link.target)
        ps = [self._var(p) for p in link.parts]
        comp = None if link.complement is None else self._var(link.complement)
        desc = f"{link.kind} link {link.cells}"
        if link.kind == "equal":
            self._add([(ps[0], 1.0), (t, -1.0)], "eq", desc)
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

    def initial_status(self) -> np.ndarray:
        small = (self.values >= 1) & (self.values <= self.T - 1)
        return np.where(small, _CODE[PRIMARY], _CODE[SHOWN]).astype(np.int8)

    def status_from_frames(self, status: Mapping[str, pd.DataFrame]) -> np.ndarray:
        codes = np.zeros(self.n, dtype=np.int8)
        for name, counts in self.counts.items():
            if name not in status:
                raise ValueError(f"no status for table {name!r}")
            frame = status[name]
            if not (frame.index.equals(counts.index) and frame.columns.equals(counts.columns)):
                raise ValueError(
                    f"status of table {name!r} has other rows or columns than its counts"
                )
            for r, row in zip(frame.index, frame.to_numpy()):
                for c, s in zip(frame.columns, row):
                    if s not in _CODE:
                        raise ValueError(f"unknown status {s!r} in table {name!r}")
                    codes[self.index[(name, r, c)]] = _CODE[s]
        small = (self.values >= 1) & (self.values <= self.T - 1)
        if ((codes == _CODE[PRIMARY]) != small).any():
            v = int(np.flatnonzero((codes == _CODE[PRIMARY]) != small)[0])
            raise ValueError(
                f"cell {self.cells[v]}: 'primary' is exactly the counts 1..{self.T - 1}"
            )
        if ((codes == _CODE[SECONDARY]) & (self.values < self.T)).any():
            v = int(np.flatnonzero((codes == _CODE[SECONDARY]) & (self.values < self.T))[0])
            raise ValueError(f"cell {self.cells[v]}: a 'secondary' cell must hold {self.T} or more")
        return codes

    def frames(self, codes: np.ndarray) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
        display, status = {}, {}
        names = {v: k for k, v in _CODE.items()}
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

    def display(self, v: int, codes: np.ndarray) -> str:
        code = int(codes[v])
        if code == _CODE[PRIMARY]:
            return primary_display(self.T)
        if code == _CODE[SECONDARY]:
            return SECONDARY_DISPLAY
        return str(int(self.values[v]))

    # -- the attacker's problem ----------------------------------------------------------------

    def component(self, p: int, codes: np.ndarray) -> tuple[list[int], list[int]]:
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
        self, p: int, codes: np.ndarray, maximise: bool
    ) -> tuple[float, dict[int, int] | None]:
        """The attacker's min (or max) of cell ``p``, and a feasible assignment attaining it."""
        comp, cons = self.component(p, codes)
        pos = {v: i for i, v in enumerate(comp)}
        n = len(comp)
        lo = np.where(codes[comp] == _CODE[PRIMARY], 1.0, float(self.T))
        hi = np.where(codes[comp] == _CODE[PRIMARY], float(self.T - 1), np.inf)
        j = pos[p]
        A = np.zeros((len(cons), n))
        clo = np.zeros(len(cons))
        chi = np.zeros(len(cons))
        for row, ci in enumerate(cons):
            con = self.constraints[ci]
            const = 0.0
            for v, k in zip(con.vars, con.coefs):
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
            x = np.rint(x).astype(np.int64)
            return float(x[j]), {v: int(x[pos[v]]) for v in comp}
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
        if status != "optimal":
            raise RuntimeError(f"the recession-cone check failed: HiGHS says {status}")
        return float(d[j]) > 1e-7

    def is_pinned(self, p: int, codes: np.ndarray, certified: set[int]) -> bool:
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

    def audit_frame(self, codes: np.ndarray) -> pd.DataFrame:
        names = {v: k for k, v in _CODE.items()}
        rows = []
        for v in np.flatnonzero(codes != 0):
            v = int(v)
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

    # -- secondary suppression -----------------------------------------------------------------

    def _neighbours(self, cells: Iterable[int], codes: np.ndarray) -> set[int]:
        out = set()
        for v in cells:
            for ci in self.var_cons[v]:
                for u in self.constraints[ci].vars:
                    if codes[u] == 0 and self.values[u] > 0:
                        out.add(u)
        return out

    def choose(self, p: int, codes: np.ndarray) -> tuple[int, set[int], bool] | None:
        """The cell to withhold next to protect pinned cell ``p``: (cell, certificates, unpins)."""
        direct = self._neighbours(self.equal_class[p], codes)
        comp, _ = self.component(p, codes)
        wider = self._neighbours(comp, codes) - direct

        def key(v: int):
            return (bool(self.total_like[v]), v not in direct, int(self.values[v]), v)

        candidates = sorted(direct | wider, key=key)
        for cand in candidates:
            trial = codes.copy()
            trial[self.equal_class[cand]] = _CODE[SECONDARY]
            certificates: set[int] = set()
            if not self.is_pinned(p, trial, certificates):
                return cand, certificates, True
        if candidates:
            return candidates[0], set(), False
        return None


def _is_total(label) -> bool:
    return isinstance(label, str) and label == TOTAL


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def audit(
    tables: Sequence[Table],
    links: Iterable[Link],
    status: Mapping[str, pd.DataFrame],
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The attacker's minimum and maximum for every withheld cell (see the module docstring).

    ``status``: table name -> DataFrame like the table's counts holding ``"shown"``,
    ``"primary"`` (must be exactly the counts 1..T-1) or ``"secondary"`` (counts >= T).
    Returns one row per withheld cell, in stable order: ``table, row, col, status, display,
    true_value`` (restricted: the withheld figure), ``min``, ``max`` (``inf`` when no upper
    limit can be deduced), ``pinned`` (``min == max``).
    """
    model = _Model(tables, links, threshold)
    return model.audit_frame(model.status_from_frames(status))


def protect(
    tables: Sequence[Table],
    links: Iterable[Link] = (),
    threshold: int = DEFAULT_THRESHOLD,
    *,
    strict: bool = True,
) -> Protection:
    """Apply primary and secondary suppression to the tables of one response, and audit them.

    Raises :class:`DisclosureError` (carrying the unsafe :class:`Protection` as ``.protection``)
    if some withheld cell is still pinned, unless ``strict=False``.  That happens only when no
    further withholding of non-zero cells could help.
    """
    links = list(links)
    model = _Model(tables, links, threshold)
    codes = model.initial_status()
    certified: set[int] = set()  # withheld cells shown not to be pinned (stays true as we withhold)
    given_up: set[int] = set()
    log: list[dict] = []
    while True:
        pinned = None
        for v in np.flatnonzero(codes != 0):
            v = int(v)
            if v in certified or v in given_up:
                continue
            if model.is_pinned(v, codes, certified):
                pinned = v
                break
        if pinned is None:
            break
        choice = model.choose(pinned, codes)
        if choice is None:
            given_up.add(pinned)
            continue
        cell, certificates, unpins = choice
        codes[model.equal_class[cell]] = _CODE[SECONDARY]
        certified |= certificates
        log.append(
            {
                "cell": model.cells[cell],
                "also": [model.cells[u] for u in model.equal_class[cell] if u != cell],
                "protects": model.cells[pinned],
                "unpins_alone": unpins,
            }
        )
    report = model.audit_frame(codes)
    display, status = model.frames(codes)
    protection = Protection(
        tables=display,
        status=status,
        audit=report,
        safe=not bool(report["pinned"].any()),
        threshold=model.T,
        titles={t.name: t.title for t in model.tables},
        link_kinds=model.link_kinds,
        secondary_log=log,
    )
    if strict and not protection.safe:
        bad = report.loc[report["pinned"], ["table", "row", "col"]].to_records(index=False).tolist()
        raise DisclosureError(
            f"withheld figures could still be worked out exactly: {bad}; "
            "no further withholding of non-zero figures can prevent it (restructure the tables)",
            protection,
        )
    return protection


# --------------------------------------------------------------------------------------------
# Home Office outcome groups
# --------------------------------------------------------------------------------------------

from helpers.extracts.codes import PENDING  # noqa: E402 - one spelling of "no outcome yet" everywhere

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


def _outcome_key(key) -> int | str:
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


def group_outcomes(outcomes_by_year: Mapping[Hashable, Mapping[Hashable, int]]) -> pd.DataFrame:
    """Counts by Home Office outcome group (rows) and year (columns), with ``Total`` row and column.

    ``outcomes_by_year``: year -> {outcome type (1-22, as int or string, zero-padding allowed, or
    ``"pending"`` for no outcome yet) -> count}.  Rows are the groups of :data:`OUTCOME_GROUPS`
    that have a non-zero count in at least one year, in publication order, then ``Total``;
    columns are the years in the order given, then ``Total``.
    """
    years = list(outcomes_by_year)
    if any(_is_total(y) for y in years):
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


# --------------------------------------------------------------------------------------------
# Plain-words method note
# --------------------------------------------------------------------------------------------


def _count_phrase(n: int, one: str, many: str) -> str:
    words = {
        1: "one",
        2: "two",
        3: "three",
        4: "four",
        5: "five",
        6: "six",
        7: "seven",
        8: "eight",
        9: "nine",
    }
    return f"{words.get(n, str(n))} {one if n == 1 else many}"


def describe_protection(protection: Protection) -> str:
    """A plain-words markdown note on how small numbers were protected, for the method section.

    Raises :class:`DisclosureError` for an unsafe protection: its tables must not be released.
    """
    if not protection.safe:
        raise DisclosureError("this protection is not safe; its tables must not be released")
    T = protection.threshold
    lt = primary_display(T)
    counts = protection.counts_by_status()
    n_primary = sum(c[PRIMARY] for c in counts.values())
    n_secondary = sum(c[SECONDARY] for c in counts.values())
    paragraphs = [
        "**How small numbers are protected.** These figures are about sexual offences against "
        "children. A very small number, or one that could be worked out from the others, could "
        f"help someone identify a victim or a suspect, so we apply a threshold of {T}."
    ]
    if n_primary == 0:
        paragraphs.append(
            f"No figure in this response is between 1 and {T - 1}, so every figure is shown "
            "exactly. A zero is shown as 0."
        )
        return "\n\n".join(paragraphs) + "\n"
    paragraphs.append(
        f"Any figure from 1 to {T - 1} is shown as `{lt}` instead of the exact number. "
        "A zero is shown as 0, because it describes no one."
    )
    if n_secondary:
        sources = ["subtracting the other figures in a row or column from its total"]
        if "equal" in protection.link_kinds:
            sources.append("comparing figures that appear in more than one table")
        if "subset" in protection.link_kinds:
            sources.append("comparing a figure with a larger figure that includes it")
        if "union" in protection.link_kinds:
            sources.append(
                "comparing counts of people under each of two offences with the count under either"
            )
        how = sources[0] if len(sources) == 1 else ", ".join(sources[:-1]) + " or " + sources[-1]
        withheld_totals = any(
            (
                (st.to_numpy() == SECONDARY)
                & (
                    np.array([_is_total(r) for r in st.index])[:, None]
                    | np.array([_is_total(c) for c in st.columns])[None, :]
                )
            ).any()
            for st in protection.status.values()
        )
        total_note = " For the same reason some totals are withheld." if withheld_totals else ""
        paragraphs.append(
            "Hiding a small number is not enough if it can still be worked out from the figures "
            f"around it, for example by {how}. Where that was possible we also withheld one or "
            f'more larger figures, shown as `{SECONDARY_DISPLAY}` ("confidential"). '
            f"A `{SECONDARY_DISPLAY}` always stands for {T} or more, never for a small number: "
            "it is withheld only so that the small numbers near it cannot be calculated."
            + total_note
        )
    per_table = []
    for name, c in counts.items():
        if not (c[PRIMARY] or c[SECONDARY]):
            continue
        parts = []
        if c[PRIMARY]:
            parts.append(f"{_count_phrase(c[PRIMARY], 'figure', 'figures')} shown as `{lt}`")
        if c[SECONDARY]:
            parts.append(
                f"{_count_phrase(c[SECONDARY], 'figure', 'figures')} shown as `{SECONDARY_DISPLAY}`"
            )
        title = protection.titles.get(name, name)
        per_table.append(f"- *{title}*: " + " and ".join(parts) + ".")
    paragraphs.append("\n".join(per_table))
    paragraphs.append(
        "Before release, the tables were checked by a program that plays the part of someone "
        "trying to recover the hidden figures. It used every total and every relationship between "
        f"the tables, and knew that each `{lt}` is between 1 and {T - 1}"
        + (f" and each `{SECONDARY_DISPLAY}` is {T} or more" if n_secondary else "")
        + ". It could not narrow any hidden figure down to a single number."
    )
    return "\n\n".join(paragraphs) + "\n"
