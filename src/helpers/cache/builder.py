"""The cache builder process a run starts: `python -m helpers.cache.builder DIR --lock-fd N`.

A run claims the entry's build lock (`cache_keys.claim_build`) and starts this process with it,
while its kernel starts. The build reads the crimes files here and the person and charge files in
a second process beside it (`extracts._people_side`). That side process is started first thing,
before this one imports the data libraries (half a second): the two processes' imports overlap,
and the side, whose work (who is who) is the longer, starts reading that much earlier. So this
module imports nothing but the standard library and the cache's keys.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

from helpers.cache.keys import cache_root, entry_name
from helpers.extracts.sources import FORCE_SOURCES, ExtractError, SourceDefinition

#: what the side process leaves in the entry's staging folder: its two tables (Arrow files, mapped
#: by the builder), and the pickled task and result
SIDE_TABLES = (".people-side.arrow", ".charges-side.arrow")
SIDE_TASK, SIDE_RESULT = ".people-side-task.pickle", ".people-side-result.pickle"
#: the person then charge rows' crime references, left by the side as soon as its files are read
#: (before who is who): the builder gives them their crimes' IDs meanwhile
SIDE_REFS = ".people-side-refs.arrow"

#: first thing in a builder process: no cyclic garbage collection. Its imports and its work make
#: millions of objects and few cycles; the collector's passes over them cost a few tenths of a
#: second of processor time, and a builder lives seconds.
NO_GC = "import gc; gc.disable()"


def start_people_side(
    directory: Path, sources: tuple[SourceDefinition, ...], personal_data: bool, folder: Path
) -> subprocess.Popen:
    """The person and charge files, read by `extracts._people_side` in a Python process of its own.

    A plain subprocess, not multiprocessing: a spawned worker re-imports the parent's main
    script, which fails when there is none (code piped to Python) and re-runs one without a
    `__main__` guard. The task and the result go through pickles in the entry's folder."""
    (Path(folder) / SIDE_TASK).write_bytes(
        pickle.dumps((Path(directory), sources, personal_data, Path(folder)))
    )
    # out at once when the result is written (os._exit): tearing down the interpreter and its
    # half a gigabyte of tables would keep the builder waiting a tenth of a second longer
    code = f"{NO_GC}; import os, sys; from helpers.extracts.reading import _people_side_main; _people_side_main(sys.argv[1]); os._exit(0)"
    # this very copy of the package first on its path, however the parent found it
    here = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])),
    }
    return subprocess.Popen(
        [sys.executable, "-c", code, str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def build_claimed(
    directory: str | Path,
    lock_fd: int,
    sources: tuple[SourceDefinition, ...] = FORCE_SOURCES,
    root: str | Path | None = None,
) -> None:
    """Build `directory`'s entry under the lock inherited as file descriptor `lock_fd`."""
    directory = Path(directory)
    side = None
    try:
        root = Path(root) if root else cache_root()
        name = entry_name(directory, sources)
        if (root / name / "meta.json").is_file():
            return
        staging = root / f".{name}.building-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True, mode=0o700)
        side = start_people_side(directory, sources, True, staging)
        from helpers.cache import (
            entries as cache,
        )  # the data libraries: imported while the side process starts

        cache.build(directory, sources, root, name, staging=staging, side=side)
    except BaseException:
        if side is not None and side.poll() is None:  # its files go with the staging folder
            side.kill()
            side.wait()
        raise
    finally:
        os.close(lock_fd)  # the lock goes with the last descriptor of it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.cache.builder",
        description="Build an extract's cache entry under a lock a run has claimed.",
    )
    parser.add_argument("extracts")
    parser.add_argument("--lock-fd", type=int, required=True)
    parser.add_argument(
        "--root",
        help="the cache folder (default: $FOI_CACHE_DIR, else the project's .cache/extracts)",
    )
    args = parser.parse_args(argv)
    try:
        build_claimed(args.extracts, args.lock_fd, root=args.root)
    except ExtractError as error:  # the kernel tries the build itself and reports it to the user
        print(f"cache build: {error}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
