"""Sign-off in the workspace (issue 9, point 5): the countersign comment and the return to the assessor."""

from __future__ import annotations

from .conftest import csrf_of
from .test_pages import Login, _final_assessment


def test_a_countersignature_with_comment_is_shown_and_printed_in_the_report(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = _final_assessment(alice)
    page = rita.get(f"/assessments/{assessment_id}")
    assert 'name="comment"' in page.text and 'maxlength="2000"' in page.text
    response = rita.post(
        f"/assessments/{assessment_id}/countersign",
        data={"csrf_token": csrf_of(page.text), "comment": "Plan <checked> with the team."},
    )
    assert response.status_code == 200 and "Countersigned" in response.text
    page = alice.get(f"/assessments/{assessment_id}")
    assert "Plan &lt;checked&gt; with the team." in page.text
    history = alice.get(f"/assessments/{assessment_id}/history")
    assert "Plan &lt;checked&gt; with the team." in history.text
    report = alice.get(f"/assessments/{assessment_id}/report.html?download=1")
    assert 'id="signoff"' in report.text and "Plan &lt;checked&gt; with the team." in report.text


def test_a_too_long_comment_is_refused_with_a_4xx(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = _final_assessment(alice)
    page = rita.get(f"/assessments/{assessment_id}")
    response = rita.post(
        f"/assessments/{assessment_id}/countersign",
        data={"csrf_token": csrf_of(page.text), "comment": "x" * 2001},
    )
    assert 400 <= response.status_code < 500 and "Traceback" not in response.text
    assert "Countersigned by" not in alice.get(f"/assessments/{assessment_id}").text


def test_a_return_to_the_assessor_is_shown_to_the_assessor_and_in_the_history(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = _final_assessment(alice)
    page = rita.get(f"/assessments/{assessment_id}")
    assert f"/assessments/{assessment_id}/return" in page.text
    assert f"/assessments/{assessment_id}/return" not in alice.get(f"/assessments/{assessment_id}").text
    response = rita.post(
        f"/assessments/{assessment_id}/return",
        data={"csrf_token": csrf_of(page.text), "comment": "Add the rationale for MH1 & amend."},
    )
    assert response.status_code == 200 and "Returned to the assessor" in response.text
    page = alice.get(f"/assessments/{assessment_id}")
    assert "Add the rationale for MH1 &amp; amend." in page.text and "locked" in page.text
    history = alice.get(f"/assessments/{assessment_id}/history")
    assert "Add the rationale for MH1 &amp; amend." in history.text


def test_the_sign_off_texts_are_translated(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = _final_assessment(alice)
    rita.post("/language", data={"csrf_token": csrf_of(rita.get("/").text), "lang": "nl"})
    page = rita.get(f"/assessments/{assessment_id}")
    assert (
        "Terugsturen naar de beoordelaar met opmerkingen" in page.text
        and "Opmerking bij uw medeondertekening" in page.text
    )
