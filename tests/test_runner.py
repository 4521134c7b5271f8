"""`foi-briefing` end to end, run as a scheduler or a new user runs it: the exit code says what kind
of failure it was, the message is one line naming the file, line, column or key (never a
traceback), and a failed run leaves the previous outputs exactly as they were.

The extracts are small and hand-made (tests/builders.py), so these tests need no shared sample.
A full notebook run takes several seconds: the tests that start one are marked slow, and the
good run is made once for the module.
"""

from __future__ import annotations

import csv
import grp
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from builders import HEADERS, SAMPLE, cms_crime, connect_crime, csv_text, migrated, write_extract

from helpers.errors import ParameterError
from helpers.project import project_root

ROOT = project_root()
PARAMS = ROOT / "parameters" / "20180075.yaml"
BIN = Path(sys.executable).parent
FAILED = re.compile(r"\(partial outputs and the executed notebook: (?P<path>[^)]*/\.failed/[^)]*)\)$")
EXIT = {"ok": 0, "several": 1, "parameters": 2, "extracts": 3, "notebook": 4, "gate": 5}

NO_OUTCOME = "OC18 – No Sus / No Line Enq / Filed"


# ---- a small extract that can be briefed


def small_extract(directory: Path, set_aside: bool = True, texts: dict[str, str] | None = None) -> Path:
    """Grooming offences 5, 6 and 5 in 2015-2017 (one migrated from CMS to Connect), each year one
    outcome, so every released figure is 5 or more; one person charged in each system in 2017
    (fewer than 5, shown as `<5`). With `set_aside`, four rows that must be quarantined:

    CMS_CRIMES.csv line 16   DATE RECORDED  31/02/2016 (after a record spanning lines 14-15)
    CMS_CRIMES.csv line 17   CRIME STATUS   MIGRATED, but no Connect crime names it
    CMS_NOMINALS.csv line 3  CRIME NO       a crime in neither system
    connect_crimes.csv line 8  Outcome      OC99, not a Home Office outcome
    """
    cms_copy, connect_copy = migrated("CM/16/0000001", "00000001/16", "2016-03-01T09:30:00", Outcome=NO_OUTCOME)
    cms = [cms_copy]  # line 2
    cms += [cms_crime(f"CM/16/00000{i:02d}", f"0{i}/05/2016 10:00", **{"HO OUTCOME": "18"}) for i in range(2, 7)]  # 3-7
    cms += [cms_crime(f"CM/15/00000{i:02d}", f"0{i}/03/2015 10:00", **{"HO OUTCOME": "18"}) for i in range(1, 6)]  # 8-12
    cms += [cms_crime("CM/17/0000001", "03/03/2017 10:00", **{"HO CLASS": "008/01", "HO OUTCOME": "1"})]  # 13
    connect = [connect_copy] + [connect_crime(f"0000000{i}/17", f"2017-12-1{i}T10:00:00", Outcome=NO_OUTCOME) for i in range(2, 7)]
    for row in cms:  # the circumstances a test gives (the evidence search's candidates)
        if row["CRIME NO"] in (texts or {}):
            row["CIRCUMSTANCES"] = texts[row["CRIME NO"]]
    nominals = [{"CRIME NO": "CM/17/0000001", "NOMINAL NO": "100001", "PNC ID": "2000/0448754A"}]
    if set_aside:
        cms += [
            cms_crime("CM/17/0000002", "04/03/2017 10:00", **{"HO CLASS": "008/01", "CIRCUMSTANCES": "First line\nsecond line"}),  # 14-15
            cms_crime("CM/16/0000020", "31/02/2016 10:00"),  # 16
            cms_crime("CM/16/0000030", **{"CRIME STATUS": "MIGRATED"}),  # 17
        ]
        nominals += [{"CRIME NO": "CM/16/0000404", "NOMINAL NO": "100404"}]  # 3
        connect += [connect_crime("00000007/17", **{"HO Class": "8/1", "Outcome": "OC99 – Unknown"})]  # 8
    return write_extract(
        directory,
        CMS_CRIMES=cms,
        CMS_NOMINALS=nominals,
        CMS_CHARGES=[{"CRIME NO": "CM/17/0000001", "NOMINAL NO": "100001", "CHARGE DATE": "01/04/2017"}],
        connect_crimes=connect,
        connect_persons=[{"Crime Reference": "00000002/17", "Person ID": "PER1"}],
        connect_charges=[{"Crime Reference": "00000002/17", "Person ID": "PER1"}],
    )


SET_ASIDE = [
    {"file": "CMS_CRIMES.csv", "line": 16, "column": "DATE RECORDED", "reason": "not a date-time (impossible or unreadable date)"},
    {"file": "CMS_CRIMES.csv", "line": 17, "column": "CRIME STATUS", "reason": "marked migrated but no Connect crime names it as its legacy crime"},
    {"file": "CMS_NOMINALS.csv", "line": 3, "column": "CRIME NO", "reason": "crime not found in any crimes file"},
    {"file": "connect_crimes.csv", "line": 8, "column": "Outcome", "reason": "not a Home Office outcome type (1-22)"},
]


