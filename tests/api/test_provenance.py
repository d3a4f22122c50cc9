"""Provenance comes from the server (issue 13, point 1): who made an assessment, when, and what it follows.

The probe: a PUT whose content named another assessor and agency, and links
to assessments that do not exist, was saved and printed in the report. Now
such a body is refused (422, one problem at each field), a body that leaves
the fields out or echoes what it read is accepted, and the saved content and
the report carry the server's values. Synthetic data only.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, TestClient, completed

from spj.api import create_app
from spj.errors import AssessmentError
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore

API = "/api/v1"
FORGED = {
    "assessor": {"id": "someone-else", "agency": "agency-b", "name": "Dr. Someone Else"},
    "previous": "A-0000forged",
    "amends": "A-1111forged",
}


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


def _created(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    body = {"case_id": "CASE-1", "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    response = client.post(f"{API}/assessments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.mark.parametrize(
    ("forged", "paths"),
    [
        (FORGED, ["assessor.id", "assessor.agency", "assessor.name", "previous", "amends"]),
        ({"assessor": {"id": "someone-else"}}, ["assessor.id"]),
        ({"assessor": {"agency": "agency-b"}}, ["assessor.agency"]),
        ({"assessor": {"name": "Dr. Someone Else"}}, ["assessor.name"]),
        ({"assessor": {"id": "u", "email": "x@example.org"}}, ["assessor.email", "assessor.id"]),
        ({"assessor": "someone-else"}, ["assessor"]),
        ({"previous": "A-0000forged"}, ["previous"]),
        ({"amends": "A-1111forged"}, ["amends"]),
    ],
)
@pytest.mark.parametrize("route", ["PUT", "finalise"])
def test_a_body_that_sets_provenance_is_refused_naming_the_field(
    client: TestClient,
    workspace: Workspace,
    people: People,
    alice: dict[str, str],
    example: dict[str, Any],
    forged: dict[str, Any],
    paths: list[str],
    route: str,
) -> None:
    created = _created(client, alice)
    view = workspace.get(people.alice, created["id"])
    content = {**completed(view, example), **copy.deepcopy(forged)}
    body = {"base_revision": 1, "content": content}
    url = f"{API}/assessments/{created['id']}"
    response = (
        client.put(url, json=body, headers=alice)
        if route == "PUT"
        else client.post(f"{url}/finalise", json=body, headers=alice)
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid-request"
    assert sorted(p["path"] for p in error["problems"]) == sorted(paths)
    assert all(
        "set by the server" in p["message"] or "only" in p["message"] or "object" in p["message"]
        for p in error["problems"]
    )
    assert "Someone Else" not in response.text  # the refusal does not echo the forged values
    assert workspace.get(people.alice, created["id"]).head == 1  # nothing saved


def test_the_report_never_prints_forged_provenance(
    client: TestClient, workspace: Workspace, people: People, alice: dict[str, str], example: dict[str, Any]
) -> None:
    created = _created(client, alice)
    view = workspace.get(people.alice, created["id"])
    url = f"{API}/assessments/{created['id']}"
    forged = client.put(
        url, json={"base_revision": 1, "content": {**completed(view, example), **FORGED}}, headers=alice
    )
    assert forged.status_code == 422
    saved = client.put(url, json={"base_revision": 1, "content": completed(view, example)}, headers=alice)
    assert saved.status_code == 200, saved.text
    report = client.get(f"{url}/report", params={"format": "md"}, headers=alice)
    assert report.status_code == 200
    for value in ("someone-else", "Dr. Someone Else", "A-0000forged", "A-1111forged"):
        assert value not in report.text
    # The server's assessor, by name (the report shows a person by name, never an account id).
    assert f"- **Assessed by:** {people.alice.display_name}\n" in report.text
    assert people.alice.id not in report.text
    record = client.get(url, headers=alice).json()
    assert (record["previous_id"], record["amends_id"]) == (None, None)
    assert "previous" not in record["content"] and "amends" not in record["content"]


def test_a_body_without_provenance_or_echoing_it_gets_the_servers_values(
    client: TestClient, workspace: Workspace, people: People, alice: dict[str, str], example: dict[str, Any]
) -> None:
    created = _created(client, alice)
    url = f"{API}/assessments/{created['id']}"
    echoed = created["content"]
    assert echoed["assessor"] == {"id": people.alice.id, "agency": "agency-a", "name": people.alice.display_name}
    response = client.put(url, json={"base_revision": 1, "content": echoed}, headers=alice)
    assert response.status_code == 200, response.text
    bare = {k: v for k, v in echoed.items() if k != "assessor"}
    response = client.put(url, json={"base_revision": 2, "content": bare}, headers=alice)
    assert response.status_code == 200, response.text
    content = response.json()["content"]
    assert content["assessor"] == echoed["assessor"]


def test_a_colleague_saving_keeps_the_creator_as_assessor(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    saved = workspace.save(people.rita, view.id, 1, completed(view, example))
    assert saved.content["assessor"]["id"] == people.alice.id
    assert saved.revision.author_id == people.rita.id  # who wrote the revision is the history's


def test_links_come_from_the_store(workspace: Workspace, people: People, example: dict[str, Any]) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    final = workspace.finalise(people.alice, view.id, 1, completed(view, example))
    later = workspace.reassess(people.alice, final.id)
    assert later.content["previous"] == final.id
    with pytest.raises(AssessmentError) as refused:
        workspace.save(people.alice, later.id, 1, {**later.content, "previous": "A-0000forged"})
    assert [p.location.path for p in refused.value.problems] == [("previous",)]
    unlinked = {k: v for k, v in later.content.items() if k != "previous"}
    assert workspace.save(people.alice, later.id, 1, unlinked).content["previous"] == final.id


def test_the_case_and_instrument_must_be_objects(
    client: TestClient, workspace: Workspace, people: People, alice: dict[str, str]
) -> None:
    """`content.case: [1]` was accepted with its fields silently dropped (issue 13, point 8)."""
    created = _created(client, alice)
    url = f"{API}/assessments/{created['id']}"
    for key, value in (("case", [1]), ("case", "CASE-1"), ("instrument", [INSTRUMENT_ID])):
        response = client.put(
            url, json={"base_revision": 1, "content": {**created["content"], key: value}}, headers=alice
        )
        assert response.status_code == 422, response.text
        assert [p["path"] for p in response.json()["error"]["problems"]] == [key]


def test_a_revision_stored_with_forged_provenance_is_shown_as_the_records_attest(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    """A revision written before this rule (here straight into the store) still never shows forged values."""
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    forged = {**completed(view, example), **copy.deepcopy(FORGED)}
    workspace.store.save_revision("agency-a", view.id, base=1, content=forged, actor=people.alice.id)
    shown = workspace.get(people.alice, view.id)
    assert shown.assessment is not None
    assert shown.assessment.assessor.model_dump() == {"id": people.alice.id, "agency": "agency-a", "name": "alice"}
    assert (shown.assessment.previous, shown.assessment.amends) == (None, None)
    report = str(workspace.report(people.alice, view.id, "md"))
    for value in ("someone-else", "Someone Else", "A-0000forged", "A-1111forged"):
        assert value not in report
    echoed = workspace.save(people.alice, view.id, 2, shown.content)  # the form echoes what it read: accepted
    assert echoed.content["assessor"]["id"] == people.alice.id and "previous" not in echoed.content
