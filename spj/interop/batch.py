"""Score or report many assessments in a process pool, resumable, as JSON Lines.

>>> summary = run_batch(folder_items(Path("cases")), BatchSettings("score"), output=Path("out.jsonl"))  # doctest: +SKIP

Each result is one line of `output`, written (and flushed) as soon as it is
known, in item order. A run that stops half-way is resumed by running it
again: items already in `output` without error, with the same content, are
skipped; items with problems are tried again (the newer line counts).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from pathlib import Path

from spj.errors import Code, ExportError, Location, Problem
from spj.interop.batch_items import BatchItem, done_in, pending
from spj.interop.batch_worker import BatchSettings, encoded, start_worker

Progress = Callable[[int, int], None]
"""Called after each result with (results so far, results to make in this run)."""


@dataclass(frozen=True)
class BatchSummary:
    """What a run did: items found, skipped as already done, and made now (with or without problems)."""

    found: int
    skipped: int
    ok: int
    failed: int


def run_batch(
    items: Sequence[BatchItem],
    settings: BatchSettings,
    *,
    output: Path,
    workers: int = 1,
    progress: Progress | None = None,
) -> BatchSummary:
    """Process the `items` not yet in `output` with `workers` processes (1: in this process), appending lines."""
    if workers < 1:
        raise ExportError(Problem(Code.INVALID_REQUEST, f"workers must be at least 1, not {workers}", Location()))
    todo = pending(items, done_in(output, task=settings.task))
    ok = failed = 0
    try:
        handle = open(output, "a", encoding="utf-8")  # noqa: SIM115 - closed below, after the last line
    except OSError as exc:
        raise ExportError(Problem(Code.OUTPUT, f"cannot write: {exc.strerror}", Location(str(output)))) from exc
    with handle:
        for succeeded, line in _results(todo, settings, workers):
            handle.write(line + "\n")
            handle.flush()
            ok, failed = (ok + 1, failed) if succeeded else (ok, failed + 1)
            if progress is not None:
                progress(ok + failed, len(todo))
        os.fsync(handle.fileno())
    return BatchSummary(found=len(items), skipped=len(items) - len(todo), ok=ok, failed=failed)


def _results(todo: list[BatchItem], settings: BatchSettings, workers: int) -> Iterator[tuple[bool, str]]:
    if workers == 1 or len(todo) < 2:
        start_worker(settings)
        yield from map(encoded, todo)
        return
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=start_worker, initargs=(settings,)
    ) as pool:
        # Chunks of a few dozen: few round trips, yet every worker stays busy to the end.
        chunk = max(1, min(32, len(todo) // (workers * 8)))
        yield from pool.map(encoded, todo, chunksize=chunk)


def _context() -> BaseContext:
    """A fork server where there is one, else spawn; never a plain fork.

    A plain fork would copy the parent's threads' locks (the progress bar's) and
    open database connections. The fork server is a fresh process that imports
    the worker's modules once; each worker is forked from it, so workers start
    without importing spj again (half the start-up of spawning two).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["spj.interop.batch_worker"])
    return context
