"""The Jupyter internals the runner relies on (helpers.run.jupyter_compat, and the briefing's
exporter in helpers.briefing.report) still behave as its patches assume: each test fails when a
library's new version changes what a patch uses, so the patch is read again before the runner
breaks in a way no other test shows. Fast: no kernel."""

import hashlib
import importlib
import importlib.metadata
import importlib.util
import inspect
import os
import re
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path
from queue import Empty

import pytest

from helpers.run import jupyter_compat
from helpers.run.jupyter_compat import WRITTEN_FOR


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.match(r"\d+(?:\.\d+)*", text).group().split("."))


@pytest.mark.parametrize("patch", sorted(WRITTEN_FOR))
def test_each_patched_library_is_installed_in_the_range_its_patch_was_written_for(patch):
    if "." in patch:  # a patch outside jupyter_compat: `module.Class` under helpers
        module, name = patch.rsplit(".", 1)
        assert f"class {name}(" in inspect.getsource(importlib.import_module(f"helpers.{module}"))
    else:
        assert hasattr(jupyter_compat, patch)
    for library, lowest, below in WRITTEN_FOR[patch]:
        installed = importlib.metadata.version(library)
        assert version(lowest) <= version(installed) < version(below), (
            f"{patch} was written for {library} >={lowest},<{below}; {installed} is installed: "
            "check the patch against it, then widen its range"
        )


def source(module: str) -> str:
    return Path(importlib.util.find_spec(module).origin).read_text(encoding="utf-8")


def pinned(function) -> str:
    return hashlib.sha256(textwrap.dedent(inspect.getsource(function)).encode()).hexdigest()[:16]


# ---- jsonschema: the IRI syntax parser skipped


def test_jsonschema_imports_the_iri_parser_only_if_it_can_and_checks_iris_with_nothing_else():
    """The patch is still needed (jsonschema imports rfc3987_syntax for its IRI check), and safe
    (the import is optional: absent, the check is left out)."""
    text = source("jsonschema._format")
    optional = re.search(r"with suppress\(ImportError\):\n\s+from rfc3987_syntax import", text)
    assert optional, "jsonschema no longer imports rfc3987_syntax optionally: drop or redo the patch"
    assert len(re.findall(r"^\s*(?:from|import) rfc3987_syntax", text, re.MULTILINE)) == 1


