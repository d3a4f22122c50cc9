"""A PDF over its time budget is a 503 with Retry-After, and the server keeps answering meanwhile (issue 13, item 7)."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pdf_converters import stuck

from spj.service.limiter import PdfPool

from .conftest import TestClient, csrf_of

BUDGET = 2


@pytest.fixture
def slow_app(app: Any) -> Iterator[Any]:
    """The app with a PDF pool of one worker whose PDFs never finish within the budget."""
    pool = PdfPool(workers=1, budget_seconds=BUDGET, convert=stuck)
    app.state.workspace.pdf = pool
    yield app
    pool.close()


def _assessment(app: Any) -> tuple[str, Any]:
    workspace = app.state.workspace
    alice = workspace.store.get_user_by_username("alice")
    view = workspace.create(alice, "CASE-PDF-1", "disengagement-trajectory", "2.0.0")
    return view.id, alice


def test_the_api_answers_503_with_retry_after_and_shows_nothing(slow_app: Any) -> None:
    assessment_id, alice = _assessment(slow_app)
    _, token = slow_app.state.workspace.create_token(alice)
    with TestClient(slow_app, headers={"Authorization": f"Bearer {token}"}) as api:
        started = time.monotonic()
        response = api.get(f"/api/v1/assessments/{assessment_id}/report?format=pdf")
        assert time.monotonic() - started < BUDGET + 60  # + the worker's start, once
        assert response.status_code == 503
        assert response.headers["Retry-After"] == str(BUDGET)
        assert response.json()["error"]["code"] == "busy"
    actions = [e.action for e in slow_app.state.workspace.store.audit_events("hoj-gent", assessment_id=assessment_id)]
    assert "read-report" not in actions  # nothing was shown


def test_the_page_answers_503_and_other_pages_answer_meanwhile(
    slow_app: Any, login: Callable[[str], TestClient]
) -> None:
    assessment_id, _ = _assessment(slow_app)
    web = login("alice")
    web.get(f"/assessments/{assessment_id}/report.pdf")  # the worker is started (outside the budget)
    results: dict[str, Any] = {}

    def pdf() -> None:
        results["pdf"] = web.get(f"/assessments/{assessment_id}/report.pdf")

    thread = threading.Thread(target=pdf)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    page = web.get("/cases")
    answered_in = time.monotonic() - started
    thread.join()
    assert page.status_code == 200 and answered_in < BUDGET / 2  # the PDF did not hold the server
    response = results["pdf"]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(BUDGET)
    assert "Too many PDFs are being made right now. Try again in 2 seconds." in response.text


def test_the_page_is_translated(slow_app: Any, login: Callable[[str], TestClient]) -> None:
    assessment_id, _ = _assessment(slow_app)
    web = login("alice")
    page = web.get("/cases")
    web.post("/language", data={"csrf_token": csrf_of(page.text), "lang": "nl", "next": "/cases"})
    response = web.get(f"/assessments/{assessment_id}/report.pdf")
    assert response.status_code == 503
    assert "Er worden nu te veel pdf's gemaakt. Probeer het over 2 seconden opnieuw." in html.unescape(response.text)
