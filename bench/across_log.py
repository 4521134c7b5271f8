"""A disclosure log built the way the tool builds one, for the audit across releases' benchmark.

Requests like 20180075 (`parameters/20180075.yaml`) with overlapping definitions, drawn at random:
period variants (one to four years of 2013-2018), charge years, charge-group variants (subsets of
section 15, its attempt, aiding, conspiracy and encouraging codes, a code left out now and then),
search-term variants (subsets of the request's terms) and offence-class variants. Each is run
through the request's own steps on the project's synthetic extract (`helpers.request.steps`:
its tables counted with the evidence search, disclosure control on its own, each cell's units),
then audited with every release published before it
(`steps.audit_across_releases`, so `protect_across`) and "published" with the cells that audit
withheld; a draft refused (disclosure control on its own, or an unprotected figure across
releases) is not published, as the tool would refuse it, and another is drawn. Units are kept
unhashed (the log hashes them with its key: the same sets, renamed).

The extract has 200,000 crimes (``BENCH_ACROSS_CRIMES``): 627 offences of request 20180075's
classes and period, where the benchmark's 1,000,000-crime extract has 3,102; that one
makes a harder log but takes over an hour to build (docs/performance.md). Building 300 releases
runs 300 audits one after another, so the log is made once and kept in
`data/across-log-<key>.json.gz` (git-ignored), the key a hash of this file, the parameters file
and the extract's size: a changed generator makes a new log.

    python bench/across_log.py [RELEASES]   # build (or find) the log, print its size
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from helpers.disclosure.across import LoggedCell
from helpers.errors import DisclosureError

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "parameters" / "20180075.yaml"
CRIMES = int(os.environ.get("BENCH_ACROSS_CRIMES", 200_000))
RELEASES = 300
THRESHOLD = 5
YEARS = list(range(2013, 2019))
#: the request's groups and the variants of its codes a requester might ask about
CODES = ["SX03225", "SX03226", "SX03210", "SX03211", "SX03048", "SX03049"]
GROUPS = {
    "section_15": ("Meeting a child following sexual grooming", ""),
    "attempt_section_15": ("Attempting to meet a child following sexual grooming", "A"),
    "aiding_section_15": ("Aiding or abetting meeting a child following sexual grooming", "B"),
    "conspiracy_section_15": ("Conspiring to meet a child following sexual grooming", "C"),
    "encouraging_section_15": ("Encouraging meeting a child following sexual grooming", "E"),
}
CLASSES = [["088/01", "088/02"], ["088/01", "088/02"], ["088/01"], ["088/02"]]

Release = list[LoggedCell]


def base_parameters(extracts: Path) -> dict[str, Any]:
    """Request 20180075's parameters, on the synthetic extract."""
    values = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    values["extracts_dir"] = str(extracts)
    return dict(values)


def variant(rng: random.Random, base: dict[str, Any], reference: str) -> dict[str, Any]:
    """A request overlapping 20180075: another period, charge year, groups, terms or classes."""
    values = copy.deepcopy(base)
    start = rng.choice(YEARS)
    end = min(YEARS[-1], start + rng.randint(0, 3))
    groups = {}
    for name in sorted(rng.sample(sorted(GROUPS), rng.randint(1, 4)), key=list(GROUPS).index):
        label, suffix = GROUPS[name]
        codes = [code + suffix for code in CODES]
        if rng.random() < 0.2:  # a code left out: "differ by one code"
            codes.remove(rng.choice(codes))
        groups[name] = {"label": label, "codes": codes}
    terms = base["search_terms"]
    values.update(
        reference=reference,
        period_from=f"{start}-01-01",
        period_to=f"{end}-12-31",
        charge_year=rng.randint(2014, 2018),
        charge_groups=groups,
        search_terms=rng.sample(terms, rng.randint(1, len(terms))),
        offence_classes=rng.choice(CLASSES),
    )
    return values


def drafted(values: dict[str, Any], extract: Any) -> tuple[Any, Release]:
    """A request's draft as the tool makes it before the audit across releases: its protection
    (on its own) and its cells with their units, named ``<reference>/draft``."""
    from helpers.request import steps
    from helpers.request.parameters import validate_parameters

    params = validate_parameters(values)
    answers = steps.answer(params, extract)
    released = steps.protect(params, extract, answers)
    units = {answer.name: answer.units for answer in answers}
    return released.protection, steps.draft_cells(params, released.protection, units, None)