def parameters_file(path: Path, **changes) -> Path:
    """Request 20180075's parameters with some keys changed (`...` deletes a key)."""
    values = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is ...:
            del values[key]
        else:
            values[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(values, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def foi(*args, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The command, under umask 022 (a usual user's: files readable by all unless we say otherwise),
    with `env` added to the environment."""
    return subprocess.run([BIN / "foi-briefing", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600,
                          umask=0o022, env={**os.environ, **(env or {})})


def run(params: Path, extracts: Path, out: Path, *options: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return foi("run", params, "--extracts", extracts, "--out", out, "--no-progress", *options, env=env)


def one_line(done: subprocess.CompletedProcess) -> str:
    """The run's error: exactly one line on stderr besides its warnings (the extract's records
    set aside, say), and no traceback anywhere."""
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if not re.match(r"[^:]*: warning: ", line)]
    assert len(lines) == 1, done.stderr[-3000:]
    return lines[0]


def failed_folder(message: str) -> Path:
    """The `.failed/...` folder a failed run names, which must exist."""
    found = FAILED.search(message)
    assert found, message
    folder = Path(found["path"])
    assert folder.is_dir(), folder
    return folder


def notebook_error(notebook: Path) -> dict:
    """The executed notebook's error output (the failing cell's), with the cell's source."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    errors = [
        {**output, "source": "".join(cell["source"])}
        for cell in cells if cell["cell_type"] == "code"
        for output in cell.get("outputs", []) if output.get("output_type") == "error"
    ]
    assert len(errors) == 1, errors
    return errors[0]


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# ---- a good run with quarantined rows (made once): exit 0, the rows shown and counted


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    base = tmp_path_factory.mktemp("good")
    extracts, out = small_extract(base / "extracts"), base / "out"
    done = run(PARAMS, extracts, out)
    return {"done": done, "extracts": extracts, "out": out, "request": out / "20180075"}


@pytest.mark.slow
def test_quarantined_rows_do_not_stop_a_run_that_is_not_strict(good):
    done = good["done"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    # the tests' disclosure log is started by whichever run comes first, and says so
    assert re.fullmatch(r"(20180075: started a new disclosure log in .*\n)?20180075: done in [\d.]+ s -> "
                        r".*/20180075/release \(a draft: review it, then foi-briefing log publish 20180075\)\n", done.stdout), done.stdout
    # and says what it set aside, by file, column and reason (the values stay restricted)
    assert "20180075: warning: CMS_CRIMES.csv, column DATE RECORDED: 1 record set aside (not a date-time" in done.stderr
    release = good["request"] / "release"
    assert {p.name for p in release.iterdir()} == {"briefing.html", "briefing.pdf", "manifest.json", "tables", "tables.xlsx"}
    assert (release / "briefing.pdf").read_bytes().startswith(b"%PDF")
    # the release to publish holds the workbook the notebook wrote, as it is
    assert (good["request"] / "restricted" / "to-publish" / "tables.xlsx").read_bytes() == (release / "tables.xlsx").read_bytes()


@pytest.mark.slow
def test_quarantine_csv_names_file_line_column_and_reason(good):
    rows = read_csv(good["request"] / "restricted" / "quarantine.csv")
    assert [{key: row[key] for key in ("file", "line", "column", "reason")} for row in rows] == [
        {**row, "line": str(row["line"])} for row in SET_ASIDE
    ]
    assert rows[0]["value"] == "31/02/2016 10:00"


@pytest.mark.slow
def test_results_json_counts_the_quarantined_rows_and_reconciles(good):
    quality = json.loads((good["request"] / "restricted" / "results.json").read_text(encoding="utf-8"))["data_quality"]
    assert quality["rows_quarantined"] == {
        "CMS_CRIMES.csv": 2, "CMS_NOMINALS.csv": 1, "CMS_CHARGES.csv": 0,
        "connect_crimes.csv": 1, "connect_persons.csv": 0, "connect_charges.csv": 0,
    }
    assert quality["rows_read"]["CMS_CRIMES.csv"] == 15  # records, not lines (one spans two)
    for name, read in quality["rows_read"].items():
        assert read == quality["rows_used"][name] + quality["rows_quarantined"][name], name
    assert quality["migrated_crimes"] == 1


@pytest.mark.slow
def test_the_released_data_quality_table_shows_them_as_small_counts(good):
    rows = {row["Extract file"]: row for row in read_csv(good["request"] / "release" / "tables" / "data_quality_files.csv")}
    assert set(rows) == {*HEADERS, "Total"}
    assert rows["CMS_CRIMES.csv"] == {"Extract file": "CMS_CRIMES.csv", "Records read": "15", "Records set aside": "<5"}
    assert rows["CMS_NOMINALS.csv"]["Records set aside"] == "<5"
    assert rows["connect_crimes.csv"] == {"Extract file": "connect_crimes.csv", "Records read": "7", "Records set aside": "<5"}
    assert rows["CMS_CHARGES.csv"]["Records set aside"] == "0"
    assert rows["Total"] == {"Extract file": "Total", "Records read": "27", "Records set aside": "<5"}  # 4 in all
    html = (good["request"] / "release" / "briefing.html").read_text(encoding="utf-8")
    assert "Records set aside" in html  # the briefing's data-quality section shows the table


# ---- --strict, and atomicity: the failed run leaves the previous outputs as they were


@pytest.fixture(scope="module")
def strict(good, tmp_path_factory):
    """A copy of the good run's output folder, then a --strict run into it."""
    assert good["done"].returncode == 0, good["done"].stderr[-3000:]
    out = tmp_path_factory.mktemp("strict") / "out"
    shutil.copytree(good["out"], out)
    before = digests(out / "20180075")
    done = run(PARAMS, good["extracts"], out, "--strict")
    return {"done": done, "out": out, "before": before}


@pytest.mark.slow
def test_strict_fails_on_the_first_quarantined_row_naming_file_line_and_column(strict):
    done = strict["done"]
    assert done.returncode == EXIT["extracts"], done.stderr
    message = one_line(done)
    assert message.startswith("20180075: failed: 4 row(s) quarantined and strict is on; first: CMS_CRIMES.csv line 16, column 'DATE RECORDED'"), message


@pytest.mark.slow
def test_a_failed_run_leaves_the_previous_outputs_byte_for_byte(strict):
    assert strict["done"].returncode != 0
    assert digests(strict["out"] / "20180075") == strict["before"]
    runs = strict["out"] / ".runs"
    assert not runs.exists() or not any(runs.iterdir())  # nothing left half-staged


@pytest.mark.slow
def test_a_failed_run_says_where_its_partial_outputs_and_failing_cell_are(strict):
    folder = failed_folder(one_line(strict["done"]))
    assert folder.parent.parent == strict["out"] / ".failed" and folder.name == "20180075"
    error = notebook_error(folder / "restricted" / "briefing.ipynb")
    assert error["ename"] == "QuarantineError" and "CMS_CRIMES.csv line 16" in error["evalue"]
    assert "steps.load(params)" in error["source"]
    assert not (folder / "release" / "briefing.html").exists()
    # found by a new user: the failed run's log ended at "notebook: started", with no reason
    log = (folder / "restricted" / "run.log").read_text(encoding="utf-8")
    assert "ERROR failed (extracts): 4 row(s) quarantined and strict is on; first: CMS_CRIMES.csv line 16" in log


# ---- bad extracts: exit 3, one line naming the file and what is wrong


def renamed_column(extracts: Path) -> None:
    header = ["HO CLASSIFICATION" if column == "HO CLASS" else column for column in HEADERS["CMS_CRIMES.csv"]]
    (extracts / "CMS_CRIMES.csv").write_bytes(csv_text("CMS_CRIMES.csv", [cms_crime("CM/16/0000001")], header).encode("cp1252"))


def truncated(extracts: Path) -> None:
    path = extracts / "connect_crimes.csv"
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"after online contact")])  # the export stopped inside a quoted field


