"""Nothing typed is lost (issue 9, point 1): autosave, a reload, another person, an ended session.

Synthetic data only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.web.conftest import PASSWORD, TestClient, csrf_of, form_fields, post_form, start_assessment

Login = Callable[[str], TestClient]
TYPED = "Synthetic formulation typed for an hour and never saved"


def _autosave(client: TestClient, assessment_id: str, **changes: str) -> Any:
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    for name, value in changes.items():
        fields[name.replace("__", ".")] = [value]
    return client.post(f"/assessments/{assessment_id}/autosave", data=fields)


def test_autosave_keeps_the_form_apart_from_the_revisions(login: Login) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    response = _autosave(alice, assessment_id, formulation=TYPED)
    assert response.status_code == 200, response.text
    assert response.json()["base_revision"] == 1
    history = alice.get(f"/assessments/{assessment_id}/history").text
    assert TYPED not in history  # not a revision
    page = alice.get(f"/assessments/{assessment_id}").text  # "a reload"
    assert "You have unsaved changes on this draft" in page
    assert form_fields(page)["formulation"] != [TYPED]  # the form shows the saved revision until asked
    restored = alice.get(f"/assessments/{assessment_id}?restore=1").text
    assert form_fields(restored)["formulation"] == [TYPED]
    assert form_fields(restored)["base_revision"] == ["1"]
    # Saving it makes a revision and the kept copy goes.
    assert post_form(alice, assessment_id, form_fields(restored)).status_code == 303
    page = alice.get(f"/assessments/{assessment_id}").text
    assert form_fields(page)["formulation"] == [TYPED]
    assert "You have unsaved changes" not in page


def test_an_autosave_can_be_discarded(login: Login) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    assert _autosave(alice, assessment_id, formulation=TYPED).status_code == 200
    page = alice.get(f"/assessments/{assessment_id}").text
    response = alice.post(f"/assessments/{assessment_id}/autosave/discard", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 200  # followed to the form
    assert "You have unsaved changes" not in alice.get(f"/assessments/{assessment_id}").text


def test_nobody_else_sees_my_unsaved_form(login: Login) -> None:
    alice, rita, bob = login("alice"), login("rita"), login("bob")
    assessment_id = start_assessment(alice)
    assert _autosave(alice, assessment_id, formulation=TYPED).status_code == 200
    assert "You have unsaved changes" not in rita.get(f"/assessments/{assessment_id}").text
    assert TYPED not in rita.get(f"/assessments/{assessment_id}?restore=1").text
    # Another agency: the assessment does not exist for them, to read or to write.
    assert bob.get(f"/assessments/{assessment_id}?restore=1").status_code == 404
    bob_page = bob.get("/cases").text
    refused = bob.post(
        f"/assessments/{assessment_id}/autosave",
        data={"csrf_token": csrf_of(bob_page), "base_revision": "1", "formulation": "x"},
    )
    assert refused.status_code == 404


def test_autosave_needs_a_session_and_the_token(login: Login, app: Any) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    with TestClient(app) as anonymous:
        response = anonymous.post(f"/assessments/{assessment_id}/autosave", data={"formulation": TYPED})
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    fields = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    fields["csrf_token"] = ["forged"]
    assert alice.post(f"/assessments/{assessment_id}/autosave", data=fields).status_code == 403
    fields = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    fields["base_revision"] = ["two"]
    assert alice.post(f"/assessments/{assessment_id}/autosave", data=fields).status_code in (400, 422)


def test_a_save_after_the_session_ended_keeps_the_text(login: Login, app: Any) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    fields = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    # The session ends elsewhere (signed out in another tab; the 8-hour cap works the same way).
    other = login("alice")
    other.post("/logout", data={"csrf_token": csrf_of(other.get("/cases").text)})
    response = post_form(alice, assessment_id, fields, formulation=TYPED)
    assert response.status_code == 401
    assert "Your session has ended" in response.text
    assert TYPED in response.text  # carried by the sign-in page, escaped in a hidden field
    carried = form_fields(response.text.replace('action="/login"', 'id="assessment-form" action="/login"', 1))
    carried.update({"username": ["alice"], "password": [PASSWORD]})
    signed_in = alice.post("/login", data=carried, follow_redirects=False)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"].endswith(f"/assessments/{assessment_id}?restore=2")
    page = alice.get(signed_in.headers["location"]).text
    assert "Your session had ended" in page
    assert form_fields(page)["formulation"] == [TYPED]


def test_carried_text_goes_only_to_a_draft_of_the_person_who_signs_in(login: Login, app: Any) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    with TestClient(app) as stranger:
        page = stranger.get("/login").text
        forged = {
            "csrf_token": csrf_of(page),
            "username": "bob",
            "password": PASSWORD,
            "next": f"/assessments/{assessment_id}",
            "carry:base_revision": "1",
            "carry:formulation": "Injected text",
        }
        response = stranger.post("/login", data=forged, follow_redirects=False)
        assert response.status_code == 303  # signed in as usual, nothing kept: not bob's agency
        assert "restore" not in response.headers["location"]
    assert "Injected text" not in alice.get(f"/assessments/{assessment_id}?restore=1").text
