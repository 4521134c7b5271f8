"""Primary and secondary suppression of the tables of one FOI response: :func:`protect`.

* **Primary.**  With threshold ``T`` (default 5), every count from 1 to ``T - 1`` is withheld and
  shown as ``<T``.  Zero is shown as ``0``; counts of ``T`` or more are shown.
* **Secondary.**  Further cells are withheld, shown as ``[c]`` (the ONS convention for
  "confidential"), until the audit (:mod:`helpers.disclosure.audit`) pins no withheld cell.  Only
  shown non-zero cells (so ``>= T``) are chosen: a ``[c]`` never stands for a small number.
  Totals are withheld only when nothing else works.

The search is deterministic: take the first pinned withheld cell in stable order (tables as
given, then rows, then columns) and withhold the cell :func:`_choose` picks for it; a pinned cell
with no candidate left is given up, and the protection is unsafe.  Each round withholds a cell or
gives one up, so the loop ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from helpers.disclosure.audit import AttackerModel, StatusCodes
from helpers.disclosure.tables import (
    DEFAULT_THRESHOLD,
    SECONDARY,
    STATUS_CODE,
    Link,
    Protection,
    Table,
)
from helpers.errors import DisclosureError


def _neighbours(model: AttackerModel, cells: Iterable[int], codes: StatusCodes) -> set[int]:
    """The shown non-zero cells that share a constraint with any of ``cells``."""
    out = set()
    for v in cells:
        for ci in model.var_cons[v]:
            for u in model.constraints[ci].vars:
                if codes[u] == 0 and model.values[u] > 0:
                    out.add(u)
    return out


#: how many candidates `_choose` tries, and tries a second cell beside, when no one cell alone
#: unpins: enough for a rectangle's corners, few enough that a large table's search stays short
LOOKAHEAD = 12


def _candidates(model: AttackerModel, p: int, codes: StatusCodes) -> list[int]:
    """The cells that may be withheld to protect pinned cell ``p``, in the order tried.

    They are the shown, non-zero cells that share a constraint with ``p`` or a cell
    ``equal``-linked to it (*direct*), or with any withheld cell connected to ``p`` through
    constraints (*wider*), ordered by (is a total, is not direct, value, stable order); a cell
    counts as a total if it, or a cell ``equal``-linked to it, is in a ``Total`` row or column.
    """
    direct = _neighbours(model, model.equal_class[p], codes)
    comp, _ = model.component(p, codes)
    wider = _neighbours(model, comp, codes) - direct

    def key(v: int) -> tuple[bool, bool, int, int]:
        return (bool(model.total_like[v]), v not in direct, int(model.values[v]), v)

    return sorted(direct | wider, key=key)


def _withheld(model: AttackerModel, codes: StatusCodes, cell: int) -> StatusCodes:
    trial = codes.copy()
    trial[model.equal_class[cell]] = STATUS_CODE[SECONDARY]
    return trial


def _choose(model: AttackerModel, p: int, codes: StatusCodes) -> tuple[int, set[int], bool] | None:
    """The cell to withhold next to protect pinned cell ``p``: (cell, certificates, unpins).

    The first candidate (`_candidates`) whose withholding (with every cell ``equal``-linked to
    it) unpins ``p`` is chosen; if none does alone, the first of the first `LOOKAHEAD` that
    unpins ``p`` with one more of them (a cell in ``p``'s row whose column has a cell to pair
    with: withholding the smallest cells first took a small cell's whole column, found by a new
    user: 13 withheld where 3 did); else the first candidate; if there is none, None (nothing
    left to withhold can help: ``p`` stays pinned and the protection is unsafe).
    """
    candidates = _candidates(model, p, codes)
    for cand in candidates:
        certificates: set[int] = set()
        if not model.is_pinned(p, _withheld(model, codes, cand), certificates):
            return cand, certificates, True
    for cand in candidates[:LOOKAHEAD]:
        trial = _withheld(model, codes, cand)
        for second in _candidates(model, p, trial)[:LOOKAHEAD]:
            if not model.is_pinned(p, _withheld(model, trial, second), set()):
                return cand, set(), False
    if candidates:
        return candidates[0], set(), False
    return None


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
    model = AttackerModel(tables, links, threshold)
    codes = model.initial_status()
    # withheld cells shown not to be pinned: withholding more only widens the attacker's choice,
    # so they stay unpinned and are not checked again
    certified: set[int] = set()
    given_up: set[int] = set()
    log: list[dict[str, Any]] = []
    while True:
        pinned = None
        # the first pinned withheld cell, in stable order (tables, then rows, then columns)
        for index in np.flatnonzero(codes != 0):
            v = int(index)
            if v in certified or v in given_up:
                continue
            if model.is_pinned(v, codes, certified):
                pinned = v
                break
        if pinned is None:
            break
        choice = _choose(model, pinned, codes)
        if choice is None:
            given_up.add(pinned)
            continue
        cell, certificates, unpins = choice
        codes[model.equal_class[cell]] = STATUS_CODE[SECONDARY]
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
            "withheld figures could still be worked out exactly, whatever else is withheld: "
            f"{pinned_words(bad)}; restructure the tables (fewer small figures: for example one "
            "total in place of a split by month, or a coarser breakdown)",
            protection,
        )
    return protection


#: the cells an exit-5 message names before "and N more cells"
PINNED_NAMED = 20


def pinned_words(cells: list[tuple[str, object, object]]) -> str:
    """Cells (table, row, column) for a person, in one line: `table t, row n: a, b and Total`,
    or by column (`table t, column Offences: Apr 2017 and Total`), or each `row (column)`; a
    label with a comma, colon or semicolon in quotes, a blank one `(blank)`; the first
    `PINNED_NAMED`, then how many more."""

    def label(value: object) -> str:
        text = " ".join(str(value).split())  # one line, whatever the label holds
        if not text:
            return "(blank)"
        return f"\u201c{text}\u201d" if any(mark in text for mark in ",;:") else text

    def listed(items: list[str]) -> str:
        return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)

    unique = list(dict.fromkeys(cells))
    named, more = unique[:PINNED_NAMED], len(unique) - PINNED_NAMED
    parts = []
    for table in dict.fromkeys(cell[0] for cell in named):
        theirs = [(label(row), label(column)) for name, row, column in named if name == table]
        rows, columns = {row for row, _ in theirs}, {column for _, column in theirs}
        if len(rows) == 1:
            said = f"row {theirs[0][0]}: {listed([column for _, column in theirs])}"
        elif len(columns) == 1:
            said = f"column {theirs[0][1]}: {listed([row for row, _ in theirs])}"
        else:
            said = listed([f"{row} ({column})" for row, column in theirs])
        parts.append(f"table {label(table)}, {said}")
    return "; ".join(parts) + (f"; and {more:,} more cells" if more > 0 else "")
