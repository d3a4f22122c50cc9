"""The agreed plan through the JSON API: the content carries `plan`, the evaluation `agreed_plan`; a malformed
decision is a 422 with its code and path, and nothing is written."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, TestClient, completed

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


@pytest.fixture
def alice(workspace: Workspace, people: People) -> dict[str, str]:
    _, token = workspace.create_token(people.alice)
    return {"Authorization": f"Bearer {token}"}


def _draft(
    client: TestClient, workspace: Workspace, people: People, alice: dict[str, str], example: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    body = {"case_id": "CASE-1", "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    created = client.post(f"{API}/assessments", json=body, headers=alice).json()
    assert created["content"]["format"] == "spj-assessment/2" and created["content"]["plan"]["decisions"] == {}
    return created["id"], completed(workspace.get(people.alice, created["id"]), example)


def test_the_plan_travels_in_the_content_and_the_agreed_plan_in_the_evaluation(
    client: TestClient, workspace: Workspace, people: People, alice: dict[str, str], example: dict[str, Any]
) -> None:
    assessment_id, content = _draft(client, workspace, people, alice, example)
    first = next(iter(content["plan"]["decisions"]))
    content["plan"]["decisions"][first] |= {"partner": {"agency": "care-example", "contact": "intake"}}
    saved = client.put(
        f"{API}/assessments/{assessment_id}", json={"base_revision": 1, "content": content}, headers=alice
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["content"]["plan"] == content["plan"]
    evaluation = client.get(f"{API}/assessments/{assessment_id}/evaluation", headers=alice).json()
    agreed = evaluation["agreed_plan"]
    assert agreed["review_date"] == content["plan"]["review_date"] and agreed["undecided"] == []
    assert [s["id"] for s in agreed["steps"]] == [s["id"] for s in evaluation["interventions"]]
    assert next(s for s in agreed["steps"] if s["id"] == first)["partner"] == "care-example"
    final = client.post(
        f"{API}/assessments/{assessment_id}/finalise", json={"base_revision": 2, "content": content}, headers=alice
    )
    assert final.status_code == 200 and final.json()["status"] == "final"


def test_finalise_refuses_an_undecided_plan(
    client: TestClient, workspace: Workspace, people: People, alice: dict[str, str], example: dict[str, Any]
) -> None:
    assessment_id, content = _draft(client, workspace, people, alice, example)
    content["plan"] = {"decisions": {}, "added": []}
    refused = client.post(
        f"{API}/assessments/{assessment_id}/finalise", json={"base_revision": 1, "content": content}, headers=alice
    )
    assert refused.status_code == 422
    problems = refused.json()["error"]["problems"]
    assert {"undecided-intervention", "missing-review-date"} <= {p["code"] for p in problems}
    assert {p["path"] for p in problems if p["code"] == "missing-review-date"} == {"plan"}
    record = client.get(f"{API}/assessments/{assessment_id}", headers=alice).json()
    assert (record["status"], record["revision"]) == ("draft", 1)


@pytest.mark.parametrize(
    ("decision", "code", "path"),
    [
        ({"no_such_step": {"decision": "accept"}}, "unknown-intervention", "plan.decisions.no_such_step"),
        ({"<first>": {"decision": "decline"}}, "decision-needs-reason", "plan.decisions.<first>"),
        ({"<first>": {"decision": "accept", "status": "finished"}}, "schema", "plan.decisions.<first>.status"),
    ],
    ids=["unknown-step", "decline-without-reason", "unknown-status"],
)
def test_a_malformed_decision_is_a_draft_warning_and_a_422_at_finalise(
    client: TestClient,
    workspace: Workspace,
    people: People,
    alice: dict[str, str],
    example: dict[str, Any],
    decision: dict[str, Any],
    code: str,
    path: str,
) -> None:
    """DESIGN 4.6: a draft saves with the plan's findings as warnings (in `agreed_plan.problems`); finalising is a
    422 with the code at its path; content that is no assessment (`schema`) is a 422 on every save."""
    assessment_id, content = _draft(client, workspace, people, alice, example)
    first = next(iter(content["plan"]["decisions"]))
    content = copy.deepcopy(content)
    for step, entry in decision.items():
        content["plan"]["decisions"][first if step == "<first>" else step] = entry
    path = path.replace("<first>", first)
    url = f"{API}/assessments/{assessment_id}"
    saved = client.put(url, json={"base_revision": 1, "content": content}, headers=alice)
    if code != "schema":
        assert saved.status_code == 200, saved.text
        assert saved.json()["revision"] == 2
        evaluation = client.get(f"{url}/evaluation", headers=alice).json()
        warnings = {(p["code"], p["path"]) for p in evaluation["agreed_plan"]["problems"]}
        assert (code, path) in warnings
        response = client.post(f"{url}/finalise", json={"base_revision": 2, "content": content}, headers=alice)
    else:
        response = saved
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (code, path) in {(p["code"], p["path"]) for p in error["problems"]}
    assert error["content"]["plan"] == content["plan"]  # echoed back, nothing lost
    record = client.get(url, headers=alice).json()
    assert (record["status"], record["revision"]) == ("draft", 1 if code == "schema" else 2)
