"""Approving a consultation's feedback note on its page: a POST with the CSRF token, the one 404 page for any other
agency, the note released to its addressee only after the last participating agency approved."""

from __future__ import annotations

from typing import Any

import pytest

from spj.api.app import create_app
from spj.disclosure import parse_deployment
from spj.store import MemoryStore
from spj.store.approvals import ACTION

from .conftest import FAST_HASHER, PASSWORD, TestClient, csrf_of
from .test_consultation_pages import DEPLOYMENT, PEOPLE, SECRET_TEXT, record


@pytest.fixture
def app() -> Any:
    """CC-2 awaits the approval of probation-y and care-z (cell-x approved in the record file)."""
    app = create_app(
        MemoryStore(),
        secret_key="test-secret",
        hasher=FAST_HASHER,
        deployment=parse_deployment(DEPLOYMENT),
        consultations=[record("CC-2", "[{agency: cell-x}]")],
    )
    workspace = app.state.workspace
    for name, role, agency in PEOPLE:
        workspace.store.create_agency(agency, agency)
        workspace.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)
    return app


def approve(client: TestClient, ident: str = "CC-2", token: str | None = None) -> Any:
    page = client.get(f"/consultations/{ident}")
    csrf = token if token is not None else csrf_of(page.text)
    return client.post(f"/consultations/{ident}/approval", data={"csrf_token": csrf}, follow_redirects=False)


def test_a_participant_approves_on_the_page(login: Any, app: Any) -> None:
    piet = login("piet")
    assert 'id="approve"' in piet.get("/consultations/CC-2").text
    response = approve(piet)
    assert response.status_code == 303 and response.headers["location"] == "/consultations/CC-2?approved=1"
    after = piet.get("/consultations/CC-2?approved=1").text
    assert 'id="approve"' not in after and 'id="approved"' in after
    assert "Care centre Z (synthetic)" in after.split('id="awaiting"')[1].split("</p>")[0]
    assert [a.agency_id for a in app.state.workspace.store.approvals.of("CC-2")] == ["probation-y"]
    assert [e.action for e in app.state.workspace.store.audit_events("probation-y")].count(ACTION) == 1


def test_an_agency_that_approved_in_the_record_has_no_button(login: Any) -> None:
    page = login("cora").get("/consultations/CC-2").text
    assert 'id="awaiting"' in page and 'id="approve"' not in page


def test_the_addressee_sees_the_note_only_after_the_last_approval(login: Any) -> None:
    paul = login("paul")
    assert paul.get("/consultations/CC-2").status_code == 404
    approve(login("piet"))
    assert paul.get("/consultations/CC-2").status_code == 404
    assert "CC-2" not in paul.get("/consultations").text
    approve(login("zora"))
    page = paul.get("/consultations/CC-2")
    assert page.status_code == 200 and 'id="note"' in page.text
    assert "The trajectory continues as agreed." in page.text and SECRET_TEXT not in page.text
    assert 'data-consultation="CC-2"' in paul.get("/consultations").text


def test_approving_twice_is_idempotent(login: Any, app: Any) -> None:
    piet = login("piet")
    approve(piet)
    response = approve(piet)
    assert response.status_code == 303
    assert len(app.state.workspace.store.approvals.of("CC-2")) == 1


def test_a_post_without_the_csrf_token_changes_nothing(login: Any, app: Any) -> None:
    response = approve(login("piet"), token="forged")
    assert response.status_code == 403
    assert app.state.workspace.store.approvals.of("CC-2") == []


@pytest.mark.parametrize("who", ["sam", "paul"])
def test_any_other_agency_gets_the_404_page_of_nothing(login: Any, app: Any, who: str) -> None:
    client = login(who)
    token = csrf_of(client.get("/consultations").text)
    theirs = client.post("/consultations/CC-2/approval", data={"csrf_token": token})
    missing = client.post("/consultations/CC-404/approval", data={"csrf_token": token})
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace("CC-2", "X") == missing.text.replace("CC-404", "X")
    assert app.state.workspace.store.approvals.of("CC-2") == []


def test_the_approval_is_translated(login: Any) -> None:
    client = login("piet")
    page = client.get("/consultations/CC-2")
    client.post("/language", data={"csrf_token": csrf_of(page.text), "lang": "nl", "next": "/consultations/CC-2"})
    assert "De terugkoppeling goedkeuren voor mijn organisatie" in client.get("/consultations/CC-2").text
    client.post("/language", data={"csrf_token": csrf_of(page.text), "lang": "fr", "next": "/consultations/CC-2"})
    assert "Approuver la note de retour pour mon organisation" in client.get("/consultations/CC-2").text
