"""The disclosure log: the units each protected cell counts, the log's store (restricted, keyed
hashes, atomic and locked writes), drafts, publication, withdrawal, import and the shared index."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_runner import digests, foi, one_line, parameters_file, run, small_extract

from helpers.briefing.report import index_page, with_draft_mark
from helpers.disclosure.describe import checked_against
from helpers.disclosure.log import (
    FORMAT,
    DisclosureLog,
    ReleaseRecord,
    default_log_folder,
    log_folder,
    open_log,
    synthetic_log_folder,
)
from helpers.errors import DisclosureLogError
from helpers.gate.check import check_index
from helpers.project import project_root
from helpers.request import steps
from helpers.request.grammar import TODAYS_TABLES
from helpers.request.parameters import read_parameters
from helpers.run.log import write_index
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
    return extract, steps.answer(params, extract)


# ---- 1. the units of each protected cell


def test_every_protected_cell_counts_exactly_its_units(briefed):
    _, answers = briefed
    assert [answer.name for answer in answers] == list(TODAYS_TABLES)
    for answer in answers:
        counts = answer.counts
        assert set(answer.units) == {(row, column) for row in counts.index for column in counts.columns}
        for (row, column), members in answer.units.items():
            assert len(members) == counts.loc[row, column], (answer.name, row, column)


def test_units_are_keyed_by_kind_and_a_migrated_crime_by_its_earliest_reference(briefed):
    extract, answers = briefed
    units = {answer.name: answer.units for answer in answers}
    crimes = set().union(*units["offences_by_year"].values(), *units["outcomes_by_year"].values(),
                         *units["evidence_review"].values())
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


def test_many_sets_of_units_are_hashed_as_each_set_alone(tmp_path):
    sets = [
        frozenset({"crime:CM/16/1", "person:7"}),
        frozenset(),
        frozenset({"crime:CM/16/1", "crime:CM/16/2", "person:7"}),  # a Total: its parts again
    ]
    alone = [started(tmp_path / "a").hashed_set(units) for units in sets]
    together = started(tmp_path / "a").hashed_sets(sets)  # the same key: the same log folder
    assert together == alone
    assert len(together[2]) == 3 and together[0] < together[2]


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


def test_the_note_says_what_the_releases_were_checked_against():
    assert checked_against(0) == "It could not narrow any hidden figure down to a single number."
    assert checked_against(3).endswith(
        "from this response alone or checked against the three releases we have published from these records with this tool."
    )


# ---- where the log is: the force's, never touched by tests or the demo


def test_tests_use_a_log_of_their_own():
    assert log_folder() == Path(os.environ["FOI_LOG_DIR"]).resolve()
    assert project_root() not in log_folder().parents


def test_a_synthetic_extract_uses_the_synthetic_log_and_the_option_wins(monkeypatch, tmp_path):
    monkeypatch.delenv("FOI_LOG_DIR")
    synthetic = project_root() / "data" / "synthetic-40000"
    assert log_folder(None, synthetic) == synthetic_log_folder() != default_log_folder()
    assert log_folder(None, tmp_path) == default_log_folder()
    assert log_folder(str(tmp_path / "mine"), synthetic) == tmp_path / "mine"


# ---- the index: escaped, and gated


def test_the_index_is_escaped_and_self_contained():
    page = index_page([{"reference": "R1", "title": 'A <script>alert(1)</script> & "x"', "date": "2026-01-02",
                        "links": [("briefing", "published/R1/v1/briefing.html")]}])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;" in page
    assert 'http-equiv="Content-Security-Policy"' in page and 'href="published/R1/v1/briefing.html"' in page


def test_the_gate_checks_the_index(tmp_path):
    clean = tmp_path / "index.html"
    clean.write_text(index_page([]), encoding="utf-8")
    assert check_index(clean, 5).passed
    planted = tmp_path / "planted.html"
    planted.write_text(index_page([]).replace("</main>", '<a href="https://example.org/x">x</a><script>1</script></main>'), encoding="utf-8")
    report = check_index(planted, 5, "index.html")
    assert not report.passed and {f.rule for f in report.findings} >= {"external_link", "active_content"}


# ---- the commands, end to end (each a notebook run or more: slow)


def draft_marked(release: Path) -> bool:
    return "DRAFT — not yet published" in (release / "briefing.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """Request 20180075 on a small extract, run twice, published, run again, withdrawn; another
    request made with a log elsewhere, imported. Each step's output and what it left."""
    base = tmp_path_factory.mktemp("flow")
    extracts, out, log = small_extract(base / "extracts"), base / "out", base / "force" / "disclosure-log"
    env = {"FOI_LOG_DIR": str(log)}
    request, steps_done = out / "20180075", {}
    steps_done["first"] = run(PARAMS, extracts, out, env=env)
    steps_done["first_draft_marked"] = draft_marked(request / "release")
    steps_done["second"] = run(PARAMS, extracts, out, env=env)
    steps_done["list_drafts"] = foi("log", "list", env=env)
    steps_done["publish"] = foi("log", "publish", "20180075", env=env)
    steps_done["published_release"] = digests(request / "release")
    steps_done["kept_version"] = digests(log / "versions" / "20180075" / "v1")
    steps_done["published_draft_marked"] = draft_marked(request / "release")
    steps_done["index_after_publish"] = (log.parent / "index.html").read_text(encoding="utf-8")
    steps_done["rerun"] = run(PARAMS, extracts, out, env=env)
    steps_done["rerun_draft_marked"] = draft_marked(request / "release")
    steps_done["rerun_note"] = (request / "restricted" / "to-publish" / "briefing.html").read_text(encoding="utf-8")
    steps_done["withdraw"] = foi("log", "withdraw", "20180075", env=env)
    steps_done["index_after_withdraw"] = (log.parent / "index.html").read_text(encoding="utf-8")
    elsewhere = parameters_file(base / "elsewhere" / "20180099.yaml", reference="20180099", title="Made <elsewhere> & then imported")
    steps_done["elsewhere"] = run(elsewhere, extracts, base / "out-elsewhere", env={"FOI_LOG_DIR": str(base / "other-log")})
    steps_done["import"] = foi("log", "import", base / "out-elsewhere" / "20180099", env=env)
    steps_done["list"] = foi("log", "list", env=env)
    return {"steps": steps_done, "log": log, "request": request, "base": base}


