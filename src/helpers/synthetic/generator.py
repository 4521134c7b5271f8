"""Synthetic crime extracts: six CSV files in the force's export formats, and the truth behind them.

`generate_extracts` draws a seeded, vectorised model of a force's crimes, the individuals linked to
them and the charges laid, then renders that model into the two systems' formats (the legacy CMS:
Windows-1252, CRLF, `dd/mm/yyyy`; Connect: UTF-8 with a byte-order mark, LF, ISO 8601), with the
quirks of the real exports (migrated crimes, hand-keyed PNC IDs, duplicate person records, copied
charges, zero-padded outcomes, free text with commas, quotes, `£` and line breaks, ...).

It returns a `SyntheticTruth` (helpers.synthetic.truth) holding the model *before* rendering.
Nothing here reads real data: demos, tests and benchmarks run on what this package writes.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

from helpers.synthetic.charges import draw_charges
from helpers.synthetic.contract import SWITCHOVER
from helpers.synthetic.crimes import Span, draw_crimes
from helpers.synthetic.frames import charges_frame, crimes_frame, individuals_frame, links_frame
from helpers.synthetic.involvements import draw_involvements
from helpers.synthetic.mentions import plant_mentions
from helpers.synthetic.one_system import write_one_system
from helpers.synthetic.people import draw_individuals, draw_records
from helpers.synthetic.render import write_files
from helpers.synthetic.three_systems import write_three_systems
from helpers.synthetic.truth import SyntheticTruth

#: how the model is written: the force's two systems, or one system in another layout
LAYOUTS = ("cms-connect", "one-system", "three-systems")


def generator_version() -> str:
    """The generator's own code, as a digest: the same arguments give the same files only under
    the same code, so a folder made by other code is made again (`run.cli.synthetic_extract`)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def generate_extracts(
    out_dir: str | Path,
    n_crimes: int = 20_000,
    seed: int = 20180075,
    taken_on: str = "2019-01-01",
    start_year: int = 2013,
    layout: str = "cms-connect",
) -> SyntheticTruth:
    """Write the six extract files into out_dir and return the model they were rendered from.

    Crimes are recorded uniformly from 1 January of start_year up to taken_on (the moment the
    extracts were taken). The same arguments always give byte-identical files: every step draws
    from one generator in a fixed order. `layout`: "cms-connect", the force's two systems' six
    files (`profiles/cms-connect.yaml`), or "one-system", the same model as a force with one system
    would export it (`profiles/examples/synthetic-one-system.yaml`, `one_system`), or
    "three-systems", the six files and a third system that took crimes over from Connect
    (`profiles/examples/synthetic-three-systems.yaml`, `three_systems`).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout: expected one of {', '.join(LAYOUTS)} (got {layout!r})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    taken = date.fromisoformat(str(taken_on))
    if not date(start_year, 1, 1) < SWITCHOVER.date() < taken:
        raise ValueError(
            "the extract must span the switch-over: start_year-01-01 < 2017-12-04 < taken_on"
        )
    if n_crimes < 200:
        raise ValueError("n_crimes must be at least 200")
    rng = np.random.default_rng(seed)
    crimes = draw_crimes(rng, n_crimes, Span.of(start_year, taken))
    involvements = draw_involvements(rng, crimes)
    charges = draw_charges(rng, crimes, involvements)
    people = draw_individuals(rng, crimes, involvements, charges, taken)
    records = draw_records(rng, crimes, involvements, people, charges)
    # words a request may search for, from a stream of their own: no other draw changes
    crimes, planted = plant_mentions(seed, crimes)
    links = links_frame(involvements, records)
    individuals = individuals_frame(involvements, people, records)
    charge_rows = charges_frame(crimes, charges, links)
    truth = SyntheticTruth(
        crimes=crimes_frame(crimes, planted),
        individuals=individuals,
        links=links,
        charges=charge_rows,
        seed=seed,
        n_crimes=n_crimes,
        taken_on=taken,
        start_year=start_year,
    )
    if layout == "one-system":  # written from the truth's tables: the model as one system holds it
        return replace(truth, files=write_one_system(truth, out))
    files = write_files(rng, out, crimes, involvements, people, records, links, charge_rows)
    truth = replace(truth, files=files)
    if layout == "three-systems":  # a second migration, into a third system
        return replace(truth, files=write_three_systems(truth, out))
    return truth