@pytest.mark.slow
@pytest.mark.parametrize(("corrupt", "expected"), [
    (renamed_column, "CMS_CRIMES.csv: missing column 'HO CLASS'; the header has "),
    (truncated, "connect_crimes.csv: the file ends inside a quoted field"),
], ids=["renamed column", "truncated file"])
def test_a_bad_extract_stops_the_run_in_one_line_naming_the_file(tmp_path, corrupt, expected):
    extracts = small_extract(tmp_path / "extracts", set_aside=False)
    if corrupt is truncated:  # make the last record's text a quoted field, as CMS and Connect write them
        write_extract(extracts, connect_crimes=[connect_crime("00000002/17", Circumstances="Met, after online contact.")])
    corrupt(extracts)
    done = run(PARAMS, extracts, tmp_path / "out")
    assert done.returncode == EXIT["extracts"], done.stderr
    message = one_line(done)
    assert message.startswith(f"20180075: failed: {expected}"), message
    if corrupt is renamed_column:
        assert "'HO CLASSIFICATION'" in message.split(" (partial outputs")[0]  # what it was renamed to
    assert not (tmp_path / "out" / "20180075").exists()
    failed_folder(message)


@pytest.mark.slow
def test_a_period_with_no_data_is_a_parameters_error_naming_the_keys(tmp_path):
    params = parameters_file(tmp_path / "request.yaml", period_from="2010-01-01", period_to="2010-12-31")
    done = run(params, small_extract(tmp_path / "extracts", set_aside=False), tmp_path / "out")
    assert done.returncode == EXIT["parameters"], done.stderr
    message = one_line(done)
    assert message.startswith("20180075: failed: period_from/period_to: no crime in the extracts was recorded from 2010-01-01 to 2010-12-31"), message


# ---- bad parameters and options: exit 2 before any notebook starts


@pytest.mark.parametrize(("changes", "expected"), [
    ({"colour": "blue"}, "request: failed: request.yaml: colour: unknown key (is it misspelt?)"),
    ({"period_to": "2014-01-01"}, "request: failed: request.yaml: period_to: 2014-01-01 is before period_from 2015-01-01"),
    ({"title": ...}, "request: failed: request.yaml: title: missing (required)"),
])
def test_bad_parameters_stop_before_any_notebook_with_one_line_naming_the_key(tmp_path, changes, expected):
    params = parameters_file(tmp_path / "request.yaml", **changes)
    done = run(params, tmp_path / "no-extracts-needed", tmp_path / "out")
    assert done.returncode == EXIT["parameters"], done.stderr
    assert one_line(done).startswith(expected)
    assert not (tmp_path / "out").exists()  # no staging folder: no notebook was started


@pytest.mark.slow
def test_a_request_s_warnings_are_in_the_run_s_log_and_on_stderr_and_do_not_stop_it(tmp_path):
    params = parameters_file(tmp_path / "20180075.yaml", title="People charged with meeting a child following sexual grooming, 2018")
    done = run(params, small_extract(tmp_path / "extracts", set_aside=False), tmp_path / "out", "--formats", "html")
    assert done.returncode == 0, done.stderr[-3000:]
    warning = "title: names 2018, a year the request does not count (it counts 2015 to 2017): check the words and the period"
    assert done.stderr == f"20180075: warning: {warning}\n"
    assert re.search(r"^20180075: done in ", done.stdout, re.MULTILINE), done.stdout
    log = (tmp_path / "out" / "20180075" / "restricted" / "run.log").read_text(encoding="utf-8")
    assert f" WARNING parameters: {warning}\n" in log
    # a run's outputs are a draft until `log publish` (found by a new user: the log said "published")
    assert " INFO the draft is in " in log and " published " not in log


