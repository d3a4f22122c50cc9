"""`GET /api/v1/stats/interventions`: the programme figures over HTTP, JSON or CSV, the token's agency only."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, PASSWORD, VERSION, People, TestClient, completed

from spj.api import create_app
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore, User

URL = "/api/v1/stats/interventions"


@pytest.fixture
def app_workspace(registry: InstrumentRegistry) -> Iterator[tuple[TestClient, Workspace]]:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app.state.workspace


@pytest.fixture
def workspace(app_workspace: tuple[TestClient, Workspace]) -> Workspace:
    return app_workspace[1]


@pytest.fixture
def client(app_workspace: tuple[TestClient, Workspace]) -> TestClient:
    return app_workspace[0]


def bearer(workspace: Workspace, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {workspace.create_token(user)[1]}"}


def finals(workspace: Workspace, user: User, example: dict[str, Any], cases: int, prefix: str) -> None:
    for n in range(cases):
        view = workspace.create(user, f"{prefix}{n:04d}", INSTRUMENT_ID, VERSION)
        workspace.finalise(user, view.id, view.head, completed(view, example))


@pytest.fixture
def figured(workspace: Workspace, people: People, example: dict[str, Any]) -> None:
    """Six final cases in agency A, three in agency B."""
    finals(workspace, people.alice, example, 6, "CASE-A-")
    finals(workspace, people.bob, example, 3, "CASE-B-")


@pytest.mark.usefixtures("figured")
def test_json_by_default_over_the_agencys_cases_only(client: TestClient, workspace: Workspace, people: People) -> None:
    response = client.get(URL, headers=bearer(workspace, people.rita))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["suppressed"].startswith("counts from 1 to 4")
    [section] = body["instruments"]
    assert (section["instrument"], section["instrument_version"]) == (INSTRUMENT_ID, VERSION)
    assert section["interventions"] and {i["agreed"] for i in section["interventions"]} == {6}
    assert "CASE-" not in response.text  # nothing names a case
    theirs = client.get(URL, headers=bearer(workspace, people.bob)).json()["instruments"][0]["interventions"]
    assert {i["agreed"] for i in theirs} == {None}  # 3 cases: suppressed, never counted with agency A's


@pytest.mark.usefixtures("figured")
def test_csv(client: TestClient, workspace: Workspace, people: People) -> None:
    response = client.get(URL, params={"format": "csv"}, headers=bearer(workspace, people.bob))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {(r["instrument"], r["instrument_version"], r["agreed"]) for r in rows} == {
        (INSTRUMENT_ID, VERSION, "<5")
    }
    assert "CASE-" not in response.text


def test_an_agency_without_finals_has_no_sections(client: TestClient, workspace: Workspace, people: People) -> None:
    response = client.get(URL, headers=bearer(workspace, people.alice))
    assert response.json()["instruments"] == []


def test_refusals(client: TestClient, workspace: Workspace, people: People) -> None:
    assert client.get(URL).json()["error"]["code"] == "unauthenticated"
    workspace.store.create_agency("care", "Care (synthetic)")
    carla = workspace.create_user(username="carla", password=PASSWORD, role="partner", agency_id="care")
    refused = client.get(URL, headers=bearer(workspace, carla))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    bad = client.get(URL, params={"format": "svg"}, headers=bearer(workspace, people.alice))
    assert bad.status_code == 422
