"""The runner's private kernel: started early with the project preloaded, reused request after
request, and reset between them."""

import gc  # noqa: F401 (the kernel's own is asked about)
import os

import pytest

from helpers.run.background import LOW_PRIORITY
from helpers.run.kernels import KernelPool, PrivateKernel


def ask(client, code: str) -> str:
    """Run `code` in the kernel and return what it printed."""
    printed = []
    client.execute_interactive(code, timeout=60, output_hook=lambda msg: printed.append(msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
    return "".join(printed).strip()


@pytest.mark.slow
def test_the_kernel_starts_preloaded_and_forgets_a_notebook_s_variables_between_runs():
    with PrivateKernel() as kernel:
        kernel.start()
        # another client, from the manager (sharing its session), as papermill's own would be
        first = kernel.manager.client()
        first.start_channels()
        first.wait_for_ready(timeout=60)
        assert ask(first, "import sys, gc; print('helpers.request.steps' in sys.modules, gc.get_freeze_count() > 0, gc.isenabled())") == "True True True"
        assert ask(first, "import os; print(os.nice(0))") == str(os.nice(0))  # no build to yield to
        kernel.fresh()  # before the first notebook: nothing to forget
        ask(first, "left_over = 1")
        first.stop_channels()
        for _ in range(2):  # the reset client keeps working after other clients came and went
            kernel.fresh()
            other = kernel.manager.client()
            other.start_channels()
            other.wait_for_ready(timeout=60)
            assert ask(other, "print('left_over' in globals())") == "False"
            ask(other, "left_over = 2")
            other.stop_channels()


@pytest.mark.slow
def test_one_client_serves_every_notebook_and_the_resets_between_them():
    """Papermill is handed the kernel's own client, kept open: a new client per notebook would
    wait 0.2 s for its first message. The client is the same from notebook to notebook, and
    the reset between them still happens through it."""
    with PrivateKernel() as kernel:
        kernel.start()
        kernel.fresh()
        client = kernel.client()
        ask(client, "left_over = 1")
        kernel.fresh()
        assert kernel.client() is client
        assert ask(client, "print('left_over' in globals())") == "False"
        process = kernel.manager.provisioner.process
    assert kernel._client is None  # closed with the kernel
    # killed and reaped by close itself (not left to jupyter_client's polling, nor a zombie)
    assert process.returncode is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(process.pid, os.WNOHANG)


@pytest.mark.slow
def test_a_kernel_started_beside_a_cache_build_yields_the_processor_to_it():
    with PrivateKernel(low_priority=True) as kernel:
        kernel.start()
        # os.nice raises the value from the runner's own
        assert ask(kernel.client(), "import os; print(os.nice(0))") == str(min(19, os.nice(0) + LOW_PRIORITY))


@pytest.mark.slow
def test_the_client_is_ready_once_the_kernel_has_answered_and_nothing_of_it_is_left_over():
    """The readiness wait asks again while the kernel is busy (here: a cell of another client's
    still running past the first second), and ends on the kernel's own `idle` for the last ask:
    no reply nor message of the asking is left for the next reader."""
    from queue import Empty

    from helpers.run.jupyter_compat import wait_until_ready as _wait_until_ready

    with PrivateKernel() as kernel:
        kernel.start()
        other = kernel.manager.client()
        other.start_channels()
        other.wait_for_ready(timeout=60)
        other.execute("import time; time.sleep(1.3)")
        kernel._open_client()
        _wait_until_ready(kernel._client, kernel.manager, timeout=60)
        with pytest.raises(Empty):
            kernel._client.get_shell_msg(timeout=0.5)
        with pytest.raises(Empty):
            kernel._client.get_iopub_msg(timeout=0.5)
        assert ask(kernel._client, "print(6 * 7)") == "42"
        other.stop_channels()


@pytest.mark.slow
def test_a_wait_for_a_kernel_that_dies_mid_cell_ends_in_seconds():
    """Ctrl-C in a batch kills the threads' kernels from the main thread (as the system's
    out-of-memory killer might): a wait for the cell's reply or output, with no timeout as
    nbclient waits, then ends with DeadKernelError instead of blocking for ever."""
    import threading
    import time

    from nbclient.exceptions import DeadKernelError

    with PrivateKernel() as kernel:
        kernel.start()
        client = kernel.client()
        for channel in ("shell", "iopub"):
            if not kernel.manager.is_alive():  # the first round killed it
                kernel.discard()
                client = kernel.start().client()
            get = client.get_shell_msg if channel == "shell" else client.get_iopub_msg
            message = client.execute("import time; time.sleep(60)")
            timer = threading.Timer(1.0, kernel.kill)
            timer.start()
            started = time.monotonic()
            with pytest.raises(DeadKernelError):
                while True:  # the cell's first messages, then the wait
                    reply = get()
                    assert channel == "iopub" or reply["parent_header"].get("msg_id") == message
            timer.join()
            assert time.monotonic() - started < 10


def test_a_stopped_batch_starts_no_more_requests(monkeypatch):
    import queue

    from helpers.run import batch

    ran = []
    monkeypatch.setattr(batch, "run_request", lambda path, *args, **options: ran.append(path) or path)
    with KernelPool(1) as kernels:  # never started: only the queue's rule is under test
        assert batch._run_queued(0, "a.yaml", None, None, ("html",), None, queue.Queue(), kernels) == "a.yaml"
        kernels.kill()  # as Ctrl-C does
        assert batch._run_queued(1, "b.yaml", None, None, ("html",), None, queue.Queue(), kernels) is None
    assert ran == ["a.yaml"]


def test_a_pool_lends_each_kernel_to_one_notebook_at_a_time():
    import threading

    from helpers.run.kernels import KernelPool

    with KernelPool(1) as pool:
        order = []
        with pool.lease() as first:
            waiting = threading.Thread(target=lambda: order.append(("second", pool.lease().__enter__())))
            waiting.start()
            waiting.join(0.2)
            assert waiting.is_alive()  # all lent: the second request waits
            order.append(("first", first))
        waiting.join(5)
        assert [name for name, _ in order] == ["first", "second"] and order[1][1] is first


def test_a_kernel_of_a_killed_pool_runs_no_notebook_and_goes_back():
    from helpers.errors import RunFailure
    from helpers.run.kernels import KernelPool

    with KernelPool(2) as pool:
        pool.kill()  # as Ctrl-C does: a request already waiting for a kernel must not start a new one
        with pytest.raises(RunFailure, match="stopped"), pool.lease() as kernel:
            kernel.fresh()  # what the notebook step does first
        assert not kernel.manager.has_kernel and pool._free.qsize() == 2


def test_a_request_that_fails_in_its_notebook_gives_its_kernel_back():
    from helpers.run.kernels import KernelPool

    with KernelPool(1) as pool:
        with pytest.raises(ZeroDivisionError), pool.lease():
            1 / 0
        with pool.lease() as kernel:
            assert kernel is pool.kernels[0]


@pytest.mark.slow
def test_a_dead_kernel_is_replaced_in_the_project_folder_and_reset_after_its_first_notebook():
    import time

    from helpers.project import project_root

    with PrivateKernel() as kernel:
        kernel.start()
        kernel.fresh()
        kernel.manager.provisioner.process.kill()  # as the out-of-memory killer would
        while kernel.manager.is_alive():
            time.sleep(0.05)
        kernel.fresh()  # the next notebook's
        client = kernel.client()
        assert ask(client, "import os, sys; print(os.getcwd(), 'helpers.request.steps' in sys.modules)") == f"{project_root()} True"
        ask(client, "left_over = 1")
        kernel.fresh()
        assert ask(kernel.client(), "print('left_over' in globals())") == "False"


@pytest.mark.slow
def test_a_kernel_killed_to_stop_a_batch_is_not_replaced():
    """Ctrl-C kills the batch's kernels: a request that got its kernel just before must not start
    a new one and run its notebook after all."""
    from helpers.errors import RunFailure

    with PrivateKernel() as kernel:
        kernel.start()
        kernel.fresh()
        killed = kernel.manager.provisioner.process
        kernel.kill()
        with pytest.raises(RunFailure, match="stopped"):
            kernel.fresh()
        assert kernel.manager.provisioner.process is killed  # no other kernel in its place
        killed.wait(timeout=10)
