"""The plan page (`/assessments/{id}/plan`): the proposal with its reasons, a decision on every step, added steps,
partners from the deployment's register, finalising refused with the error summary, isolation of agencies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from spj.api.app import create_app
from spj.disclosure import parse_deployment
from spj.store import MemoryStore

from .conftest import (
    FAST_HASHER,
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


def _rated(client: TestClient, case_id: str = "CASE-PLAN-1") -> str:
    """An assessment whose ratings make the engine propose trauma treatment and its prerequisite."""
    assessment_id = start_assessment(client, case_id)
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    response = post_form(client, assessment_id, fields, r__MH1__presence="Y", r__MH1__relevance="high")
    assert response.status_code == 303, response.text
    return assessment_id


def _complete_the_ratings(client: TestClient, assessment_id: str) -> None:
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    for name in [n for n in fields if n.endswith(".presence") and fields[n] == [""]]:
        fields[name] = ["N"]
    for judgement in ("case_priority", "trajectory_readiness"):
        fields[f"j.{judgement}.level"] = ["moderate"]
        fields[f"j.{judgement}.rationale"] = ["Synthetic rationale"]
    assert post_form(client, assessment_id, fields).status_code == 303


def test_the_plan_page_is_linked_and_shows_the_proposal_with_its_reasons(login: Login) -> None:
    client = login("alice")
    assessment_id = _rated(client)
    assert f'href="/assessments/{assessment_id}/plan"' in client.get(f"/assessments/{assessment_id}").text
    page = client.get(f"/assessments/{assessment_id}/plan")
    assert page.status_code == 200
    html = page.text
    assert 'data-step="trauma_treatment"' in html and 'data-step="trauma_assessment"' in html
    assert "Why proposed" in html and "MH1" in html  # the rating that led to it
    assert "needed first by" in html  # the prerequisite says what needs it
    assert 'name="p.trauma_treatment.decision"' in html
    assert 'id="plan-warnings"' in html and "not decided" in html
    fields = form_fields(html, "plan-form")
    assert fields["p.trauma_treatment.decision"] == [""]  # never pre-decided
    assert fields["p.trauma_treatment.partner"] == [""]  # no deployment: the partner is typed


def test_deciding_every_step_saves_a_revision_and_shows_the_agreed_plan(login: Login) -> None:
    client = login("alice")
    assessment_id = _rated(client)
    fields = accept_every_step(plan_fields(client, assessment_id))
    response = post_plan(
        client,
        assessment_id,
        fields,
        p__trauma_treatment__decision="amend",
        p__trauma_treatment__start_week="10",
        p__trauma_treatment__reason="A diagnostic intake comes first.",
        p__trauma_treatment__partner="care-partner-synthetic",
        p__trauma_treatment__contact="intake team",
        p__trauma_treatment__objective="Sleep without nightmares.",
        p__trauma_treatment__addresses=["MH1"],
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith("/plan?saved=3")
    page = client.get(response.headers["location"])
    assert "Saved as revision 3" in page.text
    assert 'data-agreed="trauma_treatment"' in page.text and 'id="plan-warnings"' not in page.text
    fields = form_fields(page.text, "plan-form")
    assert fields["p.trauma_treatment.decision"] == ["amend"] and fields["p.trauma_treatment.start_week"] == ["10"]
    assert fields["p.trauma_treatment.addresses"] == ["MH1"]
    assert fields["p.trauma_treatment.contact"] == ["intake team"]
    assert fields["plan.review_date"] == ["2027-03-01"]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"p__trauma_assessment__decision": "decline"}, "p.trauma_assessment.reason", "needs a reason"),
        ({"p__trauma_assessment__decision": "amend"}, "p.trauma_assessment.reason", "needs a reason"),
        ({"p__trauma_assessment__status": "stopped"}, "p.trauma_assessment.status_reason", "stopped"),
        ({"p__no_such_step__decision": "accept"}, None, "neither an intervention"),
        ({"pa__0__id": "debt_help", "pa__0__title": "Debts", "pa__0__duration_weeks": "4"}, "pa.0.reason", "reason"),
        (
            {"pa__0__id": "debt_help", "pa__0__title": "Debts", "pa__0__duration_weeks": "four", "pa__0__reason": "x"},
            "pa.0.duration_weeks",
            "whole number",
        ),
    ],
    ids=["decline-no-reason", "amend-no-reason", "stopped-no-reason", "unknown-step", "added-no-reason", "weeks"],
)
def test_a_malformed_decision_is_a_draft_warning_and_refused_at_its_field_when_finalising(
    login: Login, changes: dict[str, Any], field: str | None, code: str
) -> None:
    """DESIGN 4.6: a draft reports the plan's findings as warnings: saved, and listed on the page; finalising
    refuses them at their fields. A value that is no value at all (weeks "four") is refused on every save."""
    client = login("alice")
    assessment_id = _rated(client)
    _complete_the_ratings(client, assessment_id)  # revision 3: only the plan stands in the way of finalising
    fields = accept_every_step(plan_fields(client, assessment_id))
    response = post_plan(client, assessment_id, fields, p__trauma_treatment__objective="Typed, kept.", **changes)
    if code != "whole number":
        assert response.status_code == 303, response.text
        page = client.get(response.headers["location"]).text
        assert "Saved as revision 4" in page
        warnings = page.split('id="plan-warnings"')[1].split("</div>")[0]
        assert code in warnings
        assert form_fields(page, "plan-form")["p.trauma_treatment.objective"] == ["Typed, kept."]
        response = post_plan(client, assessment_id, form_fields(page, "plan-form"), action="finalise")
    assert response.status_code == 422, response.text
    html = response.text
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert code in summary
    if field is not None:
        field_id = "f-" + field.replace(".", "-")
        assert f'href="#{field_id}"' in summary and f'id="{field_id}-error"' in html
    else:  # a step the page has no field for: named in the summary, not linked to a missing field
        assert "<li>" in summary and "no_such_step" in summary
    assert "Typed, kept." in html  # nothing typed is lost
    if code == "whole number":  # nothing saved
        assert form_fields(html, "plan-form")["base_revision"] == ["3"]
        assert client.get(f"/assessments/{assessment_id}/history").text.count('class="num"') == 3
    assert "<fieldset disabled>" not in client.get(f"/assessments/{assessment_id}/plan").text  # still a draft


def test_finalise_from_the_plan_page_is_refused_until_the_plan_is_decided(login: Login) -> None:
    client = login("alice")
    assessment_id = _rated(client)
    _complete_the_ratings(client, assessment_id)
    fields = plan_fields(client, assessment_id)
    refused = post_plan(client, assessment_id, fields, p__trauma_assessment__decision="accept", action="finalise")
    assert refused.status_code == 422
    html = refused.text
    assert "Not finalised yet" in html
    assert 'id="f-p-trauma_treatment-decision-error"' in html  # undecided, at its decision
    assert 'href="#f-plan-review_date"' in html  # the review date is missing
    assert 'id="f-p-trauma_assessment-decision-error"' not in html
    assert "Your changes are saved as revision 4" in html  # the decision made is kept
    response = post_plan(client, assessment_id, accept_every_step(form_fields(html, "plan-form")), action="finalise")
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith("?finalised=1")
    plan = client.get(f"/assessments/{assessment_id}/plan").text
    assert "<fieldset disabled>" in plan and "Save plan" not in plan
    assert 'data-agreed="trauma_treatment"' in plan


def test_the_assessment_page_sends_the_expert_to_the_plan_when_finalising(login: Login) -> None:
    client = login("alice")
    assessment_id = _rated(client)
    _complete_the_ratings(client, assessment_id)
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    refused = post_form(client, assessment_id, fields, action="finalise")
    assert refused.status_code == 422
    # In plain words, the step by its title (issue 9, point 3), never its id.
    assert "“Specialised trauma treatment” is proposed but not decided yet" in refused.text
    assert "trauma_treatment is proposed" not in refused.text
    assert f'<a href="/assessments/{assessment_id}/plan">Decide the plan on the plan page</a>' in refused.text


def test_added_steps_are_kept_and_can_be_removed(login: Login) -> None:
    client = login("alice")
    assessment_id = _rated(client)
    fields = accept_every_step(plan_fields(client, assessment_id))
    response = post_plan(
        client,
        assessment_id,
        fields,
        pa__0__id="debt_help",
        pa__0__title="Debt counselling",
        pa__0__duration_weeks="6",
        pa__0__requires="trauma_assessment",
        pa__0__reason="Debts threaten the housing.",
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    assert 'data-agreed="debt_help"' in page
    fields = form_fields(page, "plan-form")
    assert fields["pa.0.requires"] == ["trauma_assessment"] and fields["pa.0.title"] == ["Debt counselling"]
    response = post_plan(client, assessment_id, fields, pa__0__remove="1")
    assert response.status_code == 303
    assert 'data-agreed="debt_help"' not in client.get(response.headers["location"]).text


def test_a_conflicting_plan_save_keeps_what_was_typed(login: Login) -> None:
    alice, rita = login("alice"), login("rita")
    assessment_id = _rated(alice)
    mine = accept_every_step(plan_fields(alice, assessment_id))
    theirs = plan_fields(rita, assessment_id)
    assert post_plan(rita, assessment_id, theirs, p__trauma_assessment__decision="accept").status_code == 303
    response = post_plan(alice, assessment_id, mine, p__trauma_treatment__objective="Alice's objective")
    assert response.status_code == 409
    assert "Someone saved revision 3 in between" in response.text
    fields = form_fields(response.text, "plan-form")
    assert fields["p.trauma_treatment.objective"] == ["Alice's objective"] and fields["base_revision"] == ["3"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_another_agencys_plan_is_the_same_404_as_a_missing_one(login: Login, method: str) -> None:
    alice, bob = login("alice"), login("bob")
    assessment_id = _rated(alice)
    token = csrf_of(bob.get("/cases").text)
    data = {"csrf_token": token, "base_revision": "2"}
    theirs = bob.request(method, f"/assessments/{assessment_id}/plan", data=data if method == "POST" else None)
    missing = bob.request(method, "/assessments/A-does-not-exist/plan", data=data if method == "POST" else None)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace(assessment_id, "X") == missing.text.replace("A-does-not-exist", "X")


DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: hoj-gent, kind: probation, title: {en: House of Justice Gent (synthetic)}}
  - {id: care-gent, kind: care, title: {en: Care centre Gent (synthetic)}}
profiles:
  care: {basis: {en: Consent of the client}, sees: [case, plan.own]}
"""


