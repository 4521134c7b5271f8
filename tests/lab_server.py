"""A real JupyterLab for the tests, started as `make lab` starts it (the Makefile's recipe's
environment: the project's jupyter_config/), headless on a free port of this machine, with a token,
its runtime folder and user settings its own; stopped with its kernels at the end."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from helpers.project import project_root

ROOT = project_root()
BIN = Path(sys.executable).parent


def lab_recipe() -> str:
    """The Makefile's `lab` recipe (its lines after `lab:`)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(r"^lab:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert found, "the Makefile has a lab target"
    return found.group(1)


def lab_environment() -> dict[str, str]:
    """The variables the Makefile's recipe sets before `jupyter lab` (`NAME=value` words before
    it; `$(CURDIR)` is the project's root)."""
    line = next(line for line in lab_recipe().splitlines() if "jupyter lab" in line)
    before = line.split("$(BIN)/jupyter lab")[0].split()
    return dict(word.replace("$(CURDIR)", str(ROOT)).split("=", 1) for word in before if "=" in word)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str
    runtime: Path
    process: subprocess.Popen
    log: Path

    def api(self, path: str, method: str = "GET", body: dict | None = None) -> dict | list:
        request = urllib.request.Request(
            f"{self.url}api/{path}", method=method, headers={"Authorization": f"token {self.token}"},
            data=None if body is None else json.dumps(body).encode(),
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            data = answer.read()
        return json.loads(data) if data else {}


@contextlib.contextmanager
def running_lab(folder: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Iterator[Lab]:
    """JupyterLab as `make lab` starts it, in the temporary `folder` (the project's root must come
    from its configuration, not from where it was started), with `env` and `args` added."""
    token = secrets.token_hex(16)
    port = free_port()
    # a short runtime folder: a socket file's path is limited to about 100 characters
    runtime = Path(tempfile.mkdtemp(prefix="foi-rt-"))
    settings = folder / "jupyter-user"
    variables = os.environ | lab_environment() | {
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "JUPYTER_CONFIG_DIR": str(settings),  # no user's own settings: the project's alone
        "JUPYTERLAB_WORKSPACES_DIR": str(settings / "workspaces"),
    } | (env or {})
    log = folder / "jupyterlab.log"
    command = [BIN / "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", *args]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=folder, env=variables, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}/", token, runtime, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                lab.api("status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "JupyterLab did not answer in 90 s"
                time.sleep(0.3)
        yield lab
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(runtime, ignore_errors=True)
