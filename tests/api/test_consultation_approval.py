"""Approving a consultation's feedback note in the workspace (issue 8, point 5): the service and the JSON API.

A participating agency approves for itself (stored, audited, idempotent); the note reaches its addressee
only after the last participating agency approved (record approvals and stored ones together), never
before; any other agency gets the 404 of a missing consultation; a note citing a secret item is refused
(409, located) and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import FAST_HASHER, PASSWORD, TestClient
from test_consultations_api import APPROVALS, DEPLOYMENT, PEOPLE, SECRET_TEXT, World, record, world_of

from spj.api import create_app
from spj.disclosure import parse_deployment
from spj.disclosure.consultation import Consultation
from spj.service import InstrumentRegistry
from spj.service.approvals import NoteRefusedError
from spj.store import MemoryStore
from spj.store.approvals import ACTION
from spj.store.interface import NotFoundError

API = "/api/v1"
assert "cell-x" in APPROVALS  # the record in the shared fixture: cell-x approved in the file, two others waiting


@pytest.fixture
def world(registry: InstrumentRegistry) -> Iterator[World]:
    yield from world_of(registry, [record()])


@pytest.fixture
def waiting(registry: InstrumentRegistry) -> Iterator[World]:
    yield from world_of(registry, [record(approved=False)])


def approve(world: World, who: str, ident: str = "CC-1") -> tuple[int, dict[str, object]]:
    response = world.client.post(f"{API}/consultations/{ident}/approval", headers=world.headers[who])
    return response.status_code, response.json()


def test_a_participant_approves_and_the_note_waits_for_the_others(waiting: World) -> None:
    status, body = approve(waiting, "piet")
    assert status == 200
    assert body == {
        "consultation": "CC-1",
        "agency": "probation-y",
        "new": True,
        "released": False,
        "awaiting_approval": ["care-z"],
    }
    seen = waiting.client.get(f"{API}/consultations/CC-1", headers=waiting.headers["cora"]).json()
    assert seen["awaiting_approval"] == ["care-z"] and seen["feedback"] is None
    (event,) = [e for e in waiting.workspace.store.audit_events("probation-y") if e.action == ACTION]
    assert event.detail == "CC-1" and event.assessment_id is None


def test_the_addressee_sees_the_note_only_after_the_last_approval(waiting: World) -> None:
    police = waiting.headers["paul"]
    assert waiting.client.get(f"{API}/consultations/CC-1", headers=police).status_code == 404
    approve(waiting, "piet")
    assert waiting.client.get(f"{API}/consultations/CC-1", headers=police).status_code == 404
    assert waiting.client.get(f"{API}/consultations", headers=police).json() == []
    status, body = approve(waiting, "zora")  # the last participating agency
    assert status == 200 and body["released"] is True and body["awaiting_approval"] == []
    note = waiting.client.get(f"{API}/consultations/CC-1", headers=police)
    assert note.status_code == 200
    assert [i["id"] for i in note.json()["feedback"]["items"]] == ["I1", "I3"]
    assert SECRET_TEXT not in note.text
    assert [s["released"] for s in waiting.client.get(f"{API}/consultations", headers=police).json()] == [True]


def test_approving_twice_is_idempotent(waiting: World) -> None:
    approve(waiting, "piet")
    status, body = approve(waiting, "piet")
    assert status == 200 and body["new"] is False and body["awaiting_approval"] == ["care-z"]
    assert len([e for e in waiting.workspace.store.audit_events("probation-y") if e.action == ACTION]) == 1
    # an agency whose approval the record file already lists: nothing is written either
    status, body = approve(waiting, "cora")
    assert status == 200 and body["new"] is False
    assert waiting.workspace.store.approvals.of("CC-1")[0].agency_id == "probation-y"
    assert len(waiting.workspace.store.approvals.of("CC-1")) == 1


@pytest.mark.parametrize("who", ["sam", "paul"])
def test_a_non_participant_gets_the_404_of_nothing(waiting: World, who: str) -> None:
    theirs = waiting.client.post(f"{API}/consultations/CC-1/approval", headers=waiting.headers[who])
    missing = waiting.client.post(f"{API}/consultations/CC-404/approval", headers=waiting.headers[who])
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"]["code"] == missing.json()["error"]["code"] == "not-found"
    assert theirs.text.replace("CC-1", "X") == missing.text.replace("CC-404", "X")
    assert waiting.workspace.store.approvals.of("CC-1") == []


def test_the_addressee_of_a_released_note_cannot_approve_it(world: World) -> None:
    assert world.client.post(f"{API}/consultations/CC-1/approval", headers=world.headers["paul"]).status_code == 404


def test_without_a_token_nothing_is_approved(waiting: World) -> None:
    assert waiting.client.post(f"{API}/consultations/CC-1/approval").status_code == 401
    assert waiting.workspace.store.approvals.of("CC-1") == []


def secret_note() -> Consultation:
    """A record whose note cites a secret item (a file would be refused at load: built past the loader)."""
    good = record(approved=False)
    assert good.feedback is not None
    bad_note = good.feedback.model_copy(update={"items": ("I1", "I2")})
    return good.model_copy(update={"id": "CC-S", "feedback": bad_note})


@pytest.fixture
def secret(registry: InstrumentRegistry) -> Iterator[World]:
    yield from world_of(registry, [secret_note()])


def test_a_note_citing_a_secret_item_is_refused_located_and_nothing_is_stored(secret: World) -> None:
    response = secret.client.post(f"{API}/consultations/CC-S/approval", headers=secret.headers["piet"])
    assert response.status_code == 409
    (problem,) = response.json()["error"]["problems"]
    assert problem["code"] == "secret-in-feedback" and "I2" in problem["message"]
    assert problem["path"] == "feedback.items[1]"
    assert SECRET_TEXT not in response.text
    assert secret.workspace.store.approvals.of("CC-S") == []
    assert [e for e in secret.workspace.store.audit_events("probation-y") if e.action == ACTION] == []


def test_the_service_refuses_the_same_way(secret: World) -> None:
    piet = secret.workspace.store.get_user_by_username("piet")
    sam = secret.workspace.store.get_user_by_username("sam")
    assert piet is not None and sam is not None
    with pytest.raises(NoteRefusedError) as refused:
        secret.workspace.consultations.approve(piet, "CC-S")
    assert refused.value.problems[0].location.path == ("feedback", "items", 1)
    with pytest.raises(NotFoundError):
        secret.workspace.consultations.approve(sam, "CC-S")


def test_a_consultation_without_a_note_has_nothing_to_approve(registry: InstrumentRegistry) -> None:
    bare = record(approved=False).model_copy(update={"id": "CC-0", "feedback": None})
    app = create_app(
        MemoryStore(),
        instruments=registry,
        hasher=FAST_HASHER,
        web=False,
        deployment=parse_deployment(DEPLOYMENT),
        consultations=[bare],
    )
    workspace = app.state.workspace
    name, role, agency = PEOPLE[1]
    workspace.store.create_agency(agency, agency)
    user = workspace.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)
    headers = {"Authorization": f"Bearer {workspace.create_token(user)[1]}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(f"{API}/consultations/CC-0/approval", headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["problems"][0]["code"] == "feedback-not-approved"