def test_with_the_iri_parser_marked_absent_notebooks_still_load_and_validate():
    code = textwrap.dedent("""
        import sys
        import helpers.run.jupyter_compat
        import nbformat, papermill
        from jsonschema import FormatChecker
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
        nbformat.validate(nb)
        nbformat.validate(nbformat.reads(nbformat.writes(nb), as_version=4))
        assert sys.modules["rfc3987_syntax"] is None
        assert "iri" not in FormatChecker.checkers and "uri" in FormatChecker.checkers
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


# ---- jupyter_client: the kernel's process


def test_a_local_kernel_s_process_is_the_provisioner_s_popen_in_a_group_of_its_own():
    """`kill_process` and `kill_now` find the kernel as `manager.provisioner.process`, a Popen
    that jupyter_client starts in a process group (session) of its own."""
    from jupyter_client.launcher import launch_kernel
    from jupyter_client.manager import KernelManager
    from jupyter_client.provisioning import LocalProvisioner

    assert LocalProvisioner.process is None  # an attribute of the class, set once launched
    assert KernelManager(kernel_name="python3").provisioner is None  # none before the start
    process = launch_kernel([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert isinstance(process, subprocess.Popen)
        assert os.getpgid(process.pid) == process.pid  # its own group
        manager = type("Manager", (), {"provisioner": type("P", (), {"process": process})()})()
        started = time.monotonic()
        jupyter_compat.kill_now(manager)
        assert process.returncode == -9 and time.monotonic() - started < 5  # killed and reaped
        jupyter_compat.kill_process(manager)  # gone already: nothing to do
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# ---- jupyter_client and nbclient: waits on a blocking client's channels


@pytest.fixture
def channel():
    """A blocking client's channel on a socket whose other end (`channel.peer`) the test holds."""
    import zmq
    from jupyter_client.channels import ZMQSocketChannel
    from jupyter_client.session import Session

    context = zmq.Context()
    ours, peer = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
    ours.bind("inproc://compat")
    peer.connect("inproc://compat")
    session = Session(key=b"")
    made = ZMQSocketChannel(ours, session)
    made.peer, made.session = peer, session
    yield made
    ours.close(0)
    peer.close(0)
    context.term()


def test_a_wait_without_a_timeout_ends_when_the_kernel_dies_and_other_waits_are_as_they_were(channel):
    from jupyter_client.channels import ZMQSocketChannel
    from nbclient.exceptions import DeadKernelError

    assert list(inspect.signature(ZMQSocketChannel.get_msg).parameters) == ["self", "timeout"]
    alive = [True]
    manager = type("Manager", (), {"is_alive": lambda self: alive[0]})()
    jupyter_compat.give_up_if_the_kernel_dies(channel, manager)
    with pytest.raises(Empty):
        channel.get_msg(timeout=0.01)  # a wait with a timeout: as before
    channel.session.send(channel.peer, "status", {"execution_state": "idle"})
    assert channel.get_msg()["content"] == {"execution_state": "idle"}  # no timeout: a message
    alive[0] = False
    started = time.monotonic()
    with pytest.raises(DeadKernelError):
        channel.get_msg()  # no timeout, nothing comes, the kernel is dead
    assert time.monotonic() - started < 5


def test_a_blocking_client_reads_through_its_channel_objects_which_it_keeps():
    """The patch replaces `get_msg` on the client's channel objects: the client must keep them
    and its `get_*_msg` must read through them."""
    from jupyter_client.blocking.client import BlockingKernelClient

    client = BlockingKernelClient()
    try:
        for name in ("shell", "iopub"):
            channel = getattr(client, f"{name}_channel")
            assert getattr(client, f"{name}_channel") is channel
            channel.get_msg = lambda timeout=None, name=name: (name, timeout)
            assert getattr(client, f"get_{name}_msg")(timeout=0.5) == (name, 0.5)
    finally:
        client.stop_channels()


def test_nbclient_waits_for_a_cell_s_output_with_no_timeout_on_the_iopub_channel_object():
    """Why the patch is needed: nbclient's wait for a cell's output has no timeout, and its own
    check that the kernel lives cannot run meanwhile with a blocking client."""
    from nbclient import NotebookClient

    assert "self.kc.iopub_channel.get_msg(timeout=None)" in inspect.getsource(
        NotebookClient._async_poll_output_msg
    )


def test_the_kernel_info_reply_handler_is_the_one_wait_for_ready_calls():
    """`wait_until_ready` ends as jupyter_client's `wait_for_ready` does: handing the reply to
    `_handle_kernel_info_reply`, which adapts the session to the kernel's protocol version."""
    from jupyter_client.blocking.client import BlockingKernelClient
    from jupyter_client.client import KernelClient

    assert "self._handle_kernel_info_reply(msg)" in inspect.getsource(
        KernelClient._async_wait_for_ready
    )
    assert list(inspect.signature(KernelClient._handle_kernel_info_reply).parameters) == [
        "self",
        "msg",
    ]
    client = BlockingKernelClient()
    before = client.session.adapt_version
    client._handle_kernel_info_reply({"content": {"protocol_version": "5.3"}})
    assert client.session.adapt_version == before  # the same major version: nothing to do
    client._handle_kernel_info_reply({"content": {"protocol_version": "4.1"}})
    assert client.session.adapt_version == 4


# ---- papermill: the engine


def test_the_papermill_methods_the_engine_copies_are_unchanged():
    """papermill has no hook for the notebook manager's class or the client: the engine copies
    these two methods. Changed: read the copies in jupyter_compat.register_engine again."""
    from papermill.engines import Engine, NBClientEngine

    assert pinned(Engine.execute_notebook) == "9bbe1c605a7b30a1"
    assert pinned(NBClientEngine.execute_managed_notebook) == "231b504c6d53bf56"


def test_the_engine_is_registered_under_its_name():
    from papermill.engines import NBClientEngine, papermill_engines

    engine = jupyter_compat.register_engine()
    assert issubclass(engine, NBClientEngine)
    assert papermill_engines.get_engine(jupyter_compat.ENGINE) is engine


def test_the_notebook_manager_saves_only_at_the_end_or_after_5_seconds(tmp_path):
    """papermill's manager saves through `save` at the notebook's start and before and after
    every cell; the engine's saves only at the end (or once 5 s have gone by)."""
    import nbformat

    manager_class = jupyter_compat.register_engine().manager
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata.papermill = {}  # as papermill prepares it
    output = tmp_path / "out.ipynb"
    manager = manager_class(nb, output_path=str(output), progress_bar=False)
    manager.notebook_start()
    manager.cell_start(nb.cells[0], 0)
    manager.cell_complete(nb.cells[0], cell_index=0)
    assert not output.exists()
    manager.last_save_time -= timedelta(seconds=5)
    manager.cell_start(nb.cells[0], 0)
    assert output.exists()
    output.unlink()
    manager.notebook_complete()
    assert nbformat.read(output, as_version=4).metadata.papermill["end_time"]


class OpenClient:
    """A kernel's client, already open and ready: it answers the kernel-info request."""

    def __init__(self):
        self.shell_channel = self
        self.stopped = False

    def kernel_info(self):
        return "info-1"

    def get_msg(self, timeout=None):
        reply = {"language_info": {"name": "python", "version": "3"}}
        return {"parent_header": {"msg_id": "info-1"}, "msg_type": "kernel_info_reply", "content": reply}

    def is_alive(self):
        return True

    def stop_channels(self):
        self.stopped = True


class RunningKernel:
    has_kernel = True

    def is_alive(self):
        return True

    def client(self, **kwargs):
        raise AssertionError("a new client was opened")


def test_a_notebook_runs_on_the_kernel_s_own_client_which_stays_open(tmp_path):
    """papermill passes `km` and `kc` on to the engine; nbclient uses the client it is given
    (opening none) and leaves it open, as it does not own the kernel."""
    import nbformat

    source_path, output = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# nothing to run")])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, source_path)
    client = OpenClient()
    jupyter_compat.execute_in(RunningKernel(), client, source_path, output, {}, progress=False)
    assert not client.stopped
    ran = nbformat.read(output, as_version=4)
    assert ran.metadata.language_info["name"] == "python"  # asked through our client
    assert ran.metadata.papermill["end_time"]


def test_a_failed_cell_s_error_names_the_exception_and_the_cell():
    """The notebook step turns papermill's error into the run's failure by these fields."""
    from papermill.exceptions import PapermillExecutionError

    error = PapermillExecutionError(
        cell_index=3, exec_count=4, source="1/0", ename="ZeroDivisionError", evalue="division by zero", traceback=[]
    )
    assert (error.ename, error.evalue, error.exec_count) == ("ZeroDivisionError", "division by zero", 4)


# ---- nbconvert: the briefing's exporter (helpers.briefing.report.BriefingExporter)


def test_the_nbconvert_method_the_briefing_exporter_copies_is_unchanged():
    """The briefing's exporter is HTMLExporter with its own copy of `from_notebook_node`, less
    the last pass. Changed: read the copy in helpers.briefing.report._exporter again."""
    from nbconvert import HTMLExporter

    assert pinned(HTMLExporter.from_notebook_node) == "5ee19b43059aaf8a"


def test_the_nbconvert_names_the_briefing_exporter_uses_are_there():
    """The copy calls HTMLExporter's private `_init_resources`, reads its private `_nb_metadata`,
    builds the two filters HTMLExporter builds, and calls TemplateExporter's method directly
    (HTMLExporter's `super()`)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    from helpers.briefing import report

    assert HTMLExporter.__mro__[1] is TemplateExporter
    assert callable(HTMLExporter._init_resources)
    exporter = report._exporter()
    assert type(exporter).__name__ == "BriefingExporter" and isinstance(exporter, HTMLExporter)
    assert isinstance(exporter._nb_metadata, dict)
    assert isinstance(HTMLExporter(template_name="basic")._init_resources(None), dict)
    assert {"pygments_lexer"} <= set(inspect.signature(Highlight2HTML.__init__).parameters)
    assert {"notebook_metadata", "resources"} <= set(inspect.signature(WidgetsDataTypeFilter.__init__).parameters)
