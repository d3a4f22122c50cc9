"""Partners through the JSON API: the object-level authorisation matrix extended to partner accounts.

A partner sees its referrals and their extracts; every case and assessment route is exactly a missing record to
it (even the assessment it has a referral from), and another agency's referral is exactly a missing referral.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, PASSWORD, VERSION, TestClient, completed
from test_json_api import ROUTES

from spj.api import create_app
from spj.disclosure import parse_deployment
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore

API = "/api/v1"
DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: agency-a, kind: probation}
  - {id: agency-b, kind: probation}
  - {id: care-c, kind: care, title: {en: Care centre (synthetic)}}
  - {id: school-d, kind: education}
profiles:
  care:
    basis: {en: Consent of the client}
    sees: [case, plan.own]
"""
PEOPLE = (
    ("alice", "assessor", "agency-a"),
    ("bob", "assessor", "agency-b"),
    ("carla", "partner", "care-c"),
    ("sam", "partner", "school-d"),
)


@dataclass
class World:
    client: TestClient
    workspace: Workspace
    headers: dict[str, dict[str, str]]
    assessment_id: str
    step: str
    referral_id: str


@pytest.fixture
def world(registry: InstrumentRegistry, example: dict[str, Any]) -> Iterator[World]:
    app = create_app(
        MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False, deployment=parse_deployment(DEPLOYMENT)
    )
    workspace: Workspace = app.state.workspace
    headers = {}
    users = {}
    for agency in ("agency-a", "agency-b", "care-c", "school-d"):
        workspace.store.create_agency(agency, agency)
    for name, role, agency in PEOPLE:
        users[name] = workspace.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)
        headers[name] = {"Authorization": f"Bearer {workspace.create_token(users[name])[1]}"}
    view = workspace.create(users["alice"], "CASE-1", INSTRUMENT_ID, VERSION)
    content = completed(view, example)
    step = next(iter(content["plan"]["decisions"]))
    content["plan"]["decisions"][step] |= {"partner": {"agency": "care-c"}, "status": "referred"}
    final = workspace.finalise(users["alice"], view.id, 1, content)
    (referral,) = workspace.referrals.for_partner(users["carla"])
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(client, workspace, headers, final.id, step, referral.id)


REFERRAL_ROUTES = [
    ("GET", "/referrals/{id}"),
    ("GET", "/referrals/{id}/extract?format=md"),
    ("GET", "/referrals/{id}/extract?format=pdf"),
    ("POST", "/referrals/{id}/delivery"),
]
BODIES = {"POST": {"kind": "accept"}}


def _same_as_missing(theirs: Any, missing: Any, *ids: tuple[str, str]) -> None:
    """Both 404 `not-found`, the same message but for the ids (pairs: theirs, missing), the same headers."""
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"]["code"] == missing.json()["error"]["code"] == "not-found"
    mine, other = theirs.json()["error"]["message"], missing.json()["error"]["message"]
    for real, absent in ids:
        mine, other = mine.replace(real, "X"), other.replace(absent, "X")
    assert mine == other
    assert set(theirs.headers) - {"content-length"} == set(missing.headers) - {"content-length"}


def test_the_referral_route_table_covers_every_referral_route(world: World) -> None:
    covered = {(m, p.split("?")[0]) for m, p in REFERRAL_ROUTES}
    for path, item in world.client.get("/openapi.json").json()["paths"].items():
        for method in item:
            if "{referral_id}" in path:
                assert (method.upper(), path.removeprefix(API).replace("{referral_id}", "{id}")) in covered


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
@pytest.mark.parametrize("who", ["carla", "sam"])
def test_every_case_and_assessment_route_is_a_missing_record_to_a_partner(
    world: World, method: str, path: str, body: Any, who: str
) -> None:
    """Even the assessment carla has a referral from: partners reach a case through their referrals only."""

    def call(assessment_id: str, case_id: str) -> Any:
        url = API + path.format(id=assessment_id, case=case_id)
        return world.client.request(method, url, headers=world.headers[who], json=body)

    _same_as_missing(
        call(world.assessment_id, "CASE-1"),
        call("A-missing", "CASE-missing"),
        (world.assessment_id, "A-missing"),
        ("CASE-1", "CASE-missing"),
    )


STAFF_ROUTES = [("GET", "/cases"), ("GET", "/assessments"), ("POST", "/assessments"), ("GET", "/stats/interventions")]


