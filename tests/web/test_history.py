"""History you can read (issue 9, point 6): open any revision, compare any two field by field (who changed
what, when), restore an earlier value as a new revision; the assessment date is the expert's.

Synthetic data only.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.web.conftest import TestClient, csrf_of, form_fields, post_form, start_assessment

Login = Callable[[str], TestClient]


def _three_revisions(alice: TestClient, rita: TestClient) -> str:
    assessment_id = start_assessment(alice)
    fields = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    assert post_form(alice, assessment_id, fields, formulation="First synthetic text").status_code == 303
    fields = form_fields(rita.get(f"/assessments/{assessment_id}").text)
    assert (
        post_form(rita, assessment_id, fields, formulation="Second synthetic text", r__PS1__presence="Y").status_code
        == 303
    )
    return assessment_id


def test_the_assessment_date_is_set_by_the_expert(login: Login) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    fields = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    assert "date" in fields
    assert post_form(alice, assessment_id, fields, date="2026-03-02").status_code == 303
    assert form_fields(alice.get(f"/assessments/{assessment_id}").text)["date"] == ["2026-03-02"]
    refused = post_form(alice, assessment_id, fields, date="not a date")
    assert refused.status_code == 422 and 'id="f-date-error"' in refused.text


def test_any_revision_can_be_opened(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = _three_revisions(alice, rita)
    history = alice.get(f"/assessments/{assessment_id}/history").text
    assert f'href="/assessments/{assessment_id}/revisions/2"' in history
    page = alice.get(f"/assessments/{assessment_id}/revisions/2")
    assert page.status_code == 200
    assert "First synthetic text" in page.text and "Second synthetic text" not in page.text
    assert alice.get(f"/assessments/{assessment_id}/revisions/9").status_code == 404
    assert login("bob").get(f"/assessments/{assessment_id}/revisions/2").status_code == 404


def test_two_revisions_compare_field_by_field_with_who_and_when(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = _three_revisions(alice, rita)
    page = alice.get(f"/assessments/{assessment_id}/compare?from=2&to=3")
    assert page.status_code == 200
    html = page.text
    assert 'data-field="formulation"' in html and 'data-field="r.PS1.presence"' in html
    assert "First synthetic text" in html and "Second synthetic text" in html
    row = html.split('data-field="formulation"', 1)[1].split("</tr>", 1)[0]
    assert "rita" in row  # who changed it
    assert 'data-field="r.PS2.presence"' not in html  # unchanged fields are not listed
    assert alice.get(f"/assessments/{assessment_id}/compare?from=2&to=x").status_code in (400, 422)


def test_an_earlier_value_is_restored_as_a_new_revision(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = _three_revisions(alice, rita)
    page = alice.get(f"/assessments/{assessment_id}/compare?from=2&to=3").text
    response = alice.post(
        f"/assessments/{assessment_id}/restore",
        data={"csrf_token": csrf_of(page), "from": "2", "base_revision": "3", "field": ["formulation"]},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    fields = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    assert fields["formulation"] == ["First synthetic text"]
    assert fields["r.PS1.presence"] == ["Y"]  # not restored: only the chosen field
    assert fields["base_revision"] == ["4"]
    stale = alice.post(
        f"/assessments/{assessment_id}/restore",
        data={"csrf_token": csrf_of(page), "from": "2", "base_revision": "3", "field": ["r.PS1.presence"]},
    )
    assert stale.status_code == 409  # someone saved since: nothing is overwritten silently
