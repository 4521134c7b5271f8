"""One request's run, step by step: parameters, extract (the cache build), notebook, export,
gate, publish.

`run_request` reads as those steps; each is a function below, in that order. Steps overlap in
time where they can: the cache build starts before the kernel, and the gate's read-ahead runs
while the notebook does (`background`). A run writes into a staging folder (`staging`) and
publishes only once the gate has passed; it never raises for a user's mistake: its `RunResult`
says what kind of failure it was (the exit code's kind, `helpers.errors`).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers import __version__
from helpers.disclosure.log import log_folder
from helpers.errors import DisclosureLogError, ParameterError, RunFailure, kind_of
from helpers.extracts.profile import profile_sha256, profile_sources
from helpers.permissions import access
from helpers.project import project_root
from helpers.request.checks import request_warnings
from helpers.request.parameters import (
    RequestParameters,
    notebook_parameters,
    read_parameters,
)
from helpers.request.translate import readable_in_the_grammar
from helpers.run import jupyter_compat
from helpers.run import log as disclosure_log
from helpers.run.background import GateData, start_cache_build
from helpers.run.kernels import KernelPool, PrivateKernel, lease
from helpers.run.staging import (
    TO_PUBLISH,
    Staging,
    close_log,
    keep_failed,
    open_staging,
    prune_failed,
    publish,
    refuse_foreign_output,
    retention,
)

if TYPE_CHECKING:
    from helpers.gate.sensitive import ExtractSensitive

NOTEBOOK = Path("notebooks") / "request_briefing.ipynb"


@dataclass
class RunResult:
    """How one request's run ended: `kind` is "ok" or the kind of failure (its exit code's),
    `message` says why in a line; `steps` are the seconds each step took."""

    reference: str
    ok: bool
    kind: str = "ok"
    message: str = ""
    outputs: Path | None = None
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the user is told besides (the log's)
    #: where the request's words disagree with its figures (`helpers.request.checks`): on stderr
    warnings: list[str] = field(default_factory=list)

    @property
    def release(self) -> Path | None:
        """The published release folder (None: nothing was published)."""
        return self.outputs / "release" if self.outputs is not None else None


@dataclass
class StepClock:
    """Runs a request's steps one by one: each is logged and timed, and `on_step(name)` told as
    it starts (a batch draws a bar per request from it)."""

    result: RunResult
    log: logging.Logger
    on_step: Callable[[str], object] | None = None

    def run(self, name: str, action: Callable[[], object]) -> None:
        if self.on_step:
            self.on_step(name)
        started = time.perf_counter()
        self.log.info("%s: started", name)
        action()
        self.result.steps[name] = time.perf_counter() - started
        self.log.info("%s: done in %.2f s", name, self.result.steps[name])


def run_request(
    params_path: Path,
    extracts: str | None = None,
    out: str | None = None,
    formats: tuple[str, ...] = ("html", "pdf"),
    strict: bool | None = None,
    progress: bool = True,
    on_step: Callable[[str], object] | None = None,
    kernel: PrivateKernel | KernelPool | None = None,
    builder: subprocess.Popen[bytes] | None = None,
    profile: str | None = None,
) -> RunResult:
    """Run one request end to end; never raises for a user's mistake (the result says why).

    `progress` shows papermill's bar of cells; `on_step(name)` is told as each step starts.
    `kernel`: the kernel (or a batch's pool) the notebook runs in; None: one of its own.
    `builder`: this request's cache build, started already (`start_build_for`); by default it is
    started here if the cache needs one. `profile`: the force profile (`--profile`), over the
    file's.
    """
    started = time.perf_counter()
    try:
        params = read_request(params_path, extracts, out, strict, profile)
    except ParameterError as error:
        return RunResult(Path(params_path).stem, False, "parameters", str(error))
    notes: list[str] = []
    try:
        log = disclosure_log.start(log_folder(None, params.extracts_path), notes.append)
    except DisclosureLogError as error:
        return RunResult(params.reference, False, error.kind, str(error))
    try:
        staging = open_staging(params)
    except OSError as error:
        return RunResult(
            params.reference,
            False,
            "parameters",
            f"output_dir: cannot write in {params.path(params.output_dir)} ({error.strerror})",
        )
    staging.log.info(
        "foi-briefing %s: request %s from %s", __version__, params.reference, params_path
    )
    warnings = [str(warning) for warning in request_warnings(params)]
    for warning in warnings:
        staging.log.warning("parameters: %s", warning)
    prune_failed(params, staging.log)
    result = RunResult(params.reference, True, notes=notes, warnings=warnings)
    steps = StepClock(result, staging.log, on_step)
    builder = builder if builder is not None else start_cache_build(params)  # the extract's cache
    import papermill  # noqa: F401 - before any thread of ours imports: one import at a time

    gate_data = GateData(params, builder)
    gate_data.start()
    try:
        # a batch's kernel is this request's for the notebook only: while the export and the gate
        # run here, the next request's notebook runs in it
        with lease(kernel) as leased:
            steps.run("notebook", lambda: execute_notebook(params, staging, progress, leased))
        results = read_results(staging)
        report_review(staging, results, result.warnings)
        report_data_warnings(staging, results, result.warnings)
        export(params, staging, formats, steps)
        steps.run("gate", lambda: seal_release(params, staging.staged, gate_data.sensitive()))
        result.outputs = publish(staging, params.request_output_path)
        disclosure_log.record_draft(log, result.outputs)
    except RunFailure as failure:
        result.ok, result.kind, result.message = False, failure.kind, str(failure)
        staging.log.error("failed (%s): %s", failure.kind, failure)  # the log says why, too
        if "notebook" not in result.steps:  # what it read of the reviews, if it got so far
            try:
                report_review(staging, read_results(staging), result.warnings)
            except Exception:  # noqa: BLE001 - only more to say: the failure above stands
                staging.log.error("%s", traceback.format_exc())
    except Exception as error:  # noqa: BLE001 - a bug: keep the traceback in the log, say one line
        staging.log.error("%s", traceback.format_exc())
        result.ok, result.kind = False, "notebook"
        result.message = (
            f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        )
    finally:
        if builder is not None:
            builder.wait()
        result.seconds = time.perf_counter() - started
        close_log(staging.log)
    if not result.ok:
        kept = keep_failed(staging, params, result.message)
        result.message += f" (partial outputs and the executed notebook: {kept})"
    return result


# ---- parameters and extract


def read_request(
    params_path: Path,
    extracts: str | None,
    out: str | None,
    strict: bool | None,
    profile: str | None = None,
) -> RequestParameters:
    """The request's parameters, with the command line's folders and `--strict` over the file's;
    the settings of the outputs' access and of the failed runs kept checked too; an output folder
    inside a release/ or another request's outputs is refused here, before anything is written
    (`refuse_foreign_output`)."""
    params = read_parameters(
        params_path,
        {"extracts_dir": extracts, "output_dir": out, "strict": strict, "profile": profile},
    )
    readable_in_the_grammar(params, Path(params_path).name)
    profile_sources(params.profile_path)  # the force profile checked now, before any data
    access()
    retention()
    refuse_foreign_output(params, "--out" if out else f"{Path(params_path).name}: output_dir")
    refuse_log_as_output(params)
    return params


def refuse_log_as_output(params: RequestParameters) -> None:
    """ParameterError, before anything is written, if the request's outputs folder would be the
    log folder, inside it or around it (a reference named `disclosure-log`, a `--log` inside
    `outputs/<ref>/`): a run replaces its outputs folder whole, and the log and its review stores
    are never replaced."""
    outputs = params.request_output_path.resolve()
    log = log_folder(None, params.extracts_path)
    if outputs == log or log in outputs.parents or outputs in log.parents:
        raise ParameterError(
            f"reference: the outputs of request {params.reference} ({outputs}) would replace the "
            f"disclosure log and its review stores ({log}): choose another output folder (--out) "
            "or log folder (--log)"
        )


def start_build_for(
    params_path: Path,
    extracts: str | None,
    out: str | None,
    strict: bool | None,
    profile: str | None = None,
) -> subprocess.Popen[bytes] | None:
    """`start_cache_build` for a parameters file, first thing: a cold run's build is its longest
    step, and starts before the kernel and the rest of the run's imports. None if there is
    nothing to build, or the file has a fault (which `run_request` then reports)."""
    try:
        return start_cache_build(read_request(params_path, extracts, out, strict, profile))
    except ParameterError:
        return None


# ---- notebook


def execute_notebook(
    params: RequestParameters,
    staging: Staging,
    progress: bool,
    kernel: PrivateKernel | None = None,
) -> None:
    """Run the briefing notebook with papermill, on this Python, writing into the staging folder."""
    from papermill.exceptions import (
        PapermillExecutionError,
    )  # loaded by now; not at the runner's start

    if kernel is None:
        with PrivateKernel() as own:
            return execute_notebook(params, staging, progress, own.start())
    values = notebook_parameters(params)
    values["output_dir"] = str(staging.root)
    values["extracts_dir"] = str(params.extracts_path)
    if params.evidence_decisions:
        values["evidence_decisions"] = str(params.path(params.evidence_decisions))
    if params.profile:
        values["profile"] = str(params.profile_path)
    root = project_root()
    try:
        kernel.fresh()
        jupyter_compat.execute_in(
            kernel.manager,
            kernel.client(),
            root / NOTEBOOK,
            staging.restricted / "briefing.ipynb",
            values,
            progress,
        )
    except PapermillExecutionError as error:
        kind = kind_of(error.ename)
        message = (
            error.evalue
            if kind != "notebook"
            else f"{error.ename}: {error.evalue} (cell {error.exec_count})"
        )
        raise RunFailure(kind, message) from None
    except Exception:
        kernel.discard()  # a dead or stuck kernel: the next notebook starts a new one
        raise


def read_results(staging: Staging) -> dict[str, Any]:
    """The notebook's `restricted/results.json`, for what the run says of it ({}: none, or a
    notebook of before it)."""
    try:
        results = json.loads((staging.restricted / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return results if isinstance(results, dict) else {}


def report_review(staging: Staging, results: dict[str, Any], warnings: list[str]) -> None:
    """What the notebook found of the evidence review and of each search's review
    (`results`, `results.json`), in the run's log: how many decisions were used and where
    from; each warning (candidates not yet reviewed, texts changed since, conflicts, open
    disagreements) also told to the user as the run's warnings are, counts only."""
    from helpers.analysis.review_store import review_details, review_lines  # no data library

    try:
        summaries = [(results.get("vigilante") or {}).get("review")]
        summaries += list((results.get("search_reviews") or {}).values())
    except (AttributeError, TypeError):
        return  # a notebook of before the review store: nothing to say
    for summary in filter(None, summaries):
        for warning, line in review_lines(summary):
            (staging.log.warning if warning else staging.log.info)("%s", line)
            if warning:
                warnings.append(line)
        for line in review_details(summary):  # the crimes: restricted, the log only
            staging.log.info("%s", line)


