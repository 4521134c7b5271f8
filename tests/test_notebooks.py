"""Every notebook: committed without outputs, with a parameters cell whose names the schema knows,
and thin (the rules live in `helpers`)."""

import ast
import json
from pathlib import Path

import pytest

from helpers.project import project_root
from helpers.request.parameters import RequestParameters

NOTEBOOKS = sorted((project_root() / "notebooks").glob("*.ipynb"))


def code_cells(path: Path) -> list[dict]:
    return [cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]


def test_there_are_notebooks():
    assert any(path.name == "request_briefing.ipynb" for path in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_carry_no_outputs(path):
    # outputs can hold personal data; a pre-commit hook strips them, this test catches a slip
    for cell in code_cells(path):
        assert cell.get("outputs") == [] and cell.get("execution_count") is None, f"{path.name}: {cell.get('id')}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_one_parameters_cell_first_among_code_cells(path):
    cells = code_cells(path)
    tagged = [cell for cell in cells if "parameters" in cell.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and cells[0] is tagged[0]


def test_the_briefing_notebook_parameters_are_exactly_the_schema():
    cell = code_cells(project_root() / "notebooks" / "request_briefing.ipynb")[0]
    names = {node.targets[0].id for node in ast.parse("".join(cell["source"])).body if isinstance(node, ast.Assign)}
    assert names == set(RequestParameters.model_fields)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_thin(path):
    # no function or class definitions and no loops: a rule written in a notebook cannot be tested
    for cell in code_cells(path):
        tree = ast.parse("".join(cell["source"]))
        kinds = {type(node).__name__ for node in ast.walk(tree)}
        assert not kinds & {"FunctionDef", "ClassDef", "For", "While"}, f"{path.name}: {''.join(cell['source'])[:80]}"


def test_the_briefing_notebook_defaults_are_request_20180075():
    # the notebook opened in JupyterLab runs the first request as it is, with nothing to fill in
    import yaml

    cell = code_cells(project_root() / "notebooks" / "request_briefing.ipynb")[0]
    namespace: dict = {}
    exec("".join(cell["source"]), namespace)  # noqa: S102 - our own committed parameters cell
    wanted = yaml.safe_load((project_root() / "parameters" / "20180075.yaml").read_text(encoding="utf-8"))
    wanted = {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in wanted.items()}
    assert {key: namespace[key] for key in wanted} == wanted


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_runs_on_the_projects_kernel_with_stable_cell_ids(path):
    notebook = json.loads(path.read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == "foi-briefing"
    ids = [cell.get("id") for cell in notebook["cells"]]
    assert all(ids) and len(set(ids)) == len(ids)
