"""The audit across releases (helpers.disclosure.across.protect_across), timed on a synthetic log.

A population of crimes and their suspects like the synthetic extract's (years, search terms matched,
charge groups), and releases like request 20180075 drawn from it with overlapping definitions:
period variants (one to four years), search-term variants, charge-group variants. Each release
has two tables: offences by whether a term matched and by year, with totals; people charged by
charge group (and "any of these") and whether a term matched, with totals: about 30 cells, 14 of
them shown as ``<5`` or ``[c]`` on average. The log's releases are protected each on its own
(:func:`build_log` says why); a new draft is audited against the first 1, 50 and 300 of them.

    python bench/bench_across.py [--json] [RELEASES ...]   # default 1 50 300
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass

import pandas as pd

from helpers.disclosure.across import LoggedCell, protect_across
from helpers.disclosure.suppression import protect
from helpers.disclosure.tables import TOTAL, Link, Table

T = 5
YEARS = list(range(2012, 2019))
TERMS = ["paedophile hunter", "vigilante", "sting", "decoy"]
GROUPS = ["s15", "attempt s15", "s10", "s14", "s8", "grooming", "images", "harassment"]
CRIMES = 4000
REPEATS = int(os.environ.get("BENCH_ACROSS_REPEATS", 1))


@dataclass(frozen=True)
class Crime:
    id: int
    year: int
    terms: frozenset[str]
    groups: frozenset[str]


def population(seed: int = 0) -> list[Crime]:
    """Crimes spread over the years; a few percent match each term; a fifth charged."""
    rng = random.Random(seed)
    out = []
    for i in range(CRIMES):
        terms = frozenset(t for t in TERMS if rng.random() < 0.02)
        charged = rng.random() < 0.2 or (terms and rng.random() < 0.5)
        groups = frozenset(rng.sample(GROUPS, rng.choice([1, 1, 2]))) if charged else frozenset()
        out.append(Crime(i, rng.choice(YEARS), terms, groups))
    return out


def variant(rng: random.Random) -> tuple[list[int], list[str], list[str]]:
    """A request's period, search terms and charge groups, overlapping the others'."""
    start = rng.choice(YEARS)
    years = [y for y in YEARS if start <= y < start + rng.randint(1, 4)]
    terms = sorted(rng.sample(TERMS, rng.randint(1, 3)))
    groups = sorted(rng.sample(GROUPS, rng.randint(2, 4)))
    return years, terms, groups


def release(
    name: str, crimes: list[Crime], years: list[int], terms: list[str], groups: list[str]
) -> list[LoggedCell]:
    """A release's cells, protected on their own, each with the units it counts."""
    inside = [c for c in crimes if c.year in years]
    hunter = {c.id for c in inside if c.terms & set(terms)}
    sides = {"hunter": lambda c: c.id in hunter, "other": lambda c: c.id not in hunter}
    members: dict[tuple[str, str, str], frozenset[str]] = {}
    for row in ("hunter", "other", TOTAL):
        for col in [*map(str, years), TOTAL]:
            members[("offences", row, col)] = frozenset(
                f"crime:{c.id}"
                for c in inside
                if (col == TOTAL or str(c.year) == col) and (row == TOTAL or sides[row](c))
            )
    for row in [*groups, "any of these"]:
        for col in ("hunter", "other", TOTAL):
            members[("charged", row, col)] = frozenset(
                f"person:{c.id}"
                for c in inside
                if (c.groups & set(groups) if row == "any of these" else row in c.groups)
                and (col == TOTAL or sides[col](c))
            )
    tables = []
    for table in ("offences", "charged"):
        keys = [k for k in members if k[0] == table]
        index = list(dict.fromkeys(k[1] for k in keys))
        columns = list(dict.fromkeys(k[2] for k in keys))
        counts = [[len(members[(table, r, c)]) for c in columns] for r in index]
        tables.append(Table(table, table, pd.DataFrame(counts, index=index, columns=columns)))
    links = [
        Link.union(("charged", "any of these", col), [("charged", g, col) for g in groups])
        for col in ("hunter", "other", TOTAL)
    ]
    shown = protect(tables, links, T, strict=False).tables
    return [
        LoggedCell(name, t, r, c, units, str(shown[t].loc[r, c]), T)
        for (t, r, c), units in members.items()
    ]


def build_log(crimes: list[Crime], size: int, seed: int = 1) -> list[list[LoggedCell]]:
    """``size`` published releases, each protected on its own (not against the others: building
    a log of 300 releases one audit after another would take longer than the whole benchmark), so
    the log holds cells that earlier releases already give away together, which the audit must
    find and report. At 300 releases its exact counts determine every atom (the audit's linear
    algebra then decides every cell without a solver), so it is easier than a log the tool built
    at that size, and harder at 50 (docs/performance.md)."""
    rng = random.Random(seed)
    return [release(f"b{i:03d} v1", crimes, *variant(rng)) for i in range(size)]


def measure(sizes: list[int]) -> dict[int, dict]:
    """The audit of one new draft against the first ``n`` published releases, for each size."""
    began = time.perf_counter()
    crimes = population()
    log = build_log(crimes, max(sizes))
    making = time.perf_counter() - began
    draft = release("new draft", crimes, *variant(random.Random(99)))
    out = {}
    for n in sizes:
        published = [c for cells in log[:n] for c in cells]
        runs, result = [], None
        for _ in range(REPEATS):
            start = time.perf_counter()
            result = protect_across(draft, published, T)
            runs.append(time.perf_counter() - start)
        assert result is not None
        out[n] = {
            "wall": statistics.median(runs),
            "runs": [round(r, 3) for r in runs],
            "cells": len(published),
            "constraining": len(result.constraining_releases),
            "extra": len(result.extra_withheld),
            "disclosed": len(result.already_disclosed),
            "making": making,
        }
    return out


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    sizes = [int(a) for a in argv if a != "--json"] or [1, 50, 300]
    measured = measure(sizes)
    if as_json:
        print(json.dumps(measured))
        return 0
    for n, row in measured.items():
        print(
            f"{n:4d} releases ({row['cells']:5d} cells, {row['constraining']} constraining): "
            f"{row['wall']:.3f} s {row['runs']}, {row['extra']} extra withheld, "
            f"{row['disclosed']} already disclosed"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
