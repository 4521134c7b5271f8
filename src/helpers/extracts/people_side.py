"""The person-and-charge side process: how it is started, and what it and its parent exchange.

The cache build reads the person and charge files, and works out who is who, in a process of its
own while the parent reads the crimes (`helpers.extracts.load.read_canonical`): both cores work,
and neither process holds both halves' raw text. They meet through files in the folder the
sink writes to (the cache entry's staging folder), named here. What the side does is
`helpers.extracts.side_work`. Standard library only: the cache builder imports this module to
start the side before it imports any data library.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.project import own_python_environment

if TYPE_CHECKING:  # for annotations only: nothing but the standard library at run time
    from helpers.extracts.sources import SourceDefinition

#: what the side leaves in the folder: its two tables (Arrow files, mapped by the parent), and
#: the pickled task and result
SIDE_TABLES = (".people-side.arrow", ".charges-side.arrow")
SIDE_TASK, SIDE_RESULT = ".people-side-task.pickle", ".people-side-result.pickle"
#: the person then charge rows' crime references, left by the side as soon as its files are read
#: (before who is who): the parent gives them their crimes' IDs meanwhile
SIDE_REFS = ".people-side-refs.arrow"

#: first thing in a short-lived data process (the cache builder, the person side): no cyclic
#: garbage collection. Their imports and work make millions of objects and few cycles: the
#: collector's passes would cost processor time and free next to nothing before the process ends.
NO_GC = "import gc; gc.disable()"


@dataclass(frozen=True)
class SideTask:
    """What the side is asked to do (pickled into the folder as `SIDE_TASK`)."""

    directory: Path  # the extract files
    sources: tuple[SourceDefinition, ...]
    personal_data: bool
    folder: Path  # where the sink writes, and the side leaves its files
    #: `module:Class` of the parent's sink: the side writes through `Class(folder)`
    sink: str


@dataclass
class PeopleSide:
    """A side process, started on `folder`."""

    process: subprocess.Popen[bytes]
    folder: Path

    def stop(self) -> None:
        """End the process if it is still running (its files go with the folder)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def sink_name(sink_class: type) -> str:
    """The `module:Class` name of a sink class, by which the side makes one of its own."""
    return f"{sink_class.__module__}:{sink_class.__qualname__}"


def start_people_side(
    directory: Path,
    sources: tuple[SourceDefinition, ...],
    personal_data: bool,
    folder: Path,
    sink: str,
) -> PeopleSide:
    """The person and charge files, read by `helpers.extracts.side_work` in a process of its own,
    its personal data written through a sink `sink` names (`sink_name`) on `folder`.

    A plain subprocess, not multiprocessing: a spawned worker re-imports the parent's main
    script, which fails when there is none (code piped to Python) and re-runs one without a
    `__main__` guard. The task and the result go through pickles in the folder."""
    task = SideTask(Path(directory), sources, personal_data, Path(folder), sink)
    (Path(folder) / SIDE_TASK).write_bytes(pickle.dumps(task))
    # out at once when the result is written (os._exit): tearing down the interpreter and its
    # tables would keep the parent waiting for nothing
    code = (
        f"{NO_GC}; import os, sys; from helpers.extracts.side_work import main; "
        "main(sys.argv[1]); os._exit(0)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=own_python_environment(),
    )
    return PeopleSide(process, Path(folder))