def test_a_missing_parameters_file_is_named(tmp_path):
    done = run(tmp_path / "nope.yaml", tmp_path, tmp_path / "out")
    assert done.returncode == EXIT["parameters"]
    assert "nope.yaml: parameters file not found" in one_line(done)


def test_an_unknown_format_is_a_bad_option(tmp_path):
    done = run(PARAMS, tmp_path, tmp_path / "out", "--formats", "html,docx")
    assert done.returncode == EXIT["parameters"]
    assert one_line(done).startswith("foi-briefing: --formats: expected html, pdf or html,pdf")
    assert not (tmp_path / "out").exists()


def test_python_m_helpers_check_works(tmp_path):
    done = subprocess.run([sys.executable, "-m", "helpers", "check", PARAMS], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{PARAMS}: ok (request 20180075, profile cms-connect.yaml)\n"
    bad = parameters_file(tmp_path / "request.yaml", charge_year="last year")
    done = subprocess.run([sys.executable, "-m", "helpers", "check", bad], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == EXIT["parameters"]
    assert one_line(done).startswith("foi-briefing: request.yaml: charge_year: Input should be a valid integer")


# ---- the release gate: exit 5, nothing released (after a good run: the good outputs stay)


@pytest.mark.slow
def test_a_briefing_that_would_publish_a_crime_reference_is_stopped_by_the_gate(good, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(good["out"], out)
    before = digests(out / "20180075")
    # in a question: the page and the manifest show it, not the tables (the title is in tables.xlsx)
    questions = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))["questions"]
    params = parameters_file(tmp_path / "request.yaml", questions=[*questions, "As in CM/16/0000002?"])
    done = run(params, good["extracts"], out, "--formats", "html")
    assert done.returncode == EXIT["gate"], done.stderr
    message = one_line(done)
    assert message.startswith("20180075: failed: release gate: FAILED: ") and "contains a crime reference" in message, message
    assert "CM/16/0000002" not in message  # the gate does not repeat what it found
    assert digests(out / "20180075") == before  # nothing reached release/: the previous release stands
    folder = failed_folder(message)
    report = json.loads((folder / "restricted" / "gate_report.json").read_text(encoding="utf-8"))
    assert report["passed"] is False
    assert {finding["file"] for finding in report["findings"]} >= {"briefing.html", "manifest.json"}
    # kept there, for a look, in a folder that does not look like a release, and a README says why
    assert not [path for path in folder.parent.rglob("*") if path.name == "release"]
    assert "CM/16/0000002" in (folder / "NOT-RELEASED-failed-run" / "briefing.html").read_text(encoding="utf-8")
    # a complete release that failed the gate, written under umask 022: owner-only all the same
    assert (folder / "NOT-RELEASED-failed-run" / "tables").is_dir() and wrong_modes(out / ".failed") == []
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert "NOT RELEASED" in readme and "release gate: FAILED" in readme


def test_a_title_with_a_crime_reference_is_stopped_before_the_tables_are_written(good, tmp_path):
    """The title is on tables.xlsx's cover: the tables' gate, in the notebook, stops the run
    before any table or the workbook is written."""
    params = parameters_file(tmp_path / "request.yaml", title="People charged with meeting a child following sexual grooming, as in CM/16/0000002")
    done = run(params, good["extracts"], tmp_path / "out", "--formats", "html")
    assert done.returncode == EXIT["gate"], done.stderr
    message = one_line(done)
    assert "contains a crime reference" in message and "CM/16/0000002" not in message, message
    folder = failed_folder(message)
    report = json.loads((folder / "restricted" / "gate_tables.json").read_text(encoding="utf-8"))
    assert {finding["file"] for finding in report["findings"]} == {"tables.xlsx"}
    assert not list((folder / "NOT-RELEASED-failed-run").rglob("*.csv"))
    assert not (folder / "NOT-RELEASED-failed-run" / "tables.xlsx").exists()


# ---- several requests: each runs; the exit code is the failed one's


@pytest.fixture(scope="module")
def folder_run(good, tmp_path_factory):
    base = tmp_path_factory.mktemp("folder")
    parameters_file(base / "requests" / "20180075.yaml")
    parameters_file(base / "requests" / "broken.yaml", reference="20180099", offence_classes=["88-1"])
    done = run(base / "requests", good["extracts"], base / "out", "--formats", "html")
    return {"done": done, "out": base / "out"}


@pytest.mark.slow
def test_a_folder_of_requests_releases_the_good_one_and_exits_with_the_bad_ones_code(folder_run):
    done = folder_run["done"]
    assert done.returncode == EXIT["parameters"], done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "Warning" not in done.stderr, done.stderr  # e.g. the resource tracker's, of leaked semaphores
    # several requests: a summary table, one line per request, the failed one naming its file and key
    lines = done.stdout.splitlines()
    assert re.match(r"request +result +seconds +outputs or reason$", lines[0]), done.stdout
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"20180075", "broken"}, done.stdout
    assert re.match(r"20180075 +draft +[\d.]+ +\S*/20180075/release \(a draft: review it, then foi-briefing log publish 20180075\)$", rows["20180075"]), rows["20180075"]
    assert re.match(r"broken +FAILED \(2\) +[\d.]+ +broken\.yaml: offence_classes: '88-1' is not a Home Office classification", rows["broken"]), rows["broken"]
    assert (folder_run["out"] / "20180075" / "release" / "briefing.html").is_file()
    assert not (folder_run["out"] / "20180099").exists()


