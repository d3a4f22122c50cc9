"""Sources added from an indicator without a full save, and saving that returns to the section (issue 9, point 2).

The page's script posts `POST /assessments/{id}/sources`; these tests post what it posts. Synthetic data only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.web.conftest import TestClient, csrf_of, form_fields, post_form, start_assessment

Login = Callable[[str], TestClient]
JSON = {"Accept": "application/json"}


def _add(client: TestClient, assessment_id: str, base: int, headers: dict[str, str] | None = None, **typed: str) -> Any:
    page = client.get(f"/assessments/{assessment_id}").text
    data = {"csrf_token": csrf_of(page), "base_revision": str(base)}
    data.update({f"source.{k}": v for k, v in typed.items()})
    return client.post(
        f"/assessments/{assessment_id}/sources", data=data, headers=headers or JSON, follow_redirects=False
    )


def test_a_source_added_inline_is_saved_and_cited(login: Login) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    response = _add(alice, assessment_id, 1, kind="interview", date="2027-01-10", description="Intake", cite="PS1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == {"id": "S1", "kind": "interview", "date": "2027-01-10", "description": "Intake"}
    assert body["head"] == 2 and body["cite"] == "PS1"
    assert "S1" in body["message"] and "2" in body["message"]
    fields = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    assert fields["s.0.id"] == ["S1"] and fields["s.0.kind"] == ["interview"]
    assert fields["r.PS1.sources"] == ["S1"]
    assert fields["base_revision"] == ["2"]
    # The next one gets the next free id, and cites nothing when no indicator is named.
    second = _add(alice, assessment_id, 2, kind="file").json()
    assert second["source"]["id"] == "S2" and second["cite"] == ""
    assert form_fields(alice.get(f"/assessments/{assessment_id}").text)["r.PS1.sources"] == ["S1"]


def test_the_forms_other_edits_save_on_top_of_the_inline_source(login: Login) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    page = alice.get(f"/assessments/{assessment_id}").text
    unsaved = form_fields(page)
    unsaved["formulation"] = ["Synthetic formulation typed before the source was added."]
    head = _add(alice, assessment_id, 1, kind="interview", cite="PS2").json()["head"]
    # What the script leaves in the form: the new base revision, the source row and the ticked box.
    unsaved.update({"base_revision": [str(head)], "s.0.id": ["S1"], "s.0.kind": ["interview"]})
    unsaved["r.PS2.sources"] = ["S1"]
    saved = post_form(alice, assessment_id, unsaved)
    assert saved.status_code == 303, saved.text
    fields = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    assert fields["formulation"] == ["Synthetic formulation typed before the source was added."]
    assert fields["s.0.id"] == ["S1"] and fields["r.PS2.sources"] == ["S1"]


def test_an_inline_source_on_a_stale_revision_is_refused_and_nothing_is_added(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = start_assessment(alice)
    fields = form_fields(rita.get(f"/assessments/{assessment_id}").text)
    assert post_form(rita, assessment_id, fields, formulation="Rita's text").status_code == 303
    refused = _add(alice, assessment_id, 1, kind="interview", cite="PS1")
    assert refused.status_code == 409
    assert "save the draft first" in refused.json()["message"]
    assert form_fields(alice.get(f"/assessments/{assessment_id}").text)["s.0.id"] == [""]  # only the empty row


def test_an_invalid_inline_source_names_the_field_in_plain_words(login: Login) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    refused = _add(alice, assessment_id, 1, kind="", date="10/01/2027", cite="PS1")
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert {e["field"] for e in errors} == {"kind", "date"}
    assert all(e["label"].startswith("Source 1 — ") and "s.0" not in e["message"] for e in errors)
    assert form_fields(alice.get(f"/assessments/{assessment_id}").text)["s.0.id"] == [""]  # only the empty row


def test_without_javascript_the_post_returns_to_the_indicator(login: Login) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    response = _add(alice, assessment_id, 1, headers={"Accept": "text/html"}, kind="interview", cite="PS3")
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/assessments/{assessment_id}?saved=2#f-r-PS3")


def test_another_agency_cannot_add_a_source(login: Login) -> None:
    alice, bob = login("alice"), login("bob")
    assessment_id = start_assessment(alice)
    page = bob.get("/cases").text
    response = bob.post(
        f"/assessments/{assessment_id}/sources",
        data={"csrf_token": csrf_of(page), "base_revision": "1", "source.kind": "interview"},
        headers=JSON,
    )
    assert response.status_code == 404
