"""The records of disclosure control: a released table, a link between its cells, the protection.

Also how each cell is shown: ``"shown"`` as its count, ``"primary"`` as ``<T``, ``"secondary"``
as ``[c]`` (the rules that choose them are in :mod:`helpers.disclosure.suppression`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from helpers.disclosure.labels import TOTAL

DEFAULT_THRESHOLD = 5
SECONDARY_DISPLAY = "[c]"
SHOWN, PRIMARY, SECONDARY = "shown", "primary", "secondary"
#: a cell's status as the small integer the attacker's model keeps per cell
STATUS_CODE = {SHOWN: 0, PRIMARY: 1, SECONDARY: 2}

Cell = tuple[str, Hashable, Hashable]
"""A cell of a released table: ``(table_name, row_label, column_label)``."""


#: the link kind of a cell withheld by the audit across releases (`helpers.disclosure.across`)
ACROSS_RELEASES = "across releases"
#: the link kind of a table whose Total counts its parts' union, not their sum (`Table`)
DISTINCT_TOTALS = "distinct totals"


def is_total(label: object) -> bool:
    """Whether a row or column label is the ``Total`` one."""
    return isinstance(label, str) and label == TOTAL


def primary_display(threshold: int = DEFAULT_THRESHOLD) -> str:
    """How a primary-suppressed count is shown: ``"<5"`` for the default threshold."""
    return f"<{threshold}"


@dataclass
class Table:
    """One released table of counts.

    ``counts``: integer counts, index = row labels, columns = column labels.  A row labelled
    ``"Total"`` must equal the sum of the other rows (but ``subset_rows``), and a column
    labelled ``"Total"`` the sum of the other columns (checked).

    Unless its parts can share what they count: ``rows_add_up=False`` says the Total row counts
    the union of what the rows count (distinct people, of whom one may be in two rows), so
    ``max(rows) <= Total <= sum(rows)`` in each column; ``columns_add_up=False`` the same of the
    Total column (checked, and the audit's attacker knows just that).
    """

    name: str
    title: str
    counts: pd.DataFrame
    rows_add_up: bool = True
    columns_add_up: bool = True
    #: rows below the Total that count a part of it (told to the audit by a link), not parts
    #: of its sum
    subset_rows: tuple[str, ...] = ()

    @property
    def additive(self) -> bool:
        """Every Total is the sum of its parts."""
        return self.rows_add_up and self.columns_add_up


@dataclass(frozen=True)
class Link:
    """An additive relation between cells of (usually different) tables of one response.

    Build links with the constructors, which say which cell is which:

    * ``Link.equal(a, b)``: the same figure, ``a == b``;
    * ``Link.subset(part, whole, complement=None)``: ``part`` counts a subset of what ``whole``
      counts, ``part <= whole``; pass ``complement`` if ``whole - part`` is itself released;
    * ``Link.union(either, parts, both=None)``: ``either`` counts the union of what the ``parts``
      count, ``max(parts) <= either <= sum(parts)``; pass ``both`` (two parts only) if the
      intersection is itself released;
    * ``Link.sum(total, parts)``: ``total`` is the sum of the ``parts`` (a total under a label of
      its own, which the table's ``Total`` rule does not see).

    Fields: ``target`` is ``b`` / ``whole`` / ``either`` / ``total``; ``parts`` is ``(a,)`` /
    ``(part,)`` / the union's or the sum's parts; ``complement`` is the released complement or
    intersection, if any.
    """

    kind: Literal["equal", "subset", "union", "sum"]
    target: Cell
    parts: tuple[Cell, ...]
    complement: Cell | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("equal", "subset", "union", "sum"):
            raise ValueError(
                f"unknown link kind {self.kind!r}: use 'equal', 'subset', 'union' or 'sum'"
            )
        target = _as_cell(self.target)
        parts = tuple(_as_cell(p) for p in self.parts)
        complement = None if self.complement is None else _as_cell(self.complement)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "complement", complement)
        if self.kind in ("equal", "subset") and len(parts) != 1:
            raise ValueError(f"a {self.kind!r} link relates exactly two cells")
        if self.kind in ("union", "sum") and len(parts) < 2:
            raise ValueError(f"a {self.kind!r} link needs at least two parts")
        if self.kind in ("equal", "sum") and complement is not None:
            raise ValueError(f"an {self.kind!r} link has no complement")
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

    @classmethod
    def sum(cls, total: Cell, parts: Sequence[Cell]) -> Link:
        return cls("sum", total, tuple(parts))

    @property
    def cells(self) -> tuple[Cell, ...]:
        extra = () if self.complement is None else (self.complement,)
        return (self.target, *self.parts, *extra)


def _as_cell(cell: Any) -> Cell:
    if not isinstance(cell, (tuple, list)) or len(cell) != 3 or not isinstance(cell[0], str):
        raise ValueError(f"a cell is (table_name, row_label, column_label), got {cell!r}")
    return (cell[0], cell[1], cell[2])


@dataclass
class Protection:
    """The outcome of :func:`helpers.disclosure.suppression.protect`.

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
    secondary_log: list[dict[str, Any]] = field(default_factory=list)

    def public_audit(self) -> pd.DataFrame:
        """The audit without the restricted true values."""
        return self.audit.drop(columns=["true_value"])

    def counts_by_status(self) -> dict[str, dict[str, int]]:
        """name -> {"primary": n, "secondary": n} (how many cells show ``<T`` and ``[c]``)."""
        return {
            name: {s: int((st == s).to_numpy().sum()) for s in (PRIMARY, SECONDARY)}
            for name, st in self.status.items()
        }
