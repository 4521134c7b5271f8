"""The kernels notebooks run in: a private kernel that runs notebook after notebook, and a
batch's pool of them, lent to a request for its notebook only."""

from __future__ import annotations

import contextlib
import os
import queue
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from helpers.briefing import chart_worker
from helpers.errors import RunFailure
from helpers.project import project_root
from helpers.run.background import LOW_PRIORITY
from helpers.run.jupyter_compat import (
    give_up_if_the_kernel_dies,
    kill_now,
    kill_process,
    wait_until_ready,
)

#: run by each kernel as it starts: the notebook's own imports (its first cell's) then find the
#: modules loaded, and these imports overlap the runner's own start instead of following it. No
#: garbage collection during the imports (its passes over a million new objects find nothing to
#: free); gc.freeze(): those objects are left out of every later collection (each `%reset` runs
#: one), which is then short.
PRELOAD = (
    "import gc; gc.disable(); import helpers.request.steps, helpers.briefing.sections, "
    "helpers.briefing.report, helpers.analysis.review, helpers.briefing.charts; gc.freeze(); "
    "gc.enable()"
)


class PrivateKernel:
    """A Jupyter kernel on this Python, over a private socket file, that can run several notebooks.

    "python3" is mapped by jupyter_client to the Python running us (the venv's). The kernel talks
    over a socket file in a private folder, not localhost TCP: the data it handles is personal.
    `start()` launches it early with the project's modules preloaded; a batch's requests take
    turns in it (`KernelPool`), so they pay for the kernel's start and the imports once; `fresh()`
    forgets the previous notebook's variables before the next one, and replaces a dead kernel.
    """

    def __init__(self, low_priority: bool = False, charts_in_kernel: bool = False):
        self.low_priority = low_priority  # at LOW_PRIORITY: a cache build is running
        # one of a batch's kernels, which share the cores: no chart process beside it
        self.charts_in_kernel = charts_in_kernel

        self._sockets = tempfile.TemporaryDirectory(prefix="foi-kernel-")
        self.manager = self._new_manager()
        self._killed = False  # by `kill`: no new kernel in its place
        self._used = False
        self._client: Any = None
        self._ready = False

    def _new_manager(self) -> Any:
        # here, not at the top: jupyter_client loads while the runner does its own start
        from jupyter_client.manager import KernelManager

        return KernelManager(
            kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets.name, "kernel")
        )

    def start(self) -> PrivateKernel:
        """Launch the kernel (if not running) in the project folder; it imports PRELOAD as it
        starts."""
        if not self.manager.has_kernel:
            # no input history: a batch kernel's is of no use, and IPython would write it to a file
            preload = (
                f"import os; os.nice({LOW_PRIORITY}); {PRELOAD}" if self.low_priority else PRELOAD
            )
            own = {chart_worker.IN_KERNEL: "1"} if self.charts_in_kernel else {}
            self.manager.start_kernel(
                cwd=str(project_root()),
                extra_arguments=[
                    f"--IPKernelApp.exec_lines={preload}",
                    "--HistoryManager.enabled=False",
                ],
                env={**os.environ, **own},
            )
            self._used = False
            self._drop_client()  # a previous kernel's
        return self

    def client(self) -> Any:
        """The one client of this kernel, ready: every notebook papermill runs on it, and the
        resets between them, go through it. A new client per notebook would add a wait to
        each: jupyter_client waits for a first message on a channel that has just opened."""
        self._open_client()
        if not self._ready:
            wait_until_ready(self._client, self.manager, timeout=60)
            self._ready = True
        return self._client

    def _open_client(self) -> None:
        if self._client is None:
            from jupyter_client.session import Session  # loaded with the manager by now

            # its own session (socket identity), whoever else connects to the kernel
            own = Session(
                key=self.manager.session.key, signature_scheme=self.manager.session.signature_scheme
            )
            self._client = self.manager.client(session=own)
            self._client.start_channels()
            for channel in (self._client.shell_channel, self._client.iopub_channel):
                give_up_if_the_kernel_dies(channel, self.manager)
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
            self._reset()
        self._used = True

    def _reset(self) -> None:
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
            kill_now(self.manager)
            self.manager.shutdown_kernel(now=True)
        self._sockets.cleanup()

    def kill(self) -> None:
        """From another thread: end the kernel now (its notebook, if one runs, then fails); none
        is started in its place."""
        self._killed = True
        kill_process(self.manager)

    def __enter__(self) -> PrivateKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class KernelPool:
    """A batch's kernels, one per request run at once, lent to its threads a notebook at a time.

    A request needs its kernel only for the notebook; its HTML export and release gate run in
    the runner. With one thread more than kernels, a kernel goes to the next request's notebook
    as soon as the previous one's ends, instead of idling while that request is exported and
    checked (docs/performance.md).
    """

    def __init__(self, size: int):
        self.kernels = [PrivateKernel(charts_in_kernel=size > 1) for _ in range(size)]
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
    def lease(self) -> Iterator[PrivateKernel]:
        """A free kernel (waiting for one if all are lent), given back afterwards whatever
        happens."""
        kernel = self._free.get()
        try:
            yield kernel
        finally:
            self._free.put(kernel)

    def kill(self) -> None:
        """From another thread: end every kernel now (their notebooks fail at once, and none
        starts in a new kernel) and start no more requests (`batch`)."""
        self.stopped = True
        for kernel in self.kernels:
            kernel.kill()

    def close(self) -> None:
        for kernel in self.kernels:
            kernel.close()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def lease(
    kernel: PrivateKernel | KernelPool | None,
) -> contextlib.AbstractContextManager[PrivateKernel | None]:
    """The kernel a request's notebook runs in: one of a pool's, lent for the notebook, or the
    one given (None: the notebook starts its own)."""
    return kernel.lease() if isinstance(kernel, KernelPool) else contextlib.nullcontext(kernel)
