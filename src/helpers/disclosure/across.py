"""Protection across releases: a draft's cells audited with every published cell of the log.

The disclosure log records, for every cell of every release, the set of *units* it counts
(opaque keys: keyed hashes prefixed by kind, ``"crime:…"``, ``"person:…"``) and how it was shown.
:func:`protect_across` takes a draft's cells and the published cells and withholds more of the
draft until no protected figure can be worked out from all of them together.

The attacker (docs/design-notes.md, "Across releases"):

* a cell's true value is the number of its units;
* units counted by exactly the same cells (of the draft and of the published releases that share
  units with it, directly or through other cells) form an *atom*; the attacker knows every cell's
  definition, so which atoms it adds up, and the atoms' sizes are the unknowns (non-negative
  integers). A unit counts as recorded in each release: one reclassified between two extracts is
  in the cells that counted it at the time, so it simply forms an atom of its own;
* a cell shown as a count fixes its atoms' sum; ``<T`` (``T`` its release's threshold) puts it in
  ``1..T-1`` (zero is shown as ``0``); ``[c]`` in ``T..inf``, as the per-release audit assumes (a
  secondary cell is never a small number);
* a *protected* cell (``<T`` or ``[c]``) is *pinned* when it can take only its true value over
  the integer solutions (exactly: HiGHS, via :func:`helpers.disclosure.highs.solve`).

The search: while some protected cell (of the draft, or published) is pinned, take the first in
stable order (the draft's cells as given, then the published ones by release, table, row,
column). If it is pinned by the published cells alone, it was *already disclosed*: reported, and
nothing the draft does can change it. If it stays pinned even with every shown non-zero cell of
the draft withheld, it is *unprotected* (the result is not ``safe``). Otherwise the draft
withholds, as ``[c]``, one of its shown non-zero cells, with every draft cell counting the same
units, whose figure the published cells alone do not give (withholding a figure that is public
protects nothing): candidates ordered by (is a total, most atoms shared with the pinned cell,
smallest value, draft order); the first whose withholding alone unpins the cell, or else the
first. Withholding only widens the attacker's choice, so a cell shown once to be unpinned stays
so.

Speed: only the cells connected to the draft through shared units matter (the others form
separate integer programmes the draft cannot change). Each distinct set of units is read once and
is one constraint; atoms are found by hashing each unit's membership (two random 64-bit keys per
constraint, summed: numpy, no loop over units). Linear algebra before any solver: the kernel of
the exact constraints (the changes of the atoms' sizes that keep every shown count; singular
values up to ``_KERNEL_TOL`` counted as zero, so it can only come out too large) is computed once
for the published cells and narrowed by the draft's counts; a protected cell orthogonal to it is
determined by the counts, so pinned, without a solve, and an atom orthogonal to it is fixed in
every programme asked. A protected cell is shown unpinned by any integer solution that moves it,
and every solution found certifies every cell it moves, at its bounds and at every looser bounds
the search asks about (the draft as it stands, a candidate withheld, the floor, the published
cells alone: each set of solutions holds the one before): first moves of one unit between two
atoms that every shown count counts alike (no solver), then a few linear programmes of "smallest
change, rewarded for moving the cells not yet certified" (their vertices are often integral; not
asked again in an audit once they certify nothing), then cell by cell the smallest change that
moves it, its linear relaxation first (infeasible: so is the integer programme; integral: a
solution), the integer programme only when the relaxation's vertex is fractional. The linear
programmes share one HiGHS model, each solve starting from the last one's basis. The published
releases behind a cell come from the components of the published constraints, found once.
Measured in docs/performance.md.

Interface: :class:`LoggedCell` (one cell as the log holds it), :func:`protect_across` ->
:class:`AcrossResult` (the draft's new shown values, :class:`Withheld` with reasons,
:class:`Disclosed` cells, the constraining releases).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt
import pandas as pd

from helpers.disclosure.audit import _check_threshold
from helpers.disclosure.highs import LinearProgramme, solve
from helpers.disclosure.tables import DEFAULT_THRESHOLD, SECONDARY_DISPLAY, is_total

CellKey = tuple[str, str, str, str]
"""A logged cell: ``(release, table, row, column)``."""
DraftKey = tuple[str, str, str]
"""A cell of the draft: ``(table, row, column)``."""

_PRIMARY = re.compile(r"<([0-9]+)")
_COUNT = re.compile(r"[0-9]+")
#: fixed, so that the atoms' order, hence the solver's answers, are the same on every run
_SEED = 18
#: HiGHS's own tolerance for an integer (its MIP feasibility tolerance): a value it calls integral
#: is rounded, and the rounded change is checked exactly (`_integral_change`)
_INTEGRAL = 1e-6
#: at most so many rounds of :meth:`_Problem.certify_many`
_ROUNDS = 8
#: linear programmes with other weights tried before the integer programme
_RETRIES = 3
#: a singular value of the exact counts (0/1 entries) at most this is taken as zero: the kernel
#: can then only come out too large (an atom or cell looks free, and the solver decides it)
_KERNEL_TOL = 1e-6
#: an atom, or a cell, whose component along every kernel direction is below this is fixed
_FIXED_TOL = 1e-9
#: kernels kept for the bounds last asked about (each at most atoms x atoms floats)
_KERNELS_KEPT = 4


@dataclass(frozen=True)
class LoggedCell:
    """One cell of a release as the log holds it.

    ``shown``: ``"12"``, ``"0"``, ``"<T"`` or ``"[c]"``; ``threshold``: its release's ``T``.
    """

    release: str
    table: str
    row: str
    column: str
    units: frozenset[str]
    shown: str
    threshold: int = DEFAULT_THRESHOLD

    @property
    def key(self) -> CellKey:
        return (self.release, self.table, self.row, self.column)


@dataclass(frozen=True)
class Withheld:
    """A draft cell withheld as ``[c]`` across releases, and why.

    ``also``: draft cells counting the same units, withheld with it; ``protects``: the cell that
    would have been pinned; ``by_releases``: the published releases connected to that cell through
    shared units (those that, with the draft, gave it away);
    ``unpins_alone``: whether withholding this cell alone unpinned it.
    """

    cell: DraftKey
    also: tuple[DraftKey, ...]
    protects: CellKey
    by_releases: tuple[str, ...]
    unpins_alone: bool


@dataclass(frozen=True)
class Disclosed:
    """A protected cell pinned by the published releases alone (``by_releases``: those connected to
    it through shared units)."""

    cell: CellKey
    by_releases: tuple[str, ...]


@dataclass(frozen=True)
class AcrossResult:
    """What :func:`protect_across` decided.

    * ``shown``: every draft cell (``(table, row, column)``) -> its shown value now;
    * ``extra_withheld``: the draft cells it withheld, in order, with reasons;
    * ``already_disclosed``: protected cells (published, or the draft's) that the published
      releases pin without the draft (only cells connected to the draft's are looked at); the
      draft does not make them worse, and cannot help them;
    * ``unprotected``: protected cells still pinned because of the draft that no withholding of
      its non-zero cells unpins (``safe`` is False then);
    * ``constraining_releases``: published releases with a cell sharing units with the draft's.
    """

    shown: dict[DraftKey, str]
    extra_withheld: tuple[Withheld, ...]
    already_disclosed: tuple[Disclosed, ...]
    unprotected: tuple[CellKey, ...]
    constraining_releases: tuple[str, ...]

    @property
    def safe(self) -> bool:
        """No protected cell is pinned because of the draft."""
        return not self.unprotected


def _cell_range(cell: LoggedCell, threshold: int) -> tuple[float, float]:
    """What the attacker knows of a cell from how it is shown (the module docstring)."""
    where = f"cell {cell.key}"
    shown = cell.shown
    if shown == SECONDARY_DISPLAY:
        lo, hi = float(threshold), math.inf
    elif primary := _PRIMARY.fullmatch(shown):
        if int(primary.group(1)) != threshold:
            raise ValueError(f"{where} shows {shown!r} but its release's threshold is {threshold}")
        lo, hi = 1.0, float(threshold - 1)
    elif _COUNT.fullmatch(shown):
        lo = hi = float(int(shown))
    else:
        raise ValueError(f"{where}: shown value {shown!r} is not a count, '<T' or '[c]'")
    if not lo <= len(cell.units) <= hi:
        raise ValueError(f"{where} shows {shown!r} but counts {len(cell.units)} units")
    return lo, hi


def _check_cells(draft: list[LoggedCell], published: list[LoggedCell], threshold: int) -> None:
    """The log's cells must be consistent: one draft release, distinct cells, valid thresholds."""
    releases = {c.release for c in draft}
    if len(releases) > 1:
        raise ValueError(f"a draft is one release, got cells of {sorted(releases)}")
    keys = [c.key for c in chain(draft, published)]
    if len(set(keys)) != len(keys):
        seen: set[CellKey] = set()
        twice = next(k for k in keys if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"cell {twice} is logged twice")
    for cell in draft:
        if cell.threshold != threshold:
            raise ValueError(
                f"draft cell {cell.key} has threshold {cell.threshold}, not {threshold}"
            )
        if _COUNT.fullmatch(cell.shown) and 0 < int(cell.shown) < threshold:
            raise ValueError(f"draft cell {cell.key} shows a count below {threshold}")
    for cell in published:
        _check_threshold(cell.threshold)


def _keys(n: int, rng: np.random.Generator) -> npt.NDArray[np.uint64]:
    return rng.integers(0, np.iinfo(np.uint64).max, size=(n, 2), dtype=np.uint64, endpoint=True)


def _kernel(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """An orthonormal basis (columns) of the changes ``matrix`` maps to zero, singular values up
    to ``_KERNEL_TOL`` counted as zero; QR first, so that a tall matrix costs little."""
    n = matrix.shape[1]
    if n == 0 or matrix.shape[0] == 0:
        return np.eye(n)
    if matrix.shape[0] > n:
        matrix = np.asarray(np.linalg.qr(matrix, mode="r"), dtype=np.float64)
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    return np.ascontiguousarray(vt[int((singular > _KERNEL_TOL).sum()) :].T)


def _narrowed(
    kernel: npt.NDArray[np.float64], matrix: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The part of ``kernel`` (orthonormal columns) that ``matrix`` maps to zero, as a matrix
    whose columns span it (not orthonormal): ``kernel`` less its projection on the directions
    ``matrix`` sees, which costs a thin SVD of a few rows instead of a full one of the kernel."""
    if matrix.shape[0] == 0 or kernel.shape[1] == 0:
        return kernel
    _, singular, vt = np.linalg.svd(matrix @ kernel, full_matrices=False)
    seen = vt[: int((singular > _KERNEL_TOL).sum())].T
    return kernel - (kernel @ seen) @ seen.T


def _group(hashes: npt.NDArray[np.uint64] | npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Equal rows of ``hashes`` -> the same group, numbered by first appearance."""
    _, first, inverse = np.unique(hashes, axis=0, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.reshape(-1)]


class _Problem:
    """The attacker's programme over the atoms of the cells connected to the draft.

    ``cells``: the connected cells (the draft's first); ``row``: each cell's constraint (cells
    counting the same units share one); ``matrix``: constraints x atoms, 0/1; ``truth``: each
    constraint's true value.
    """

    def __init__(self, cells: list[LoggedCell], n_draft: int) -> None:
        # cells counting the same units are one constraint: each distinct set of units once
        # (a frozenset keeps its hash, so this costs little even for 300 releases)
        number_of: dict[frozenset[str], int] = {}
        cell_set = np.fromiter(
            (number_of.setdefault(c.units, len(number_of)) for c in cells),
            dtype=np.int64,
            count=len(cells),
        )
        sets = list(number_of)
        lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
        # units numbered by their str hash (each string keeps it), much faster than numbering
        # the strings; two of a few thousand keys sharing a 64-bit hash: about 1 in 10^12
        flat = np.fromiter(
            map(hash, chain.from_iterable(sets)), dtype=np.int64, count=int(lengths.sum())
        )
        unit, _ = pd.factorize(flat)
        n_units = int(unit.max()) + 1 if len(unit) else 0
        set_of = np.repeat(np.arange(len(sets)), lengths)
        seeds = np.zeros(len(sets), dtype=bool)
        seeds[cell_set[:n_draft]] = True
        direct, inside = self._connected(set_of, unit, n_units, seeds)
        self.direct, self.inside = direct[cell_set], inside[cell_set]
        self.cells = [c for c, k in zip(cells, self.inside, strict=True) if k]
        self.n_draft = n_draft
        # the constraints: the connected sets, in the order of their first cell
        self.row = _group(cell_set[self.inside].reshape(-1, 1))
        row_of_set = np.full(len(sets), -1)
        row_of_set[cell_set[self.inside]] = self.row
        n_rows = int(self.row.max()) + 1
        keep = row_of_set[set_of] >= 0
        pair_row, unit = row_of_set[set_of[keep]], unit[keep]

        # a unit's membership, hashed: the sum of the keys of the constraints counting it
        membership = np.zeros((n_units, 2), dtype=np.uint64)
        np.add.at(membership, unit, _keys(n_rows, np.random.default_rng(_SEED))[pair_row])
        counted = np.zeros(n_units, dtype=bool)
        counted[unit] = True
        atom_of_unit = np.full(n_units, -1, dtype=np.int64)
        # numbered in the order of their keys, not of their first unit met: the units of a set
        # come in the order of their string hashes, which each process draws anew, and the
        # solver's path follows the atoms' order
        _, atom = np.unique(membership[counted], axis=0, return_inverse=True)
        atom_of_unit[counted] = atom.reshape(-1)
        self.sizes = np.bincount(atom_of_unit[counted]).astype(np.float64)
        n_atoms = len(self.sizes)
        pairs = np.unique(pair_row * n_atoms + atom_of_unit[unit])
        self.matrix = np.zeros((n_rows, n_atoms))
        self.matrix[pairs // max(n_atoms, 1), pairs % max(n_atoms, 1)] = 1.0
        self.truth = self.matrix @ self.sizes
        self.first_cell = np.full(n_rows, len(self.cells))
        np.minimum.at(self.first_cell, self.row, np.arange(len(self.cells)))
        self.total = np.zeros(n_rows, dtype=bool)
        np.logical_or.at(
            self.total, self.row, [is_total(c.row) or is_total(c.column) for c in self.cells]
        )
        # the exact constraints of every bounds asked about include the published ones: their
        # kernel is computed once (:meth:`set_base`), a draft's exact constraints narrow it
        self._base: tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]] | None = None
        self._kernels: dict[bytes, npt.NDArray[np.float64]] = {}
        self._changes: LinearProgramme | None = None

    @property
    def changes(self) -> LinearProgramme:
        """The linear programme of a change ``d = up - down`` of the atoms' sizes (its columns:
        ``up``, then ``down``), made once: each solve starts from the last one's basis."""
        if self._changes is None:
            self._changes = LinearProgramme(np.hstack([self.matrix, -self.matrix]))
        return self._changes

    def set_base(self, lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]) -> None:
        """The constraints exact in ``lo``, ``hi`` (the published cells') are exact in every
        bounds asked about later: their kernel is the start of every other."""
        exact = lo == hi
        self._base = (exact, _kernel(self.matrix[exact]))

    def free_directions(
        self, lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """The kernel of the exact constraints: the real changes of the atoms' sizes that keep
        every shown count. A change outside it breaks a count, so an integer solution is in it."""
        exact = lo == hi
        key = exact.tobytes()
        if key in self._kernels:
            return self._kernels[key]
        if self._base is not None and (exact >= self._base[0]).all():
            base_exact, base = self._base
            kernel = _narrowed(base, self.matrix[exact & ~base_exact])
        else:
            kernel = _kernel(self.matrix[exact])
        if len(self._kernels) >= _KERNELS_KEPT:
            del self._kernels[next(iter(self._kernels))]
        self._kernels[key] = kernel
        return kernel

    @staticmethod
    def fixed_atoms(kernel: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """Atoms that no change keeping the shown counts moves: each has its true size."""
        return np.abs(kernel).max(axis=1, initial=0.0) < _FIXED_TOL

    @staticmethod
    def _connected(
        set_of: npt.NDArray[np.int64],
        unit: npt.NDArray[np.int64],
        n_units: int,
        seeds: npt.NDArray[np.bool_],
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """The sets sharing units with the ``seeds`` (the draft's), and all sets connected to
        them through shared units."""
        inside = seeds.copy()
        direct = None
        while True:
            units = np.zeros(n_units, dtype=bool)
            units[unit[inside[set_of]]] = True
            grown = inside.copy()
            grown[set_of[units[unit]]] = True
            if direct is None:
                direct = grown
            if (grown == inside).all():
                return direct, inside
            inside = grown

    def bounds(
        self, lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Each constraint's range: the tightest of its cells' ranges."""
        n = len(self.matrix)
        row_lo, row_hi = np.zeros(n), np.full(n, math.inf)
        np.maximum.at(row_lo, self.row, lo)
        np.minimum.at(row_hi, self.row, hi)
        return row_lo, row_hi

    def _change(
        self,
        lo: npt.NDArray[np.float64],
        hi: npt.NDArray[np.float64],
        step: float = math.inf,
        cost: npt.NDArray[np.float64] | None = None,
        fixed: npt.NDArray[np.bool_] | None = None,
    ) -> npt.NDArray[np.float64] | None:
        """An integer change ``d`` of the atoms' sizes such that ``sizes + d`` is a solution for
        the constraints' ranges ``lo``, ``hi``, each atom changing by at most ``step`` (none of the
        ``fixed`` atoms), minimising ``cost @ d`` (none: any solution will do), or None if there
        is none (or the solver's answer rounds to none: `is_pinned` then withholds the cell)."""
        n = len(self.sizes)
        free = np.ones(n, dtype=bool) if fixed is None else ~fixed
        status, d = solve(
            np.zeros(n) if cost is None else cost,
            np.where(free, -np.minimum(self.sizes, step), 0.0),
            np.where(free, step, 0.0),
            self.matrix,
            lo - self.truth,
            hi - self.truth,
            integer=True,
        )
        if status == "Infeasible":
            return None
        if status != "optimal" or d is None:
            raise RuntimeError(f"the attacker's problem across releases failed: {status}")
        # a solution that rounds to no change found exactly (beyond the solver's tolerance) is
        # taken as none: the cell counts as pinned and is withheld, the safe side
        return self._integral_change(d, lo, hi)

    def _smallest_change(
        self,
        lo: npt.NDArray[np.float64],
        hi: npt.NDArray[np.float64],
        weights: npt.NDArray[np.float64] | None = None,
        fixed: npt.NDArray[np.bool_] | None = None,
    ) -> tuple[bool, npt.NDArray[np.float64] | None]:
        """The linear relaxation of the smallest change (sum of absolute changes): whether it is
        feasible, and its solution if that is integral (a vertex of this programme often is).
        ``weights``: of each atom's change (default 1); ``fixed``: atoms that keep their size."""
        n = len(self.sizes)
        weights = np.ones(n) if weights is None else weights
        free = np.ones(n, dtype=bool) if fixed is None else ~fixed
        # d = up - down, 0 <= up, 0 <= down <= sizes
        status, z = self.changes.solve(
            np.concatenate([weights, weights]),
            np.zeros(2 * n),
            np.concatenate([np.where(free, math.inf, 0.0), np.where(free, self.sizes, 0.0)]),
            lo - self.truth,
            hi - self.truth,
        )
        if status == "Infeasible":
            return False, None
        if status != "optimal" or z is None:
            raise RuntimeError(f"the attacker's problem across releases failed: {status}")
        return True, self._integral_change(z[:n] - z[n:], lo, hi)

    def certify(self, d: npt.NDArray[np.float64], certified: set[int]) -> None:
        """Every constraint the change ``d`` moves can take another value than its true one."""
        certified.update(np.flatnonzero(self.matrix @ d != 0).tolist())

    def certify_swaps(
        self, lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64], certified: set[int]
    ) -> None:
        """Certify without a solver: one unit moved between two atoms that every exact
        constraint counts alike keeps every shown count; where the ranges allow it, each
        constraint counting one atom and not the other moves."""
        # atoms grouped by the exact constraints counting them, hashed as the atoms were (a
        # collision could only propose a move, which is checked against every constraint below)
        rows, counted = np.nonzero(self.matrix[lo == hi])
        keys = _keys(int((lo == hi).sum()), np.random.default_rng(_SEED))
        membership = np.zeros((len(self.sizes), 2), dtype=np.uint64)
        np.add.at(membership, counted, keys[rows])
        alike = _group(membership)
        for group in np.flatnonzero(np.bincount(alike) > 1):
            atoms = np.flatnonzero(alike == group)
            for i in atoms[self.sizes[atoms] >= 1]:
                for j in atoms[atoms != i]:
                    change = self.matrix[:, j] - self.matrix[:, i]
                    after = self.truth + change
                    if ((after >= lo) & (after <= hi)).all():
                        certified.update(np.flatnonzero(change).tolist())

    def certify_many(
        self,
        targets: list[int],
        lo: npt.NDArray[np.float64],
        hi: npt.NDArray[np.float64],
        certified: set[int],
    ) -> bool:
        """Certify many constraints at once, before asking about each: the smallest changes
        (each atom by at most 1) that earn a reward for moving the uncertified constraints up or
        down (random directions), while a round certifies more. A linear programme whose vertex
        is often integral; a fractional one certifies nothing. Whether it certified any."""
        began = len(certified)
        rng = np.random.default_rng(_SEED)
        n = len(self.sizes)
        free = (~self.fixed_atoms(self.free_directions(lo, hi))).astype(np.float64)
        idle = 0
        for _ in range(_ROUNDS):
            left = [r for r in targets if r not in certified]
            if not left:
                return True
            if idle == 2:
                break
            weights = rng.choice([-1.0, 1.0], len(left)) * rng.uniform(1.0, 2.0, len(left))
            reward = weights @ self.matrix[left]
            status, z = self.changes.solve(
                np.concatenate([1.0 - reward, 1.0 + reward]),
                np.zeros(2 * n),
                np.concatenate([free, np.minimum(self.sizes, 1.0) * free]),
                lo - self.truth,
                hi - self.truth,
            )
            before = len(certified)
            if status == "optimal" and z is not None:
                d = self._integral_change(z[:n] - z[n:], lo, hi)
                if d is not None:
                    self.certify(d, certified)
            idle = idle + 1 if len(certified) == before else 0
        return len(certified) > began

    def _integral_change(
        self, d: npt.NDArray[np.float64], lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64] | None:
        """``d`` rounded, if it is integral and a change to a solution."""
        rounded = np.rint(d)
        if np.abs(d - rounded).max(initial=0.0) > _INTEGRAL or (self.sizes + rounded < 0).any():
            return None
        y = self.matrix @ rounded
        return rounded if ((y >= lo - self.truth) & (y <= hi - self.truth)).all() else None

    def is_pinned(
        self,
        r: int,
        lo: npt.NDArray[np.float64],
        hi: npt.NDArray[np.float64],
        certified: set[int],
    ) -> bool:
        """Whether constraint ``r`` can take only its true value; adds to ``certified`` every
        constraint a solution found on the way moves away from its true value."""
        true = self.truth[r]
        kernel = self.free_directions(lo, hi)
        if np.abs(self.matrix[r] @ kernel).max(initial=0.0) < _FIXED_TOL:
            return True  # the shown counts determine it, over the reals already
        fixed = self.fixed_atoms(kernel)
        rng = np.random.default_rng(_SEED)
        for up in (True, False):
            lo_r, hi_r = lo.copy(), hi.copy()
            if up:
                lo_r[r] = max(lo_r[r], true + 1)
            else:
                hi_r[r] = min(hi_r[r], true - 1)
            if lo_r[r] > hi_r[r]:
                continue
            # the relaxation first: without a solution, the integer programme has none
            feasible, d = self._smallest_change(lo_r, hi_r, fixed=fixed)
            for _ in range(_RETRIES):
                if not feasible or d is not None:
                    break
                # another vertex: the integer programme takes ten times longer than these
                weights = rng.uniform(1.0, 2.0, len(self.sizes))
                _, d = self._smallest_change(lo_r, hi_r, weights, fixed)
            if feasible and d is None:
                d = self._change(lo_r, hi_r, fixed=fixed)
            if d is not None:
                self.certify(d, certified)
                return False
        return True

    def components(self, through: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """Each atom's component among the constraints ``through`` (linked by shared atoms), -1
        for an atom none of them counts: all the constraints ``through`` counting an atom are
        connected by it, so an atom is in one component at most."""
        inside = self.matrix[through] > 0
        atom_label = np.where(inside.any(axis=0), np.arange(len(self.sizes)), -1)
        big = len(self.sizes)
        while True:
            # a constraint takes its atoms' smallest label, an atom its constraints' smallest
            row_label = np.where(inside, atom_label, big).min(axis=1, initial=big)
            grown = np.where(inside, row_label[:, None], big).min(axis=0, initial=big)
            grown = np.where(atom_label >= 0, grown, -1)
            if (grown == atom_label).all():
                return atom_label
            atom_label = grown


def _candidate_order(
    r: int, problem: _Problem, shares: npt.NDArray[np.float64]
) -> tuple[bool, float, float, int]:
    """A draft constraint's place among the cells to withhold: a total last, then the most atoms
    shared with the pinned cell, the smallest value, the draft's order."""
    return (bool(problem.total[r]), -shares[r], problem.truth[r], int(problem.first_cell[r]))


def independent_parts(
    draft: list[LoggedCell], published: list[LoggedCell]
) -> list[tuple[list[LoggedCell], list[LoggedCell]]]:
    """The draft's cells in parts that share no unit, directly or through published cells, each
    with the published cells connected to it, in draft order (cells counting no unit go with the
    first part). No constraint of the attacker's holds atoms of two parts, so each part's
    programme is the whole programme's restricted to it: the search decides the same."""
    cells = [*draft, *published]
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of: dict[str, int] = {}
    for i, cell in enumerate(cells):
        # the first cells holding this cell's units: a few, though a Total holds thousands of units
        for j in {first_of.setdefault(unit, i) for unit in cell.units}:
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    roots = [root(i) for i in range(len(cells))]
    order = list(dict.fromkeys(roots[i] for i, cell in enumerate(draft) if cell.units))
    if not order:
        return [(draft, published)]
    parts: dict[int, tuple[list[LoggedCell], list[LoggedCell]]] = {r: ([], []) for r in order}
    for i, cell in enumerate(draft):
        parts[roots[i] if cell.units else order[0]][0].append(cell)
    for i, cell in enumerate(published, start=len(draft)):
        if roots[i] in parts:
            parts[roots[i]][1].append(cell)
    return list(parts.values())


def _joined(results: list[AcrossResult], draft: list[LoggedCell]) -> AcrossResult:
    """The results of independent parts as one (the draft's cells in their order)."""
    shown = {key: value for result in results for key, value in result.shown.items()}
    return AcrossResult(
        shown={(c.table, c.row, c.column): shown[(c.table, c.row, c.column)] for c in draft},
        extra_withheld=tuple(w for result in results for w in result.extra_withheld),
        already_disclosed=tuple(d for result in results for d in result.already_disclosed),
        unprotected=tuple(u for result in results for u in result.unprotected),
        constraining_releases=tuple(
            sorted({r for result in results for r in result.constraining_releases})
        ),
    )


def protect_across(
    draft: Sequence[LoggedCell], published: Sequence[LoggedCell], threshold: int
) -> AcrossResult:
    """Withhold more of ``draft`` until, with every ``published`` cell, no protected cell is
    pinned that the published ones do not already pin (the module docstring says how).

    ``draft``: the draft's cells, in table, row, column order, as protected on their own (shown
    with ``threshold``); ``published``: every published cell of the log, in any order.
    Raises ValueError naming the cell if the log contradicts itself.
    """
    T = _check_threshold(threshold)
    draft = list(draft)
    published = sorted(published, key=lambda c: c.key)
    _check_cells(draft, published, T)
    parts = independent_parts(draft, published)
    if len(parts) == 1:
        return _protect_connected(draft, published, T)
    # programmes that share no unit: each audited on its own, far smaller
    return _joined([_protect_connected(d, p, T) for d, p in parts], draft)


def _protect_connected(
    draft: list[LoggedCell], published: list[LoggedCell], T: int
) -> AcrossResult:
    """`protect_across` of cells checked and in one part (`independent_parts`)."""
    ranges = [_cell_range(c, T) for c in draft] + [_cell_range(c, c.threshold) for c in published]
    everything = draft + published
    problem = _Problem(everything, len(draft))
    shown = {(c.table, c.row, c.column): c.shown for c in draft}
    constraining = tuple(
        sorted(
            {c.release for c, d in zip(everything, problem.direct, strict=True) if d}
            - {c.release for c in draft}
        )
    )
    cells = problem.cells
    kept = np.flatnonzero(problem.inside)
    lo = np.array([ranges[i][0] for i in kept])
    hi = np.array([ranges[i][1] for i in kept])
    is_draft = np.arange(len(cells)) < len(draft)
    protected = lo != hi
    # the floor: every shown non-zero draft cell withheld; nothing the draft withholds goes lower
    can_withhold = is_draft & ~protected & (lo > 0)
    floor_lo, floor_hi = lo.copy(), hi.copy()
    floor_lo[can_withhold], floor_hi[can_withhold] = float(T), math.inf
    without_lo, without_hi = lo.copy(), hi.copy()
    without_lo[is_draft], without_hi[is_draft] = 0.0, math.inf

    without = problem.bounds(without_lo, without_hi)
    problem.set_base(*without)
    # constraints shown to take another value by a solution found so far, for each of the
    # search's nested bounds: a solution with the draft as it stands (``certified``; its bounds
    # only widen) or with a candidate withheld is one with the floor's bounds, and every solution
    # is one with the published cells alone (the draft's free)
    certified: set[int] = set()
    certified_floor: set[int] = set()
    certified_without: set[int] = set()

    def widen(found: set[int], *looser: set[int]) -> None:
        for bigger in looser:
            bigger |= found

    disclosed: dict[int, tuple[str, ...]] = {}
    unprotected: set[int] = set()
    withheld: list[Withheld] = []

    published_row = np.zeros(len(problem.matrix), dtype=bool)
    published_row[problem.row[~is_draft]] = True

    # the published releases behind each component of the published constraints
    atom_component = problem.components(published_row)
    row_components = [
        set(atom_component[problem.matrix[r] > 0].tolist()) - {-1}
        for r in range(len(problem.matrix))
    ]
    releases_of: dict[int, set[str]] = {}
    for i in np.flatnonzero(~is_draft):
        for component in row_components[problem.row[i]]:
            releases_of.setdefault(component, set()).add(cells[i].release)

    def releases_behind(r: int) -> tuple[str, ...]:
        """The published releases connected to constraint ``r`` through shared units."""
        return tuple(sorted(set().union(*(releases_of.get(k, set()) for k in row_components[r]))))

    known: dict[int, bool] = {}
    bulk = True

    def public(r: int) -> bool:
        """Whether the published cells alone fix the units of constraint ``r``: withholding a
        draft cell the reader can read elsewhere protects nothing."""
        if r not in known:
            known[r] = r not in certified_without and problem.is_pinned(
                r, *without, certified_without
            )
        return known[r]

    while True:
        row_lo, row_hi = problem.bounds(lo, hi)
        # constraints holding a protected cell, in the order of their first cell
        rows = np.unique(problem.row[protected])
        targets = [
            int(r)
            for r in rows[np.argsort(problem.first_cell[rows])]
            if r not in disclosed and r not in unprotected
        ]
        problem.certify_swaps(row_lo, row_hi, certified)
        if bulk:  # until a round certifies nothing (their vertices are then fractional)
            bulk = problem.certify_many(targets, row_lo, row_hi, certified)
        widen(certified, certified_floor, certified_without)
        pinned = None
        for r in targets:
            if r in certified or not problem.is_pinned(r, row_lo, row_hi, certified):
                continue
            # pinned: given away by the published releases alone? (the answer holds for the
            # whole search; a cell moved by a solution with the draft is not)
            widen(certified, certified_without)
            if r not in certified_without and problem.is_pinned(r, *without, certified_without):
                disclosed[r] = releases_behind(r)
            else:
                pinned = r
                break
        widen(certified, certified_floor, certified_without)
        if pinned is None:
            break
        if pinned not in certified_floor and problem.is_pinned(
            pinned, *problem.bounds(floor_lo, floor_hi), certified_floor
        ):
            unprotected.add(pinned)
            continue
        widen(certified_floor, certified_without)
        shares = problem.matrix @ problem.matrix[pinned]
        candidates = sorted(
            {
                int(r)
                for r in problem.row[np.flatnonzero(can_withhold & (lo == hi))]
                if not public(int(r))
            },
            key=lambda r: _candidate_order(r, problem, shares),
        )
        if not candidates:  # only figures already public are left to withhold
            unprotected.add(pinned)
            continue
        chosen, certificates, alone = candidates[0], set(), False
        for r in candidates:
            trial_lo, trial_hi = lo.copy(), hi.copy()
            group = can_withhold & (problem.row == r)
            trial_lo[group], trial_hi[group] = float(T), math.inf
            found: set[int] = set()
            pinned_still = problem.is_pinned(pinned, *problem.bounds(trial_lo, trial_hi), found)
            widen(found, certified_floor, certified_without)
            if not pinned_still:
                chosen, certificates, alone = r, found, True
                break
        group_cells = np.flatnonzero(can_withhold & (problem.row == chosen) & (lo == hi))
        lo[group_cells], hi[group_cells] = float(T), math.inf
        protected[group_cells] = True
        certified |= certificates
        keys = [(cells[i].table, cells[i].row, cells[i].column) for i in group_cells]
        for key in keys:
            shown[key] = SECONDARY_DISPLAY
        protects = next(cells[i].key for i in np.flatnonzero(protected & (problem.row == pinned)))
        withheld.append(
            Withheld(keys[0], tuple(keys[1:]), protects, releases_behind(pinned), alone)
        )

    def cells_of(rows: set[int] | dict[int, tuple[str, ...]]) -> list[int]:
        return [int(i) for i in np.flatnonzero(protected) if int(problem.row[i]) in rows]

    return AcrossResult(
        shown=shown,
        extra_withheld=tuple(withheld),
        already_disclosed=tuple(
            Disclosed(cells[i].key, disclosed[int(problem.row[i])]) for i in cells_of(disclosed)
        ),
        unprotected=tuple(cells[i].key for i in cells_of(unprotected)),
        constraining_releases=constraining,
    )
