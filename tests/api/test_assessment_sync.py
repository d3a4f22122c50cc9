"""Syncing a case system with `GET /api/v1/assessments` (issue 12, point 1): filters and cursor pagination.

`status`, `case`, `updated_since` narrow the list; `limit` and an opaque `cursor` page through it, the next
page's cursor in the `Next-Cursor` header (and a `Link: rel="next"`). Wrong values are 422 with the query
parameter named. Always scoped to the caller's agency. Synthetic data only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, TestClient

from spj.api import create_app
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore

API = "/api/v1"


@pytest.fixture
def app_workspace(registry: InstrumentRegistry) -> Iterator[tuple[TestClient, Workspace]]:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app.state.workspace


@pytest.fixture
def client(app_workspace: tuple[TestClient, Workspace]) -> TestClient:
    return app_workspace[0]


@pytest.fixture
def workspace(app_workspace: tuple[TestClient, Workspace]) -> Workspace:
    return app_workspace[1]


def _headers(workspace: Workspace, user: Any) -> dict[str, str]:
    _, token = workspace.create_token(user)
    return {"Authorization": f"Bearer {token}"}


def _drafts(workspace: Workspace, people: People, count: int, case: str = "CASE-1") -> list[str]:
    return [workspace.create(people.alice, case, INSTRUMENT_ID, VERSION).id for _ in range(count)]


def _pages(client: TestClient, headers: dict[str, str], **params: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get(f"{API}/assessments", params=query, headers=headers)
        assert response.status_code == 200, response.text
        pages.append([a["id"] for a in response.json()])
        cursor = response.headers.get("Next-Cursor")
        if cursor is None:
            assert "Link" not in response.headers
            return pages
        assert response.headers["Link"].endswith('rel="next"') and f"cursor={cursor}" in response.headers["Link"]
        assert len(pages) < 20, "pagination does not end"


def test_pages_cover_every_assessment_once_in_order(client: TestClient, workspace: Workspace, people: People) -> None:
    ids = _drafts(workspace, people, 7)
    alice = _headers(workspace, people.alice)
    pages = _pages(client, alice, limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for p in pages for i in p] == ids
    everything = client.get(f"{API}/assessments", headers=alice)
    assert [a["id"] for a in everything.json()] == ids and "Next-Cursor" not in everything.headers


def test_a_full_last_page_has_no_next_cursor(client: TestClient, workspace: Workspace, people: People) -> None:
    ids = _drafts(workspace, people, 4)
    pages = _pages(client, _headers(workspace, people.alice), limit=2)
    assert pages == [ids[:2], ids[2:]]


def test_default_limit_is_fifty(client: TestClient, workspace: Workspace, people: People) -> None:
    _drafts(workspace, people, 51)
    response = client.get(f"{API}/assessments", headers=_headers(workspace, people.alice), params={"limit": 50})
    default = client.get(f"{API}/assessments", headers=_headers(workspace, people.alice))
    assert len(default.json()) == 50 and "Next-Cursor" in default.headers
    assert default.json() == response.json()


def test_status_filter(client: TestClient, workspace: Workspace, people: People) -> None:
    _drafts(workspace, people, 2)
    alice = _headers(workspace, people.alice)
    assert len(client.get(f"{API}/assessments", params={"status": "draft"}, headers=alice).json()) == 2
    assert client.get(f"{API}/assessments", params={"status": "final"}, headers=alice).json() == []


def test_case_filter(client: TestClient, workspace: Workspace, people: People) -> None:
    one = _drafts(workspace, people, 2, "CASE-1")
    _drafts(workspace, people, 1, "CASE-2")
    alice = _headers(workspace, people.alice)
    assert [a["id"] for a in client.get(f"{API}/assessments", params={"case": "CASE-1"}, headers=alice).json()] == one


def test_updated_since(client: TestClient, workspace: Workspace, people: People) -> None:
    old = _drafts(workspace, people, 2)
    mark = workspace.store.get_assessment("agency-a", old[-1]).updated_at + dt.timedelta(microseconds=1)
    new = _drafts(workspace, people, 1)
    view = workspace.get(people.alice, old[0])
    workspace.save(people.alice, view.id, view.head, view.content)  # updated after the mark
    alice = _headers(workspace, people.alice)
    found = client.get(f"{API}/assessments", params={"updated_since": mark.isoformat()}, headers=alice).json()
    assert sorted(a["id"] for a in found) == sorted([old[0], *new])
    later = (mark + dt.timedelta(days=1)).isoformat()
    assert client.get(f"{API}/assessments", params={"updated_since": later}, headers=alice).json() == []


def test_case_id_is_the_older_name_of_case(client: TestClient, workspace: Workspace, people: People) -> None:
    one = _drafts(workspace, people, 1, "CASE-1")
    _drafts(workspace, people, 1, "CASE-2")
    alice = _headers(workspace, people.alice)
    for params in ({"case_id": "CASE-1"}, {"case": "CASE-1", "case_id": "CASE-1"}):
        assert [a["id"] for a in client.get(f"{API}/assessments", params=params, headers=alice).json()] == one


def test_another_agency_sees_nothing_and_cannot_use_a_cursor(
    client: TestClient, workspace: Workspace, people: People
) -> None:
    _drafts(workspace, people, 3)
    cursor = client.get(f"{API}/assessments", params={"limit": 1}, headers=_headers(workspace, people.alice)).headers[
        "Next-Cursor"
    ]
    bob = _headers(workspace, people.bob)
    assert client.get(f"{API}/assessments", headers=bob).json() == []
    response = client.get(f"{API}/assessments", params={"cursor": cursor}, headers=bob)
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["path"] == "query.cursor"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "lost"}, "status"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-11-01T00:00:00"}, "updated_since"),  # no time zone
        ({"case": "CASE-1", "case_id": "CASE-2"}, "case"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "YWZ0ZXI6QS0wMDAx"}, "cursor"),  # well-formed, names no assessment
        ({"case": "x" * 101}, "case"),
    ],
)
def test_wrong_values_are_located_422(
    client: TestClient, workspace: Workspace, people: People, params: dict[str, Any], field: str
) -> None:
    _drafts(workspace, people, 1)
    response = client.get(f"{API}/assessments", params=params, headers=_headers(workspace, people.alice))
    assert response.status_code == 422, response.text
    assert [p["path"] for p in response.json()["error"]["problems"]] == [f"query.{field}"]


def test_documented_in_openapi(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"][f"{API}/assessments"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert {"status", "case", "updated_since", "limit", "cursor"} <= set(params)
    assert params["limit"]["schema"]["maximum"] == 200 and params["limit"]["schema"]["minimum"] == 1
    assert params["limit"]["schema"]["default"] == 50
    assert {"enum": ["draft", "final"], "type": "string"} in params["status"]["schema"]["anyOf"]
    assert {"format": "date-time", "type": "string"} in params["updated_since"]["schema"]["anyOf"]
    assert {"Next-Cursor", "Link"} <= set(operation["responses"]["200"]["headers"])
