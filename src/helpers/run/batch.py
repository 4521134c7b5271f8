"""Several requests at once, a progress bar each; one failure stops no other.

One process drives them all: a pool of kernels (`KernelPool`, one per core by default) runs the
requests' notebooks side by side, and one thread more than kernels runs the requests' own steps,
taking the requests in order as threads come free. The runner's own start (its imports, the
gate's read-ahead of the extract, the export's warm-up) is so paid once, not once per worker
process (docs/performance.md).
"""

from __future__ import annotations

import logging
import os
import queue
from pathlib import Path

from helpers.run import jupyter_compat
from helpers.run.kernels import KernelPool
from helpers.run.request import RunResult, run_request

#: the steps a request's bar shows, in order
STEPS = ("queued", "notebook", "html", "pdf", "gate", "done")


class _StepQueue:
    """Tells the main thread which step a request's run has reached."""

    def __init__(self, steps: queue.Queue[tuple[int, str]], index: int):
        self.steps, self.index = steps, index

    def __call__(self, step: str) -> None:
        self.steps.put((self.index, step))


def run_many(
    paths: list[Path],
    extracts: str | None,
    out: str | None,
    formats: tuple[str, ...],
    strict: bool | None,
    progress: bool = True,
    workers: int | None = None,
    profile: str | None = None,
) -> list[RunResult]:
    """Run every request in `paths`, `workers` at a time (default: one per core); a result each,
    in the order given."""
    import gc  # here, not at the top: only a batch needs these
    from concurrent.futures import ThreadPoolExecutor

    import papermill  # noqa: F401 - here, before the threads: one import at a time
    from tqdm import tqdm

    jupyter_compat.register_engine()
    # a batch can run for minutes: garbage collection back on, but not over the modules loaded
    # so far (cli() turns it off for a single request's few seconds)
    gc.freeze()
    gc.enable()
    workers = min(workers or os.cpu_count() or 1, len(paths))
    steps: queue.Queue[tuple[int, str]] = queue.Queue()  # (request, step reached), from the threads
    names = [f"{path.stem[:24]:>24}" for path in paths]
    bars = [
        tqdm(
            total=len(STEPS) - 1,
            desc=f"{name} queued  ",
            position=i,
            leave=True,
            disable=not progress,
            bar_format="{desc} {bar:30} {elapsed}",
        )
        for i, name in enumerate(names)
    ]
    results: dict[int, RunResult] = {}
    # the pool's kernels are closed only once every thread is done with them (the executor's
    # exit waits for its threads)
    with (
        KernelPool(workers).start() as kernels,
        ThreadPoolExecutor(min(workers + 1, len(paths)), thread_name_prefix="foi-request") as pool,
    ):
        futures = [
            pool.submit(
                _run_queued, i, path, extracts, out, formats, strict, steps, kernels, profile
            )
            for i, path in enumerate(paths)
        ]
        try:
            while not all(future.done() for future in futures) or not steps.empty():
                try:
                    index, step = steps.get(timeout=0.05)
                except queue.Empty:
                    continue
                bars[index].update(
                    max(STEPS.index(step) - bars[index].n, 0) if step in STEPS else 0
                )
                bars[index].set_description_str(f"{names[index]} {step:<8}")
        except KeyboardInterrupt:
            # the threads cannot be interrupted; the kernels can: each notebook then fails at
            # once, and no thread starts another request. Each notebook's client would log
            # "Kernel died while waiting for execute reply.": the batch says it stopped in one line
            logging.getLogger("papermill").setLevel(logging.CRITICAL)
            kernels.kill()
            raise
        for i, future in enumerate(futures):
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - a bug fails its request, no other
                result = RunResult(
                    paths[i].stem, False, "notebook", f"{type(error).__name__}: {error}"
                )
            # None only once the batch was stopped, and then it raised above
            assert result is not None
            results[i] = result
    for i, (bar, name) in enumerate(zip(bars, names, strict=True)):
        bar.update(bar.total - bar.n)
        bar.set_description_str(f"{name} {'done' if results[i].ok else 'FAILED':<8}")
        bar.close()
    return [results[i] for i in range(len(paths))]


def _run_queued(
    index: int,
    path: Path,
    extracts: str | None,
    out: str | None,
    formats: tuple[str, ...],
    strict: bool | None,
    steps: queue.Queue[tuple[int, str]],
    kernels: KernelPool,
    profile: str | None = None,
) -> RunResult | None:
    """One request of a batch, when a thread takes it from the line (none once the batch is
    stopped; one that had started fails in its notebook, its kernel killed)."""
    if kernels.stopped:
        return None
    return run_request(
        path,
        extracts,
        out,
        formats,
        strict,
        False,
        _StepQueue(steps, index),
        kernels,
        profile=profile,
    )