def test_a_batch_s_summary_calls_a_run_s_release_a_draft_and_says_how_to_publish_it():
    """A run makes a draft (`release/`, marked as one): nothing is released until an officer
    publishes it from the disclosure log, so the batch's summary must not say "released"."""
    from helpers.run.cli import summary_table
    from helpers.run.request import RunResult

    done = RunResult("20180075", True, outputs=Path("/out/20180075"), seconds=3.2)
    failed = RunResult("20180099", False, "parameters", "broken.yaml: offence_classes: ...")
    lines = summary_table([done, failed]).splitlines()
    assert "released" not in summary_table([done, failed])
    assert re.match(r"20180075 +draft +3\.2 +/out/20180075/release \(a draft: review it, then foi-briefing log publish 20180075\)$", lines[1]), lines[1]
    assert re.match(r"20180099 +FAILED \(2\) +0\.0 +broken\.yaml", lines[2]), lines[2]


def test_a_batch_s_notes_name_their_request_and_a_note_every_request_shares_is_said_once():
    """Found by a docs audit: a batch printed "review of dog: 408 candidate(s) ..." with no word
    of which request's review it was."""
    from helpers.run.cli import notes_of
    from helpers.run.request import RunResult

    first = RunResult("EX-1", True, notes=["disclosure log started in /log", "review of dog: 3 of 9 reviewed"])
    second = RunResult("EX-2", True, notes=["disclosure log started in /log", "review of cat: 0 of 2 reviewed"])
    assert notes_of([first, second]) == [
        "EX-1: disclosure log started in /log",
        "EX-1: review of dog: 3 of 9 reviewed",
        "EX-2: review of cat: 0 of 2 reviewed",
    ]


@pytest.mark.slow
def test_formats_html_gives_no_pdf(folder_run):
    release = folder_run["out"] / "20180075" / "release"
    assert (release / "briefing.html").is_file()
    assert not (release / "briefing.pdf").exists()
    assert "briefing.pdf" not in (release / "manifest.json").read_text(encoding="utf-8")


# ---- bugs found while writing these tests, now fixed


@pytest.mark.slow
def test_a_request_whose_figures_are_all_small_is_still_briefed(tmp_path):
    extracts = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[cms_crime("CM/16/0000001", **{"HO OUTCOME": "18"}), cms_crime("CM/15/0000001", "03/03/2015 10:00")],
        connect_crimes=[connect_crime("00000001/17")],
    )
    done = run(PARAMS, extracts, tmp_path / "out", "--formats", "html")
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_relative_command_line_paths_are_relative_to_the_current_folder(good, tmp_path):
    # --out stays absolute here, so that the bug cannot write into the project
    done = foi("run", PARAMS, "--extracts", good["extracts"].name, "--out", tmp_path / "out", "--no-progress", "--formats", "html",
               cwd=good["extracts"].parent)
    assert done.returncode == 0, done.stderr


# ---- command-line mistakes found in review


