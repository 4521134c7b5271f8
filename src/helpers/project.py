"""Where the project is: its root folder, and paths a user gives relative to it.

Standard library only: the runner, the cache's keys and the notebooks need it before (or
without) any data library.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The project's root: `FOI_PROJECT_ROOT` if set, else the folder holding `pyproject.toml`
    above the current folder, else above this package (an editable install)."""
    if os.environ.get("FOI_PROJECT_ROOT"):
        return Path(os.environ["FOI_PROJECT_ROOT"]).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            if (folder / "pyproject.toml").is_file() and (folder / "parameters").is_dir():
                return folder
    return Path.cwd()


def project_path(value: str | os.PathLike[str]) -> Path:
    """A path a user gave (a parameter, an option): `~` expanded, relative to the project's root."""
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else project_root() / path


def own_python_environment() -> dict[str, str]:
    """The environment of a Python process of the package's own (the person side, the chart
    process): this very copy of the package first on its path, however this process found it."""
    here = str(Path(__file__).resolve().parents[1])
    search = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": search}