def build(
    releases: int = RELEASES,
    seed: int = 18,
    progress: bool = False,
    resume: tuple[list[Release], Any] | None = None,
    checkpoint: Callable[[list[Release], Any], None] | None = None,
    extracts: Path | None = None,
) -> list[Release]:
    """``releases`` drafts, each audited with the ones published before it and published (those
    the audit refuses, or that disclosure control refuses on their own, are redrawn).
    ``resume``: a log built so far and the random generator's state then, as given to
    ``checkpoint`` after each release; ``extracts``: a synthetic extract's folder (default: the
    project's of ``CRIMES`` crimes, made once in data/)."""
    from helpers.extracts.load import load_extracts
    from helpers.request import steps

    extracts = extracts or synthetic(CRIMES)
    extract = load_extracts(extracts, personal_data=True)
    base = base_parameters(extracts)
    rng = random.Random(seed)
    log: list[Release] = []
    if resume is not None:
        log = list(resume[0])
        rng.setstate(resume[1])
    published = [c for cells in log for c in cells]
    refused = 0
    while len(log) < releases:
        reference = f"B{len(log):03d}"
        try:
            protection, draft = drafted(variant(rng, base, reference), extract)
            began = time.process_time()
            _, result = steps.audit_across_releases(protection, draft, published, THRESHOLD)
        except DisclosureError:
            refused += 1
            continue
        cells = [
            LoggedCell(
                f"{reference}/v1",
                c.table,
                c.row,
                c.column,
                c.units,
                result.shown[(c.table, c.row, c.column)],
                c.threshold,
            )
            for c in draft
        ]
        log.append(cells)
        published += cells
        if progress:
            print(
                f"{reference}: {len(published)} cells, audit {time.process_time() - began:.2f} s "
                f"CPU, {len(result.extra_withheld)} extra withheld, {refused} refused so far",
                file=sys.stderr,
                flush=True,
            )
        if checkpoint is not None:
            checkpoint(log, rng.getstate())
    return log


def key() -> str:
    """What the log is made from: this file, the parameters file, the extract's size."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(PARAMS.read_bytes())
    digest.update(f"{CRIMES} {RELEASES}".encode())
    return digest.hexdigest()[:16]


def path() -> Path:
    return ROOT / "data" / f"across-log-{key()}.json.gz"


def to_json(log: list[Release]) -> list[list[list[Any]]]:
    return [
        [
            [c.release, c.table, c.row, c.column, sorted(c.units), c.shown, c.threshold]
            for c in cells
        ]
        for cells in log
    ]


def from_json(data: list[list[list[Any]]]) -> list[Release]:
    return [
        [LoggedCell(r, t, row, col, frozenset(u), s, th) for r, t, row, col, u, s, th in cells]
        for cells in data
    ]


def load(progress: bool = False) -> list[Release]:
    """The log of ``RELEASES`` releases: read from data/, or built and kept there (a build
    stopped half-way goes on from its last ten releases, kept beside it)."""
    where = path()
    if where.exists():
        with gzip.open(where, "rt", encoding="utf-8") as file:
            return from_json(json.load(file))
    where.parent.mkdir(parents=True, exist_ok=True)
    partial = where.with_name(where.name + ".partial")
    resume = None
    if partial.exists():
        with gzip.open(partial, "rt", encoding="utf-8") as file:
            saved = json.load(file)
        version, state, gauss = saved["state"]
        resume = (from_json(saved["log"]), (version, tuple(state), gauss))

    def checkpoint(log: list[Release], state: Any) -> None:
        if len(log) % 10 == 0:
            write(partial, {"log": to_json(log), "state": state})

    log = build(progress=progress, resume=resume, checkpoint=checkpoint)
    write(where, to_json(log))
    partial.unlink(missing_ok=True)
    return log


def write(where: Path, data: Any) -> None:
    """``data`` as gzipped JSON, replacing ``where`` at once."""
    part = where.with_name(where.name + ".part")
    with gzip.open(part, "wt", encoding="utf-8") as file:
        json.dump(data, file)
    part.replace(where)


def synthetic(crimes: int) -> Path:
    from helpers.run.cli import synthetic_extract

    return synthetic_extract(crimes)


def draft_20180075(extracts: Path | None = None) -> tuple[Any, Release]:
    """Request 20180075 itself, drafted on the synthetic extract: the bench's new draft."""
    from helpers.extracts.load import load_extracts

    extracts = extracts or synthetic(CRIMES)
    return drafted(base_parameters(extracts), load_extracts(extracts, personal_data=True))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        began = time.monotonic()
        built = build(int(sys.argv[1]), progress=True)
        print(f"{len(built)} releases in {time.monotonic() - began:.0f} s")
    else:
        log = load(progress=True)
        print(f"{path()}: {len(log)} releases, {sum(map(len, log))} cells")
