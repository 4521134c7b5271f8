"""The project's Jupyter configuration (issue 19): every kernel of the project's kernelspec talks
over socket files, papermill's as printed in the README included (its provisioner,
helpers.run.jupyter_compat.IpcProvisioner); `make lab` opens the project's root and offers the
project's kernel only (jupyter_config/)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from lab_server import Lab, lab_environment, lab_recipe, running_lab

from helpers.project import project_root
from helpers.run import jupyter_compat, kernelspec

ROOT = project_root()
BIN = Path(sys.executable).parent
TCP_WARNING = "Kernel is running over TCP"


# ---- the provisioner


def manager(**traits) -> SimpleNamespace:
    return SimpleNamespace(**({"transport": "tcp", "ip": "127.0.0.1", "connection_file": "", "cache_ports": True} | traits))


def test_a_kernel_about_to_start_over_tcp_is_moved_to_socket_files_in_a_private_folder():
    started = manager()
    folder = jupyter_compat.over_ipc(started)
    try:
        assert (started.transport, started.cache_ports) == ("ipc", False)
        assert started.ip == os.path.join(folder, "kernel") and started.connection_file == os.path.join(folder, "kernel.json")
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    finally:
        os.rmdir(folder)


def test_a_kernel_configured_for_socket_files_is_left_as_it_is():
    # JupyterLab's: transport=ipc from jupyter_config/, sockets beside its connection file
    started = manager(transport="ipc", ip="/run/user/kernel-1-ipc", connection_file="/run/user/kernel-1.json")
    assert jupyter_compat.over_ipc(started) is None
    assert (started.ip, started.connection_file) == ("/run/user/kernel-1-ipc", "/run/user/kernel-1.json")


def test_a_connection_file_already_named_is_kept():
    started = manager(connection_file="/somewhere/kernel-x.json")
    folder = jupyter_compat.over_ipc(started)
    os.rmdir(folder)
    assert started.connection_file == "/somewhere/kernel-x.json" and started.transport == "ipc"


def test_the_provisioner_is_jupyter_client_s_local_one_with_its_launch_steps_as_assumed():
    import inspect

    from jupyter_client.provisioning import LocalProvisioner

    provisioner = jupyter_compat.IpcProvisioner
    assert issubclass(provisioner, LocalProvisioner) and provisioner is jupyter_compat.ipc_provisioner()
    # over_ipc must run before the connection file is written and the ports are picked
    source = inspect.getsource(LocalProvisioner.pre_launch)
    assert source.index("km.cache_ports") < source.index("km.write_connection_file(")
    with pytest.raises(AttributeError):
        jupyter_compat.NoSuchThing  # noqa: B018 - the module's __getattr__ knows one name only


# ---- installed as `make setup` installs it


def test_the_provisioner_is_installed_under_the_name_the_kernelspec_gives():
    found = entry_points(group="jupyter_client.kernel_provisioners", name=jupyter_compat.IPC_PROVISIONER)
    assert found, "the project's entry point is not installed: run make setup (pip install -e .)"
    assert next(iter(found)).load() is jupyter_compat.ipc_provisioner()


def test_the_installed_kernelspec_is_the_project_s():
    from jupyter_client.kernelspec import KernelSpecManager

    folder = Path(KernelSpecManager().get_kernel_spec(kernelspec.KERNEL_NAME).resource_dir)
    installed = json.loads((folder / "kernel.json").read_text())
    assert installed == kernelspec.kernel_spec(), "run make setup (python -m helpers.run.kernelspec)"
    assert installed["metadata"]["kernel_provisioner"]["provisioner_name"] == jupyter_compat.IPC_PROVISIONER


# ---- papermill as the README prints it


def probe_notebook(path: Path) -> Path:
    """A notebook on the project's kernel that prints its own connection file's transport and
    socket path."""
    code = "import json, ipykernel\ninfo = json.load(open(ipykernel.get_connection_file()))\nprint(info['transport'], info['ip'])"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    notebook.metadata.kernelspec = {"name": kernelspec.KERNEL_NAME, "display_name": kernelspec.DISPLAY_NAME, "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.mark.slow
def test_papermill_as_the_readme_prints_it_runs_its_kernel_over_socket_files(tmp_path):
    assert ".venv/bin/papermill notebooks/" in (ROOT / "README.md").read_text(encoding="utf-8")
    out = tmp_path / "out.ipynb"
    done = subprocess.run([BIN / "papermill", probe_notebook(tmp_path / "probe.ipynb"), out], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert TCP_WARNING not in done.stderr + done.stdout
    transport, ip = nbformat.read(out, as_version=4).cells[0].outputs[0]["text"].split()
    assert transport == "ipc" and os.path.isabs(ip)
    assert not Path(ip).parent.exists()  # the private folder went with the kernel


# ---- make lab


def test_make_lab_uses_the_project_s_jupyter_configuration_and_opens_the_project_s_root():
    recipe = lab_recipe()
    assert lab_environment() == {"JUPYTER_CONFIG_PATH": str(ROOT / "jupyter_config")}
    assert "--notebook-dir" not in recipe and "--KernelManager" not in recipe  # all in jupyter_config/
    assert (ROOT / "jupyter_config" / "jupyter_server_config.py").is_file()


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    with running_lab(tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.mark.slow
def test_jupyterlab_offers_the_project_s_kernel_only(lab):
    specs = lab.api("kernelspecs")
    assert specs["default"] == kernelspec.KERNEL_NAME and set(specs["kernelspecs"]) == {kernelspec.KERNEL_NAME}


@pytest.mark.slow
def test_jupyterlab_s_file_browser_opens_the_project_s_root(lab):
    names = {item["name"] for item in lab.api("contents")["content"]}
    assert {"parameters", "outputs", "notebooks"} <= names


@pytest.mark.slow
def test_jupyterlab_s_kernels_talk_over_socket_files(lab):
    kernel = lab.api("kernels", "POST", {"name": kernelspec.KERNEL_NAME})
    try:
        connection = json.loads((lab.runtime / f"kernel-{kernel['id']}.json").read_text())
        assert connection["transport"] == "ipc" and connection["ip"].startswith(str(lab.runtime))
    finally:
        lab.api(f"kernels/{kernel['id']}", "DELETE")
    assert TCP_WARNING not in lab.log.read_text(errors="replace")


@pytest.mark.slow
def test_jupyterlab_fetches_no_news_updates_or_extensions_from_the_internet(lab):
    import urllib.request

    with urllib.request.urlopen(f"{lab.url}lab?token={lab.token}", timeout=30) as answer:
        page = answer.read().decode()
    config = json.loads(page.split('id="jupyter-config-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert config["news"] == {"disabled": True}
    assert config["extensionManager"]["name"] == "read-only"
