"""Errors a generated client can rely on (issue 12, point 4): a body that is not JSON is 415, not 422; an
incomplete final names the indicator's path; every error status a route can return is typed in the document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, TestClient

from spj.api import create_app
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore

API = "/api/v1"
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture
def app_client(registry: InstrumentRegistry) -> Iterator[TestClient]:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def workspace(app_client: TestClient) -> Workspace:
    ws: Workspace = app_client.app.state.workspace  # type: ignore[attr-defined]
    return ws


@pytest.fixture
def bearer(workspace: Workspace, people: People) -> dict[str, str]:
    _, token = workspace.create_token(people.alice)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]
)
def test_a_body_that_is_not_json_is_415(app_client: TestClient, bearer: dict[str, str], content_type: str | None):
    headers = {**bearer, **({"content-type": content_type} if content_type else {})}
    body = '{"case_id": "C-1", "instrument_id": "x", "instrument_version": "1"}'
    response = app_client.post(f"{API}/assessments", content=body, headers=headers)
    assert response.status_code == 415, response.text
    error = response.json()["error"]
    assert error["code"] == "unsupported-media-type" and "application/json" in error["message"]


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "application/x+json"])
def test_json_types_pass(app_client: TestClient, bearer: dict[str, str], content_type: str) -> None:
    body = f'{{"case_id": "C-1", "instrument_id": "{INSTRUMENT_ID}", "instrument_version": "{VERSION}"}}'
    response = app_client.post(f"{API}/assessments", content=body, headers={**bearer, "content-type": content_type})
    assert response.status_code == 201, response.text


def test_an_empty_body_needs_no_type(app_client: TestClient, bearer: dict[str, str]) -> None:
    response = app_client.post(f"{API}/assessments/A-none/reassess", headers=bearer)
    assert response.status_code == 404  # reached the route: no such assessment


def test_the_pages_keep_their_forms(app_client: TestClient) -> None:
    response = app_client.post("/login", data={"username": "x"})  # not under /api/: no 415
    assert response.status_code != 415


def test_incomplete_problems_name_the_indicator(
    app_client: TestClient, workspace: Workspace, people: People, bearer: dict[str, str]
) -> None:
    body = {"case_id": "C-1", "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    created = app_client.post(f"{API}/assessments", json=body, headers=bearer).json()["id"]
    content = workspace.get(people.alice, created).content
    response = app_client.post(
        f"{API}/assessments/{created}/finalise", json={"base_revision": 1, "content": content}, headers=bearer
    )
    assert response.status_code == 422
    incomplete = [p for p in response.json()["error"]["problems"] if p["code"] == "incomplete"]
    indicators = {i.id for i in workspace.get_instrument(INSTRUMENT_ID, VERSION).indicators}
    assert incomplete and all(p["path"].startswith("ratings.") for p in incomplete)
    assert {p["path"].removeprefix("ratings.") for p in incomplete} == indicators  # none rated: each named


@pytest.fixture(scope="module")
def document(registry: InstrumentRegistry) -> dict[str, Any]:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False)
    data: dict[str, Any] = TestClient(app).get("/openapi.json").json()
    return data


def test_every_error_status_is_typed(document: dict[str, Any]) -> None:
    operations = [
        (path, method, op)
        for path, item in document["paths"].items()
        if path.startswith("/api/")
        for method, op in item.items()
        if method in ("get", "put", "post", "patch", "delete")
    ]
    assert len(operations) >= 20
    for path, method, op in operations:
        responses = op["responses"]
        expected = {"401", "403", "422", "500", "503"} | ({"413", "415"} if "requestBody" in op else set())
        assert expected <= set(responses), (method, path, sorted(responses))
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == ERROR_REF, (method, path, status)
