"""Safe CSV (issue 17, item 2): a released table's cell that a spreadsheet would run as a formula
is written with a leading `'` (OWASP, "CSV injection"), numbers such as `-3` are written as they
are, and the label a parameters file gives reaches `release/tables/*.csv` neutralised and the
briefing's page as text. (The gate's side, a CSV written by hand: tests/test_release.py, (f).)
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.briefing.report import text_html
from helpers.gate.check import check_tables, write_tables
from helpers.gate.readers import table_csv
from helpers.project import project_root

T = 5
DDE = "@SUM(1+9)*cmd|' /C calc'!A0"
IMAGE = '=IMAGE("ht"&"tps:/"&"/evil.example/p.png")'


def grid(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def plain_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# ---- the writer


FORMULAS = {
    "equals": "=1+cmd|' /C calc'!A0",
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-1+cmd|' /C calc'!A0",
    "at": "@SUM(1+9)*cmd|' /C calc'!A0",
    "tab": "\t=1+2",
    "carriage return": "\r=1+2",
    "a lone minus": "-",
    "a minus before a number and more": "-3+cmd|' /C calc'!A0",
    "the DDE label": DDE,
    "the image label": IMAGE,
}


@pytest.mark.parametrize("cell", FORMULAS.values(), ids=FORMULAS.keys())
def test_a_cell_that_would_start_a_formula_is_written_with_a_leading_quote(cell):
    # as a column heading, a row label and a data cell
    frame = pd.DataFrame({cell: [cell]}, index=pd.Index([cell], name="Offence"))
    rows = grid(table_csv(frame))
    assert rows == [["Offence", "'" + cell], ["'" + cell, "'" + cell]]


def test_a_carriage_return_inside_a_cell_cannot_start_a_row_of_its_own():
    """A spreadsheet reads a bare carriage return as the end of a row: the cell must be quoted, or
    `x\\r=1+2` is the row `x` and then the formula `=1+2`, past the neutralising quote."""
    cell = "Meeting a child\r=1+cmd|' /C calc'!A0"
    frame = pd.DataFrame({"People charged in 2017": ["18"]}, index=pd.Index([cell], name="Offence"))
    text = table_csv(frame)
    assert grid(text) == [["Offence", "People charged in 2017"], [cell, "18"]]
    assert text.count("\r") == 1 and '"Meeting a child\r=1' in text


NOT_FORMULAS = ["-3", "-1.5", "+3", "-1,234", "0", "18", "<5", "[c]", "", "s15 = grooming",
                "a-b", "e@mail", " =1+2", "'=1+2", "Total", "of whom charged on hunter-group evidence"]


@pytest.mark.parametrize("cell", NOT_FORMULAS)
def test_numbers_and_other_cells_are_written_as_they_are(cell):
    frame = pd.DataFrame({"Change": [cell]}, index=pd.Index([cell], name="Offence"))
    assert table_csv(frame) == plain_csv([["Offence", "Change"], [cell, cell]])


def test_write_tables_writes_the_labels_neutralised_and_the_gate_passes_them(tmp_path):
    frame = pd.DataFrame({"People charged in 2017": ["18", "0"]}, index=pd.Index([DDE, IMAGE], name="Offence"))
    write_tables({"people_charged": frame}, tmp_path / "tables", T, None)
    written = (tmp_path / "tables" / "people_charged.csv").read_text(encoding="utf-8")
    assert [row[0] for row in grid(written)] == ["Offence", "'" + DDE, "'" + IMAGE]
    assert check_tables([tmp_path / "tables" / "people_charged.csv"], T, None).passed


def test_a_neutralised_small_count_is_still_a_small_count():
    # `+3*` is no plain number, so it is neutralised; the small-count rule must still see a 3
    frame = pd.DataFrame({"People charged in 2017": ["+3*"]}, index=pd.Index(["s15"], name="Offence"))
    assert grid(table_csv(frame))[1][1] == "'+3*"
    assert [f.rule for f in check_tables({"people": frame}, T, None).findings] == ["small_count"]


# ---- end to end: a parameters file whose charge-group labels are formulas


@pytest.fixture(scope="module")
def formula_labels_run(tmp_path_factory):
    from helpers.synthetic.generator import generate_extracts

    base = tmp_path_factory.mktemp("formula-labels")
    generate_extracts(base / "extracts", n_crimes=15_000, seed=20180075)
    values = yaml.safe_load((project_root() / "parameters" / "20180075.yaml").read_text(encoding="utf-8"))
    values["charge_groups"]["section_15"]["label"] = DDE
    values["charge_groups"]["attempt_section_15"]["label"] = IMAGE
    params = base / "request.yaml"
    params.write_text(yaml.safe_dump(values, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = subprocess.run(
        [Path(sys.executable).parent / "foi-briefing", "run", params, "--extracts", base / "extracts",
         "--out", base / "out", "--no-progress", "--formats", "html"],
        capture_output=True, text=True, timeout=600,
    )
    return done, base / "out" / "20180075" / "release"


@pytest.mark.slow
def test_formula_labels_are_released_neutralised_in_the_csv_and_as_text_in_the_page(formula_labels_run):
    done, release = formula_labels_run
    assert done.returncode == 0, done.stderr[-3000:]
    rows = grid((release / "tables" / "people_charged.csv").read_text(encoding="utf-8"))
    assert [row[0] for row in rows[1:3]] == ["'" + DDE, "'" + IMAGE]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for table in (release / "tables").glob("*.csv")
                   for row in grid(table.read_text(encoding="utf-8")) for cell in row)
    page = (release / "briefing.html").read_text(encoding="utf-8")
    for label in (DDE, IMAGE):
        assert f'<th scope="row">{text_html(label)}</th>' in page  # text, escaped, with no quote added