@pytest.mark.slow
def test_the_first_run_starts_a_log_and_says_so_and_a_rerun_replaces_its_draft(flow):
    first, second = flow["steps"]["first"], flow["steps"]["second"]
    assert first.returncode == 0, first.stderr
    assert f"started a new disclosure log in {flow['log']}" in first.stdout
    assert second.returncode == 0 and "started a new disclosure log" not in second.stdout
    drafts = [line.split() for line in flow["steps"]["list_drafts"].stdout.splitlines()[1:]]
    assert [line[:3] for line in drafts] == [["20180075", "draft", "draft"]]


@pytest.mark.slow
def test_a_draft_is_marked_and_publishing_removes_the_mark_keeping_what_the_log_holds(flow):
    done = flow["steps"]
    assert done["first_draft_marked"] and done["publish"].returncode == 0, done["publish"].stderr
    assert not done["published_draft_marked"]
    assert done["published_release"] == done["kept_version"]  # what is sent is what the log holds


@pytest.mark.slow
def test_a_rerun_after_publishing_is_a_new_draft_that_overwrites_no_published_version(flow):
    done = flow["steps"]
    assert done["rerun"].returncode == 0 and done["rerun_draft_marked"]
    assert digests(flow["log"] / "versions" / "20180075" / "v1") == done["kept_version"]
    assert "checked against the one release we have published from these records with this tool" in done["rerun_note"]
    # the draft's page is the page to publish, marked: nothing else differs
    assert (flow["request"] / "release" / "briefing.html").read_text(encoding="utf-8") == with_draft_mark(done["rerun_note"])


@pytest.mark.slow
def test_withdraw_list_and_index(flow):
    done = flow["steps"]
    assert 'href="published/20180075/v1/briefing.html"' in done["index_after_publish"]
    assert done["withdraw"].returncode == 0, done["withdraw"].stderr
    assert "20180075/v1: withdrawn" in done["withdraw"].stdout
    assert "published/20180075/v1/" not in done["index_after_withdraw"]
    rows = [line.split()[:3] for line in done["list"].stdout.splitlines()[1:]]
    assert rows == [["20180075", "1", "withdrawn"], ["20180075", "draft", "draft"], ["20180099", "1", "published"]]


@pytest.mark.slow
def test_a_release_made_elsewhere_is_imported_and_listed_escaped(flow):
    done = flow["steps"]
    assert done["elsewhere"].returncode == 0 and done["import"].returncode == 0, done["import"].stderr
    assert "20180099: imported as published version 1" in done["import"].stdout
    index = (flow["log"].parent / "index.html").read_text(encoding="utf-8")
    assert "Made &lt;elsewhere&gt; &amp; then imported" in index
    assert not draft_marked(flow["log"] / "versions" / "20180099" / "v1")


