"""Bounded PDF rendering (issue 13, item 7): a few PDFs at once, each within a time budget, 503 beyond that.

The pool's workers run stand-ins for WeasyPrint (`pdf_converters`) whose time
the test decides, and once WeasyPrint itself.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pdf_converters import failing, stuck, timed

from spj.errors import RenderError
from spj.service.limiter import BusyError, PdfPool


@pytest.fixture
def pools() -> Iterator[list[PdfPool]]:
    made: list[PdfPool] = []
    yield made
    for pool in made:
        pool.close()


def _pool(pools: list[PdfPool], **options: Any) -> PdfPool:
    pool = PdfPool(**options)
    pools.append(pool)
    return pool


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_pdf_over_its_budget_is_busy_and_its_worker_is_stopped(pools: list[PdfPool]) -> None:
    pool = _pool(pools, workers=1, budget_seconds=2, convert=timed)
    first = json.loads(pool.render("sleep:0"))  # the worker is up
    assert _alive(first["pid"])
    started = time.monotonic()
    with pytest.raises(BusyError) as busy:
        pool.render("sleep:30")
    assert 1.9 < time.monotonic() - started < 5
    assert busy.value.codes == ["busy"] and busy.value.retry_after == 2
    assert "not ready within 2 s" in str(busy.value)
    assert not _alive(first["pid"])  # killed, not left converting for half a minute
    again = json.loads(pool.render("sleep:0"))  # a fresh worker takes the next one
    assert again["pid"] != first["pid"]


def test_no_more_than_the_limit_at_once(pools: list[PdfPool]) -> None:
    pool = _pool(pools, workers=2, budget_seconds=30, convert=timed)
    results: list[dict[str, float]] = []

    def one() -> None:
        results.append(json.loads(pool.render("sleep:1")))

    threads = [threading.Thread(target=one) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 5
    events = sorted([(r["start"], 1) for r in results] + [(r["end"], -1) for r in results])
    running, most = 0, 0
    for _, step in events:
        running += step
        most = max(most, running)
    assert most == 2
    assert len({r["pid"] for r in results}) == 2  # the workers are reused


def test_waiting_for_a_worker_counts_against_the_budget(pools: list[PdfPool]) -> None:
    pool = _pool(pools, workers=1, budget_seconds=1.5, convert=stuck)
    outcomes: list[str] = []

    def one() -> None:
        try:
            pool.render("x")
        except BusyError as exc:
            outcomes.append(exc.problems[0].message)

    first = threading.Thread(target=one)
    first.start()
    time.sleep(0.2)
    started = time.monotonic()
    one()
    assert time.monotonic() - started < 2.5
    first.join()
    # the second waited for the first's worker and then had what was left of its own 1.5 s: never 1.5 s more
    assert len(outcomes) == 2 and all("try again in 2 s" in m for m in outcomes), outcomes


def test_a_refusal_of_the_renderer_is_passed_on(pools: list[PdfPool]) -> None:
    pool = _pool(pools, workers=1, budget_seconds=10, convert=failing)
    with pytest.raises(RenderError) as refused:
        pool.render("x")
    assert refused.value.codes == ["output"] and "synthetic failure" in str(refused.value)


def test_weasyprint_in_a_worker(pools: list[PdfPool]) -> None:
    pool = _pool(pools, workers=1, budget_seconds=60)
    assert pool.render("<html><body><p>Synthetic report</p></body></html>").startswith(b"%PDF")


@pytest.mark.parametrize(
    ("environment", "expected"),
    [({}, (2, 30.0)), ({"SPJ_PDF_WORKERS": "4", "SPJ_PDF_BUDGET_SECONDS": "12.5"}, (4, 12.5))],
)
def test_sized_by_the_environment(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: tuple[int, float]
) -> None:
    for name in ("SPJ_PDF_WORKERS", "SPJ_PDF_BUDGET_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    pool = PdfPool.from_environment()
    assert (pool.workers, pool.budget_seconds) == expected


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_size_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SPJ_PDF_WORKERS", value)
    with pytest.raises(RenderError, match="SPJ_PDF_WORKERS must be a whole number"):
        PdfPool.from_environment()
