"""The disclosure log: the units each protected cell counts, the log's store (restricted, keyed
hashes, atomic and locked writes), drafts, publication, withdrawal, import and the shared index."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.disclosure.log import FORMAT, DisclosureLog, ReleaseRecord, open_log
from helpers.errors import DisclosureLogError
from helpers.project import project_root
from helpers.request import steps
from helpers.request.parameters import read_parameters
from helpers.request.tables import PROTECTED_TABLES, cell_units, release_tables
from helpers.synthetic.generator import generate_extracts

PARAMS = project_root() / "parameters" / "20180075.yaml"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic-log")
    generate_extracts(folder, n_crimes=15_000, seed=20180075)
    return folder


@pytest.fixture(scope="module")
def briefed(synthetic, tmp_path_factory):
    """The steps of request 20180075 on the synthetic extract, up to its tables' units."""
    out = tmp_path_factory.mktemp("out")
    params = read_parameters(PARAMS, {"extracts_dir": str(synthetic), "output_dir": str(out)})
    extract = steps.load(params)
    figures = steps.count(params, extract)
    findings = steps.search(params, extract, figures)
    return params, extract, figures, findings


# ---- 1. the units of each protected cell


def test_every_protected_cell_counts_exactly_its_units(briefed):
    params, extract, figures, findings = briefed
    tables = {
        table.name: table.counts for table in release_tables(params, extract, figures, findings)
    }
    units = cell_units(params, extract, figures, findings)
    assert set(units) == set(PROTECTED_TABLES)
    for name in PROTECTED_TABLES:
        counts = tables[name]
        assert set(units[name]) == {
            (row, column) for row in counts.index for column in counts.columns
        }
        for (row, column), members in units[name].items():
            assert len(members) == counts.loc[row, column], (name, row, column)


def test_units_are_keyed_by_kind_and_a_migrated_crime_by_its_earliest_reference(briefed):
    params, extract, figures, findings = briefed
    units = cell_units(params, extract, figures, findings)
    crimes = set().union(*units["offences_by_year"].values(), *units["outcomes_by_year"].values())
    people = set().union(*units["people_charged"].values())
    assert crimes and all(unit.startswith("crime:") for unit in crimes)
    assert people and all(unit.startswith("person:") for unit in people)
    migrated = extract.crimes.loc[extract.crimes["legacy_ref"].notna(), ["crime_id", "legacy_ref"]]
    assert len(migrated)
    legacy = {f"crime:{ref}" for ref in migrated["legacy_ref"]}
    newer = {f"crime:{ref}" for ref in migrated["crime_id"]}
    assert crimes & legacy and not crimes & newer


# ---- 2. the log's store


def record(
    reference: str, units: dict[tuple[str, str, str], list[str]] | None = None, **changes
) -> ReleaseRecord:
    """A release record of `units` ((table, row, column) -> raw unit keys), hashed by no log yet."""
    units = units or {
        ("people_charged", "s15", "People charged in 2017"): ["person:CMS:1", "person:CMS:2"]
    }
    cells = [
        {"table": t, "row": r, "column": c, "shown": "<5", "units": members}
        for (t, r, c), members in units.items()
    ]
    fields = dict(
        reference=reference,
        version=0,
        state="draft",
        title=f"Request {reference}",
        times={"drafted": "2026-01-01T00:00:00+00:00"},
        extract_sha256="ab" * 32,
        extract_files={"CMS_CRIMES.csv": "cd" * 32},
        definitions={"charge_year": 2017},
        release_files={},
        cells=cells,
    )
    return ReleaseRecord(**{**fields, **changes})


def started(folder: Path) -> DisclosureLog:
    log, _ = open_log(folder, start=True)
    assert log is not None
    return log


def test_a_new_place_starts_a_log_and_says_so_once(tmp_path):
    log, new = open_log(tmp_path / "log", start=True)
    assert new and log is not None and log.entries() == []
    again, new_again = open_log(tmp_path / "log", start=True)
    assert again is not None and not new_again


def test_without_start_a_missing_log_is_none(tmp_path):
    assert open_log(tmp_path / "log") == (None, False)


@pytest.mark.parametrize(
    "damage, expected",
    [
        (
            lambda f: (f / "log.json").write_text("{not json", encoding="utf-8"),
            r"log\.json: the disclosure log cannot be read",
        ),
        (
            lambda f: (f / "log.json").write_text(
                json.dumps({"format": FORMAT, "version": 99, "releases": []})
            ),
            r"version 99",
        ),
        (
            lambda f: (f / "log.json").write_text(json.dumps({"hello": 1})),
            r"not a foi-briefing disclosure log",
        ),
        (lambda f: (f / "secret.key").unlink(), r"secret\.key: missing beside the log's records"),
        (lambda f: (f / "log.json").unlink(), r"log\.json: missing, but the log holds records"),
        (
            lambda f: (f / "records" / "A1" / "draft.json").write_text("[", encoding="utf-8"),
            r"draft\.json: the disclosure log cannot be read",
        ),
    ],
    ids=["corrupt-json", "wrong-version", "foreign", "no-secret", "no-index", "corrupt-record"],
)
def test_a_log_that_cannot_be_read_is_a_one_line_error_never_an_empty_log(
    tmp_path, damage, expected
):
    log = started(tmp_path / "log")
    log.save_draft(record("A1"))
    damage(tmp_path / "log")
    with pytest.raises(DisclosureLogError, match=expected) as caught:
        reopened, _ = open_log(tmp_path / "log", start=True)
        assert reopened is not None
        [reopened.record(e) for e in reopened.entries()]
    assert "\n" not in str(caught.value) and caught.value.exit_code == 6


def test_a_rerun_replaces_the_draft_of_its_reference(tmp_path):
    log = started(tmp_path / "log")
    log.save_draft(record("A1", title="first"))
    log.save_draft(record("B2"))
    log.save_draft(record("A1", title="second"))
    drafts = [(e["reference"], e["title"]) for e in log.entries()]
    assert drafts == [("A1", "second"), ("B2", "Request B2")]


def test_units_are_stored_as_keyed_hashes_the_same_across_releases_of_one_log(tmp_path):
    log = started(tmp_path / "log")
    other = started(tmp_path / "other")
    assert log.hashed(["crime:CM/16/1"]) == log.hashed(["crime:CM/16/1"])
    assert log.hashed(["crime:CM/16/1"])[0].startswith("crime:")
    assert "CM/16/1" not in log.hashed(["crime:CM/16/1"])[0]
    assert log.hashed(["crime:CM/16/1"]) != other.hashed(["crime:CM/16/1"])


def test_log_files_are_owner_only_whatever_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        log = started(tmp_path / "log")
        log.save_draft(record("A1"))
    finally:
        os.umask(previous)
    for path in [tmp_path / "log", *(tmp_path / "log").rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from test_disclosure_log import record
from helpers.disclosure.log import open_log
log, _ = open_log(Path(sys.argv[1]), start=True)
for n in range(20):
    log.save_draft(record(f"{sys.argv[2]}{n}"))
"""


def test_two_runs_writing_at_once_are_both_recorded(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path / "log"), name, str(Path(__file__).parent)],
            env=env,
        )
        for name in ("A", "B")
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    log, _ = open_log(tmp_path / "log")
    assert log is not None
    assert sorted(e["reference"] for e in log.entries()) == sorted(
        f"{name}{n}" for name in "AB" for n in range(20)
    )
