"""The runner's private kernel: started early with the project preloaded, reused request after
request, and reset between them."""

import gc  # noqa: F401 (the kernel's own is asked about)

import pytest

from helpers.runner import PrivateKernel


def ask(client, code: str) -> str:
    """Run `code` in the kernel and return what it printed."""
    printed = []
    client.execute_interactive(code, timeout=60, output_hook=lambda msg: printed.append(msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
    return "".join(printed).strip()


@pytest.mark.slow
def test_the_kernel_starts_preloaded_and_forgets_a_notebook_s_variables_between_runs():
    with PrivateKernel() as kernel:
        kernel.start()
        # what papermill does: its own client, from the manager (sharing the manager's session)
        first = kernel.manager.client()
        first.start_channels()
        first.wait_for_ready(timeout=60)
        assert ask(first, "import sys, gc; print('helpers.briefing' in sys.modules, gc.get_freeze_count() > 0)") == "True True"
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