def report_data_warnings(staging: Staging, results: dict[str, Any], warnings: list[str]) -> None:
    """Where the request names what the extracts do not hold (`results`' `warnings`: a charge
    code no charge has), told as the request's own warnings are."""
    found = results.get("warnings")
    for line in [str(line) for line in found] if isinstance(found, list) else []:
        staging.log.warning("extracts: %s", line)
        warnings.append(line)


# ---- export


def export(
    params: RequestParameters, staging: Staging, formats: tuple[str, ...], steps: StepClock
) -> None:
    """The executed notebook as HTML (no code) and PDF in release/; only the formats asked for
    are kept (the PDF is made from the HTML)."""
    release, clean = staging.release, staging.to_publish
    if "html" in formats or "pdf" in formats:
        # here, not at the top: nbconvert is heavy; the gate's read-ahead thread has loaded it
        # while the notebook ran
        from helpers.briefing import report

        def html() -> None:  # the page to publish, and the draft: the same, marked as a draft
            report.export_html(
                staging.restricted / "briefing.ipynb",
                clean / "briefing.html",
                f"FOI {params.reference}: {params.title}",
            )
            report.export_draft_html(clean / "briefing.html", release / "briefing.html")

        steps.run("html", html)
    if "pdf" in formats:
        steps.run(
            "pdf",
            lambda: [
                report.export_pdf(folder / "briefing.html", folder / "briefing.pdf")
                for folder in (release, clean)
            ],
        )
    for folder in (release, clean):
        if "html" not in formats and (folder / "briefing.html").exists():
            (folder / "briefing.html").unlink()


