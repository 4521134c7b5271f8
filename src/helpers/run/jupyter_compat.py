"""Every use the runner makes of Jupyter's internals, each with the versions it was written for.

The runner drives papermill, nbclient and jupyter_client further than their public API goes (one
kernel and one open client for many notebooks, a blocking client that notices a dead kernel,
fewer saves of the executed notebook), and skips one import jsonschema makes. `WRITTEN_FOR`
names each patch's library versions, from the one it was tested with up to the next release that
may change what it relies on; tests/test_jupyter_compat.py fails when a version leaves its range
or a patched object no longer behaves as the patch assumes. One patch lives in
`helpers.briefing.report` (`BriefingExporter`, a copy of nbconvert's HTML export), as `briefing`
is a lower layer than `run`: it is listed and tested here all the same.

Importing this module marks rfc3987_syntax absent before anything imports nbformat. Only the
standard library at the top: Jupyter's modules load when a patch is first used.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty
from typing import Any, NamedTuple


class Written(NamedTuple):
    """A library's versions a patch was written for: `lowest` <= version < `below`."""

    library: str  # the distribution's name, as importlib.metadata knows it
    lowest: str
    below: str


#: patch -> the versions of each library whose behaviour it relies on (a dotted name: a patch
#: outside this module, `module.Class` under `helpers`; see the module's docstring)
WRITTEN_FOR: dict[str, tuple[Written, ...]] = {
    "skip_iri_syntax": (Written("jsonschema", "4.26", "5"),),
    "kill_process": (Written("jupyter_client", "8.10", "9"),),
    "kill_now": (Written("jupyter_client", "8.10", "9"),),
    "give_up_if_the_kernel_dies": (
        Written("jupyter_client", "8.10", "9"),
        Written("nbclient", "0.11", "0.12"),
    ),
    "wait_until_ready": (Written("jupyter_client", "8.10", "9"),),
    "register_engine": (Written("papermill", "2.7", "2.8"), Written("nbclient", "0.11", "0.12")),
    "briefing.report.BriefingExporter": (Written("nbconvert", "7.17", "7.18"),),
    "over_ipc": (Written("jupyter_client", "8.10", "9"),),
    "IpcProvisioner": (Written("jupyter_client", "8.10", "9"),),
}


# ---- jsonschema


