"""The project's Jupyter kernel, `foi-briefing`: this Python (the venv's), its kernels over socket
files whoever starts them (papermill, JupyterLab, nbclient), through the kernel provisioner named
in its kernelspec (`jupyter_compat.IpcProvisioner`).

`make setup` installs it into the venv: `python -m helpers.run.kernelspec` (again after
`pip install -e .`: the provisioner is an entry point of the installed project).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from helpers.run.jupyter_compat import IPC_PROVISIONER

KERNEL_NAME = "foi-briefing"
DISPLAY_NAME = "Python (foi-briefing)"


def kernel_spec() -> dict[str, Any]:
    """The kernelspec's kernel.json: ipykernel's for this Python, with the project's name and the
    provisioner that starts its kernels over socket files."""
    from ipykernel.kernelspec import get_kernel_dict  # loaded here: only `make setup` needs it

    # -Xfrozen_modules=off: as `ipykernel install` writes it (the debugger needs it)
    spec = get_kernel_dict(python_arguments=["-Xfrozen_modules=off"])
    spec["display_name"] = DISPLAY_NAME
    spec["metadata"] = {
        **spec.get("metadata", {}),
        "kernel_provisioner": {"provisioner_name": IPC_PROVISIONER},
    }
    return spec


def install(prefix: str = sys.prefix) -> Path:
    """Install the kernelspec under `prefix` (the venv's, as `ipykernel install --sys-prefix`)."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager

    spec = kernel_spec()
    with tempfile.TemporaryDirectory() as folder:
        staged = write_kernel_spec(Path(folder) / KERNEL_NAME, overrides=spec)
        return Path(KernelSpecManager().install_kernel_spec(staged, KERNEL_NAME, prefix=prefix))


if __name__ == "__main__":
    print(f"installed the kernel {KERNEL_NAME!r} in {install()}")