# ---- gate


def seal_release(
    params: RequestParameters, staged: Path, sensitive: ExtractSensitive | None = None
) -> None:
    """Write the manifest, then check every file bound for release/ against the extracts.

    `sensitive`: what the gate looks for, read ahead (`GateData`); else read here. The gate's
    report stays in restricted/; a failure stops the run before anything is published.
    """
    # heavy: loaded by the read-ahead thread already
    from helpers.briefing.report import DRAFT_MARK
    from helpers.gate.check import check_draft
    from helpers.gate.manifest import write_manifest
    from helpers.gate.readers import release_files
    from helpers.gate.sensitive import ExtractSensitive, read_search_scope

    extract = sensitive.extract if sensitive is not None else checked_extract(params)
    shared = notebook_parameters(params)
    for private in ("extracts_dir", "output_dir", "evidence_decisions", "profile"):
        # folders on the force's machines are not published: the extract files' hashes say
        # what was read
        shared[private] = "(not published)" if shared[private] else None
    run_time = datetime.now(UTC).isoformat(timespec="seconds")
    to_publish = staged / "restricted" / TO_PUBLISH
    # what the notebook wrote beside the briefing (the tables, tables.xlsx), as it is (the
    # briefing's pages are exported into both folders, the draft's with its mark)
    for written in release_files(staged / "release"):
        relative = written.relative_to(staged / "release")
        if relative.as_posix() not in ("briefing.html", "briefing.pdf"):
            (to_publish / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(written, to_publish / relative)
    for folder in (staged / "release", to_publish):
        write_manifest(
            folder,
            reference=params.reference,
            parameters=shared,
            project_version=__version__,
            extract_files={name: info["sha256"] for name, info in extract.files.items()},
            run_time=run_time,
            force_profile={
                "file": params.profile_path.name,
                "sha256": profile_sha256(params.profile_path),
            },
        )
    sensitive = sensitive or ExtractSensitive(extract)
    sensitive.text_ids = read_search_scope(staged / "restricted")
    # the release to publish (restricted/to-publish/) and its draft (release/): the same files
    # but for the draft's mark, whose neighbourhood is gated as well (`check_draft`)
    report = check_draft(
        staged / "release",
        to_publish,
        f"restricted/{TO_PUBLISH}",
        DRAFT_MARK,
        params.disclosure_threshold,
        sensitive,
    )
    report.write(staged / "restricted" / "gate_report.json")
    if not report.passed:
        raise RunFailure("gate", report.summary_line())


def checked_extract(params: RequestParameters) -> Any:
    """The extract the notebook has just checked, for the gate: from the cache, only its files'
    hashes and the store (the gate reads the columns it needs); `FOI_NO_CACHE=1`: the CSV files."""
    # here, not at the top: the data libraries load in the runner only if a step needs them
    if not os.environ.get("FOI_NO_CACHE"):
        from helpers.cache import entries as cache

        built = cache.open_built(params.extracts_path, params.sources)
        if built is not None:
            return built
    from helpers.request.steps import open_request_extract

    return open_request_extract(params)