def skip_iri_syntax() -> None:
    """nbformat validates notebooks with jsonschema, whose optional IRI format check imports
    rfc3987_syntax, which builds a parser on import (a good part of a run's start) for a format
    no notebook holds. Marked absent, jsonschema skips that one check."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: "absent"


skip_iri_syntax()  # on import, before nbformat is: see the module's docstring


# ---- jupyter_client: the kernel's process


def kill_process(manager: Any) -> None:
    """Kill the local process of the kernel `manager` started, if it runs; not waited for (the
    caller may be another thread than the kernel's owner)."""
    process = getattr(getattr(manager, "provisioner", None), "process", None)
    if process is not None and process.poll() is None:
        process.kill()


def kill_now(manager: Any) -> None:
    """Kill a local kernel's process group and reap the kernel as soon as it is gone.
    jupyter_client's own kill then polls whether it is alive every 0.1 s, the first poll right
    after the signal, which the end of every run waited for. Finding it gone already, it only
    tidies up."""
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


# ---- jupyter_client: the blocking client's waits


def give_up_if_the_kernel_dies(channel: Any, manager: Any) -> None:
    """A wait on `channel` with no timeout ends if the kernel dies (killed for memory, or by
    Ctrl-C in a batch): DeadKernelError, as nbclient raises it. nbclient looks after this itself
    only with an asynchronous client; with this (blocking) one, its wait for a cell's output
    would block its event loop, and its own liveness check with it, for ever."""
    from nbclient.exceptions import DeadKernelError  # loaded at first use

    wait = channel.get_msg

    def get_msg(timeout: float | None = None, **kwargs: Any) -> Any:
        if timeout is not None:
            return wait(timeout=timeout, **kwargs)
        while True:
            try:
                return wait(timeout=1, **kwargs)
            except Empty:
                if not manager.is_alive():
                    raise DeadKernelError("Kernel died") from None

    channel.get_msg = get_msg


def wait_until_ready(client: Any, manager: Any, timeout: float) -> None:
    """jupyter_client's `wait_for_ready`, without its wait: it asks for the kernel's info until
    the reply comes and a message arrives on IOPub (subscribed), then reads IOPub until it has
    been quiet for 0.2 s: a wait for nothing at the start of every run. Here the kernel's own
    word that it is done with the request (its `idle` status for it, on IOPub) ends the wait: by
    then IOPub is connected and holds nothing more of it. Asked again if that does not come (a
    subscription still joining can miss it)."""
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
                    # as wait_for_ready does: the protocol's version
                    client._handle_kernel_info_reply(reply)
                    return
        except Empty:
            continue


# ---- papermill: an engine on a running kernel and its open client

ENGINE = "foi-briefing"


@functools.cache
def register_engine() -> type:
    """papermill's nbclient engine (registered as `ENGINE`, returned), with two changes:

    - the executed notebook is saved at the end (and at most every 5 s before), not before and
      after every cell: each save re-validates and rewrites the whole notebook;
    - it runs on the kernel's own open client (`kc`): papermill's would open a new one for every
      notebook, and wait for it. nbclient uses a client it is given, and leaves it open when it
      does not own the kernel.

    papermill has no hook for either: the two methods below are its own, copied (papermill 2.7),
    with the notebook manager's class and the client's `kc` the only changes.
    """
    # loaded at first use
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.log import logger

    class QuietSaves(NotebookExecutionManager):
        finished = False

        def save(self, **kwargs):
            if self.finished or (self.now() - self.last_save_time).total_seconds() >= 5:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs):
            self.finished = True
            super().notebook_complete(**kwargs)

    class Engine(NBClientEngine):
        manager = QuietSaves

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
            nb_man = cls.manager(
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
    return Engine


def execute_in(
    manager: Any,
    client: Any,
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    progress: bool,
) -> None:
    """papermill's `execute_notebook` on a running kernel (`manager`) and its open `client`."""
    import papermill  # loaded at first use

    register_engine()
    papermill.execute_notebook(
        str(notebook),
        str(output),
        parameters=parameters,
        kernel_name="python3",
        engine_name=ENGINE,
        km=manager,
        kc=client,
        # no `cwd`: papermill would change this whole process's folder while the notebook runs,
        # under a batch's other threads (the kernel runs in the project folder already)
        progress_bar=progress,
        log_output=False,
    )


# ---- jupyter_client: every kernel of the project's kernelspec over socket files


#: the kernel provisioner the project's kernelspec names (`helpers.run.kernelspec`), registered
#: under this name as an entry point (pyproject.toml)
IPC_PROVISIONER = "foi-briefing-ipc"


def over_ipc(manager: Any) -> str | None:
    """Make the kernel `manager` is about to start talk over socket files in a new private
    folder (0700), not localhost TCP, unless it does already (JupyterLab, configured so:
    jupyter_config/); the folder made, or None.

    papermill and nbclient start a kernel with a manager of their own that reads no Jupyter
    configuration, so the kernelspec's provisioner is the one place every start passes: it runs
    before the connection file is written (jupyter_client 8: `LocalProvisioner.pre_launch`), so
    the kernel and every client read the same transport and socket paths from it.
    """
    if manager.transport == "ipc" and os.path.isabs(manager.ip):
        return None
    folder = tempfile.mkdtemp(prefix="foi-kernel-")  # 0700: only its owner reaches the sockets
    manager.transport = "ipc"
    manager.cache_ports = False  # a TCP port cache: socket files need none
    manager.ip = os.path.join(folder, "kernel")  # the sockets: kernel-1, kernel-2, ...
    if not manager.connection_file:
        manager.connection_file = os.path.join(folder, "kernel.json")
    return folder


@functools.cache
def ipc_provisioner() -> type:
    """jupyter_client's local provisioner, starting each kernel `over_ipc`, and removing the
    private folder when the kernel is shut down for good (not on a restart, which reuses it)."""
    from jupyter_client.provisioning import LocalProvisioner  # loaded at first use

    class IpcProvisioner(LocalProvisioner):
        folder: str | None = None

        async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
            if self.parent is not None:
                self.folder = over_ipc(self.parent) or self.folder
            return await super().pre_launch(**kwargs)

        async def cleanup(self, restart: bool = False) -> None:
            await super().cleanup(restart=restart)
            if not restart and self.folder:
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = None

    return IpcProvisioner


def __getattr__(name: str) -> Any:
    # the entry point names `IpcProvisioner`: built on first use, so that importing this module
    # still loads no Jupyter library (see the module's docstring)
    if name == "IpcProvisioner":
        return ipc_provisioner()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