def test_with_a_deployment_the_partner_is_chosen_from_its_register() -> None:
    app = create_app(
        MemoryStore(), secret_key="test-secret", hasher=FAST_HASHER, deployment=parse_deployment(DEPLOYMENT)
    )
    app.state.workspace.store.create_agency("hoj-gent", "House of Justice Gent (synthetic)")
    app.state.workspace.create_user(username="alice", password=PASSWORD, role="assessor", agency_id="hoj-gent")
    with TestClient(app) as client:
        page = client.get("/login")
        client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
        assessment_id = _rated(client)
        html = client.get(f"/assessments/{assessment_id}/plan").text
        assert '<select id="f-p-trauma_treatment-partner" name="p.trauma_treatment.partner"' in html
        assert '<option value="care-gent">Care centre Gent (synthetic)</option>' in html
        fields = accept_every_step(form_fields(html, "plan-form"))
        response = post_plan(client, assessment_id, fields, p__trauma_treatment__partner="care-gent")
        assert response.status_code == 303
        refused = post_plan(client, assessment_id, fields, p__trauma_treatment__partner="not-a-partner")
        assert refused.status_code == 422 and "is not a partner of this deployment" in refused.text
        assert 'href="#f-p-trauma_treatment-partner"' in refused.text


# ---- status updates on a final assessment ----------------------------------------------------------------


