"""API tokens: read-only scope enforced on every JSON API route, expiry, listing and revocation by an
administrator (issue 12, point 8). Synthetic agencies and accounts only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, TestClient
from fastapi.routing import APIRoute

from spj.api import create_app
from spj.service import InstrumentRegistry, InvalidRequestError, Workspace, token_sha256
from spj.service.tokens import parse_expires_in
from spj.store import MemoryStore

API = "/api/v1"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def app_client(registry: InstrumentRegistry) -> Iterator[TestClient]:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def workspace(app_client: TestClient) -> Workspace:
    ws: Workspace = app_client.app.state.workspace  # type: ignore[attr-defined]
    return ws


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _write_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) of the JSON API that is not a read, nested routers walked."""

    def walk(routes: Any) -> Iterator[APIRoute]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from walk(inner.routes)
            elif isinstance(route, APIRoute):
                yield route

    app: Any = client.app
    return sorted(
        (m, r.path) for r in walk(app.routes) if r.path.startswith("/api/") for m in r.methods & WRITE_METHODS
    )


def test_a_read_only_token_gets_403_on_every_write_route(app_client: TestClient, workspace: Workspace, people: People):
    routes = _write_routes(app_client)
    assert len(routes) >= 9, routes  # every write route of the JSON API, the ones added later too
    assert ("POST", f"{API}/assessments") in routes and ("PUT", f"{API}/assessments/{{assessment_id}}") in routes
    for user in (people.alice, people.adam):
        _, token = workspace.create_token(user, label="reader", scope="read")
        for method, template in routes:
            path = re.sub(r"\{[^}]+\}", "x-1", template)
            response = app_client.request(method, path, json={}, headers=_bearer(token))
            assert response.status_code == 403, (user.username, method, template, response.text)
            assert response.json()["error"]["code"] == "forbidden"
            assert "read-only" in response.json()["error"]["message"]


def test_a_read_only_token_reads(app_client: TestClient, workspace: Workspace, people: People) -> None:
    _, writer = workspace.create_token(people.alice)
    _, reader = workspace.create_token(people.alice, label="reader", scope="read")
    body = {"case_id": "CASE-7", "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    created = app_client.post(f"{API}/assessments", json=body, headers=_bearer(writer))
    assert created.status_code == 201, created.text
    assessment = created.json()["id"]
    assert app_client.get(f"{API}/assessments", headers=_bearer(reader)).status_code == 200
    assert app_client.get(f"{API}/assessments/{assessment}", headers=_bearer(reader)).status_code == 200
    assert app_client.get(f"{API}/assessments/{assessment}/evaluation", headers=_bearer(reader)).status_code == 200


def test_an_expired_token_is_401(app_client: TestClient, workspace: Workspace, people: People) -> None:
    token = "synthetic-expired-token-0001"
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    workspace.store.create_token(
        agency_id="agency-a", name="alice old", token_sha256=token_sha256(token), expires_at=past
    )
    response = app_client.get(f"{API}/assessments", headers=_bearer(token))
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]
    _, fresh = workspace.create_token(people.alice, expires_in=dt.timedelta(days=1))
    assert app_client.get(f"{API}/assessments", headers=_bearer(fresh)).status_code == 200


def test_an_administrator_lists_the_agency_tokens(app_client: TestClient, workspace: Workspace, people: People):
    record, secret = workspace.create_token(people.alice, label="probation CMS", scope="read")
    workspace.create_token(people.bob, label="other agency")
    _, admin = workspace.create_token(people.adam, label="admin")
    response = app_client.get(f"{API}/tokens", headers=_bearer(admin))
    assert response.status_code == 200, response.text
    listed = {t["id"]: t for t in response.json()}
    assert set(listed) == {t.id for t in workspace.store.list_tokens("agency-a")}  # not agency B's
    mine = listed[record.id]
    assert (mine["username"], mine["label"], mine["scope"], mine["state"]) == (
        "alice",
        "probation CMS",
        "read",
        "active",
    )
    assert secret not in response.text and record.token_sha256 not in response.text


def test_only_an_administrator_lists_tokens(app_client: TestClient, workspace: Workspace, people: People) -> None:
    _, token = workspace.create_token(people.alice)
    response = app_client.get(f"{API}/tokens", headers=_bearer(token))
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_an_administrator_revokes_a_token(app_client: TestClient, workspace: Workspace, people: People) -> None:
    record, secret = workspace.create_token(people.alice)
    other, _ = workspace.create_token(people.bob)
    _, admin = workspace.create_token(people.adam)
    assert app_client.get(f"{API}/assessments", headers=_bearer(secret)).status_code == 200
    response = app_client.post(f"{API}/tokens/{record.id}/revoke", headers=_bearer(admin))
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    assert app_client.get(f"{API}/assessments", headers=_bearer(secret)).status_code == 401
    assert app_client.post(f"{API}/tokens/{other.id}/revoke", headers=_bearer(admin)).status_code == 404  # agency B
    assert app_client.post(f"{API}/tokens/nothing/revoke", headers=_bearer(admin)).status_code == 404
    listed = {t["id"]: t["state"] for t in app_client.get(f"{API}/tokens", headers=_bearer(admin)).json()}
    assert listed[record.id] == "revoked"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", dt.timedelta(minutes=30)),
        ("12h", dt.timedelta(hours=12)),
        ("90d", dt.timedelta(days=90)),
        (" 2w ", dt.timedelta(weeks=2)),
    ],
)
def test_expires_in(text: str, expected: dt.timedelta) -> None:
    assert parse_expires_in(text) == expected


@pytest.mark.parametrize("text", ["", "90", "d", "-1d", "0d", "1y", "99999w", "1.5d"])
def test_a_bad_expires_in_is_refused(text: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_expires_in(text)
    assert caught.value.problems[0].location.path[-1] == "expires_in"


def test_an_unknown_scope_is_refused(workspace: Workspace, people: People) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        workspace.create_token(people.alice, scope="admin")
    assert caught.value.problems[0].location.path[-1] == "scope"
