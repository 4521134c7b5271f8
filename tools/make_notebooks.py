"""Write the project's notebooks from the cell lists below (run after editing; commit the .ipynb).

The notebooks are the source users open; this script only keeps their JSON tidy: no outputs, no
execution counts, stable cell ids, the project's kernel.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
KERNEL = {"name": "foi-briefing", "display_name": "Python (foi-briefing)", "language": "python"}


def parameters_cell(yaml_path: Path, overrides: dict | None = None) -> str:
    """The parameters cell: every key of the request's YAML, with its value as the default."""
    values = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    values.update(overrides or {})
    lines = ["# Parameters: papermill replaces these (foi-briefing run, or papermill -f PARAMS.yaml)."]
    for key, value in values.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        lines.append(f"{key} = {value!r}")
    return "\n".join(lines)


def notebook(cells: list[tuple[str, str, list[str]]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    for index, (kind, source, tags) in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
        cell.id = f"cell-{index:02d}"
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


def briefing_cells() -> list[tuple[str, str, list[str]]]:
    params = parameters_cell(ROOT / "parameters" / "20180075.yaml")
    return [
        ("markdown", """# Request briefing

This notebook answers one FOI request from the force's crime extracts. It is run by
`foi-briefing run parameters/<request>.yaml`, which exports the shared briefing (HTML and PDF,
without code) and checks it before release; it also runs on its own under papermill or in
JupyterLab. Every rule lives in the `helpers` package: the cells below only call it, in the order
data flows: parameters, extracts, counts, evidence search, disclosure control, then the briefing's
tables and text.

Cells tagged `internal` (like this one) never appear in the briefing.""", ["internal"]),
        ("code", params, ["parameters"]),
        ("code", """from helpers import briefing, narrative, report
from helpers.charts import offences_and_outcomes_chart

# 1. Parameters: checked before any data is read (an unknown key or a bad date stops here).
params = briefing.parameters_from(globals())
paths = briefing.OutputPaths.for_request(params).make()""", ["internal"]),
        ("code", """# 2. Extracts: both systems into one model of crimes, people and charges; rows that cannot be
#    used are quarantined (restricted/quarantine.csv), never dropped.
extract = briefing.load(params)
extract.data_quality""", ["internal"]),
        ("code", """# 3. The counts, 4. the evidence search, then the exact figures for the force only.
figures = briefing.count(params, extract)
findings = briefing.search(params, extract, figures)
exact = briefing.write_restricted(paths, params, extract, figures, findings)
exact["persons_charged"]""", ["internal"]),
        ("code", """# 5. Disclosure control: only these tables (and sentences built from them) leave the force.
released = briefing.protect(params, extract, figures, findings)
briefing.write_release_tables(paths, params, released, extract)""", ["internal"]),
        ("code", "report.masthead(params)", []),
        ("code", "narrative.request_and_answer(params, released)", []),
        ("code", """report.table_html(released.tables["people_charged"], released.titles["people_charged"], number=1,
                 notes=["A person charged with both offences is counted once in the third row."])""", []),
        ("code", """report.table_html(released.tables["offences_by_year"], released.titles["offences_by_year"], number=2)""", []),
        ("code", """report.table_html(released.tables["outcomes_by_year"], released.titles["outcomes_by_year"], number=3,
                 notes=["Outcomes as recorded on the date of the extract, grouped as the Home Office publishes them."])""", []),
        ("code", """report.figure_html(offences_and_outcomes_chart(released), "Offences recorded by year, by outcome group",
                  alt="Bar chart of the offences recorded each year, divided by outcome group; the figures are those of Table 3.",
                  number=1)""", []),
        ("code", "narrative.method(params)", []),
        ("code", "narrative.evidence_method(params, released, findings)", []),
        ("code", """report.table_html(released.tables["evidence_review"], released.titles["evidence_review"], number=4)""", []),
        ("code", "narrative.disclosure_note(params, released)", []),
        ("code", """narrative.data_quality(params, released)""", []),
        ("code", """report.table_html(released.tables["data_quality_files"], released.titles["data_quality_files"], number=5)""", []),
        ("code", """report.table_html(released.tables["data_quality_merging"], released.titles["data_quality_merging"], number=6)""", []),
        ("code", "narrative.colophon(params)", []),
    ]


def main() -> int:
    out = ROOT / "notebooks" / "request_briefing.ipynb"
    nbformat.write(notebook(briefing_cells()), out)
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
