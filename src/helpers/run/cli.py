"""`foi-briefing`: run a request's briefing from its parameters file to a released briefing.

    foi-briefing run PARAMS.yaml [PARAMS.yaml | FOLDER ...] [--extracts DIR] [--out DIR]
                     [--formats html,pdf] [--strict]
    foi-briefing check PARAMS.yaml          check a parameters file, read no data
    foi-briefing demo [--crimes N]          make a synthetic extract and brief 20180075 on it

A run executes `notebooks/request_briefing.ipynb` with papermill in a staging folder, exports the
HTML (no code) and the PDF, runs the release gate, writes the manifest, and only then moves the
staged outputs into `OUT/<reference>/`. A failed run leaves the previous outputs as they were and
says where its partial outputs are. Exit codes are in `EXIT_CODES`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from helpers import __version__

# nbformat (papermill, nbconvert) validates notebooks with jsonschema, whose optional IRI format
# check imports rfc3987_syntax, which builds a parser on import: 0.7 s of every run's start here,
# for a format no notebook holds. Marked absent, jsonschema skips that one check.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
# numpy's OpenBLAS starts a thread per core, and they busy-wait for work: 3 % of a
# cache build's processor time, measured, taken from the reading. Nothing here does linear
# algebra. Set before the kernel and the cache builder start, which inherit it; a user's own
# setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Arrow's memory from jemalloc (in pyarrow's Linux wheels), not its default mimalloc, in this
# process and the ones it starts; freed pages go back to the system once unused for 300 ms.
# Measured on a million crimes: the cold run takes 15 % less processor time (its system time,
# page faults and returns, nearly halves) at the same peak memory; a warm run 0.3 s and 100 MiB
# less.
# Set before pyarrow is first imported; a user's own setting wins. (A pyarrow without jemalloc
# warns once and keeps its default.)
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
os.environ.setdefault("JE_ARROW_MALLOC_CONF", "dirty_decay_ms:300,muzzy_decay_ms:0")
from helpers.errors import EXIT_CODES, BriefingError, RunFailure, kind_of
from helpers.request.parameters import (
    ParameterError,
    RequestParameters,
    notebook_parameters,
    project_root,
    read_parameters,
)

NOTEBOOK = Path("notebooks") / "request_briefing.ipynb"


@dataclass
class RunResult:
    reference: str
    ok: bool
    kind: str = "ok"
    message: str = ""
    outputs: Path | None = None
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    on_step: object = field(default=None, repr=False, compare=False)


# ---- one request


def run_request(
    params_path: Path,
    extracts: str | None = None,
    out: str | None = None,
    formats: tuple[str, ...] = ("html", "pdf"),
    strict: bool | None = None,
    progress: bool = True,
    on_step=None,
    kernel: PrivateKernel | KernelPool | None = None,
    builder=None,
) -> RunResult:
    """Run one request end to end; never raises for a user's mistake (the result says why).

    `progress` shows papermill's bar of cells; `on_step(name)` is told as each step starts (the
    parallel runner draws a bar per request from it). `builder`: this request's cache build,
    started already (`start_build_for`); by default it is started here if the cache needs one.
    """
    started = time.perf_counter()
    try:
        params = read_parameters(
            params_path, {"extracts_dir": extracts, "output_dir": out, "strict": strict}
        )
    except ParameterError as error:
        return RunResult(Path(params_path).stem, False, "parameters", str(error))

    final = params.request_output_path
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    # unique to this run: several run at once, in processes and in a batch's threads
    staging_root = (
        params.path(params.output_dir)
        / ".runs"
        / f"{params.reference}-{stamp}-{os.getpid()}-{threading.get_native_id()}"
    )
    staged = staging_root / params.reference
    try:
        (staged / "restricted").mkdir(parents=True, exist_ok=True)
        (staged / "release").mkdir(parents=True, exist_ok=True)
        log = _open_log(staged / "restricted" / "run.log")
    except OSError as error:
        return RunResult(
            params.reference,
            False,
            "parameters",
            f"output_dir: cannot write in {params.path(params.output_dir)} ({error.strerror})",
        )
    log.info("foi-briefing %s: request %s from %s", __version__, params.reference, params_path)
    result = RunResult(params.reference, True, on_step=on_step)
    builder = builder if builder is not None else start_cache_build(params)
    import papermill  # noqa: F401 - before any thread of ours imports: one import at a time

    gate_data = GateData(params, builder)
    gate_data.start()
    try:
        # a batch's kernel is this request's for the notebook only: while the export and the gate
        # run here, the next request's notebook runs in it
        with _lease(kernel) as leased:
            _step(
                result,
                log,
                "notebook",
                lambda: execute_notebook(params, staging_root, staged, progress, leased),
            )
        release = staged / "release"
        if "html" in formats or "pdf" in formats:
            from helpers.briefing import report

            _step(
                result,
                log,
                "html",
                lambda: report.export_html(
                    staged / "restricted" / "briefing.ipynb",
                    release / "briefing.html",
                    f"FOI {params.reference}: {params.title}",
                ),
            )
        if "pdf" in formats:
            _step(
                result,
                log,
                "pdf",
                lambda: report.export_pdf(release / "briefing.html", release / "briefing.pdf"),
            )
        if "html" not in formats and (release / "briefing.html").exists():
            (release / "briefing.html").unlink()
        _step(result, log, "gate", lambda: seal_release(params, staged, gate_data.sensitive()))
        publish(staged, final)
        shutil.rmtree(staging_root, ignore_errors=True)
        result.outputs = final
        log.info("published %s", final)
    except RunFailure as failure:
        result.ok, result.kind, result.message = False, failure.kind, str(failure)
    except Exception as error:  # noqa: BLE001 - a bug: keep the traceback in the log, say one line
        log.error("%s", traceback.format_exc())
        result.ok, result.kind = False, "notebook"
        result.message = (
            f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        )
    finally:
        if builder is not None:
            builder.wait()
        result.seconds = time.perf_counter() - started
        result.on_step = None  # a result goes back across processes: no callbacks in it
        _close_log(log)
    if not result.ok:
        kept = _keep_failed(staging_root, params)
        result.message += f" (partial outputs and the executed notebook: {kept})"
    return result


def start_cache_build(params: RequestParameters):
    """Start building the extract cache in another process while the notebook's kernel starts.

    The kernel takes seconds to start and import; the cache build uses them. The notebook waits
    for the build's lock and then reads the cache. Nothing to do if the cache is already built;
    a failure here is the notebook's to report (it tries the build itself).
    """
    import subprocess

    if os.environ.get("FOI_NO_CACHE"):
        return None
    try:
        from helpers.cache.keys import cache_root, claim_build

        root = cache_root()
        lock = claim_build(params.extracts_path)  # None: built, or being built by another run
    except Exception:  # noqa: BLE001 - the notebook will name the problem
        return None
    if lock is None:
        return None
    with lock:  # the builder inherits the lock; ours closes once it has started
        # MIMALLOC_PURGE_DELAY=0: where Arrow has no jemalloc, mimalloc hands freed memory back
        # at once (less peak memory)
        return subprocess.Popen(
            builder_command(params.extracts_path, lock.fileno(), root),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=[lock.fileno()],
            env={**os.environ, "MIMALLOC_PURGE_DELAY": "0"},
        )


def start_build_for(params_path: Path, extracts: str | None, out: str | None, strict: bool | None):
    """`start_cache_build` for a parameters file, first thing: a cold run's build is its longest
    step, and starts before the kernel and the rest of the run's imports. None if there is
    nothing to build, or the file has a fault (which `run_request` then reports)."""
    try:
        return start_cache_build(
            read_parameters(
                params_path, {"extracts_dir": extracts, "output_dir": out, "strict": strict}
            )
        )
    except ParameterError:
        return None


def builder_command(extracts: Path, lock_fd: int, root: Path) -> list[str]:
    """The cache builder's command line (`helpers.cache.builder`), run by this Python."""
    from helpers.extracts.people_side import NO_GC  # the standard library only

    # out at once when done (os._exit, after flushing what it printed): the entry is written and
    # its lock let go, and tearing down the interpreter and its tables only keeps the processor busy
    code = f"{NO_GC}; import os, sys; from helpers.cache.builder import main; code = main(); sys.stderr.flush(); os._exit(code)"
    return [
        sys.executable,
        "-c",
        code,
        str(extracts),
        "--lock-fd",
        str(lock_fd),
        "--root",
        str(root),
    ]


