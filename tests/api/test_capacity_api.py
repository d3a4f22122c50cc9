"""Caseload and capacity in the workspace and over `GET /api/v1/stats/capacity`: the agency's drafts and active
finals, experts pseudonymised, partner demand against the deployment's capacity, small cells suppressed, no case
named, too few cases refused. On every store (memory, SQLite, PostgreSQL when configured). Synthetic data only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, PASSWORD, VERSION, People, TestClient, completed, partial
from databases import STORE_KINDS, database_url

from spj.api import create_app
from spj.disclosure.loader import parse_deployment
from spj.evaluation.caseload import TooFewCasesError
from spj.service import ForbiddenError, InstrumentRegistry, Workspace
from spj.store import MemoryStore, SqlStore, User

URL = "/api/v1/stats/capacity"
DEPLOYMENT = parse_deployment(
    """\
format: spj-deployment/1
agencies:
  - {id: agency-a, kind: probation}
  - {id: care-example, kind: care, capacity: 4}
planning: {caseload_per_expert: 2}
"""
)


def register(tmp_path: Path, *experts: str) -> Path:
    path = tmp_path / "certifications.jsonl"
    lines = [
        {"expert": e, "instrument": {"id": INSTRUMENT_ID, "version": VERSION}, "date": "2026-01-05", "basis": {}}
        for e in experts
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def with_partner(content: dict[str, Any]) -> dict[str, Any]:
    """The first accepted step delivered by the synthetic care partner."""
    next(iter(content["plan"]["decisions"].values()))["partner"] = {"agency": "care-example"}
    return content


def finals(workspace: Workspace, user: User, example: dict[str, Any], cases: int, prefix: str) -> None:
    for n in range(cases):
        view = workspace.create(user, f"{prefix}{n:04d}", INSTRUMENT_ID, VERSION)
        workspace.finalise(user, view.id, view.head, with_partner(completed(view, example)))


@pytest.fixture(params=STORE_KINDS)
def any_workspace(request: pytest.FixtureRequest, registry: InstrumentRegistry) -> Iterator[Workspace]:
    if request.param == "memory":
        yield Workspace(MemoryStore(), registry, hasher=FAST_HASHER, deployment=DEPLOYMENT)
        return
    sql = SqlStore(database_url(request.param, request))
    try:
        yield Workspace(sql, registry, hasher=FAST_HASHER, deployment=DEPLOYMENT)
    finally:
        sql.close()


def test_the_workspace_counts_the_agencys_open_cases_and_partner_demand(
    any_workspace: Workspace, example: dict[str, Any], tmp_path: Path
) -> None:
    workspace = any_workspace
    workspace.store.create_agency("agency-a", "House of Justice A")
    workspace.store.create_agency("agency-b", "House of Justice B")
    alice, bob = (
        workspace.create_user(username=n, password=PASSWORD, role="assessor", agency_id=a)
        for n, a in (("alice", "agency-a"), ("bob", "agency-b"))
    )
    workspace.certification_register = register(tmp_path, alice.id)
    finals(workspace, alice, example, 5, "CASE-A-")
    finals(workspace, bob, example, 3, "CASE-B-")  # another agency's cases never count
    draft = workspace.create(alice, "CASE-A-DRAFT", INSTRUMENT_ID, VERSION)
    workspace.save(alice, draft.id, draft.head, partial(draft, example))  # a draft is an open case
    figures = workspace.capacity_figures(alice)
    assert (figures.cases, figures.open_cases) == (6, 6)
    [year] = figures.years
    assert year.year == dt.date.today().year and year.cases == 5 + 1
    assert [(e.pseudonym, e.certified, e.open_cases) for e in figures.experts] == [("E1", True, 6)]
    care = next(p for p in figures.partners if p.partner == "care-example")
    busiest = max(care.weeks[:13], key=lambda w: w.demand or 0)
    assert care.capacity == 4 and busiest.demand == 5 and busiest.short  # the draft's plan is not agreed yet
    assert care.first_short_week is not None and care.more_places_next_quarter == 1
    need = figures.experts_needed
    assert need is not None and (need.needed, need.certified, need.more) == (3, 1, 2)  # 6 open / 2 per expert
    with pytest.raises(TooFewCasesError):
        workspace.capacity_figures(bob)  # 3 cases: no figure at all
    workspace.store.create_agency("care-example", "Care (synthetic)")
    carla = workspace.create_user(username="carla", password=PASSWORD, role="partner", agency_id="care-example")
    with pytest.raises(ForbiddenError):
        workspace.capacity_figures(carla)


@pytest.fixture
def app_workspace(registry: InstrumentRegistry, tmp_path: Path) -> Iterator[tuple[TestClient, Workspace]]:
    app = create_app(
        MemoryStore(),
        instruments=registry,
        hasher=FAST_HASHER,
        web=False,
        deployment=DEPLOYMENT,
        certification_register=register(tmp_path),
    )
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


def test_json_and_csv_name_no_case(client: TestClient, workspace: Workspace, people: People, example: Any) -> None:
    finals(workspace, people.alice, example, 6, "CASE-A-")
    response = client.get(URL, headers=bearer(workspace, people.rita))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["cases"] == 6 and body["suppressed"].startswith("counts from 1 to 4")
    assert body["next_quarter"]["experts"]["more_experts_next_quarter"] == 3  # 6 open / 2 per expert, none certified
    assert any("care-example" in line for line in body["next_quarter"]["answer"])
    assert "CASE-" not in response.text and people.alice.id not in response.text
    later = client.get(URL, params={"as_of": "2099-01-05"}, headers=bearer(workspace, people.rita)).json()
    assert later["as_of"] == "2099-01-05" and later["open_cases"] == 0  # every plan is over by then
    sheet = client.get(URL, params={"format": "csv"}, headers=bearer(workspace, people.alice))
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert {"table": "cases_per_year", "row": str(dt.date.today().year), "column": "cases", "value": "6"} in rows
    assert "CASE-" not in sheet.text and people.alice.id not in sheet.text


def test_too_few_cases_and_refusals(client: TestClient, workspace: Workspace, people: People, example: Any) -> None:
    finals(workspace, people.bob, example, 3, "CASE-B-")
    few = client.get(URL, headers=bearer(workspace, people.bob))
    assert few.status_code == 422 and few.json()["error"]["code"] == "too-few-cases"
    assert "CASE-" not in few.text
    assert client.get(URL).json()["error"]["code"] == "unauthenticated"
    workspace.store.create_agency("care-example", "Care (synthetic)")
    carla = workspace.create_user(username="carla", password=PASSWORD, role="partner", agency_id="care-example")
    refused = client.get(URL, headers=bearer(workspace, carla))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    bad = client.get(URL, params={"as_of": "2018-13-01"}, headers=bearer(workspace, people.alice))
    assert bad.status_code == 422
