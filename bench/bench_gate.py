"""Benchmark the release gate on a run's outputs, against its extract's cache entry.

Run:  .venv/bin/python bench/bench_gate.py OUT/<reference> EXTRACTS_DIR

`OUT/<reference>` is a finished run's folder (its `release/` and `restricted/`), made from
`EXTRACTS_DIR` with the extract cache on (`FOI_CACHE_DIR` as for that run). The gate's extract
columns are read ahead as the runner's read-ahead thread reads them (`prefetch`); then the gate
on the tables (`check_tables`, as the kernel runs it) and on the whole release (`check_release`,
as the runner runs it) is timed six times each: the first call of a process, then the median of
the other five (what a batch's next request pays). To compare two versions of the code, run it
with each on PYTHONPATH, in alternation: the machine's speed swings within minutes.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from helpers.cache import entries as cache
from helpers.gate.check import check_release, check_tables
from helpers.gate.sensitive import ExtractSensitive, read_search_scope


def main(outputs: Path, extracts: Path) -> None:
    built = cache.open_built(extracts)
    if built is None:
        sys.exit(f"no extract cache entry for {extracts}: run a request on it first")
    sensitive = ExtractSensitive(built).prefetch()
    sensitive.text_ids = read_search_scope(outputs / "restricted")
    release = outputs / "release"
    tables = sorted((release / "tables").glob("*.csv"))
    checks = {
        "check_tables": lambda: check_tables(tables, 5, sensitive),
        "check_release": lambda: check_release(release, 5, sensitive),
    }
    for name, check in checks.items():
        times = []
        for _ in range(6):
            start = time.perf_counter()
            report = check()
            times.append(time.perf_counter() - start)
            if not report.passed:
                sys.exit(f"{name}: {report.summary_line()}")
        print(
            f"{name}: first {times[0] * 1000:.0f} ms, then {statistics.median(times[1:]) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
