"""Work a request starts before the step that needs it: the extract cache's build (a process of
its own, while the kernel starts) and the gate's read-ahead (a thread, while the notebook runs)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.request.parameters import RequestParameters

if TYPE_CHECKING:
    from helpers.gate.sensitive import ExtractSensitive

#: the nice value of a kernel started while a cache build runs, and of the gate's read-ahead
#: thread then: work the build should go before (a kernel's start would share the cores with the
#: build it then waits for). 10, not 19: on a machine busy with other work the briefing still
#: gets its share. Measurements and what did not help: docs/performance.md.
LOW_PRIORITY = 10


# ---- the cache build


def start_cache_build(params: RequestParameters) -> subprocess.Popen[bytes] | None:
    """Start building the extract cache in another process while the notebook's kernel starts.

    The kernel takes seconds to start and import; the cache build uses them. The notebook waits
    for the build's lock and then reads the cache. Nothing to do if the cache is already built;
    a failure here is the notebook's to report (it tries the build itself).
    """
    if os.environ.get("FOI_NO_CACHE"):
        return None
    try:
        # in the try: any failure here is the notebook's to report
        from helpers.cache.keys import cache_root, claim_build

        root = cache_root()
        # None: built, or being built by another run
        lock = claim_build(params.extracts_path, params.sources)
    except Exception:  # noqa: BLE001 - the notebook will name the problem
        return None
    if lock is None:
        return None
    with lock:  # the builder inherits the lock; ours closes once it has started
        # MIMALLOC_PURGE_DELAY=0: where Arrow has no jemalloc, mimalloc hands freed memory back
        # at once (less peak memory)
        return subprocess.Popen(
            builder_command(params.extracts_path, lock.fileno(), root, params.profile_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=[lock.fileno()],
            env={**os.environ, "MIMALLOC_PURGE_DELAY": "0"},
        )


def builder_command(extracts: Path, lock_fd: int, root: Path, profile: Path) -> list[str]:
    """The cache builder's command line (`helpers.cache.builder`), run by this Python."""
    from helpers.extracts.people_side import (
        NO_GC,  # here: a run with its cache built needs none of it
    )

    # out at once when done (os._exit, after flushing what it printed): the entry is written and
    # its lock let go, and tearing down the interpreter and its tables only keeps the processor busy
    code = (
        f"{NO_GC}; import os, sys; from helpers.cache.builder import main; code = main(); "
        "sys.stderr.flush(); os._exit(code)"
    )
    return [
        sys.executable,
        "-c",
        code,
        str(extracts),
        "--lock-fd",
        str(lock_fd),
        "--root",
        str(root),
        "--profile",
        str(profile),
    ]


# ---- the gate's read-ahead


def yield_the_processor() -> None:
    """This thread at a low priority (Linux: a thread's own nice value), if it can be."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOW_PRIORITY)
    except (AttributeError, OSError):  # another system: the thread runs as it is
        pass


_GATE_DATA: dict[Path, ExtractSensitive] = {}  # cache entry folder -> its read-ahead, here
_GATE_DATA_LOCK = threading.Lock()  # a batch's threads read the extract once between them


class GateData(threading.Thread):
    """While the kernel runs the notebook (this process only waits meanwhile): imports what the
    steps after it use and makes a first, throwaway HTML export, then reads what the release gate
    looks for (identifier columns, dates of birth) from the extract cache; nothing if the extract
    is not cached. While a cache build runs it does so at a low priority: it takes mostly the
    processor time the build leaves (its imports and the export's warm-up fit in it), and it
    reads the cache once the build is done."""

    def __init__(self, params: RequestParameters, builder: subprocess.Popen[Any] | None):
        super().__init__(daemon=True)
        self.params, self.builder = params, builder
        self._sensitive: ExtractSensitive | None = None

    def run(self) -> None:
        try:
            if self.builder is not None:
                yield_the_processor()
            # here, not at the top: the heavy imports are this thread's work
            from helpers.briefing import report
            from helpers.cache import entries as cache
            from helpers.gate import check  # noqa: F401 - imported ahead, for seal_release
            from helpers.gate.sensitive import ExtractSensitive

            report.warm_up_export()  # so the export step after the notebook is quicker
            while self.builder is not None and self.builder.poll() is None:
                time.sleep(0.05)

            if os.environ.get("FOI_NO_CACHE"):
                return
            built = cache.open_built(self.params.extracts_path, self.params.sources)
            if built is None:
                return
            # a batch of requests on one extract reads it once
            with _GATE_DATA_LOCK:
                kept = _GATE_DATA.get(built.store.folder)
                if kept is None:
                    _GATE_DATA.clear()  # one extract's at a time
                    kept = _GATE_DATA[built.store.folder] = ExtractSensitive(built).prefetch()
            self._sensitive = kept
        except Exception:  # noqa: BLE001 - the gate step reads the extract itself and reports
            self._sensitive = None

    def sensitive(self) -> ExtractSensitive | None:
        """What the gate looks for, once read (None: the gate reads it itself)."""
        self.join()
        return self._sensitive
