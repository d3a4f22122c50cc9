"""The web workspace over HTTP (TestClient): sessions, CSRF, the form round trip, conflicts, finalising, reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spj.instrument import load_instrument

from .conftest import (
    INSTRUMENT,
    PASSWORD,
    TestClient,
    accept_every_step,
    csrf_of,
    form_fields,
    plan_fields,
    post_form,
    post_plan,
    start_assessment,
)

Login = Callable[[str], TestClient]
ROOT = Path(__file__).resolve().parents[2]
INDICATORS = [
    i.id for i in load_instrument(ROOT / "instruments" / "disengagement-trajectory" / "instrument.yaml").indicators
]


def _all_absent(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in fields.items()}
    for indicator in INDICATORS:
        out[f"r.{indicator}.presence"] = ["N"]
    return out


# ---- sessions and CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/cases", "/new", "/assessments/A-1", "/assessments/A-1/report", "/cases/CASE-1", "/stats", "/stats.csv"]
)
def test_pages_need_a_signed_in_user(app: Any, path: str) -> None:
    with TestClient(app) as client:
        response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_wrong_password_stays_on_the_login_page(app: Any) -> None:
    with TestClient(app) as client:
        page = client.get("/login")
        response = client.post(
            "/login", data={"username": "alice", "password": "nope-nope-nope", "csrf_token": csrf_of(page.text)}
        )
    assert response.status_code == 401
    assert "not right" in response.text


def test_login_then_logout(login: Login) -> None:
    client = login("alice")
    page = client.get("/cases")
    assert page.status_code == 200 and "alice" in page.text
    client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert client.get("/cases", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("token", [None, "forged-token-forged-token-forged-token"])
def test_a_post_without_the_session_csrf_token_is_refused(login: Login, token: str | None) -> None:
    client = login("alice")
    data = {"instrument": INSTRUMENT, "case_id": "CASE-9"}
    if token:
        data["csrf_token"] = token
    response = client.post("/new", data=data)
    assert response.status_code == 403
    assert "<code>csrf</code>" in response.text
    assert "CASE-9" not in client.get("/cases").text


def test_login_itself_needs_the_csrf_token(app: Any) -> None:
    with TestClient(app) as client:
        response = client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 403


def test_the_session_cookie_holds_no_case_content(login: Login) -> None:
    client = login("alice")
    assessment_id = start_assessment(client, "CASE-SECRET-77")
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    post_form(client, assessment_id, fields, formulation="Synthetic formulation text")
    import base64

    cookie = client.cookies["spj_session"]
    payload = base64.b64decode(cookie.split(".")[0] + "==").decode()
    assert set(__import__("json").loads(payload)) <= {"user", "epoch", "csrf", "lang"}
    assert "CASE-SECRET" not in payload and "Synthetic" not in payload


# ---- the form round trip ----------------------------------------------------------------------------------


def test_rate_omit_save_and_the_flags_update(login: Login) -> None:
    client = login("alice")
    assessment_id = start_assessment(client)
    page = client.get(f"/assessments/{assessment_id}")
    assert 'data-flag="trauma_load" data-status="raised"' not in page.text
    response = post_form(
        client,
        assessment_id,
        form_fields(page.text),
        r__MH1__presence="Y",
        r__MH1__relevance="high",
        r__MH1__for="Synthetic: nightmares reported in interview",
        r__PS2__omit="1",
        r__PS2__reason="No information yet; ask the prison psychologist",
    )
    assert response.status_code == 303 and "saved=2" in response.headers["location"]
    page = client.get(response.headers["location"])
    assert "Saved as revision 2" in page.text
    assert 'data-flag="trauma_load" data-status="raised"' in page.text
    fields = form_fields(page.text)
    assert fields["r.MH1.presence"] == ["Y"] and fields["r.MH1.relevance"] == ["high"]
    assert fields["r.MH1.for"] == ["Synthetic: nightmares reported in interview"]
    assert fields["r.PS2.omit"] == ["1"]
    assert fields["base_revision"] == ["2"]
    # and the plan: trauma treatment, after its prerequisite
    assert 'data-intervention="trauma_treatment"' in page.text
    assert 'data-intervention="trauma_assessment"' in page.text


def test_sources_editor_and_scenarios_round_trip(login: Login) -> None:
    client = login("alice")
    assessment_id = start_assessment(client)
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    response = post_form(
        client,
        assessment_id,
        fields,
        **{"s.0.id": "S1", "s.0.kind": "interview", "s.0.date": "2026-11-20", "sc.0.kind": "escalation"},
        **{"sc.0.text": "Synthetic scenario", "case.phase": "probation"},
    )
    assert response.status_code == 303
    fields = form_fields(client.get(response.headers["location"]).text)
    assert fields["s.0.id"] == ["S1"] and fields["sc.0.text"] == ["Synthetic scenario"]
    response = post_form(client, assessment_id, fields, r__PS1__presence="P", r__PS1__sources=["S1"])
    fields = form_fields(client.get(response.headers["location"]).text)
    assert fields["r.PS1.sources"] == ["S1"]


def test_errors_are_shown_at_their_fields_and_nothing_is_lost(login: Login) -> None:
    client = login("alice")
    assessment_id = start_assessment(client)
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    response = post_form(
        client,
        assessment_id,
        fields,
        r__PS1__presence="Q",  # not a code
        r__PS3__sources=["S9"],  # not a listed source
        r__EW1__for="Synthetic text that must survive the refusal",
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="f-r-PS1-presence-error"' in html
    assert 'id="f-r-PS3-sources-error"' in html
    assert 'href="#f-r-PS1-presence"' in html  # the summary links to the field
    assert "Synthetic text that must survive the refusal" in html
    assert form_fields(html)["base_revision"] == ["1"]


# ---- conflicts --------------------------------------------------------------------------------------------


def _conflict_form(html: str) -> dict[str, list[str]]:
    fields = form_fields(html.replace('action="/assessments', 'id="assessment-form" action="/assessments', 1))
    fields["csrf_token"] = [csrf_of(html)]
    return fields


def test_a_conflicting_save_shows_both_versions_and_can_reapply_mine(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = start_assessment(alice)
    mine = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    theirs = form_fields(rita.get(f"/assessments/{assessment_id}").text)
    assert post_form(rita, assessment_id, theirs, r__PS1__presence="Y", formulation="Rita's text").status_code == 303
    response = post_form(alice, assessment_id, mine, r__PS1__presence="N", r__EW1__presence="P")
    assert response.status_code == 409
    html = response.text
    assert "Someone else saved" in html
    assert 'data-field="r.PS1.presence"' in html
    assert "Rita&#39;s text" in html  # the current version, side by side
    assert html.count("your change") == 2 and "their change" in html  # who changed what since revision 1
    # Both changed PS1: the page asks which to keep, field by field; EW1 (only mine) needs no choice.
    assert 'name="resolve:r.PS1.presence"' in html and 'name="resolve:r.EW1.presence"' not in html
    hidden = _conflict_form(html)
    hidden["resolve:r.PS1.presence"] = ["mine"]
    response = alice.post(
        f"/assessments/{assessment_id}", data={**hidden, "action": "merge-save"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    fields = form_fields(alice.get(response.headers["location"]).text)
    assert fields["r.PS1.presence"] == ["N"] and fields["r.EW1.presence"] == ["P"]
    assert fields["formulation"] == ["Rita's text"]


def test_a_same_field_conflict_is_never_applied_silently(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = start_assessment(alice)
    mine = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    theirs = form_fields(rita.get(f"/assessments/{assessment_id}").text)
    assert post_form(rita, assessment_id, theirs, formulation="Rita's formulation").status_code == 303
    html = post_form(alice, assessment_id, mine, formulation="Alice's formulation").text
    hidden = _conflict_form(html)
    assert not [k for k in hidden if k.startswith("resolve:")], "a choice was made for the user"
    # Applying without choosing is refused: the conflict page again, nothing saved.
    response = alice.post(f"/assessments/{assessment_id}", data={**hidden, "action": "merge-save"})
    assert response.status_code == 409
    assert "Choose which version to keep" in response.text
    current = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    assert current["formulation"] == ["Rita's formulation"] and current["base_revision"] == ["2"]
    # Theirs keeps Rita's text; combine keeps what the user wrote from both.
    hidden = _conflict_form(response.text)
    hidden["resolve:formulation"] = ["combine"]
    assert "Alice&#39;s formulation" in response.text.split('name="combine:formulation"', 1)[1].split("</textarea>")[0]
    hidden["combine:formulation"] = ["Alice's formulation. Rita's formulation."]
    response = alice.post(
        f"/assessments/{assessment_id}", data={**hidden, "action": "merge-save"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    fields = form_fields(alice.get(response.headers["location"]).text)
    assert fields["formulation"] == ["Alice's formulation. Rita's formulation."]


def test_keeping_theirs_drops_my_change_to_that_field_only(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = start_assessment(alice)
    mine = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    theirs = form_fields(rita.get(f"/assessments/{assessment_id}").text)
    assert post_form(rita, assessment_id, theirs, formulation="Rita's formulation").status_code == 303
    html = post_form(alice, assessment_id, mine, formulation="Alice's formulation", r__PS2__presence="Y").text
    hidden = _conflict_form(html)
    hidden["resolve:formulation"] = ["theirs"]
    response = alice.post(
        f"/assessments/{assessment_id}", data={**hidden, "action": "merge-save"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    fields = form_fields(alice.get(response.headers["location"]).text)
    assert fields["formulation"] == ["Rita's formulation"] and fields["r.PS2.presence"] == ["Y"]


# ---- finalise, countersign, reports -------------------------------------------------------------------------


def test_finalise_is_refused_while_incomplete_then_accepted(login: Login) -> None:
    client = login("alice")
    assessment_id = start_assessment(client)
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    response = post_form(client, assessment_id, fields, r__PS1__presence="N", action="finalise")
    assert response.status_code == 422
    assert "Not finalised yet" in response.text
    assert 'id="f-r-PS2-error"' in response.text
    assert 'id="f-j-case_priority-level-error"' in response.text
    fields = _all_absent(form_fields(response.text))
    for judgement in ("case_priority", "trajectory_readiness"):
        fields[f"j.{judgement}.level"] = ["low"]
        fields[f"j.{judgement}.rationale"] = ["Synthetic rationale written by the expert"]
    response = post_form(client, assessment_id, fields, action="finalise")
    assert response.status_code == 422  # the ratings are complete; the plan is not decided yet
    assert "Decide the plan on the plan page" in response.text and "The plan needs a review date" in response.text
    response = post_plan(
        client, assessment_id, accept_every_step(plan_fields(client, assessment_id)), action="finalise"
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "final and locked" in page.text
    assert "Start a reassessment" in page.text


def _final_assessment(client: TestClient) -> str:
    assessment_id = start_assessment(client)
    fields = _all_absent(form_fields(client.get(f"/assessments/{assessment_id}").text))
    fields["r.MH1.presence"], fields["r.MH1.relevance"] = ["Y"], ["high"]
    for judgement in ("case_priority", "trajectory_readiness"):
        fields[f"j.{judgement}.level"] = ["moderate"]
        fields[f"j.{judgement}.rationale"] = ["Synthetic rationale"]
    assert post_form(client, assessment_id, fields).status_code == 303
    response = post_plan(
        client, assessment_id, accept_every_step(plan_fields(client, assessment_id)), action="finalise"
    )
    assert response.status_code == 303, response.text
    return assessment_id


def test_report_view_and_downloads(login: Login) -> None:
    client = login("alice")
    assessment_id = _final_assessment(client)
    assert "report-frame" in client.get(f"/assessments/{assessment_id}/report").text
    html = client.get(f"/assessments/{assessment_id}/report.html?download=1")
    assert html.status_code == 200 and "attachment" in html.headers["content-disposition"]
    assert "<html" in html.text.lower()
    pdf = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_history_countersign_and_reassessment(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = _final_assessment(alice)
    history = alice.get(f"/assessments/{assessment_id}/history")
    assert history.status_code == 200 and "final" in history.text
    page = rita.get(f"/assessments/{assessment_id}")
    assert "Countersign" in page.text
    response = rita.post(f"/assessments/{assessment_id}/countersign", data={"csrf_token": csrf_of(page.text)})
    assert "Countersigned" in response.text
    page = alice.get(f"/assessments/{assessment_id}")
    response = alice.post(f"/assessments/{assessment_id}/reassess", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 200 and "Reassessment started" in response.text
    new_id = str(response.url).split("/assessments/")[1].split("?")[0]
    fields = form_fields(response.text)
    assert fields["r.MH1.presence"] == ["Y"]  # carried over for review
    assert "j.case_priority.level" not in fields  # judgements are made anew
    response = post_form(alice, new_id, fields, r__MH1__presence="N", r__MH1__relevance="")
    changes = alice.get(f"/assessments/{new_id}/changes")
    assert changes.status_code == 200
    assert 'data-indicator="MH1"' in changes.text
    # Issue 9, point 6: an edited evidence text is among the changes, before and after, escaped.
    fields = form_fields(alice.get(f"/assessments/{new_id}").text)
    post_form(alice, new_id, fields, r__PS1__for="Now keeps <b>a</b> weekly schedule.")
    changes = alice.get(f"/assessments/{new_id}/changes").text
    row = changes[changes.index('data-indicator="PS1"') :]
    row = row[: row.index("</tr>")]
    assert "Evidence for" in row and "Now keeps &lt;b&gt;a&lt;/b&gt; weekly schedule." in row


# ---- language, isolation ----------------------------------------------------------------------------------


def test_language_switch_is_kept_in_the_session(login: Login) -> None:
    client = login("alice")
    page = client.get("/cases")
    response = client.post("/language", data={"csrf_token": csrf_of(page.text), "lang": "nl", "next": "/cases"})
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text and "Nieuwe beoordeling" in response.text
    assert '<html lang="nl">' in client.get("/new").text


@pytest.mark.parametrize(
    "path",
    ["", "/report", "/report.html", "/report.pdf", "/history", "/changes"],
)
def test_another_agencys_assessment_is_the_same_404_as_a_missing_one(login: Login, path: str) -> None:
    alice, bob = login("alice"), login("bob")
    assessment_id = start_assessment(alice, "CASE-GENT-1")
    theirs = bob.get(f"/assessments/{assessment_id}{path}")
    missing = bob.get(f"/assessments/A-does-not-exist{path}")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace(assessment_id, "X") == missing.text.replace("A-does-not-exist", "X")


def test_another_agencys_case_and_posts_are_404(login: Login) -> None:
    alice, bob = login("alice"), login("bob")
    assessment_id = start_assessment(alice, "CASE-GENT-2")
    assert bob.get("/cases/CASE-GENT-2").status_code == 404
    assert "CASE-GENT-2" not in bob.get("/cases").text
    token = csrf_of(bob.get("/cases").text)
    for action in ("", "/preview", "/reassess", "/amend", "/countersign"):
        response = bob.post(f"/assessments/{assessment_id}{action}", data={"csrf_token": token, "base_revision": "1"})
        assert response.status_code == 404, action


def test_judgements_are_never_prefilled(login: Login) -> None:
    client = login("alice")
    assessment_id = start_assessment(client)
    html = client.get(f"/assessments/{assessment_id}").text
    assert 'name="j.case_priority.level"' in html
    assert not any(name.endswith(".level") for name in form_fields(html))


def test_the_preview_panel_evaluates_unsaved_changes_without_saving(login: Login) -> None:
    client = login("alice")
    assessment_id = start_assessment(client)
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    fields.update({"r.MH1.presence": ["Y"], "r.MH1.relevance": ["high"]})
    response = client.post(f"/assessments/{assessment_id}/preview", data=fields)
    assert response.status_code == 200
    assert 'data-flag="trauma_load" data-status="raised"' in response.text
    assert "unsaved" in response.text
    again = client.get(f"/assessments/{assessment_id}").text
    assert 'data-flag="trauma_load" data-status="raised"' not in again  # nothing was saved


def test_an_amendment_carries_everything_over_and_leaves_the_final_locked(login: Login) -> None:
    client = login("alice")
    assessment_id = _final_assessment(client)
    page = client.get(f"/assessments/{assessment_id}")
    assert "disabled" in page.text  # the final one is read-only
    response = client.post(f"/assessments/{assessment_id}/amend", data={"csrf_token": csrf_of(page.text)})
    assert "Amendment started" in response.text
    fields = form_fields(response.text)
    assert fields["j.case_priority.level"] == ["moderate"]
    locked = post_form(client, assessment_id, form_fields(page.text) | {"base_revision": ["2"]})
    assert locked.status_code == 409 and "<code>locked</code>" in locked.text


def test_a_multiple_choice_case_field_is_a_group_of_checkboxes_that_keeps_every_code(login: Login) -> None:
    client = login("alice")
    assessment_id = start_assessment(client, "CASE-LEGAL-1")
    page = client.get(f"/assessments/{assessment_id}").text
    assert 'type="checkbox" name="case.status" value="ftf_returned"' in page
    assert "<legend>Category in the common database</legend>" in page
    fields = form_fields(page)
    response = post_form(client, assessment_id, fields, case__status=["ftf_returned", "convict"], case__mandate="court")
    assert response.status_code == 303, response.text
    again = form_fields(client.get(response.headers["location"]).text)
    assert again["case.status"] == ["ftf_returned", "convict"]
    assert again["case.mandate"] == ["court"]
    cleared = post_form(client, assessment_id, again, case__status=[])
    assert cleared.status_code == 303
    assert "case.status" not in form_fields(client.get(cleared.headers["location"]).text)
