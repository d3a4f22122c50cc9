"""Request logs and metrics (issue 12, point 8): one JSON line per request with a request id, Prometheus
counters by route template; no case id, no free text, no user in either. Synthetic data only."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, TestClient, partial

from spj.api import create_app
from spj.api.log_format import JsonFormatter, TextFormatter
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore

API = "/api/v1"
METRICS_TOKEN = "metrics-secret-for-tests-0123"
CASE = "CASE-ZX81-SYNTH"  # recognisable: must appear in no log line and no metric
FREE_TEXT = "Synthetic narrative QWERTY-PLUM about the fictional person"


@pytest.fixture
def app_client(registry: InstrumentRegistry) -> Iterator[TestClient]:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=True, metrics_token=METRICS_TOKEN)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def workspace(app_client: TestClient) -> Workspace:
    ws: Workspace = app_client.app.state.workspace  # type: ignore[attr-defined]
    return ws


@pytest.fixture
def headers(workspace: Workspace, people: People) -> dict[str, str]:
    _, token = workspace.create_token(people.alice)
    return {"Authorization": f"Bearer {token}"}


def _drive(client: TestClient, workspace: Workspace, people: People, headers: dict[str, str], example: Any) -> str:
    """Requests that carry the case id and free text in paths, queries and bodies: create, save, read, fail."""
    body = {"case_id": CASE, "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    created = client.post(f"{API}/assessments", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assessment = created.json()["id"]
    content = partial(workspace.get(people.alice, assessment), example)
    content["case"]["fields"] = {**content["case"].get("fields", {}), "notes": FREE_TEXT}
    saved = client.put(
        f"{API}/assessments/{assessment}", json={"base_revision": 1, "content": content}, headers=headers
    )
    assert saved.status_code in (200, 422), saved.text
    assert client.get(f"{API}/assessments/{assessment}/evaluation", headers=headers).status_code == 200
    assert client.get(f"{API}/assessments", params={"case": CASE, "q": FREE_TEXT}, headers=headers).status_code < 500
    assert client.get(f"{API}/assessments/{CASE}", headers=headers).status_code == 404
    bad = client.post(f"{API}/assessments", content=FREE_TEXT, headers={**headers, "content-type": "text/plain"})
    assert bad.status_code == 415
    return assessment


def test_one_json_line_per_request_without_case_data(
    app_client: TestClient,
    workspace: Workspace,
    people: People,
    headers: dict[str, str],
    example: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        assessment = _drive(app_client, workspace, people, headers, example)
    server = [r for r in caplog.records if not r.name.startswith("httpx")]  # the test client logs its own URLs
    lines = [JsonFormatter().format(r) for r in server]
    requests = [json.loads(line) for line in lines if json.loads(line)["logger"] == "spj.requests"]
    assert len(requests) == 6  # one per request
    assert [(r["method"], r["route"], r["status"]) for r in requests][:3] == [
        ("POST", "/api/v1/assessments", 201),
        ("PUT", "/api/v1/assessments/{assessment_id}", requests[1]["status"]),
        ("GET", "/api/v1/assessments/{assessment_id}/evaluation", 200),
    ]
    assert all(set(r) >= {"time", "level", "request_id", "method", "route", "status", "duration_ms"} for r in requests)
    everything = "\n".join(lines + [TextFormatter().format(r) for r in server])
    for secret in (CASE, FREE_TEXT, "QWERTY", assessment, "alice", headers["Authorization"].split()[1]):
        assert secret not in everything


def test_the_request_id_is_echoed_or_made(app_client: TestClient, headers: dict[str, str], caplog) -> None:
    with caplog.at_level(logging.INFO, logger="spj.requests"):
        given = app_client.get(f"{API}/assessments", headers={**headers, "X-Request-ID": "cms-7f3a.42"})
        bad = app_client.get(f"{API}/assessments", headers={**headers, "X-Request-ID": "evil\tvalue with spaces"})
        none = app_client.get("/healthz")
    assert given.headers["X-Request-ID"] == "cms-7f3a.42"
    assert bad.headers["X-Request-ID"] != "evil\tvalue with spaces" and len(bad.headers["X-Request-ID"]) == 32
    assert len(none.headers["X-Request-ID"]) == 32
    ids = [getattr(r, "request_id", None) for r in caplog.records if r.name == "spj.requests"]
    assert ids == [given.headers["X-Request-ID"], bad.headers["X-Request-ID"], none.headers["X-Request-ID"]]


def _metrics(client: TestClient) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def _value(text: str, sample: str) -> float:
    found = [line for line in text.splitlines() if line.startswith(sample + " ")]
    return float(found[0].rsplit(" ", 1)[1]) if found else 0.0


def test_metrics_count_by_route_template_without_case_data(
    app_client: TestClient, workspace: Workspace, people: People, headers: dict[str, str], example: Any
) -> None:
    assessment = _drive(app_client, workspace, people, headers, example)
    text = _metrics(app_client)
    assert 'route="(unmatched)",status="415"' in text and "(no route)" not in text
    created = 'spj_http_requests_total{method="POST",route="/api/v1/assessments",status="201"}'
    assert _value(text, created) == 1
    refused = 'spj_http_requests_total{method="POST",route="(unmatched)",status="415"}'  # refused before routing
    assert _value(text, refused) == 1
    evaluation = 'route="/api/v1/assessments/{assessment_id}/evaluation",status="200"}'
    assert _value(text, 'spj_http_request_duration_seconds_count{method="GET",' + evaluation) == 1
    assert _value(text, "spj_evaluations_total") >= 1
    for secret in (CASE, FREE_TEXT, "QWERTY", assessment, "alice", people.alice.id, "agency-a"):
        assert secret not in text


def test_saves_are_counted(app_client: TestClient, workspace: Workspace, people: People, headers, example) -> None:
    body = {"case_id": CASE, "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    assessment = app_client.post(f"{API}/assessments", json=body, headers=headers).json()["id"]
    content = partial(workspace.get(people.alice, assessment), example)
    saved = app_client.put(
        f"{API}/assessments/{assessment}", json={"base_revision": 1, "content": content}, headers=headers
    )
    assert saved.status_code == 200, saved.text
    assert _value(_metrics(app_client), 'spj_saves_total{kind="draft"}') == 1


def test_store_errors_are_counted(app_client: TestClient, workspace: Workspace, headers, monkeypatch) -> None:
    from spj.errors import Code, Location, Problem, StoreError

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise StoreError(Problem(Code.STORE, "the database is unavailable (synthetic)", Location()))

    monkeypatch.setattr(workspace.store, "list_cases", broken)
    assert app_client.get(f"{API}/cases", headers=headers).status_code == 503
    assert _value(_metrics(app_client), 'spj_store_errors_total{code="store"}') == 1


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {METRICS_TOKEN}"])
def test_metrics_need_the_metrics_token(app_client: TestClient, authorization: str | None) -> None:
    response = app_client.get("/metrics", headers={"Authorization": authorization} if authorization else {})
    assert response.status_code == 401 and "spj_" not in response.text


def test_an_api_token_does_not_read_metrics(app_client: TestClient, headers: dict[str, str]) -> None:
    assert app_client.get("/metrics", headers=headers).status_code == 401


def test_no_metrics_without_the_setting(registry: InstrumentRegistry) -> None:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_a_bug_is_logged_with_the_request_id_and_without_its_message(
    app_client: TestClient, workspace: Workspace, headers: dict[str, str], monkeypatch, caplog
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"synthetic failure quoting {CASE} and {FREE_TEXT}")

    monkeypatch.setattr(workspace.store, "list_cases", broken)
    with caplog.at_level(logging.INFO):
        response = app_client.get(f"{API}/cases", headers={**headers, "X-Request-ID": "req-500"})
    assert response.status_code == 500
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name.startswith("spj")]
    errors = [line for line in lines if line["level"] == "error"]
    assert errors and all(line["request_id"] == "req-500" for line in errors)
    request = [line for line in lines if line["logger"] == "spj.requests"]
    assert [(r["status"], r["request_id"]) for r in request] == [(500, "req-500")]
    assert CASE not in json.dumps(lines) and "QWERTY" not in json.dumps(lines)


def test_scrapes_are_counted_under_their_route(app_client: TestClient) -> None:
    _metrics(app_client)
    assert _value(_metrics(app_client), 'spj_http_requests_total{method="GET",route="/metrics",status="200"}') == 1
