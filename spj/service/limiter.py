"""Bounded PDF rendering: at most `workers` PDFs at once, each in a worker process, each within a time budget.

WeasyPrint runs in-process and cannot be interrupted: a 1.5 MB assessment
took 32 s, four at once 65 s each, and every one of them held a server thread
(or, from a page, the event loop). Here each PDF is made by a worker process;
a request waits for a free worker and for its PDF within `budget_seconds`
(waiting included; starting a worker, once, is not). When the budget runs out the worker is killed (a new one
starts for the next PDF) and the request gets `BusyError`: HTTP 503 with
`Retry-After`, never a server that stops answering.

Configured by `SPJ_PDF_WORKERS` (default 2) and `SPJ_PDF_BUDGET_SECONDS`
(default 30). See docs/workspace.md for the sizes measured.

>>> pool = PdfPool(workers=1, budget_seconds=30)  # doctest: +SKIP
>>> pdf = pool.render("<html><body><p>Synthetic</p></body></html>")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from spj.errors import Code, Location, Problem, RenderError, SpjError
from spj.report.pdf import html_to_pdf

WORKERS_ENV = "SPJ_PDF_WORKERS"
BUDGET_ENV = "SPJ_PDF_BUDGET_SECONDS"
DEFAULT_WORKERS = 2
DEFAULT_BUDGET_SECONDS = 30.0
STARTUP_SECONDS = 60  # starting a worker (Python, WeasyPrint) is a one-time cost outside the budget, bounded here

Convert = Callable[[str], bytes]


class BusyError(SpjError):
    """Expensive work refused for now (every worker busy, or the time budget spent): try again after `retry_after`."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(Problem(Code.BUSY, message, Location()))
        self.retry_after = retry_after


def _serve(conn: Connection, convert: Convert) -> None:
    """The worker process: say "ready" once loaded, then convert each HTML it receives; answer ("ok", pdf) or
    ("error", code, message)."""
    if convert is html_to_pdf:
        # ImportError, OSError (no pango): html_to_pdf reports it on the first PDF
        with contextlib.suppress(Exception):
            import weasyprint  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
    conn.send("ready")
    while True:
        try:
            html = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", convert(html)))
        except RenderError as exc:
            problem = exc.problems[0]
            conn.send(("error", problem.code.value, problem.message))


class _Worker:
    """One worker process and the pipe to it; ready (Python and WeasyPrint loaded) once constructed."""

    def __init__(self, context: Any, convert: Convert) -> None:
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child, convert), name="spj-pdf-worker", daemon=True
        )
        self.process.start()
        child.close()
        try:
            ready = self.conn.poll(STARTUP_SECONDS) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise BusyError("a PDF worker could not be started; try again later", retry_after=STARTUP_SECONDS)

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class PdfPool:
    """At most `workers` PDFs at once, each within `budget_seconds`; `render` raises `BusyError` beyond that.

    `convert` (default: WeasyPrint, `spj.report.pdf.html_to_pdf`) runs in the
    worker processes: a module-level function, so that it can be sent there.
    """

    def __init__(
        self,
        *,
        workers: int = DEFAULT_WORKERS,
        budget_seconds: float = DEFAULT_BUDGET_SECONDS,
        convert: Convert = html_to_pdf,
    ) -> None:
        if workers < 1 or budget_seconds <= 0:
            raise ValueError("a PDF pool needs at least one worker and a positive budget")
        self.workers = workers
        self.budget_seconds = budget_seconds
        self.retry_after = max(1, math.ceil(budget_seconds))
        self._convert = convert
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")  # never fork a threaded server

    @classmethod
    def from_environment(cls) -> PdfPool:
        """A pool sized by `SPJ_PDF_WORKERS` and `SPJ_PDF_BUDGET_SECONDS` (defaults 2 and 30)."""
        try:
            workers = int(os.environ.get(WORKERS_ENV) or DEFAULT_WORKERS)
            budget = float(os.environ.get(BUDGET_ENV) or DEFAULT_BUDGET_SECONDS)
            return cls(workers=workers, budget_seconds=budget)
        except ValueError as exc:
            raise RenderError(
                Problem(
                    Code.OUTPUT,
                    f"{WORKERS_ENV} must be a whole number ≥ 1 and {BUDGET_ENV} a number of seconds > 0 ({exc})",
                )
            ) from exc

    def render(self, html: str) -> bytes:
        """The PDF of `html`, made by a worker within the budget; `BusyError` when it cannot be."""
        deadline = time.monotonic() + self.budget_seconds
        if not self._slots.acquire(timeout=self.budget_seconds):
            raise self._busy(f"all {self.workers} PDF workers stayed busy for {self.budget_seconds:g} s")
        try:
            return self._render_in_worker(html, deadline)
        finally:
            self._slots.release()

    def _render_in_worker(self, html: str, deadline: float) -> bytes:
        waited = time.monotonic()
        worker = self._take()
        deadline += time.monotonic() - waited  # a worker's start is not the request's budget
        try:
            worker.conn.send(html)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise self._busy(f"the PDF was not ready within {self.budget_seconds:g} s")
            answer = worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.kill()
            raise self._busy("the PDF worker stopped; it is being restarted") from exc
        except BusyError:
            worker.kill()  # it may be busy for minutes: the next PDF gets a fresh worker
            raise
        self._give_back(worker)
        if answer[0] == "ok":
            pdf: bytes = answer[1]
            return pdf
        raise RenderError(Problem(Code(answer[1]), answer[2]))

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    return worker
                worker.kill()
        return _Worker(self._context, self._convert)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def _busy(self, reason: str) -> BusyError:
        return BusyError(f"{reason}; try again in {self.retry_after} s", retry_after=self.retry_after)

    def close(self) -> None:
        """Stop the idle workers (a busy one stops when its request ends)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()
