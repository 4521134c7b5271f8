"""The cache builder process a run starts: `python -m helpers.cache.builder DIR --lock-fd N`.

A run claims the entry's build lock (`helpers.cache.keys.claim_build`) and starts this process
with it, while its kernel starts. The build reads the crimes files here and the person and
charge files in a second process beside it (`helpers.extracts.people_side`). That side process
is started first thing, before this one imports the data libraries: the two processes' imports
overlap, and the side, whose work (who is who) is the longer, starts reading that much earlier.
So this module imports nothing but the standard library, the cache's keys and the side's
protocol.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from helpers.cache.keys import cache_root, entry_name, own_root
from helpers.errors import ExtractError, ProfileError
from helpers.extracts.people_side import PeopleSide, start_people_side
from helpers.extracts.sources import SourceDefinition

#: the sink the person side writes its personal data through (named, not imported: importing
#: it would import the data libraries before the side is started)
ENTRY_SINK = "helpers.cache.entries:EntrySink"


def build_claimed(
    directory: str | Path,
    lock_fd: int,
    sources: tuple[SourceDefinition, ...] | None = None,
    root: str | Path | None = None,
) -> None:
    """Build `directory`'s entry under the lock inherited as file descriptor `lock_fd`."""
    directory = Path(directory)
    side: PeopleSide | None = None
    try:
        root = Path(root) if root else cache_root()
        from helpers.extracts.profile import chosen_sources  # its schema library: only here

        sources = chosen_sources(sources)
        name = entry_name(directory, sources)
        if (root / name / "meta.json").is_file():
            return
        staging = root / f".{name}.building-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        own_root(root)
        staging.mkdir(mode=0o700)
        side = start_people_side(directory, sources, True, staging, ENTRY_SINK)
        # the data libraries: imported while the side process starts
        from helpers.cache import entries

        entries.build(directory, sources, root, name, staging=staging, side=side)
    except BaseException:
        if side is not None:  # its files go with the staging folder
            side.stop()
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
    parser.add_argument("--profile", help="the force profile (default: the shipped one)")
    args = parser.parse_args(argv)
    try:
        from helpers.extracts.profile import profile_sources  # its schema library: only here

        sources = profile_sources(args.profile) if args.profile else None
        build_claimed(args.extracts, args.lock_fd, sources, root=args.root)
    except (
        ExtractError,
        ProfileError,
    ) as error:  # the kernel tries the build itself and reports it
        print(f"cache build: {error}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