#: the nice value of a kernel started while a cache build runs, and of the gate's read-ahead
#: thread then: work the build should go before. In a cold run the kernel's start (a second of
#: processor time) would share the cores with the build it then waits for; at a low priority it
#: takes mostly what the build leaves. Measured, alternating: the cold run 0.3-0.6 s quicker. 10,
#: not 19: the build goes first (about nine to one on a shared core), and on a machine busy with
#: other work the briefing still gets its share (19: 1 in 70); 19 measured no quicker. Without a
#: build there is nothing to yield to (several requests at once: each worker's kernel would lose
#: to the other worker's export and gate). Under Linux's autogroup scheduling a nice value counts
#: only within a session, and jupyter_client starts the kernel in a session of its own: there the
#: read-ahead thread still yields, the kernel does not (lowering its session's weight instead,
#: /proc/self/autogroup, starved its imports past the build's end; medium weights were no quicker).
LOW_PRIORITY = 10

#: run by each kernel as it starts: the notebook's own imports then find the modules loaded. The
#: kernel starts first thing, so these imports overlap the runner's own start (papermill, the
#: parameters) instead of following it. No garbage collection during the imports (its passes
#: over a million new objects find nothing to free); gc.freeze(): those objects are left out of
#: every later collection (each `%reset` runs one), which then takes milliseconds.
PRELOAD = "import gc; gc.disable(); import helpers.request.steps, helpers.briefing.narrative, helpers.briefing.report, helpers.analysis.review, helpers.briefing.charts; gc.freeze(); gc.enable()"