@pytest.mark.parametrize(("method", "path"), STAFF_ROUTES)
@pytest.mark.parametrize("who", ["carla", "sam"])
def test_listing_or_creating_cases_is_forbidden_to_a_partner(world: World, method: str, path: str, who: str) -> None:
    body = {"case_id": "CASE-9", "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    response = world.client.request(method, API + path, headers=world.headers[who], json=body)
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert world.workspace.store.list_cases("care-c") == world.workspace.store.list_cases("school-d") == []


@pytest.mark.parametrize(("method", "path"), REFERRAL_ROUTES, ids=[f"{m} {p}" for m, p in REFERRAL_ROUTES])
@pytest.mark.parametrize("who", ["sam", "bob", "alice"])
def test_another_agencys_referral_is_exactly_a_missing_one(world: World, method: str, path: str, who: str) -> None:
    def call(referral_id: str) -> Any:
        url = API + path.format(id=referral_id)
        return world.client.request(method, url, headers=world.headers[who], json=BODIES.get(method))

    missing_id = "R-" + "0" * 32
    _same_as_missing(call(world.referral_id), call(missing_id), (world.referral_id, missing_id))
    assert world.workspace.store.disclosures.count() == 0  # nothing was shown
    assert world.workspace.store.referrals.events([world.referral_id]) == []  # nothing was recorded


@pytest.mark.parametrize(("method", "path"), REFERRAL_ROUTES)
def test_the_referral_routes_need_a_token(world: World, method: str, path: str) -> None:
    response = world.client.request(method, API + path.format(id=world.referral_id), json=BODIES.get(method))
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_a_partner_sees_its_referral_and_the_extract_its_profile_allows(world: World) -> None:
    carla = world.headers["carla"]
    listed = world.client.get(f"{API}/referrals", headers=carla).json()
    assert [r["id"] for r in listed] == [world.referral_id]
    referral = listed[0]
    assert (referral["from_agency"], referral["case_id"], referral["assessment_id"]) == (
        "agency-a",
        "CASE-1",
        world.assessment_id,
    )
    assert referral["step"]["id"] == world.step and referral["step"]["status"] == "referred"
    one = world.client.get(f"{API}/referrals/{world.referral_id}", headers=carla).json()
    assert one == {**referral, "delivery": one["delivery"]} and one["delivery"]["response"] == "pending"
    for other in ("sam", "bob", "alice"):
        assert world.client.get(f"{API}/referrals", headers=world.headers[other]).json() == []
    extract = world.client.get(f"{API}/referrals/{world.referral_id}/extract?format=md", headers=carla)
    assert extract.status_code == 200 and extract.headers["content-type"].startswith("text/markdown")
    assert "CASE-1" in extract.text and "Consent of the client" in extract.text
    assert "Formulation" not in extract.text  # the care profile does not see it
    html = world.client.get(f"{API}/referrals/{world.referral_id}/extract", headers=carla)
    assert html.status_code == 200 and "default-src 'none'" in html.headers["content-security-policy"]
    entries = world.workspace.store.disclosures.entries(case="CASE-1")
    assert [(e["by"], e["agency"], e["channel"]) for e in entries] == [("carla", "care-c", "api")] * 2
    assert entries[0]["sections"] == ["case", "plan.own"]


def ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def test_a_partner_records_delivery_and_the_assessing_agency_follows_it(world: World) -> None:
    carla, alice = world.headers["carla"], world.headers["alice"]
    url = f"{API}/referrals/{world.referral_id}/delivery"
    for entry in (
        {"kind": "accept"},
        {"kind": "start", "date": ago(30)},
        {"kind": "session", "date": ago(23), "attended": True},
        {"kind": "note", "text": "Synthetic: came on time."},
        {"kind": "note", "text": "SECRET-SYNTHETIC", "secret": True},
    ):
        response = world.client.post(url, json=entry, headers=carla)
        assert response.status_code == 200, response.text
    delivery = response.json()["delivery"]
    assert delivery["response"] == "accepted" and delivery["started_on"] == ago(30)
    assert [n["secret"] for n in delivery["notes"]] == [False, True]
    again = world.client.post(url, json={"kind": "start", "date": ago(29)}, headers=carla)
    assert again.status_code == 409 and again.json()["error"]["code"] == "referral-state"
    no_reason = world.client.post(url, json={"kind": "decline"}, headers=carla)
    assert no_reason.status_code == 409  # under way: a decline cannot follow
    bad = world.client.post(url, json={"kind": "end", "date": ago(2), "outcome": "finished"}, headers=carla)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid-request"
    plan = world.client.get(f"{API}/assessments/{world.assessment_id}/delivery", headers=alice)
    assert plan.status_code == 200, plan.text
    step = next(s for s in plan.json()["steps"] if s["step"] == world.step)
    assert step["referral_id"] == world.referral_id and step["partner"] == "care-c"
    assert step["delivery"]["started_on"] == ago(30) and len(step["delivery"]["sessions"]) == 1
    assert [n["text"] for n in step["delivery"]["notes"]] == ["Synthetic: came on time."]
    assert "SECRET-SYNTHETIC" not in plan.text
    assert step["verdict"] in ("on-time", "late")