@pytest.mark.slow
def test_the_log_names_no_one_and_is_owner_only(flow):
    raw = ["CM/16/0000001", "00000002/17", "CM/15/0000001", "100001", "PER1", "2000/0448754A"]
    restricted = json.loads((flow["request"] / "restricted" / "disclosure_cells.json").read_text(encoding="utf-8"))
    units = {unit.partition(":")[2] for cell in restricted["cells"] for unit in cell["units"]}
    assert "CM/16/0000001" in units  # the migrated crime, by its first reference
    for path in [flow["log"], *flow["log"].rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
        if path.is_file():
            data = path.read_bytes()
            assert not any(ref.encode() in data for ref in [*raw, *units]), path


@pytest.mark.slow
def test_a_log_that_cannot_be_read_stops_the_run_in_one_line(flow, tmp_path):
    log = tmp_path / "log"
    shutil.copytree(flow["log"], log)
    (log / "log.json").write_text("{", encoding="utf-8")
    done = run(PARAMS, flow["base"] / "extracts", tmp_path / "out", env={"FOI_LOG_DIR": str(log)})
    assert done.returncode == 6
    assert "log.json: the disclosure log cannot be read" in one_line(done)
    listed = foi("log", "list", env={"FOI_LOG_DIR": str(log)})
    assert listed.returncode == 6 and "log.json" in one_line(listed)


def test_a_batch_says_once_that_it_started_the_log():
    from helpers.run.cli import notes_of
    from helpers.run.request import RunResult

    started = "started a new disclosure log in /x (back it up with its secret.key)"
    results = [RunResult("A", True, notes=[started]), RunResult("B", True, notes=[]), RunResult("C", False, notes=[started])]
    assert notes_of(results) == [f"A: {started}"]


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader  # here: only these tests read a PDF's words

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


@pytest.mark.slow
def test_the_draft_pdf_is_marked_and_the_published_one_is_not(flow):
    assert "DRAFT — not yet published" in pdf_text(flow["request"] / "release" / "briefing.pdf")  # the re-run's draft
    assert "DRAFT" not in pdf_text(flow["log"] / "versions" / "20180075" / "v1" / "briefing.pdf")


def test_the_index_lists_the_published_releases_newest_first_without_the_withdrawn(tmp_path):
    log = started(tmp_path / "log")
    with log.locked():
        for reference, day in (("OLD1", "2026-01-01"), ("NEW2", "2026-03-01"), ("GONE3", "2026-02-01")):
            published = record(reference, release_files={"briefing.html": "x", "tables.xlsx": "z", "tables/people_charged.csv": "y"})
            published.times = {"published": f"{day}T10:00:00+00:00"}
            log.add_published(published)
    log.withdraw("GONE3")
    write_index(log)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert page.index("NEW2") < page.index("OLD1") and "GONE3" not in page
    assert 'href="published/OLD1/v1/briefing.html"' in page and 'href="published/OLD1/v1/tables/people_charged.csv"' in page
    assert 'href="published/OLD1/v1/tables.xlsx">spreadsheet</a>' in page  # the tables as a workbook
    assert "briefing.pdf" not in page  # only the files the release has


def test_a_log_that_cannot_be_started_is_a_one_line_error(tmp_path):
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    with pytest.raises(DisclosureLogError, match=r"a-file/log: cannot start a disclosure log here \(") as caught:
        open_log(tmp_path / "a-file" / "log", start=True)
    assert "\n" not in str(caught.value)


def test_a_log_whose_cells_contradict_themselves_stops_the_run_as_a_damaged_log():
    """A published cell whose shown count is not its number of units (a log edited by hand) is
    the log's fault (exit 6, one line), not a bug of the notebook."""
    from helpers.disclosure.across import LoggedCell
    from helpers.errors import DisclosureLogError
    from helpers.request import steps

    draft = [LoggedCell("R/draft", "t", "a", "n", frozenset({"crime:1"}), "<5")]
    published = [LoggedCell("P/v1", "t", "a", "n", frozenset({"crime:1", "crime:2"}), "7")]
    with pytest.raises(DisclosureLogError, match="disclosure log cannot be used: .*P/v1"):
        steps.audit_across_releases(None, draft, published, 5)  # type: ignore[arg-type]