class PrivateKernel:
    """A Jupyter kernel on this Python, over a private socket file, that can run several notebooks.

    "python3" is mapped by jupyter_client to the Python running us (the venv's). The kernel talks
    over a socket file in a private folder, not localhost TCP: the data it handles is personal.
    `start()` launches it early with the project's modules preloaded; a batch's requests take
    turns in it (`KernelPool`), so they pay for the kernel's start and the imports once; `fresh()`
    forgets the previous notebook's variables before the next one, and replaces a dead kernel.
    """

    def __init__(self, low_priority: bool = False):
        self.low_priority = low_priority  # at LOW_PRIORITY: a cache build is running

        self._sockets = tempfile.TemporaryDirectory(prefix="foi-kernel-")
        self.manager = self._new_manager()
        self._killed = False  # by `kill`: no new kernel in its place
        self._used = False
        self._client = None
        self._ready = False

    def _new_manager(self):
        from jupyter_client.manager import KernelManager

        return KernelManager(
            kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets.name, "kernel")
        )

    def start(self) -> PrivateKernel:
        """Launch the kernel (if not running) in the project folder; it imports PRELOAD as it starts."""
        if not self.manager.has_kernel:
            # no input history: a batch kernel's is of no use, and IPython would write it to a file
            preload = (
                f"import os; os.nice({LOW_PRIORITY}); {PRELOAD}" if self.low_priority else PRELOAD
            )
            self.manager.start_kernel(
                cwd=str(project_root()),
                extra_arguments=[
                    f"--IPKernelApp.exec_lines={preload}",
                    "--HistoryManager.enabled=False",
                ],
            )
            self._used = False
            self._drop_client()  # a previous kernel's
        return self

    def client(self):
        """The one client of this kernel, ready: every notebook papermill runs on it, and the
        resets between them, go through it. A new client per notebook would cost 0.2 s each:
        jupyter_client waits that long for a first message on a channel that has just opened."""
        self._open_client()
        if not self._ready:
            _wait_until_ready(self._client, self.manager, timeout=60)
            self._ready = True
        return self._client

    def _open_client(self) -> None:
        if self._client is None:
            from jupyter_client.session import Session

            # its own session (socket identity), whoever else connects to the kernel
            own = Session(
                key=self.manager.session.key, signature_scheme=self.manager.session.signature_scheme
            )
            self._client = self.manager.client(session=own)
            self._client.start_channels()
            for channel in (self._client.shell_channel, self._client.iopub_channel):
                _give_up_if_the_kernel_dies(channel, self.manager)
            self._ready = False

    def _drop_client(self) -> None:
        if self._client is not None:
            self._client.stop_channels()
            self._client = None

    def fresh(self) -> None:
        """Before a notebook: a used kernel forgets the previous notebook's variables; a dead
        one (or none) is replaced by a new one, started as `start` starts it."""
        if (
            self._killed
        ):  # by Ctrl-C: the batch is stopping, and no notebook may run in a new kernel
            raise RunFailure("notebook", "the batch was stopped")
        if self.manager.has_kernel and not self.manager.is_alive():
            self.discard()
        if not self.manager.has_kernel:
            self.start()
        elif self._used:
            client = self.client()
            # the shell reply is enough: the reset has run when the kernel answers. Waited for a
            # second at a time: a kernel killed meanwhile is given up on at once, not in a minute
            message = client.execute("%reset -f", silent=True, store_history=False)
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get_shell_msg(timeout=1)["parent_header"].get("msg_id") == message:
                        break
                except queue.Empty:
                    if self._killed or not self.manager.is_alive() or time.monotonic() > deadline:
                        raise RuntimeError("the kernel did not answer its reset") from None
        self._used = True

    def discard(self) -> None:
        """Shut a dead or stuck kernel down; the next `fresh` or `start` starts a new one."""
        self._drop_client()
        if self.manager.has_kernel:
            self.manager.shutdown_kernel(now=True)
        self.manager = self._new_manager()  # a shut-down manager's sockets cannot be opened again

    def close(self) -> None:
        self._drop_client()
        if self.manager.has_kernel:
            # nothing in the kernel needs a graceful end (every output is written by then)
            _kill_now(self.manager)
            self.manager.shutdown_kernel(now=True)
        self._sockets.cleanup()

    def kill(self) -> None:
        """From another thread: end the kernel now (its notebook, if one runs, then fails); none
        is started in its place."""
        self._killed = True
        process = getattr(getattr(self.manager, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            process.kill()

    def __enter__(self) -> PrivateKernel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class KernelPool:
    """A batch's kernels, one per request run at once, lent to its threads a notebook at a time.

    A request needs its kernel only for the notebook; its HTML export and release gate run in
    the runner. With one thread more than kernels, a kernel goes to the next request's notebook
    as soon as the previous one's ends, instead of idling while that request is exported and
    checked (a quarter of a second of every request). Measured on ten requests, 2 cores, 2
    kernels, six runs each in alternation: 7.45 s against 7.80 s (the median), the requests
    taken in order as threads come free rather than dealt out in fixed shares beforehand.
    """

    def __init__(self, size: int):
        self.kernels = [PrivateKernel() for _ in range(size)]
        self.stopped = False  # killed (Ctrl-C): no request starts any more
        self._free: queue.Queue[PrivateKernel] = queue.Queue()
        for kernel in self.kernels:
            self._free.put(kernel)

    def start(self) -> KernelPool:
        """Launch every kernel now: their starts and imports overlap the runner's."""
        for kernel in self.kernels:
            kernel.start()
        return self

    @contextlib.contextmanager
    def lease(self):
        """A free kernel (waiting for one if all are lent), given back afterwards whatever happens."""
        kernel = self._free.get()
        try:
            yield kernel
        finally:
            self._free.put(kernel)

    def kill(self) -> None:
        """From another thread: end every kernel now (their notebooks fail at once, and none
        starts in a new kernel) and start no more requests (`_run_queued`)."""
        self.stopped = True
        for kernel in self.kernels:
            kernel.kill()

    def close(self) -> None:
        for kernel in self.kernels:
            kernel.close()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _lease(kernel: PrivateKernel | KernelPool | None):
    """The kernel a request's notebook runs in: one of a pool's, lent for the notebook, or the
    one given (None: the notebook starts its own)."""
    return kernel.lease() if isinstance(kernel, KernelPool) else contextlib.nullcontext(kernel)


def _give_up_if_the_kernel_dies(channel, manager) -> None:
    """A wait on `channel` with no timeout ends if the kernel dies (killed for memory, or by
    Ctrl-C in a batch): DeadKernelError, as nbclient raises it. nbclient looks after this itself
    only with an asynchronous client; with this (blocking) one, its wait for a cell's output
    would block its event loop, and its own liveness check with it, for ever."""
    from queue import Empty

    from nbclient.exceptions import DeadKernelError

    wait = channel.get_msg

    def get_msg(timeout: float | None = None, **kwargs):
        if timeout is not None:
            return wait(timeout=timeout, **kwargs)
        while True:
            try:
                return wait(timeout=1, **kwargs)
            except Empty:
                if not manager.is_alive():
                    raise DeadKernelError("Kernel died") from None

    channel.get_msg = get_msg


def _wait_until_ready(client, manager, timeout: float) -> None:
    """jupyter_client's `wait_for_ready`, without its wait: it asks for the kernel's info until
    the reply comes and a message arrives on IOPub (subscribed), then reads IOPub until it has
    been quiet for 0.2 s, a fifth of a second at the start of every run. Here the kernel's own
    word that it is done with the request (its `idle` status for it, on IOPub) ends the wait: by
    then IOPub is connected and holds nothing more of it. Asked again if that does not come (a
    subscription still joining can miss it)."""
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the kernel did not answer in {timeout:.0f} s")
        if not manager.is_alive():
            raise RuntimeError("the kernel died before it answered")
        asked = client.kernel_info()
        try:
            while (reply := client.get_shell_msg(timeout=1))["parent_header"].get(
                "msg_id"
            ) != asked:
                pass
            while True:
                message = client.get_iopub_msg(timeout=0.2)
                if (
                    message["parent_header"].get("msg_id") == asked
                    and message["msg_type"] == "status"
                    and message["content"].get("execution_state") == "idle"
                ):
                    client._handle_kernel_info_reply(
                        reply
                    )  # as wait_for_ready does: the protocol's version
                    return
        except Empty:
            continue


def _kill_now(manager) -> None:
    """Kill a local kernel's process group and reap the kernel as soon as it is gone.
    jupyter_client's own kill then polls whether it is alive every 0.1 s, the first poll right
    after the signal: a tenth of a second at the end of every run. Finding it gone already, it
    only tidies up."""
    import signal
    import subprocess

    process = getattr(manager.provisioner, "process", None)
    if not isinstance(process, subprocess.Popen) or process.poll() is not None:
        return  # not a local process of ours: jupyter_client's own way
    try:
        group = os.getpgid(process.pid)
        if group == os.getpgrp():  # not in a group of its own (never so on POSIX): the kernel alone
            raise OSError
        os.killpg(group, signal.SIGKILL)  # the kernel and anything it started
    except (OSError, AttributeError):  # AttributeError: no process groups (Windows)
        process.kill()
    process.wait()  # blocks in waitpid (a timeout would poll); a killed process always ends


ENGINE = "foi-briefing"


@functools.cache
def _register_engine() -> None:
    """papermill's nbclient engine, saving the executed notebook when it starts and ends (and
    every few seconds between) instead of before and after every cell: each save re-validates
    and rewrites the whole notebook, about 0.3 s a run here."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class QuietSaves(NotebookExecutionManager):
        finished = False

        def save(self, **kwargs):
            if self.finished or (self.now() - self.last_save_time).total_seconds() >= 5:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs):
            self.finished = True
            super().notebook_complete(**kwargs)

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            kc=None,
            **kwargs,
        ):
            """NBClientEngine's, with the kernel's own open client (`kc`): papermill's client would
            open a new one for every notebook, 0.2 s each. nbclient uses a client it is given,
            and leaves it open when it does not own the kernel."""
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.log import logger

            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(
                nb_man,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            client.kc = kc  # None: nbclient opens one itself
            return client.execute()

        @classmethod
        def execute_notebook(
            cls,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=True,
            log_output=False,
            autosave_cell_every=30,
            **kwargs,
        ):
            nb_man = QuietSaves(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE, Engine)


def execute_notebook(
    params: RequestParameters,
    staging_root: Path,
    staged: Path,
    progress: bool,
    kernel: PrivateKernel | None = None,
) -> None:
    """Run the briefing notebook with papermill, on this Python, writing into the staging folder."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    if kernel is None:
        with PrivateKernel() as own:
            return execute_notebook(params, staging_root, staged, progress, own.start())
    values = notebook_parameters(params)
    values["output_dir"] = str(staging_root)
    values["extracts_dir"] = str(params.extracts_path)
    if params.evidence_decisions:
        values["evidence_decisions"] = str(params.path(params.evidence_decisions))
    root = project_root()
    _register_engine()
    try:
        kernel.fresh()
        papermill.execute_notebook(
            str(root / NOTEBOOK),
            str(staged / "restricted" / "briefing.ipynb"),
            parameters=values,
            kernel_name="python3",
            engine_name=ENGINE,
            km=kernel.manager,
            kc=kernel.client(),
            # no `cwd`: papermill would change this whole process's folder while the notebook runs,
            # under a batch's other threads (the kernel runs in the project folder already)
            progress_bar=progress,
            log_output=False,
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


def _yield_the_processor() -> None:
    """This thread at a low priority (Linux: a thread's own nice value), if it can be."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOW_PRIORITY)
    except (AttributeError, OSError):  # another system: the thread runs as it is
        pass


_GATE_DATA: dict = {}  # cache entry folder -> its read-ahead ExtractSensitive, in this process
_GATE_DATA_LOCK = threading.Lock()  # a batch's threads read the extract once between them


class GateData(threading.Thread):
    """While the kernel runs the notebook (this process only waits meanwhile): imports what the
    steps after it use and makes a first, throwaway HTML export, then reads what the release gate
    looks for (identifier columns, dates of birth) from the extract cache; nothing if the extract
    is not cached. While a cache build runs it does so at a low priority: it takes mostly the
    processor time the build leaves (its imports and the export's warm-up fit in it), and it
    reads the cache once the build is done."""

    def __init__(self, params: RequestParameters, builder):
        super().__init__(daemon=True)
        self.params, self.builder, self._sensitive = params, builder, None

    def run(self) -> None:
        try:
            if self.builder is not None:
                _yield_the_processor()
            from helpers.briefing import report
            from helpers.cache import entries as cache
            from helpers.gate import checks as release

            report.warm_up_export()  # the export step after the notebook, 0.2 s quicker
            while self.builder is not None and self.builder.poll() is None:
                time.sleep(0.05)

            if os.environ.get("FOI_NO_CACHE"):
                return
            built = cache.open_built(self.params.extracts_path)
            if built is None:
                return
            # a batch of requests on one extract reads it once
            with _GATE_DATA_LOCK:
                kept = _GATE_DATA.get(built.store.folder)
                if kept is None:
                    _GATE_DATA.clear()  # one extract's at a time
                    kept = _GATE_DATA[built.store.folder] = release.ExtractSensitive(
                        built
                    ).prefetch()
            self._sensitive = kept
        except Exception:  # noqa: BLE001 - the gate step reads the extract itself and reports
            self._sensitive = None

    def sensitive(self):
        self.join()
        return self._sensitive


def seal_release(params: RequestParameters, staged: Path, sensitive=None) -> None:
    """Write the manifest, then check every file bound for release/ against the extracts.

    `sensitive`: what the gate looks for, read ahead (`GateData`); else read here. The gate's
    report stays in restricted/; a failure stops the run before anything is published.
    """
    from helpers.gate import checks as release

    extract = sensitive.extract if sensitive is not None else checked_extract(params)
    shared = notebook_parameters(params)
    for private in ("extracts_dir", "output_dir", "evidence_decisions"):
        # folders on the force's machines are not published: the extract files' hashes say what was read
        shared[private] = "(not published)" if shared[private] else None
    release.write_manifest(
        staged / "release",
        reference=params.reference,
        parameters=shared,
        project_version=__version__,
        extract_files={name: info["sha256"] for name, info in extract.files.items()},
        run_time=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    sensitive = sensitive or release.ExtractSensitive(extract)
    sensitive.text_ids = release.read_search_scope(staged / "restricted")
    report = release.check_release(staged / "release", params.disclosure_threshold, sensitive)
    report.write(staged / "restricted" / "gate_report.json")
    if not report.passed:
        raise RunFailure("gate", report.summary_line())


def checked_extract(params: RequestParameters):
    """The extract the notebook has just checked, for the gate: from the cache, only its files'
    hashes and the store (the gate reads the columns it needs); `FOI_NO_CACHE=1`: the CSV files."""
    if not os.environ.get("FOI_NO_CACHE"):
        from helpers.cache import entries as cache

        built = cache.open_built(params.extracts_path)
        if built is not None:
            return built
    from helpers.request.steps import open_request_extract

    return open_request_extract(params)


def publish(staged: Path, final: Path) -> None:
    """Move the staged outputs into place; the previous outputs go only once the new ones are in."""
    final.parent.mkdir(parents=True, exist_ok=True)
    previous = None
    if final.exists():
        previous = final.with_name(
            f".{final.name}.previous-{os.getpid()}-{threading.get_native_id()}"
        )
        final.rename(previous)
    try:
        staged.rename(final)
    except OSError:
        if previous is not None:
            previous.rename(final)
        raise
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def _keep_failed(staging_root: Path, params: RequestParameters) -> Path:
    failed = params.path(params.output_dir) / ".failed" / staging_root.name
    failed.parent.mkdir(parents=True, exist_ok=True)
    if staging_root.exists():
        staging_root.rename(failed)
    return failed / params.reference


def _step(result: RunResult, log: logging.Logger, name: str, action) -> None:
    if result.on_step:
        result.on_step(name)
    started = time.perf_counter()
    log.info("%s: started", name)
    action()
    result.steps[name] = time.perf_counter() - started
    log.info("%s: done in %.2f s", name, result.steps[name])


def _open_log(path: Path) -> logging.Logger:
    logger = logging.getLogger(f"foi-briefing.{path}")
    logger.setLevel(logging.INFO)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    return logger


def _close_log(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)


# ---- several requests

STEPS = ("queued", "notebook", "html", "pdf", "gate", "done")


class _StepQueue:
    """Tells the main thread which step a request's run has reached."""

    def __init__(self, queue, index: int):
        self.queue, self.index = queue, index

    def __call__(self, step: str) -> None:
        self.queue.put((self.index, step))


def run_many(
    paths: list[Path],
    extracts,
    out,
    formats,
    strict,
    progress: bool = True,
    workers: int | None = None,
) -> list[RunResult]:
    """Several requests at once, a progress bar each; one failure stops no other.

    `workers` kernels (default: one per core) run the requests' notebooks, the heavy part, side
    by side in their own processes; the requests wait in line for them, taken in order as
    threads come free. One process drives them all, so the runner's own start (its imports,
    the gate's read-ahead of the extract, the export's warm-up) is paid once, not once per
    worker process: measured on ten requests, 2 cores, about 4 s of processor time less. The
    runner's part of a request is mostly waiting for its kernel and small Python steps; it has
    one thread more than kernels, so that one request's export and gate run while the kernels
    run the next requests' notebooks (`KernelPool`).
    """
    import gc
    from concurrent.futures import ThreadPoolExecutor

    import papermill  # noqa: F401 - here, before the threads: one import at a time
    from tqdm import tqdm

    _register_engine()
    # a batch can run for minutes: garbage collection back on, but not over the modules loaded
    # so far (cli() turns it off for a single request's few seconds)
    gc.freeze()
    gc.enable()
    workers = min(workers or os.cpu_count() or 1, len(paths))
    steps = queue.Queue()  # (request, step reached), from the threads
    names = [f"{path.stem[:24]:>24}" for path in paths]
    bars = [
        tqdm(
            total=len(STEPS) - 1,
            desc=f"{name} queued  ",
            position=i,
            leave=True,
            disable=not progress,
            bar_format="{desc} {bar:30} {elapsed}",
        )
        for i, name in enumerate(names)
    ]
    results: dict[int, RunResult] = {}
    # the pool's kernels are closed only once every thread is done with them (the executor's
    # exit waits for its threads)
    with (
        KernelPool(workers).start() as kernels,
        ThreadPoolExecutor(min(workers + 1, len(paths)), thread_name_prefix="foi-request") as pool,
    ):
        futures = [
            pool.submit(_run_queued, i, path, extracts, out, formats, strict, steps, kernels)
            for i, path in enumerate(paths)
        ]
        try:
            while not all(future.done() for future in futures) or not steps.empty():
                try:
                    index, step = steps.get(timeout=0.05)
                except queue.Empty:
                    continue
                bars[index].update(
                    max(STEPS.index(step) - bars[index].n, 0) if step in STEPS else 0
                )
                bars[index].set_description_str(f"{names[index]} {step:<8}")
        except KeyboardInterrupt:
            # the threads cannot be interrupted; the kernels can: each notebook then fails at
            # once, and no thread starts another request. Each notebook's client would log
            # "Kernel died while waiting for execute reply.": the batch says it stopped in one line
            logging.getLogger("papermill").setLevel(logging.CRITICAL)
            kernels.kill()
            raise
        for i, future in enumerate(futures):
            try:
                results[i] = future.result()
            except Exception as error:  # noqa: BLE001 - a bug fails its request, no other
                results[i] = RunResult(
                    paths[i].stem, False, "notebook", f"{type(error).__name__}: {error}"
                )
    for i, (bar, name) in enumerate(zip(bars, names)):
        bar.update(bar.total - bar.n)
        bar.set_description_str(f"{name} {'done' if results[i].ok else 'FAILED':<8}")
        bar.close()
    return [results[i] for i in range(len(paths))]


def _run_queued(
    index: int, path: Path, extracts, out, formats, strict, steps, kernels: KernelPool
) -> RunResult | None:
    """One request of a batch, when a thread takes it from the line (none once the batch is
    stopped; one that had started fails in its notebook, its kernel killed)."""
    if kernels.stopped:
        return None
    return run_request(
        path, extracts, out, formats, strict, False, _StepQueue(steps, index), kernels
    )


def summary_table(results: list[RunResult]) -> str:
    """One line per request: reference, outcome, time, and where to look."""
    width = max(len(r.reference) for r in results)
    lines = [f"{'request':<{width}}  {'result':<10} {'seconds':>7}  outputs or reason"]
    for r in results:
        where = str(r.outputs / "release") if r.ok else r.message
        lines.append(
            f"{r.reference:<{width}}  {'released' if r.ok else 'FAILED (' + str(EXIT_CODES[r.kind]) + ')':<10} {r.seconds:7.1f}  {where}"
        )
    return "\n".join(lines)


def expand_parameter_paths(items: list[str]) -> list[Path]:
    """Parameters files named directly, and every `*.yaml` in a named folder."""
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            paths.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        else:
            paths.append(path)
    return paths


# ---- command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="foi-briefing", description="FOI request briefings from the force's crime extracts."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one or more requests")
    run.add_argument("params", nargs="+", help="parameters YAML file(s) or folder(s) of them")
    run.add_argument("--extracts", help="folder of the six extract files (overrides extracts_dir)")
    run.add_argument("--out", help="output folder (overrides output_dir)")
    run.add_argument("--formats", default="html,pdf", help="html, pdf or both (default html,pdf)")
    run.add_argument(
        "--strict", action="store_true", default=None, help="fail on any quarantined row"
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bars")
    run.add_argument("--jobs", type=_positive, help="requests run at once (default: one per core)")

    check = sub.add_parser("check", help="check parameters files without reading any data")
    check.add_argument("params", nargs="+")

    cache = sub.add_parser("cache", help="the extract cache (it holds personal data)")
    cache.add_argument("action", choices=["clear", "where", "build"])
    cache.add_argument("--extracts", help="folder of extracts to build the cache for (build)")
    cache.add_argument(
        "--lock-fd", type=int, help=argparse.SUPPRESS
    )  # a run's builder: the lock it inherits

    sample = sub.add_parser(
        "sample", help="make a synthetic extract (for JupyterLab and trying things out)"
    )
    sample.add_argument("--crimes", type=int, default=40_000, help="size of the synthetic extract")

    demo = sub.add_parser("demo", help="make a synthetic extract and brief request 20180075 on it")
    demo.add_argument("--crimes", type=int, default=40_000, help="size of the synthetic extract")
    demo.add_argument("--out", help="output folder (default outputs/)")
    demo.add_argument("--formats", default="html,pdf")
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more (got {text!r})")
    return int(text)


def _formats(text: str) -> tuple[str, ...]:
    formats = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = set(formats) - {"html", "pdf"}
    if unknown or not formats:
        raise RunFailure("parameters", f"--formats: expected html, pdf or html,pdf (got {text!r})")
    return formats


def _report(result: RunResult) -> None:
    if result.ok:
        print(f"{result.reference}: done in {result.seconds:.1f} s -> {result.outputs / 'release'}")
    else:
        print(f"{result.reference}: failed: {result.message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            for path in expand_parameter_paths(args.params):
                params = read_parameters(path)
                print(f"{path}: ok (request {params.reference})")
            return 0
        if args.command == "demo":
            return demo(args)
        if args.command == "cache":
            from helpers.cache import entries as extract_cache

            if args.action == "where":
                print(extract_cache.cache_root())
            elif args.action == "build":
                if not args.extracts:
                    raise RunFailure("parameters", "cache build: --extracts DIR is needed")
                if args.lock_fd is not None:  # the lock claimed for us (as a run does)
                    from helpers.cache.builder import build_claimed

                    build_claimed(args.extracts, args.lock_fd)
                else:
                    extract_cache.open_extract(args.extracts)
                print(f"cache built for {args.extracts}")
            else:
                freed, kept = extract_cache.clear()
                print(
                    f"removed {freed / 1e6:.1f} MB from {extract_cache.cache_root()}"
                    + (
                        f"; {kept} entr{'y' if kept == 1 else 'ies'} left: a running briefing is reading {'it' if kept == 1 else 'them'}"
                        if kept
                        else ""
                    )
                )
            return 0
        if args.command == "sample":
            print(f"synthetic extract: {synthetic_extract(args.crimes)}")
            return 0
        formats = _formats(args.formats)
        # folders named on the command line are the user's, relative to where they are
        args.extracts = str(Path(args.extracts).resolve()) if args.extracts else None
        args.out = str(Path(args.out).resolve()) if args.out else None
        paths = expand_parameter_paths(args.params)
        if not paths:
            raise RunFailure("parameters", f"no parameters files in {' '.join(args.params)}")
        if len(paths) == 1:
            builder = start_build_for(paths[0], args.extracts, args.out, args.strict)
            with PrivateKernel(low_priority=builder is not None) as kernel:
                kernel.start()  # next: its start and imports overlap ours
                results = [
                    run_request(
                        paths[0],
                        args.extracts,
                        args.out,
                        formats,
                        args.strict,
                        progress=not args.no_progress,
                        kernel=kernel,
                        builder=builder,
                    )
                ]
        else:
            results = run_many(
                paths,
                args.extracts,
                args.out,
                formats,
                args.strict,
                progress=not args.no_progress,
                workers=args.jobs,
            )
    except KeyboardInterrupt:
        print(
            "foi-briefing: stopped (Ctrl-C); no unfinished request was published", file=sys.stderr
        )
        return 130
    except BriefingError as error:
        print(f"foi-briefing: {error}", file=sys.stderr)
        return error.exit_code
    if len(results) == 1:
        _report(results[0])
    else:
        print(summary_table(results))
    kinds = {result.kind for result in results if not result.ok}
    if not kinds:
        return 0
    return EXIT_CODES[kinds.pop()] if len(kinds) == 1 else EXIT_CODES["several"]


def synthetic_extract(crimes: int) -> Path:
    """`data/synthetic-<crimes>/`: made once by the project's own seeded generator."""
    from helpers.synthetic.generator import generate_extracts

    extracts = project_root() / "data" / f"synthetic-{crimes}"
    if not (extracts / "connect_charges.csv").exists():
        print(f"making a synthetic extract of {crimes:,} crimes in {extracts} ...")
        generate_extracts(extracts, n_crimes=crimes)
    return extracts


def demo(args) -> int:
    """A synthetic extract made by the project's own generator, and request 20180075 run on it."""
    extracts = synthetic_extract(args.crimes)
    out = str(Path(args.out).resolve()) if args.out else None
    result = run_request(
        project_root() / "parameters" / "20180075.yaml", str(extracts), out, _formats(args.formats)
    )
    _report(result)
    return EXIT_CODES[result.kind]


def cli() -> None:
    """The `foi-briefing` command: `main`, then out at once. Every output is written and closed,
    the kernel and any builder are gone by then: tearing down the interpreter (its modules and a
    few hundred megabytes of objects) would only add a quarter of a second to every run. No
    cyclic garbage collection meanwhile: its passes over the imported modules' objects took a
    tenth of a second of a run, and a run lives seconds (a batch of several requests turns it
    back on, `run_many`)."""
    import gc

    gc.disable()
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    cli()
