"""The briefing's charts, drawn in a process beside the kernel, on the machine's other core.

A request of many tables draws a chart for each table by time, 45-85 ms each (matplotlib lays
out a chart's words twice, to fit them and to write them: docs/performance.md), one after another
in the kernel while the other core idles. So the kernel starts this process before it counts
(`start`: a request of two charts or more), hands it every chart once the figures are protected
(`submit`), writes the release tables while it draws, and then takes each chart from it
(`drawn`).

A chart is its job's SVG (`answers.chart_svg`) wherever it is drawn: the same bytes. The process
only saves time. Where it is not running, has stopped, is slow, or could not draw a chart,
`drawn` says so (None) and the kernel draws the chart itself, so a fault in a chart is reported
where it is made. Jobs go to it as JSON lines; each SVG comes back as its length, then its bytes,
in the jobs' order.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import struct
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass

#: a request with fewer charts draws them in the kernel: starting the process (matplotlib
#: imported, a chart drawn to warm it) costs more processor time than one chart
MIN_CHARTS = 2
#: how long the kernel waits for a chart before drawing it itself
WAIT_SECONDS = 30.0
#: each SVG's length, as sent back (a negative length: the chart could not be drawn)
LENGTH = struct.Struct("<q")


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

    # fitted by `tight_layout`, with no legend beside it: no tight box (15-20% of a chart's time)
    return figure_svg(bar_chart(job.labels, job.shown, job.ylabel), tight_box=False)


class _Stopped(Exception):
    """The process has stopped answering: ended, slow beyond `WAIT_SECONDS`, or garbled."""


class _Worker:
    """The process, the jobs sent to it whose SVG is not read yet (in order), the SVGs read."""

    def __init__(self) -> None:
        # -P: the kernel's working folder is not put on the path (no `helpers` there is imported)
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "helpers.briefing.chart_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.sent: list[ChartJob] = []
        self.done: dict[ChartJob, bytes | None] = {}

    def submit(self, job: ChartJob) -> None:
        if job in self.done or job in self.sent:
            return
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(asdict(job)).encode("utf-8") + b"\n")
        self.process.stdin.flush()
        self.sent.append(job)

    def drawn(self, job: ChartJob) -> bytes | None:
        deadline = time.monotonic() + WAIT_SECONDS
        while job in self.sent:
            length = LENGTH.unpack(self._read(LENGTH.size, deadline))[0]
            self.done[self.sent.pop(0)] = self._read(length, deadline) if length >= 0 else None
        return self.done.pop(job, None)

    def _read(self, size: int, deadline: float) -> bytes:
        assert self.process.stdout is not None
        pipe, parts = self.process.stdout.fileno(), []
        while size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pipe], [], [], left)[0]:
                raise _Stopped("no chart in time")
            part = os.read(pipe, size)
            if not part:
                raise _Stopped("the process ended")
            parts.append(part)
            size -= len(part)
        return b"".join(parts)

    def stop(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


#: this kernel's process (one, whatever the requests the kernel runs), or None
_worker: _Worker | None = None


def start() -> None:
    """Start the process, unless it is running (it draws nothing until it is given a job)."""
    global _worker
    if _worker is not None and _worker.process.poll() is None:
        return
    stop()
    try:
        _worker = _Worker()
    except OSError:
        _worker = None


def submit(jobs: Iterable[ChartJob]) -> None:
    """Hand the process charts to draw (nothing, if it is not running)."""
    if _worker is None:
        return
    try:
        for job in jobs:
            _worker.submit(job)
    except OSError:
        stop()


def drawn(job: ChartJob) -> bytes | None:
    """The SVG the process drew for `job`, waiting for it; None if it was not asked for, could
    not draw it, or has stopped (the caller draws the chart itself)."""
    if _worker is None:
        return None
    try:
        return _worker.drawn(job)
    except (OSError, ValueError, _Stopped):
        stop()
        return None


@atexit.register
def stop() -> None:
    """End the process (its jobs not yet read are drawn by the kernel if asked for)."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.stop()


def main() -> None:
    """The process: a chart for each job read, until the kernel closes the pipe."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, not into the SVGs
    from helpers.briefing.charts import warm_up

    warm_up()
    for line in sys.stdin.buffer:
        try:
            fields = json.loads(line)
            job = ChartJob(tuple(fields["labels"]), tuple(fields["shown"]), fields["ylabel"])
            svg: bytes | None = chart_svg(job)
        except Exception:  # noqa: BLE001 - the kernel draws it again, and reports the fault
            svg = None
        out.write(LENGTH.pack(-1 if svg is None else len(svg)) + (svg or b""))
        out.flush()


if __name__ == "__main__":
    main()
