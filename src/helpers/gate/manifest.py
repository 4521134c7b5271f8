"""`release/manifest.json`: what a release is made of, for anyone to check it against.

The request, the parameters used, the project version, the SHA-256 of each extract file read and
of each release file, and the time of the run; the same inputs give the same bytes. It is written
before the gate runs, and the gate checks it like any other release file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import pandas as pd

from helpers.gate.readers import release_files

MANIFEST = "manifest.json"


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=str)
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "model_dump"):  # a pydantic model (the request parameters)
        return _jsonable(value.model_dump(mode="json"))
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def write_manifest(
    release_dir: Path,
    *,
    reference: str,
    parameters: dict,
    project_version: str,
    extract_files: dict[str, str],
    run_time: str,
    force_profile: dict[str, str] | None = None,
) -> Path:
    """`release/manifest.json`: the request, the parameters used, the project version, the
    SHA-256 of each extract file and of each release file (every file under release/ but the
    manifest itself, by relative posix path), the force profile's file name and SHA-256 (which
    says how the extract files were read), and the time of the run. Keys sorted, indent 1, so
    the same inputs give the same bytes."""
    release_dir = Path(release_dir)
    target = release_dir / MANIFEST
    files = {
        p.relative_to(release_dir).as_posix(): sha256_file(p)
        for p in release_files(release_dir)
        if p != target
    }
    manifest = {
        "request": str(reference),
        "parameters": _jsonable(parameters),
        "project_version": str(project_version),
        "extract_files": {str(k): str(v) for k, v in sorted(extract_files.items())},
        "release_files": dict(sorted(files.items())),
        "run_time": str(run_time),
    }
    if force_profile is not None:
        manifest["force_profile"] = {str(k): str(v) for k, v in sorted(force_profile.items())}
    target.write_text(
        json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
        newline="\n",
    )
    return target
