"""The audit across releases (helpers.disclosure.across.protect_across), timed on a log the tool built.

The log (bench/across_log.py) holds releases like request 20180075 with overlapping definitions,
each made by the request's own steps on the synthetic extract and audited with those published
before it, as the tool publishes them; it is built once and kept in data/. The draft is request
20180075's own, protected on its own, as a run hands it to the audit; it is audited against the
first 1, 50 and 300 releases of the log. CPU seconds of this process (the machine is shared), the
median of ``BENCH_ACROSS_REPEATS`` runs; one BLAS thread, as the runner gives the kernels.

    python bench/bench_across.py [--json] [--build] [RELEASES ...]   # default 1 50 300
"""

from __future__ import annotations

import os

# as helpers.run sets it for the runner and its kernels, before numpy is imported
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import across_log  # noqa: E402

from helpers.disclosure.across import protect_across  # noqa: E402

REPEATS = int(os.environ.get("BENCH_ACROSS_REPEATS", 3))


def measure(sizes: list[int]) -> dict[int, dict]:
    """The audit of request 20180075's draft against the first ``n`` published releases."""
    log = across_log.load(progress=True)
    _, draft = across_log.draft_20180075()
    out = {}
    for n in sizes:
        published = [c for cells in log[:n] for c in cells]
        runs, result = [], None
        for _ in range(REPEATS):
            start = time.process_time()
            result = protect_across(draft, published, across_log.THRESHOLD)
            runs.append(time.process_time() - start)
        assert result is not None
        out[n] = {
            "cpu": statistics.median(runs),
            "runs": [round(r, 3) for r in runs],
            "cells": len(published),
            "constraining": len(result.constraining_releases),
            "extra": len(result.extra_withheld),
            "disclosed": len(result.already_disclosed),
            "safe": result.safe,
        }
    return out


def main(argv: list[str]) -> int:
    if "--build" in argv:  # the log only: made once, then found in data/
        print(f"{across_log.path()}: {len(across_log.load(progress=True))} releases", flush=True)
        return 0
    as_json = "--json" in argv
    sizes = [int(a) for a in argv if not a.startswith("--")] or [1, 50, 300]
    measured = measure(sizes)
    if as_json:
        print(json.dumps(measured))
        return 0
    for n, row in measured.items():
        print(
            f"{n:4d} releases ({row['cells']:5d} cells, {row['constraining']} constraining): "
            f"{row['cpu']:.3f} s CPU {row['runs']}, {row['extra']} extra withheld, "
            f"{row['disclosed']} already disclosed{'' if row['safe'] else ', refused'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
