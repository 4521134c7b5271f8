"""The release as a requester gets it: reproducible byte for byte, and no withheld figure can be
recovered from it.

The attacker here is written independently of `helpers.disclosure`: it reads only the released
CSV files, knows that `<5` is 1-4 and `[c]` is 5 or more, and uses every additive relation a
reader can see (totals, the same totals in two tables, subsets and the union of the people
charged), then asks an integer program for each withheld cell's smallest and largest value.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import SAMPLE
from scipy.optimize import Bounds, LinearConstraint, milp

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SAMPLE / "expected.json").is_file(), reason=f"the shared sample export is not at {SAMPLE}"),
]

ROOT = Path(__file__).resolve().parents[1]
FOI = Path(sys.executable).parent / "foi-briefing"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    outs = []
    for name in ("first", "second"):
        out = tmp_path_factory.mktemp(name)
        done = subprocess.run([FOI, "run", ROOT / "parameters" / "20180075.yaml", "--extracts", SAMPLE, "--out", out, "--no-progress"], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        outs.append(out / "20180075" / "release")
    return outs


def test_the_same_inputs_give_byte_identical_release_files_but_the_manifest(two_runs):
    first, second = two_runs
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert Path("briefing.pdf") in files and Path("briefing.html") in files and Path("tables.xlsx") in files
    for relative in files:
        if relative.name != "manifest.json":
            assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative
    manifests = [json.loads((run / "manifest.json").read_text()) for run in two_runs]
    assert "tables.xlsx" in manifests[0]["release_files"]
    assert {k: v for k, v in manifests[0].items() if k != "run_time"} == {k: v for k, v in manifests[1].items() if k != "run_time"}


def read_table(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame.set_index(frame.columns[0])


class Attacker:
    """Integer variables for every released cell; shown ones fixed, withheld ones bounded."""

    def __init__(self, release: Path, threshold: int = 5):
        self.tables = {p.stem: read_table(p) for p in sorted((release / "tables").glob("*.csv"))}
        self.index, self.low, self.high, self.hidden = {}, [], [], []
        for name, table in self.tables.items():
            for row in table.index:
                for column in table.columns:
                    text = table.loc[row, column].replace(",", "")
                    if text.startswith("<"):
                        low, high = 1, int(text[1:]) - 1
                        self.hidden.append((name, row, column))
                    elif text == "[c]":
                        low, high = threshold, np.inf
                        self.hidden.append((name, row, column))
                    else:
                        low = high = int(text)
                    self.index[(name, row, column)] = len(self.low)
                    self.low.append(low)
                    self.high.append(high)
        self.rows: list[dict[int, float]] = []
        self.senses: list[str] = []

    def relate(self, terms: dict[tuple, float], sense: str = "=") -> None:
        """sum(coefficient * cell) == 0 ('=') or >= 0 ('>')."""
        self.rows.append({self.index[cell]: coefficient for cell, coefficient in terms.items()})
        self.senses.append(sense)

    def totals(self) -> None:
        for name, table in self.tables.items():
            if "Total" in table.index:
                for column in table.columns:
                    self.relate({(name, "Total", column): 1, **{(name, row, column): -1 for row in table.index if row != "Total"}})
            if "Total" in table.columns:
                for row in table.index:
                    self.relate({(name, row, "Total"): 1, **{(name, row, column): -1 for column in table.columns if column != "Total"}})

    def extremes(self, cell) -> tuple[float, float]:
        n = len(self.low)
        matrix = np.zeros((len(self.rows), n))
        for i, row in enumerate(self.rows):
            for j, coefficient in row.items():
                matrix[i, j] = coefficient
        upper = np.where(np.array(self.senses) == "=", 0, np.inf)
        constraints = LinearConstraint(matrix, np.zeros(len(self.rows)), upper)
        bounds = Bounds(np.array(self.low, dtype=float), np.array([h if h != np.inf else 10**6 for h in self.high], dtype=float))
        values = []
        for sign in (1, -1):
            cost = np.zeros(n)
            cost[self.index[cell]] = sign
            result = milp(cost, constraints=constraints, bounds=bounds, integrality=np.ones(n))
            assert result.success, result.message
            values.append(sign * result.fun)
        return values[0], values[1]


def test_no_withheld_figure_can_be_recovered_from_the_release_files(two_runs):
    attacker = Attacker(two_runs[0])
    attacker.totals()
    offences = attacker.tables["offences_by_year"]
    for column in offences.columns:  # the same totals in two tables
        attacker.relate({("offences_by_year", "Total", column): 1, ("outcomes_by_year", "Total", column): -1})
    people = attacker.tables["people_charged"]
    year = people.columns[0]
    labels = list(people.index)
    groups, either, hunter = labels[:-2], labels[-2], labels[-1]
    for group in groups:  # a person can be in both groups: either lies between the largest and the sum
        attacker.relate({("people_charged", either, year): 1, ("people_charged", group, year): -1}, ">")
    attacker.relate({**{("people_charged", g, year): 1 for g in groups}, ("people_charged", either, year): -1}, ">")
    attacker.relate({("people_charged", either, year): 1, ("people_charged", hunter, year): -1}, ">")
    review = attacker.tables["evidence_review"]
    steps = list(review.index)
    for wider, narrower in zip(steps, steps[1:]):  # each row counts a subset of the one above
        attacker.relate({("evidence_review", wider, "Crimes"): 1, ("evidence_review", narrower, "Crimes"): -1}, ">")

    assert attacker.hidden, "the sample's release withholds some figures"
    for cell in attacker.hidden:
        low, high = attacker.extremes(cell)
        assert low < high, f"{cell} can be worked out: it must be {low}"


def test_the_workbook_holds_the_csv_files_cells(two_runs):
    """tables.xlsx, one sheet per CSV file in its order, each Excel table's cells the file's: a
    count as a number (shown `1,234`), a mark or a label as the same text."""
    import openpyxl

    release = two_runs[0]
    book = openpyxl.load_workbook(release / "tables.xlsx")
    sheets = [book[name] for name in book.sheetnames if name.startswith("Table_")]
    csv_files = {p.stem: p for p in (release / "tables").glob("*.csv")}
    assert sorted(next(iter(sheet.tables)) for sheet in sheets) == sorted(csv_files)
    for sheet in sheets:
        name = next(iter(sheet.tables))
        rows = [[cell.value for cell in row] for row in sheet[sheet.tables[name].ref]]
        shown = [[f"{v:,}" if isinstance(v, int) else v for v in row] for row in rows]
        expected = [[str(v) for v in row] for row in [pd.read_csv(csv_files[name], dtype=str, keep_default_na=False).columns.tolist(), *pd.read_csv(csv_files[name], dtype=str, keep_default_na=False).values.tolist()]]
        assert shown == expected, name
