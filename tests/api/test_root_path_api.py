"""The JSON API behind a proxy at `/spj` (issue 12, point 8): `Location` of every created assessment keeps the
prefix, whether the server sets the root path or the app does and the proxy keeps or strips the prefix."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, TestClient, completed

from spj.api import create_app
from spj.errors import SpjError
from spj.service import InstrumentRegistry
from spj.store import MemoryStore

PREFIX = "/spj"


def _app(registry: InstrumentRegistry, root_path: str = "") -> Any:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False, root_path=root_path)
    ws = app.state.workspace
    ws.store.create_agency("agency-a", "A (synthetic)")
    alice = ws.create_user(username="alice", password="correct horse battery", role="assessor", agency_id="agency-a")
    _, token = ws.create_token(alice)
    app.state.test_headers = {"Authorization": f"Bearer {token}"}
    app.state.test_user = alice
    return app


def _locations(client: TestClient, app: Any, ask: str, example: dict[str, Any]) -> list[str]:
    """Create, finalise, reassess and amend; the Location of each new assessment, each one fetched back."""
    headers = app.state.test_headers
    body = {"case_id": "CASE-1", "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    created = client.post(f"{ask}/api/v1/assessments", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assessment = created.json()["id"]
    view = app.state.workspace.get(app.state.test_user, assessment)
    final = {"base_revision": 1, "content": completed(view, example)}
    assert (
        client.post(f"{ask}/api/v1/assessments/{assessment}/finalise", json=final, headers=headers).status_code == 200
    )
    amended = client.post(f"{ask}/api/v1/assessments/{assessment}/amend", headers=headers)
    reassessed = client.post(f"{ask}/api/v1/assessments/{assessment}/reassess", headers=headers)
    locations = [r.headers["location"] for r in (created, amended, reassessed)]
    for location in locations:
        back = client.get(location if ask else location.removeprefix(PREFIX), headers=headers)
        assert back.status_code == 200, (location, back.text)
    return locations


def test_the_server_root_path(registry: InstrumentRegistry, example: dict[str, Any]) -> None:
    app = _app(registry)
    with TestClient(app, root_path=PREFIX) as client:
        locations = _locations(client, app, "", example)
    assert all(x.startswith(f"{PREFIX}/api/v1/assessments/") for x in locations), locations


@pytest.mark.parametrize("ask", [PREFIX, ""], ids=["proxy-keeps-the-prefix", "proxy-strips-the-prefix"])
def test_the_app_root_path(registry: InstrumentRegistry, example: dict[str, Any], ask: str) -> None:
    app = _app(registry, root_path=PREFIX)
    with TestClient(app) as client:
        locations = _locations(client, app, ask, example)
        servers = client.get(f"{ask}/openapi.json").json().get("servers")
    assert all(x.startswith(f"{PREFIX}/api/v1/assessments/") for x in locations), locations
    assert servers == [{"url": PREFIX}]  # a generated client calls the API under the prefix


def test_no_prefix_no_change(registry: InstrumentRegistry, example: dict[str, Any]) -> None:
    app = _app(registry)
    with TestClient(app) as client:
        assert all(x.startswith("/api/v1/assessments/") for x in _locations(client, app, "", example))


@pytest.mark.parametrize("bad", ["/spj path", "/spj/../x", "/sp?j"])
def test_a_bad_root_path_is_refused(registry: InstrumentRegistry, bad: str) -> None:
    with pytest.raises(SpjError) as caught:
        create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False, root_path=bad)
    assert caught.value.problems[0].location.path == ("root_path",)
