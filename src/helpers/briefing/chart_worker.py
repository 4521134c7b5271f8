"""The briefing's charts, drawn in a process beside the kernel, on the machine's other core.

A request of many tables draws a chart for each table by time, 20-50 ms each (matplotlib's
text layout and SVG: docs/performance.md), one after another in the kernel while the other core
idles. So the kernel starts this process before it counts
(`start`: a request of two charts or more), hands it every chart once the figures are protected
(`submit`), writes the release tables while it draws, and then takes each chart from it
(`take`). A kernel of a batch, which shares the cores with the batch's other kernels, draws its
charts itself (`IN_KERNEL`).

A chart is its job's SVG (`chart_svg`) wherever it is drawn: the same bytes, in matplotlib's
default style whatever the kernel's. The process only saves time. Where it is not running, has
stopped, is slow, or could not draw a chart, `take` says so (None) and the kernel draws the chart
itself, so a fault in a chart is reported where it is made. Left without a job for five minutes
(`IDLE_SECONDS`: a JupyterLab kernel stays open long after its briefing), the process ends
itself, and the next request's `start` starts another.

Jobs go to the process as JSON lines, each with its number; each SVG comes back after its job's
number and its length. Two threads of the kernel's write the jobs and read the SVGs as they come,
so neither side ever waits on a full pipe, and an SVG is filed under its own job's number, never
under the next one's.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import IO

from helpers.project import own_python_environment

#: a request with fewer charts draws them in the kernel: starting the process (matplotlib
#: imported, a chart drawn to warm it) costs more processor time than one chart
MIN_CHARTS = 2
#: how long the kernel waits for a chart before drawing it itself (and stopping the process)
WAIT_SECONDS = 30.0
#: how long the process waits for a job before it ends itself: an analyst's JupyterLab kernel
#: stays open for hours after a briefing, and the next request's `start` starts another
IDLE_SECONDS = 300.0
#: set (to 1) in a batch's kernels, which share the cores: they draw their charts themselves
IN_KERNEL = "FOI_CHARTS_IN_KERNEL"
#: what comes back before each SVG: its job's number and its length (negative: not drawn)
HEADER = struct.Struct("<qq")
#: a longer SVG is not a chart of this tool's: the stream is garbled, and the process stopped
MAX_SVG = 64 << 20


@dataclass(frozen=True)
class ChartJob:
    """All a table's chart depends on: its released figures over time, as the table shows them,
    their periods' labels, and the figures' axis name."""

    labels: tuple[str, ...]
    shown: tuple[str, ...]
    ylabel: str


def chart_svg(job: ChartJob) -> bytes:
    """A table's chart, drawn, as SVG: the same bytes in the kernel and in the process."""
    # here, not at the top: only a request with a chart loads matplotlib
    from helpers.briefing.charts import bar_chart
    from helpers.briefing.report import figure_svg

    # laid out by `fit_bar_chart`, nothing beside the axes: no tight box (a layout pass more)
    return figure_svg(bar_chart(job.labels, job.shown, job.ylabel), tight_box=False)