def test_an_output_folder_that_cannot_be_written_is_named(tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    done = run(PARAMS, tmp_path, not_a_folder)
    assert done.returncode == EXIT["parameters"]
    assert one_line(done).startswith("20180075: failed: output_dir: cannot write in")


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_a_whole_number_of_one_or_more(tmp_path, jobs):
    done = foi("run", PARAMS, "--jobs", jobs)
    assert done.returncode == 2 and "--jobs" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_requests_run_one_after_another_in_one_kernel_give_the_same_figures(good, tmp_path):
    """--jobs 1: the second request runs in the first's kernel (reset between them), with the
    extract and the gate's columns read once."""
    parameters_file(tmp_path / "requests" / "a.yaml", reference="20180101")
    parameters_file(tmp_path / "requests" / "b.yaml", reference="20180102", title="The same request again")
    done = run(tmp_path / "requests", good["extracts"], tmp_path / "out", "--formats", "html", "--jobs", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    results = [json.loads((tmp_path / "out" / ref / "restricted" / "results.json").read_text(encoding="utf-8")) for ref in ("20180101", "20180102")]
    expected = json.loads((good["request"] / "restricted" / "results.json").read_text(encoding="utf-8"))
    for got in results:
        assert got["persons_charged"] == expected["persons_charged"] and got["offences_by_year"] == expected["offences_by_year"]
    assert "The same request again" in (tmp_path / "out" / "20180102" / "release" / "briefing.html").read_text(encoding="utf-8")
    # the executed notebook is whole: every code cell ran and was saved
    cells = json.loads((tmp_path / "out" / "20180102" / "restricted" / "briefing.ipynb").read_text(encoding="utf-8"))["cells"]
    assert all(cell["execution_count"] for cell in cells if cell["cell_type"] == "code")


@pytest.mark.slow
def test_ctrl_c_stops_a_batch_in_one_line_publishing_nothing_unfinished_and_leaving_no_kernel(good, tmp_path):
    """SIGINT (Ctrl-C) once the first notebooks run: exit 130, one line, the kernels gone, and
    no request that had not finished published."""
    import os
    import signal
    import time

    import psutil

    for i in range(6):
        parameters_file(tmp_path / "requests" / f"r{i}.yaml", reference=f"2018020{i}")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [BIN / "foi-briefing", "run", tmp_path / "requests", "--extracts", good["extracts"], "--out", out, "--formats", "html", "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    # a notebook is running once its staged copy is being written
    while not list((out / ".runs").glob("*/*/restricted/briefing.ipynb")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    kernels = [child for child in psutil.Process(process.pid).children(recursive=True) if "ipykernel" in " ".join(child.cmdline())]
    assert kernels, "no kernel was running"
    os.kill(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["foi-briefing: stopped (Ctrl-C); no unfinished request was published"]
    assert not any(kernel.is_running() and kernel.status() != psutil.STATUS_ZOMBIE for kernel in kernels)
    for published in (p for p in out.iterdir() if not p.name.startswith(".")):
        assert (published / "release" / "manifest.json").is_file(), published  # finished before the stop


# ---- private by default (issue 17): restricted/, the staging folders and .failed/ are owner-only
# (folders 0700, files 0600) whatever the umask (022 here), or shared with FOI_SHARE_GROUP's group


RESTRICTED_FILES = {
    "results.json", "run.log", "briefing.ipynb", "quarantine.csv", "evidence_candidates.csv",
    "gate_report.json", "gate_tables.json", "search_scope.csv", "evidence_decisions.csv",
}


def wrong_modes(folder: Path, folders: int = 0o700, files: int = 0o600, gid: int | None = None) -> list[str]:
    """Every path under `folder` (itself included) whose mode (or group) is not the one asked for."""
    wrong = []
    for path in [folder, *folder.rglob("*")]:
        status = path.lstat()
        expected = folders if stat.S_ISDIR(status.st_mode) else files
        if stat.S_IMODE(status.st_mode) != expected or (gid is not None and status.st_gid != gid):
            wrong.append(f"{path.relative_to(folder.parent)}: {stat.S_IMODE(status.st_mode):o} group {status.st_gid}")
    return wrong


@pytest.mark.slow
def test_restricted_outputs_and_staging_are_owner_only_under_umask_022(good):
    assert good["done"].returncode == 0, good["done"].stderr[-3000:]
    restricted = good["request"] / "restricted"
    assert {path.name for path in restricted.iterdir()} >= RESTRICTED_FILES
    assert wrong_modes(restricted) == []
    assert wrong_modes(good["out"] / ".runs") == []  # the staging folders' parent (the run's is gone)
    # release/ is published: readable by all, as the umask says
    assert wrong_modes(good["request"] / "release", 0o755, 0o644) == []


@pytest.mark.slow
def test_a_failed_runs_outputs_are_owner_only_and_do_not_look_like_a_release(strict):
    folder = failed_folder(one_line(strict["done"]))
    assert wrong_modes(strict["out"] / ".failed") == []
    assert not [path for path in folder.parent.rglob("*") if path.name == "release"]
    assert (folder / "NOT-RELEASED-failed-run").is_dir()
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert "NOT RELEASED" in readme and "quarantined and strict is on" in readme


def failed_run(out: Path, name: str, hours_ago: float) -> Path:
    """A failed run's folder in `out/.failed/` as the runner leaves one, failed `hours_ago`."""
    folder = out / ".failed" / name
    (folder / "20180075" / "NOT-RELEASED-failed-run").mkdir(parents=True)
    (folder / "20180075" / "README.txt").write_text("NOT RELEASED\n", encoding="utf-8")
    marker = folder / ".foi-briefing-failed-run"
    marker.write_text("", encoding="utf-8")
    when = time.time() - hours_ago * 3600
    os.utime(marker, (when, when))
    return folder


@pytest.fixture(scope="module")
def shared(good, tmp_path_factory):
    """A run with FOI_SHARE_GROUP naming the user's primary group, with a reviewer's decisions file
    (readable by all), into an output folder holding 25 recent failed runs, two more than 14 days
    old, and a user's own folders in .failed/."""
    base = tmp_path_factory.mktemp("shared")
    out = base / "out"
    recent = [failed_run(out, f"20180075-20260101-{i:06d}-{100 + i}-1", hours_ago=i + 1) for i in range(25)]
    old = [failed_run(out, f"20180076-20251101-000000-{200 + days}-1", hours_ago=24 * days) for days in (15, 30)]
    mine = out / ".failed" / "my-notes"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine\n", encoding="utf-8")
    lookalike = out / ".failed" / "20180075-20200101-000000-1-1"  # the runner's name, not its marker
    lookalike.mkdir()
    decisions = base / "decisions.csv"
    decisions.write_text("reference,decision,reviewer,note\nCM/16/0000002,no,AB,\n", encoding="utf-8")
    params = parameters_file(base / "20180075.yaml", evidence_decisions=str(decisions))
    group = grp.getgrgid(os.getgid())
    done = run(params, good["extracts"], out, "--formats", "html", env={"FOI_SHARE_GROUP": group.gr_name})
    return {"done": done, "out": out, "gid": group.gr_gid, "recent": recent, "old": old, "mine": mine, "lookalike": lookalike}


@pytest.mark.slow
def test_a_share_group_makes_the_restricted_outputs_readable_by_that_group_only(shared):
    assert shared["done"].returncode == 0, shared["done"].stderr[-3000:]
    restricted = shared["out"] / "20180075" / "restricted"
    assert {path.name for path in restricted.iterdir()} >= RESTRICTED_FILES
    assert wrong_modes(restricted, 0o750, 0o640, shared["gid"]) == []
    assert wrong_modes(shared["out"] / ".runs", 0o750, 0o640, shared["gid"]) == []
    assert wrong_modes(shared["out"] / "20180075" / "release", 0o755, 0o644) == []


@pytest.mark.slow
def test_failed_runs_older_than_14_days_or_beyond_the_last_20_are_pruned_and_logged(shared):
    assert shared["done"].returncode == 0, shared["done"].stderr[-3000:]
    assert [folder.exists() for folder in shared["recent"]] == [True] * 20 + [False] * 5
    assert not any(folder.exists() for folder in shared["old"])
    assert (shared["mine"] / "notes.txt").is_file() and shared["lookalike"].is_dir()  # not the runner's
    # .failed/ itself, made by the test under umask 022 as an older version did, is closed too
    assert stat.S_IMODE((shared["out"] / ".failed").stat().st_mode) == 0o750
    log = (shared["out"] / "20180075" / "restricted" / "run.log").read_text(encoding="utf-8")
    pruned = [line for line in log.splitlines() if "pruned" in line]
    assert len(pruned) == 1, log
    assert "7 failed run(s)" in pruned[0] and "14 days" in pruned[0] and "20" in pruned[0], pruned[0]


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("FOI_SHARE_GROUP", "no-such-group-17", "20180075: failed: FOI_SHARE_GROUP: no group named 'no-such-group-17' on this machine"),
    ("FOI_FAILED_KEEP_DAYS", "two weeks", "20180075: failed: FOI_FAILED_KEEP_DAYS: expected a whole number from 0 to 999999, got 'two weeks'"),
    ("FOI_FAILED_KEEP_RUNS", "-1", "20180075: failed: FOI_FAILED_KEEP_RUNS: expected a whole number from 0 to 999999, got '-1'"),
])
def test_a_bad_sharing_or_pruning_setting_stops_the_run_in_one_line(tmp_path, name, value, expected):
    done = run(PARAMS, tmp_path / "no-extracts-needed", tmp_path / "out", env={name: value})
    assert done.returncode == EXIT["parameters"], done.stderr
    assert one_line(done) == expected
    assert not (tmp_path / "out").exists()


def test_the_review_notebooks_decisions_file_is_owner_only(tmp_path):
    from helpers.analysis import review

    frame = review.decisions_frame(None)
    umask = os.umask(0o022)
    try:
        path = review.write_decisions(frame, tmp_path / "20180075" / "restricted" / "evidence_decisions.csv")
    finally:
        os.umask(umask)
    assert wrong_modes(path.parent) == []


# ---- issue 17: a run writes nothing inside a release folder or another request's outputs


def published(outputs: Path, reference: str) -> Path:
    """`outputs/<reference>/` as a run publishes it: release/ and restricted/, with files."""
    folder = outputs / reference
    (folder / "release" / "tables").mkdir(parents=True)
    (folder / "restricted").mkdir()
    (folder / "release" / "briefing.html").write_text("<p>published</p>\n")
    (folder / "release" / "tables" / "t.csv").write_text("a,b\n1,2\n")
    (folder / "restricted" / "worklist.csv").write_text("restricted\n")
    return folder


@pytest.mark.parametrize(("inside", "expected"), [
    ("outputs/20180075/release", "is inside a release folder"),
    ("outputs/20180075/release/tables/more", "is inside a release folder"),
    ("outputs/20180099", "is inside the outputs of request 20180099"),
    ("outputs/20180099/restricted", "is inside the outputs of request 20180099"),
])
@pytest.mark.parametrize("given", ["--out", "output_dir"])
def test_an_output_folder_inside_a_release_or_another_request_s_outputs_is_refused(tmp_path, inside, expected, given):
    published(tmp_path / "outputs", "20180075")
    published(tmp_path / "outputs", "20180099")
    before = digests(tmp_path)
    out = tmp_path / inside
    if given == "--out":
        done = run(PARAMS, tmp_path / "no-extracts-needed", out)
        key = "--out: "
    else:
        params = parameters_file(tmp_path / "params" / "request.yaml", output_dir=str(out), extracts_dir=str(tmp_path / "none"))
        before = digests(tmp_path)
        done = foi("run", params, "--no-progress")
        key = "request.yaml: output_dir: "
        checked = foi("check", params)
        assert checked.returncode == EXIT["parameters"] and key + str(out) in one_line(checked), checked.stdout + checked.stderr
    assert done.returncode == EXIT["parameters"], done.stdout + done.stderr
    message = one_line(done)
    assert key + str(out) + " " + expected in message, message
    assert digests(tmp_path) == before  # nothing written, nothing replaced
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_dir() and ".runs" in p.parts + (p.name,)) == []


def test_a_folder_named_release_that_is_no_release_is_a_good_output_folder(tmp_path):
    # a project kept under /srv/release/... : only a release folder (beside restricted/, or holding
    # a release's files) is refused
    from helpers.request.parameters import read_parameters
    from helpers.run.staging import refuse_foreign_output

    params = read_parameters(PARAMS, {"output_dir": str(tmp_path / "release" / "foi" / "outputs")})
    refuse_foreign_output(params, "--out")  # no error
    (tmp_path / "release").mkdir()
    (tmp_path / "release" / "manifest.json").write_text("{}")
    with pytest.raises(ParameterError, match="inside a release folder"):
        refuse_foreign_output(params, "--out")


# ---- issue 19: the review store, which no run replaces


REVIEWED = "CM/16/0000002"
STING = "Arrested after a sting by the Predator Patrol group, who passed the chat logs to police."


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_a_review_is_used_by_every_run_and_a_changed_text_is_flagged_never_reused(tmp_path):
    from helpers.analysis.review_store import ReviewStore

    log, out = tmp_path / "log", tmp_path / "out"
    env = {"FOI_LOG_DIR": str(log)}
    extracts = small_extract(tmp_path / "extracts", set_aside=False, texts={REVIEWED: STING})
    store = ReviewStore.for_request(log, "20180075")
    store.record(REVIEWED, STING, "no", "AB", note="a council team, not a hunter group")
    kept = sha256(store.path)
    results = out / "20180075" / "restricted" / "results.json"

    first = run(PARAMS, extracts, out, "--formats", "html", env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    vigilante = json.loads(results.read_text())["vigilante"]
    assert (vigilante["reviewed"], vigilante["overturned"], vigilante["crime_references"]) == (1, 1, [])
    assert vigilante["review"]["store"]["sha256"] == kept
    log_text = (out / "20180075" / "restricted" / "run.log").read_text(encoding="utf-8")
    assert "review: 1 of 1 candidate(s) reviewed (1 from the review store (reviews/20180075.jsonl)); 1 change the search's call" in log_text

    # the extract changes the reviewed text: the decision is flagged, not used, and nothing is lost
    small_extract(tmp_path / "extracts", set_aside=False, texts={REVIEWED: STING + " Updated by the officer in 2019."})
    second = run(PARAMS, extracts, out, "--formats", "html", env=env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "20180075: warning: review: 1 decision(s) made on a text that has changed since: not used" in second.stderr
    vigilante = json.loads(results.read_text())["vigilante"]
    assert vigilante["review"]["review_again"] == [REVIEWED] and vigilante["reviewed"] == 0
    assert vigilante["crime_references"] == [REVIEWED]  # the search's call until it is reviewed again
    worklist = (out / "20180075" / "restricted" / "evidence_candidates.csv").read_text(encoding="utf-8")
    assert "TEXT CHANGED since AB decided no" in worklist
    page = (out / "20180075" / "release" / "briefing.html").read_text(encoding="utf-8")
    assert "For some matches the circumstances text changed after the review" in page and REVIEWED not in page
    assert sha256(store.path) == kept and wrong_modes(log / "reviews") == []


@pytest.mark.slow
def test_an_open_disagreement_shows_in_the_run_and_stops_it_with_strict(tmp_path):
    from helpers.analysis.review_store import ReviewStore

    log, out = tmp_path / "log", tmp_path / "out"
    env = {"FOI_LOG_DIR": str(log)}
    extracts = small_extract(tmp_path / "extracts", set_aside=False, texts={REVIEWED: STING})
    store = ReviewStore.for_request(log, "20180075")
    store.record(REVIEWED, STING, "yes", "AB")
    store.record(REVIEWED, STING, "no", "CD", role="second")
    params = parameters_file(tmp_path / "20180075.yaml", second_review=True)

    done = run(params, extracts, out, "--formats", "html", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "20180075: warning: review: 1 open disagreement(s) between the first and the second reviewer" in done.stderr
    page = (out / "20180075" / "release" / "briefing.html").read_text(encoding="utf-8")
    assert "A second reviewer checked a sample of them" in page and "not yet settled" in page
    assert REVIEWED not in page

    strict = run(params, extracts, out, "--formats", "html", "--strict", env=env)
    assert strict.returncode == EXIT["parameters"]
    assert re.match(r"20180075: failed: 1 open disagreement\(s\) between the first and the second reviewer of the search hunter_group and strict is on; first: CM/16/0000002 ", one_line(strict))


@pytest.mark.parametrize(("reference", "log_in"), [("disclosure-log", "disclosure-log"), ("20180075", "20180075/log")])
@pytest.mark.slow
def test_a_run_never_replaces_the_log_folder_and_its_review_stores(tmp_path, reference, log_in):
    from helpers.analysis.review_store import ReviewStore

    out = tmp_path / "out"
    store = ReviewStore.for_request(out / log_in, "20180075")
    store.record(REVIEWED, STING, "no", "AB")
    kept = sha256(store.path)
    params = parameters_file(tmp_path / "request.yaml", reference=reference)
    extracts = small_extract(tmp_path / "extracts", set_aside=False)  # a run that would succeed
    done = run(params, extracts, out, "--formats", "html", env={"FOI_LOG_DIR": str(out / log_in)})
    assert done.returncode == EXIT["parameters"]
    assert f"would replace the disclosure log and its review stores ({out / log_in})" in one_line(done)
    assert sha256(store.path) == kept and sorted(p.name for p in out.iterdir()) == [log_in.split("/")[0]]


def test_progress_bars_only_where_a_terminal_shows_them(monkeypatch):
    """A scheduler's log gets no redrawn bars: without a terminal, or with --no-progress, none."""
    import io

    from helpers.run import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli.shows_progress(False) is False
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert cli.shows_progress(False) is True and cli.shows_progress(True) is False


def test_a_failure_whose_results_cannot_be_read_is_still_told_and_kept(tmp_path, monkeypatch):
    """Found by a reviewer: the run's failure handling read what the notebook wrote of the
    reviews, and a results.json of another shape raised inside it: the failure escaped
    `run_request`, its log said nothing, and its partial outputs were not kept."""
    from helpers.errors import RunFailure
    from helpers.run import request as runner

    def notebook(params, staging, progress, kernel=None):
        reviews = {"reference": params.reference, "search_reviews": {"s": "not a summary"}}
        (staging.restricted / "results.json").write_text(json.dumps(reviews), encoding="utf-8")
        raise RunFailure("gate", "withheld figures could still be worked out exactly")

    class Lent:
        def __enter__(self):
            return None

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(runner, "execute_notebook", notebook)
    monkeypatch.setattr(runner, "lease", lambda kernel: Lent())
    monkeypatch.setenv("FOI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FOI_LOG_DIR", str(tmp_path / "log"))
    example = ROOT / "parameters" / "examples" / "sexual-offences-by-age.yaml"
    done = runner.run_request(example, str(SAMPLE), str(tmp_path / "out"), progress=False)
    assert not done.ok and done.kind == "gate" and "withheld figures" in done.message
    folder = failed_folder(done.message)
    log = (folder / "restricted" / "run.log").read_text(encoding="utf-8")
    assert "ERROR failed (gate): withheld figures could still be worked out exactly" in log