def _final_with_plan(client: TestClient) -> str:
    assessment_id = _rated(client)
    _complete_the_ratings(client, assessment_id)
    response = post_plan(
        client, assessment_id, accept_every_step(plan_fields(client, assessment_id)), action="finalise"
    )
    assert response.status_code == 303, response.text
    return assessment_id


def _status_form(html: str, step: str) -> dict[str, list[str]]:
    return form_fields(html, f"status-{step}")


def test_the_assessing_agency_updates_a_steps_status_on_a_final_without_reopening_it(login: Login) -> None:
    client = login("alice")
    assessment_id = _final_with_plan(client)
    page = client.get(f"/assessments/{assessment_id}/plan").text
    assert 'id="delivery"' in page and 'id="status-trauma_treatment"' in page
    fields = _status_form(page, "trauma_treatment")
    assert fields["step"] == ["trauma_treatment"] and fields["status"] == ["proposed"]
    final_revision = int(fields["base_revision"][0])
    fields |= {"status": ["referred"], "started_on": ["2027-02-01"]}
    response = client.post(f"/assessments/{assessment_id}/plan/status", data=fields, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    assert f"Status updated: revision {final_revision + 1}" in page
    assert _status_form(page, "trauma_treatment")["status"] == ["referred"]
    assert _status_form(page, "trauma_treatment")["started_on"] == ["2027-02-01"]
    assert "<fieldset disabled>" in page  # the rest of the plan stays locked
    history = client.get(f"/assessments/{assessment_id}/history").text
    assert history.count('<td><span class="badge final">') == 2  # the final revision and the update


@pytest.mark.parametrize(
    ("changes", "field", "status_code"),
    [
        ({"status": ["stopped"]}, "u.trauma_treatment.status_reason", 422),
        ({"started_on": ["not a date"]}, "u.trauma_treatment.started_on", 422),
        ({"base_revision": ["stale"]}, None, 409),
    ],
    ids=["stopped-without-reason", "bad-date", "stale-revision"],
)
def test_a_refused_status_update_is_shown_and_nothing_is_written(
    login: Login, changes: dict[str, list[str]], field: str | None, status_code: int
) -> None:
    client = login("alice")
    assessment_id = _final_with_plan(client)
    page = client.get(f"/assessments/{assessment_id}/plan").text
    fields = _status_form(page, "trauma_treatment") | {"status_reason": ["Typed and kept."]}
    final_revision = int(fields["base_revision"][0])
    if "base_revision" in changes:
        changes = {"base_revision": [str(final_revision - 1)]}
    fields |= changes
    if field == "u.trauma_treatment.status_reason":
        fields["status_reason"] = [""]
    response = client.post(f"/assessments/{assessment_id}/plan/status", data=fields, follow_redirects=False)
    assert response.status_code == status_code, response.text
    if field is not None:
        field_id = "f-" + field.replace(".", "-")
        assert f'href="#{field_id}"' in response.text and f'id="{field_id}-error"' in response.text
        typed = _status_form(response.text, "trauma_treatment")
        assert typed["status"] == fields["status"] and typed["started_on"] == fields["started_on"]  # kept
    else:
        assert f"Someone saved revision {final_revision} in between" in response.text
    history = client.get(f"/assessments/{assessment_id}/history").text
    assert history.count('<td><span class="badge final">') == 1


def test_another_agency_cannot_update_a_status(login: Login) -> None:
    alice, bob = login("alice"), login("bob")
    assessment_id = _final_with_plan(alice)
    fields = _status_form(alice.get(f"/assessments/{assessment_id}/plan").text, "trauma_treatment")
    fields |= {"csrf_token": [csrf_of(bob.get("/cases").text)], "status": ["running"]}
    response = bob.post(f"/assessments/{assessment_id}/plan/status", data=fields, follow_redirects=False)
    assert response.status_code == 404


def test_the_plan_page_sets_the_plans_own_start_date(login: Login, app: Any) -> None:
    client = login("alice")
    assessment_id = _rated(client)
    fields = accept_every_step(plan_fields(client, assessment_id))
    assert fields["plan.start_date"] == [""]  # empty: week 0 is the assessment's date
    fields["plan.start_date"] = ["2027-02-01"]
    response = post_plan(client, assessment_id, fields)
    assert response.status_code == 303, response.text
    assert plan_fields(client, assessment_id)["plan.start_date"] == ["2027-02-01"]
    workspace = app.state.workspace
    alice = workspace.store.get_user_by_username("alice")
    agreed = workspace.evaluate(alice, assessment_id).agreed_plan
    assert agreed is not None and agreed.start_date == "2027-02-01"
    assert workspace.referrals.plan_delivery(alice, assessment_id).start == dt.date(2027, 2, 1)
    refused = post_plan(client, assessment_id, plan_fields(client, assessment_id), **{"plan__start_date": "soon"})
    assert refused.status_code == 422 and 'id="f-plan-start_date-error"' in refused.text