class _Worker:
    """The process, and what the kernel has handed it and read back."""

    def __init__(self) -> None:
        # -P and the environment: this very copy of the package is imported, not one in the
        # kernel's working folder
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "helpers.briefing.chart_worker", str(IDLE_SECONDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=own_python_environment(),
        )
        self._changed = threading.Condition()
        self._numbers: dict[ChartJob, int] = {}  # the jobs handed over and not yet taken
        self._svgs: dict[int, bytes | None] = {}  # their SVGs read back (None: not drawn)
        self._next = 0
        self._ended = False  # no more SVGs will come
        self._lines: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        for work in (self._send, self._receive):
            threading.Thread(target=work, name=f"chart-worker{work.__name__}", daemon=True).start()

    def submit(self, jobs: Iterable[ChartJob]) -> None:
        """Hand over `jobs`, forgetting those of an earlier request never taken."""
        with self._changed:
            self._numbers.clear()
            self._svgs.clear()
            for job in jobs:
                if job not in self._numbers:
                    number = self._numbers[job] = self._next
                    self._next += 1
                    self._lines.put(json.dumps({"number": number, **asdict(job)}).encode() + b"\n")

    def take(self, job: ChartJob, timeout: float) -> tuple[bytes | None, bool]:
        """The SVG of `job` (None: not handed over, or not drawn), and whether it came in time."""
        with self._changed:
            number = self._numbers.get(job)
            if number is None:
                return None, True
            came = self._changed.wait_for(lambda: number in self._svgs or self._ended, timeout)
            del self._numbers[job]
            return self._svgs.pop(number, None), came

    @property
    def ended(self) -> bool:
        """No more SVGs will come: the process has ended, or garbled its output."""
        return self._ended

    def _send(self) -> None:
        """Thread: each job written as it comes (a full pipe holds this thread up, not the
        kernel); the pipe closed when the kernel stops the process, which then ends."""
        stdin = self.process.stdin
        assert stdin is not None
        with contextlib.suppress(OSError, ValueError):  # the process has ended: `_receive` sees
            while (line := self._lines.get()) is not None:
                stdin.write(line)
                stdin.flush()
        with contextlib.suppress(OSError, ValueError):
            stdin.close()

    def _receive(self) -> None:
        """Thread: each SVG read as it comes (the process never waits to write one), filed
        under its job's number if the job is still wanted."""
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while (header := _read_exactly(stdout, HEADER.size)) is not None:
                number, length = HEADER.unpack(header)
                if length > MAX_SVG:
                    break
                svg = _read_exactly(stdout, length) if length >= 0 else None
                if length >= 0 and svg is None:
                    break
                with self._changed:
                    if number in self._numbers.values():
                        self._svgs[number] = svg
                        self._changed.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._changed:
                self._ended = True
                self._changed.notify_all()

    def stop(self) -> None:
        self._lines.put(None)  # the pipe closes: the process ends when it has read it all
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            with contextlib.suppress(OSError):
                self.process.stdout.close()


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    """`size` bytes of `stream`, or None if it ends first."""
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


#: this kernel's process (one, whatever the requests the kernel runs), or None
_worker: _Worker | None = None


def start() -> None:
    """Start the process, unless it is running or this kernel draws its charts itself (it draws
    nothing until it is given a job)."""
    global _worker
    if os.environ.get(IN_KERNEL) or (_worker is not None and _worker.process.poll() is None):
        return
    stop()
    try:
        _worker = _Worker()
    except OSError:
        _worker = None


def submit(jobs: Iterable[ChartJob]) -> None:
    """Hand the process charts to draw (nothing, if it is not running)."""
    if _worker is not None:
        _worker.submit(jobs)


def take(job: ChartJob) -> bytes | None:
    """The SVG the process drew for `job`, waiting for it; None if it was not handed over, could
    not be drawn, or did not come in time (the process is then stopped): the caller draws it."""
    if _worker is None:
        return None
    svg, came = _worker.take(job, WAIT_SECONDS)
    if not came or _worker.ended:  # too slow, or gone: reaped, and started again if need be
        stop()
    return svg


@atexit.register
def stop() -> None:
    """End the process (its jobs not yet taken are drawn by the kernel if asked for)."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.stop()


def main(idle_seconds: float = IDLE_SECONDS) -> None:
    """The process: a chart for each job read, until the kernel closes the pipe or sends no job
    for `idle_seconds` (a job it sends as the process ends is drawn by the kernel: the pipe has
    ended, and `take` says so)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, not into the SVGs
    from helpers.briefing.charts import warm_up

    warm_up()
    drawing = threading.Lock()  # held while a job is read and drawn: never ended halfway
    last_job = [time.monotonic()]

    def end_when_idle() -> None:
        while True:
            time.sleep(min(idle_seconds, 1.0))
            with drawing:
                if time.monotonic() - last_job[0] >= idle_seconds:
                    os._exit(0)

    threading.Thread(target=end_when_idle, daemon=True).start()
    for line in sys.stdin.buffer:
        with drawing:
            number, svg = -1, None
            try:
                fields = json.loads(line)
                number = int(fields["number"])
                job = ChartJob(tuple(fields["labels"]), tuple(fields["shown"]), fields["ylabel"])
                svg = chart_svg(job)
            except Exception:  # noqa: BLE001 - the kernel draws it again, and reports the fault
                svg = None
            out.write(HEADER.pack(number, -1 if svg is None else len(svg)) + (svg or b""))
            out.flush()
            last_job[0] = time.monotonic()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else IDLE_SECONDS)
