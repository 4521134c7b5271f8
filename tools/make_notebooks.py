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
    lines = [
        "# Parameters: papermill replaces these (foi-briefing run, or papermill -f PARAMS.yaml)."
    ]
    for key, value in values.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        lines.append(f"{key} = {value!r}")
    return "\n".join(lines)


def notebook(cells: list[tuple[str, str, list[str]]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    for index, (kind, source, tags) in enumerate(cells):
        cell = (
            nbformat.v4.new_code_cell(source)
            if kind == "code"
            else nbformat.v4.new_markdown_cell(source)
        )
        cell.id = f"cell-{index:02d}"
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


def briefing_cells() -> list[tuple[str, str, list[str]]]:
    params = parameters_cell(ROOT / "parameters" / "20180075.yaml")
    return [
        (
            "markdown",
            """# Request briefing

This notebook answers one FOI request from the force's crime extracts. It is run by
`foi-briefing run parameters/<request>.yaml`, which exports the shared briefing (HTML and PDF,
without code) and checks it before release; it also runs on its own under papermill or in
JupyterLab. Every rule lives in the `helpers` package: the cells below only call it, in the order
data flows: parameters, extracts, counts, evidence search, disclosure control, then the briefing's
tables and text.

Cells tagged `internal` (like this one) never appear in the briefing.""",
            ["internal"],
        ),
        ("code", params, ["parameters"]),
        (
            "code",
            """from helpers.analysis import review
from helpers.briefing import narrative, report
from helpers.request import steps as briefing
from helpers.briefing.charts import chart_description, offences_and_outcomes_chart

# 1. Parameters: checked before any data is read (an unknown key or a bad date stops here).
params = briefing.parameters_from(globals())
paths = briefing.OutputPaths.for_request(params).make()""",
            ["internal"],
        ),
        (
            "code",
            """# 2. Extracts: both systems into one model of crimes, people and charges; rows that cannot be
#    used are quarantined (restricted/quarantine.csv), never dropped.
extract = briefing.load(params)
extract.data_quality""",
            ["internal"],
        ),
        (
            "code",
            """# 3. The counts, 4. the evidence search, then the exact figures for the force only; the reviewer's
#    decisions file, if any, is kept beside them (a run replaces the whole output folder).
figures = briefing.count(params, extract)
findings = briefing.search(params, extract, figures)
exact = briefing.write_restricted(paths, params, extract, figures, findings)
review.keep_decisions(params, paths.restricted)
exact["persons_charged"]""",
            ["internal"],
        ),
        (
            "code",
            """# 5. Disclosure control: only these tables (and sentences built from them) leave the force.
released = briefing.protect(params, extract, figures, findings)
briefing.write_release_tables(paths, params, released, extract)""",
            ["internal"],
        ),
        # one cell per part of the briefing, its fragments displayed as one: every cell costs the
        # kernel and the runner about 17 ms of processor time (its messages), whatever it does
        (
            "code",
            """# The request and the answer
report.parts(
    report.masthead(params),
    narrative.key_facts(params, released),
    narrative.request_and_answer(params, released),
    report.table_html(released.tables["people_charged"], released.titles["people_charged"], number=1,
                      notes=narrative.people_table_notes(params)),
)""",
            [],
        ),
        (
            "code",
            """# The offences recorded and their outcomes
report.parts(
    narrative.offences_intro(params),
    report.table_html(released.tables["offences_by_year"], released.titles["offences_by_year"], number=2),
    report.table_html(released.tables["outcomes_by_year"], released.titles["outcomes_by_year"], number=3,
                      notes=["Outcomes as recorded on the date of the extract, grouped as the Home Office publishes them."]),
    report.figure_html(offences_and_outcomes_chart(released), narrative.chart_caption(params),
                       alt=chart_description(released), number=1,
                       notes=["The same figures as Table 3. Outcome groups withheld to protect small numbers are drawn together, hatched."]),
)""",
            [],
        ),
        (
            "code",
            """# How we counted, and how we searched for the groups' evidence
report.parts(
    narrative.method(params),
    narrative.evidence_method(params, released, findings),
    report.table_html(released.tables["evidence_review"], released.titles["evidence_review"], number=4),
)""",
            [],
        ),
        (
            "code",
            """# The data's quality
report.parts(
    narrative.data_quality(params, released),
    report.table_html(released.tables["data_quality_files"], released.titles["data_quality_files"], number=5),
    report.table_html(released.tables["data_quality_merging"], released.titles["data_quality_merging"], number=6),
)""",
            [],
        ),
        (
            "code",
            """# Disclosure control, and how the briefing was made
report.parts(narrative.disclosure_note(params, released), narrative.colophon(params))""",
            [],
        ),
    ]


def explore_cells() -> list[tuple[str, str, list[str]]]:
    return [
        (
            "markdown",
            """# Exploring the extracts

For the force's analysts: load an extract through `helpers` and look around before (or after)
answering a request. Every figure here is **exact and restricted**: nothing in this notebook is
for release. Clear the outputs before you commit it (the pre-commit hook and a test check).

`make lab` makes the synthetic extract `data/synthetic-40000` and opens JupyterLab on the
project's kernel; change `extracts_dir` below to look at a real export. It also runs under
papermill: `papermill notebooks/explore_extracts.ipynb OUT.ipynb -p extracts_dir DIR`.""",
            [],
        ),
        (
            "code",
            """# Parameters: papermill replaces these. Relative paths are relative to the project's root.
extracts_dir = "data/synthetic-40000"
offence_classes = ["088/01", "088/02"]  # the classes whose outcomes are looked at closely
top_classes = 10  # how many Home Office classes to show by name""",
            ["parameters"],
        ),
        (
            "code",
            """from IPython.display import display

from helpers.analysis import exploration
from helpers.extracts.reading import load_extracts

extract = load_extracts(exploration.project_path(extracts_dir))
print(f"{len(extract.crimes):,} crimes recorded from {extract.first_recorded:%d %B %Y} to {extract.last_recorded:%d %B %Y}")
exploration.records_by_file(extract.data_quality)""",
            [],
        ),
        (
            "markdown",
            """## Crimes per month, by system

The old system (CMS) recorded crimes until the switch-over on 4 December 2017; Connect records
every crime since. By the system that *recorded* each crime, one line hands over to the other at
the switch-over; by the system that *holds* it now, the crimes migrated to Connect show under
Connect before the switch-over, under their original recorded dates.""",
            [],
        ),
        (
            "code",
            """per_month = exploration.crimes_per_month(extract.crimes)
exploration.monthly_chart(per_month, exploration.switch_over())""",
            [],
        ),
        (
            "code",
            """exploration.monthly_chart(exploration.crimes_per_month(extract.crimes, by="held on"), exploration.switch_over())""",
            [],
        ),
        ("code", """per_month.tail(15)""", []),
        (
            "markdown",
            """## Classifications over time

The commonest Home Office classes by year recorded (current classification; cancelled crimes
left out).""",
            [],
        ),
        (
            "code",
            """classes = exploration.classes_by_year(extract.crimes, top=top_classes)
display(classes)
exploration.stacked_chart(classes, "crimes recorded")""",
            [],
        ),
        (
            "markdown",
            """## Outcomes over time

Every crime's outcome as recorded now, in the Home Office's published groups. Recent years have
more crimes with no outcome yet: they are still being investigated.""",
            [],
        ),
        (
            "code",
            """outcomes = exploration.outcomes_by_year(extract.crimes)
display(exploration.shares(outcomes))
exploration.stacked_chart(outcomes, "per cent of crimes recorded", percent=True)""",
            [],
        ),
        (
            "code",
            """# the same for the classes of interest
grooming = exploration.outcomes_by_year(extract.crimes, classes=offence_classes)
display(grooming)
exploration.stacked_chart(grooming, "crimes recorded")""",
            [],
        ),
        (
            "markdown",
            """## Data quality

Rows set aside (quarantined) by file, column and reason; the crimes of the old system that were
migrated to Connect; person records linked into individuals (duplicates within Connect have only
the PNC ID to tie them together).""",
            [],
        ),
        ("code", """exploration.quarantine_summary(extract.quarantine)""", []),
        ("code", """exploration.legacy_crimes_by_year(extract.crimes)""", []),
        (
            "code",
            """people = extract.people
display(exploration.duplicate_people(people))
exploration.records_per_individual(people, "Connect")""",
            [],
        ),
    ]


def review_cells() -> list[tuple[str, str, list[str]]]:
    return [
        (
            "markdown",
            """# Evidence review: the hunter-group candidates

For the reviewer. A run of a request writes its worklist to
`outputs/<reference>/restricted/evidence_candidates.csv`: every crime whose circumstances
mention the search terms, least certain first. This notebook shows each one with its text, the
matches **marked**, and writes your decisions to
`outputs/<reference>/restricted/evidence_decisions.csv`.

**Restricted.** The texts below are personal data. This notebook writes nothing to `release/`
(it refuses to); clear its outputs before you commit it.

1. Run the request first (`foi-briefing run parameters/20180075.yaml --extracts DIR`).
2. Run this notebook, read each candidate, and write your decisions in the cell *Your decisions*,
   with your initials in `reviewer`.
3. Put the path it prints in the request's YAML as `evidence_decisions`, and run the request
   again: the figures then use your decisions, and Table 4 of the briefing says how many you
   reviewed and changed.""",
            [],
        ),
        (
            "code",
            """# Parameters: papermill replaces these. Relative paths are relative to the project's root.
parameters_file = "parameters/20180075.yaml"
extracts_dir = "data/synthetic-40000"  # the extracts the request was run on
output_dir = "outputs"  # the run's output folder (the worklist is in <output_dir>/<reference>/restricted/)
reviewer = ""  # your name or initials
decisions = {}  # reference -> "yes" or "no", or ("no", "a note"); more can be added below""",
            ["parameters"],
        ),
        (
            "code",
            """from IPython.display import display

from helpers.analysis import evidence, exploration, review
from helpers.extracts.reading import load_extracts
from helpers.request.parameters import read_parameters

params = read_parameters(exploration.project_path(parameters_file), {"extracts_dir": str(exploration.project_path(extracts_dir)), "output_dir": str(exploration.project_path(output_dir))})
candidates = review.read_candidates(review.restricted_folder(params) / review.CANDIDATES_FILE)
decisions_file = review.decisions_path(params)
existing = review.read_existing_decisions(decisions_file)
review.review_progress(candidates, existing)""",
            [],
        ),
        (
            "markdown",
            """## The candidates

Marked in yellow: a mention the search counts; outlined in red: a negated mention (\u201cnot a
vigilante referral\u201d), which it does not count. *Search's call* says what the figures will use
unless you decide otherwise.""",
            [],
        ),
        (
            "code",
            """extract = load_extracts(params.extracts_path)
texts = extract.circumstances(candidates["reference"].tolist())
mentions = evidence.find_mentions(texts, params.search_terms)
review.worklist_html(review.with_decisions(candidates, existing), review.highlighted_texts(texts, mentions))""",
            [],
        ),
        (
            "markdown",
            """## Your decisions

`yes`: the evidence came from a hunter group, count it. `no`: do not count it. Add a note where
it helps the next reader, e.g. `"00000000/17": ("no", "a council team, not a hunter group")`.
Decisions already in the file are kept unless you decide the same crime again.""",
            [],
        ),
        (
            "code",
            """decisions.update({
    # "REFERENCE": "yes",
})""",
            [],
        ),
        (
            "code",
            """merged = review.merge_decisions(existing, decisions, reviewer, candidates)
review.write_decisions(merged, decisions_file)
print(f"decisions written to {decisions_file}")
print(f"for the next run, in {parameters_file}: evidence_decisions: {decisions_file}")
review.review_progress(candidates, merged)""",
            [],
        ),
    ]


NOTEBOOKS = {
    "request_briefing.ipynb": briefing_cells,
    "explore_extracts.ipynb": explore_cells,
    "evidence_review.ipynb": review_cells,
}


def main() -> int:
    for name, cells in NOTEBOOKS.items():
        out = ROOT / "notebooks" / name
        nbformat.write(notebook(cells()), out)
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
