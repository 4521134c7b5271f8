"""Every example request in `parameters/examples/` against the synthetic generator's own truth.

`truth_for_tables` counts each table from the generator's model (never the files, never the
project's counting); the project reads the files the model was written into and counts them with
the request grammar. Every exact figure in results.json, and every released cell that is not
withheld, must equal the truth.
"""

from __future__ import annotations

import json

import pytest
import yaml

from helpers.briefing.report import as_number
from helpers.project import project_root
from helpers.request import steps
from helpers.request.parameters import read_parameters
from helpers.synthetic.generator import generate_extracts
from helpers.synthetic.truth_tables import truth_for_tables

EXAMPLES = sorted((project_root() / "parameters" / "examples").glob("*.yaml"))


def test_there_are_at_least_six_examples():
    assert len(EXAMPLES) >= 6


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("examples-synthetic")
    return folder, generate_extracts(folder, n_crimes=20_000, seed=20180075)


def run_steps(path, folder, out):
    """The briefing notebook's steps for a request of any shape, without the notebook."""
    params = read_parameters(path, {"extracts_dir": str(folder), "output_dir": str(out)})
    paths = steps.OutputPaths.for_request(params).make()
    extract = steps.load(params)
    figures = steps.count(params, extract) if params.has_legacy else None
    findings = steps.search(params, extract, figures) if figures is not None else None
    answers = steps.answer(params, extract)
    steps.write_restricted(paths, params, extract, figures, findings, answers)
    released = steps.protect(params, extract, figures, findings, answers)
    released = steps.protect_across_releases(params, extract, figures, findings, released, answers)
    steps.write_release_tables(paths, params, released, extract)
    return paths, released


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_figure_of_an_example_equals_the_generators_truth(synthetic, tmp_path, path):
    folder, truth = synthetic
    expected = truth_for_tables(truth, yaml.safe_load(path.read_text(encoding="utf-8")))
    paths, released = run_steps(path, folder, tmp_path)

    results = json.loads((paths.restricted / "results.json").read_text(encoding="utf-8"))
    got = {name: table["counts"] for name, table in results["tables"].items()}
    assert got == expected
    for name, counts in expected.items():
        display = released.tables[name]
        for row, columns in counts.items():
            for column, value in columns.items():
                shown = as_number(display.loc[row, column])
                assert shown is None or shown == value, (name, row, column)
        # a released table is exactly the truth's rows and columns, in order
        assert [str(r) for r in display.index] == list(counts)
    assert any(as_number(v) is not None and v != "0" for t in expected for v in released.tables[t].to_numpy().ravel())
