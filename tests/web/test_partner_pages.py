"""The partners' pages: a partner signs in to its referrals; per referral the extract its profile allows, logged
each time it is shown; every other page of the workspace is the one 404 page (or not allowed) to it."""

from __future__ import annotations

import datetime as dt
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
    page_routes,
    plan_fields,
    post_form,
    post_plan,
    start_assessment,
)

DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: hoj-gent, kind: probation, title: {en: House of Justice Gent (synthetic)}}
  - {id: hoj-brugge, kind: probation}
  - {id: care-gent, kind: care, title: {en: Care centre Gent (synthetic)}}
  - {id: school-gent, kind: education}
profiles:
  care:
    basis: {en: Consent of the client}
    sees: [case, plan.own, ratings.mental_health]
"""


def ago(days: int) -> str:
    """A date `days` before today: delivery is recorded after the fact, never ahead of it."""
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


PEOPLE = (
    ("alice", "assessor", "hoj-gent"),
    ("bob", "assessor", "hoj-brugge"),
    ("carla", "partner", "care-gent"),
    ("sam", "partner", "school-gent"),
)


@pytest.fixture
def app() -> Any:
    """The pages over a deployment (overrides conftest's `app`, so that its `login` signs in here)."""
    app = create_app(
        MemoryStore(), secret_key="test-secret", hasher=FAST_HASHER, deployment=parse_deployment(DEPLOYMENT)
    )
    workspace = app.state.workspace
    for agency in ("hoj-gent", "hoj-brugge", "care-gent", "school-gent"):
        workspace.store.create_agency(agency, agency)
    for name, role, agency in PEOPLE:
        workspace.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)
    return app


def referred_assessment(alice: TestClient, partner: str = "care-gent") -> str:
    """A final assessment whose trauma treatment is referred to `partner`, through the pages."""
    assessment_id = start_assessment(alice, "CASE-REF-1")
    fields = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    for name in [n for n in fields if n.endswith(".presence")]:
        fields[name] = ["N"]
    fields |= {"r.MH1.presence": ["Y"], "r.MH1.relevance": ["high"]}
    for judgement in ("case_priority", "trajectory_readiness"):
        fields[f"j.{judgement}.level"] = ["moderate"]
        fields[f"j.{judgement}.rationale"] = ["Synthetic rationale"]
    assert post_form(alice, assessment_id, fields).status_code == 303
    decided = accept_every_step(plan_fields(alice, assessment_id))
    decided |= {"p.trauma_treatment.partner": [partner], "p.trauma_treatment.status": ["referred"]}
    response = post_plan(alice, assessment_id, decided, action="finalise")
    assert response.status_code == 303, response.text
    return assessment_id


def _referral_id(client: TestClient) -> str:
    html = client.get("/referrals").text
    return html.split('data-referral="')[1].split('"')[0]


def test_a_partner_signs_in_to_its_referrals_and_sees_the_extract_its_profile_allows(login: Any, app: Any) -> None:
    alice, carla = login("alice"), login("carla")
    referred_assessment(alice)
    assert carla.get("/", follow_redirects=False).headers["location"] == "/referrals"
    assert carla.get("/cases", follow_redirects=False).headers["location"] == "/referrals"
    listing = carla.get("/referrals").text
    assert 'href="/referrals"' in listing and 'href="/cases"' not in listing and 'href="/new"' not in listing
    assert "Specialised trauma treatment" in listing and "CASE-REF-1" in listing
    assert "House of Justice Gent (synthetic)" in listing
    referral_id = _referral_id(carla)
    page = carla.get(f"/referrals/{referral_id}")
    assert page.status_code == 200
    assert f'src="/referrals/{referral_id}/extract.html"' in page.text
    store = app.state.workspace.store
    assert store.disclosures.count() == 0  # the page itself shows no extract: its frame does
    extract = carla.get(f"/referrals/{referral_id}/extract.html")
    assert extract.status_code == 200 and "CASE-REF-1" in extract.text and "Consent of the client" in extract.text
    assert "script-src 'none'" in extract.headers["content-security-policy"]
    assert "Formulation" not in extract.text and "Case priority" not in extract.text  # not in its profile
    pdf = carla.get(f"/referrals/{referral_id}/extract.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    download = carla.get(f"/referrals/{referral_id}/extract.html?download=1")
    assert "attachment" in download.headers["content-disposition"]
    entries = store.disclosures.entries(case="CASE-REF-1")
    assert [(e["by"], e["agency"], e["from_agency"], e["channel"]) for e in entries] == [
        ("carla", "care-gent", "hoj-gent", "web"),
        ("carla", "care-gent", "hoj-gent", "download"),
        ("carla", "care-gent", "hoj-gent", "download"),
    ]
    assert all(e["sections"] == ["case", "ratings.mental_health", "plan.own"] for e in entries)


ASSESSMENT_GETS = (
    "",
    "/plan",
    "/report",
    "/report.html",
    "/report.pdf",
    "/history",
    "/changes",
    "/compare?from=1",
    "/revisions/1",
    "/double-rating",
)
ASSESSMENT_POSTS = (
    "",
    "/plan",
    "/plan/status",
    "/preview",
    "/autosave",
    "/autosave/discard",
    "/sources",
    "/restore",
    "/reassess",
    "/amend",
    "/countersign",
    "/return",
    "/double-rating",
)
REFERRAL_PAGES = ("", "/extract.html", "/extract.html?download=1", "/extract.pdf")


# The pages that name no record, and who may see them: everyone (signed in or not), any signed-in user, staff.
OTHER_PAGES = {
    ("GET", "/"): "signed-in",
    ("GET", "/login"): "everyone",
    ("POST", "/login"): "everyone",
    ("POST", "/logout"): "signed-in",
    ("POST", "/language"): "everyone",
    ("GET", "/static/web.css"): "everyone",
    ("GET", "/static/assessment.js"): "everyone",
    ("GET", "/static/confirm.js"): "everyone",
    ("GET", "/cases"): "staff",  # a partner is sent to its referrals
    ("GET", "/new"): "staff",
    ("POST", "/new"): "staff",
    ("GET", "/referrals"): "signed-in",
    ("GET", "/stats"): "staff",
    ("GET", "/stats.csv"): "staff",
    ("GET", "/stats/capacity"): "staff",  # tests/web/test_stats_page.py
    ("GET", "/stats/capacity.csv"): "staff",
    ("GET", "/stats/capacity.json"): "staff",
    ("GET", "/stats/agreement"): "staff",
    ("GET", "/training"): "signed-in",  # tests/web/test_training_pages.py: synthetic vignettes, no case
    ("GET", "/training/{vignette_id}"): "signed-in",
    ("POST", "/training/{vignette_id}"): "signed-in",
    ("GET", "/training/{vignette_id}/feedback"): "signed-in",
    ("GET", "/consultations"): "signed-in",  # tests/web/test_consultation_pages.py
    ("GET", "/consultations/{consultation_id}"): "signed-in",
    ("POST", "/consultations/{consultation_id}/approval"): "signed-in",  # test_consultation_approval_pages.py
    ("GET", "/openapi.json"): "everyone",
    ("GET", "/healthz"): "everyone",
    ("GET", "/readyz"): "everyone",
    ("GET", "/docs/oauth2-redirect"): "everyone",
    ("GET", "/{path:path}"): "everyone",  # the 404 page
}
STAFF_PAGES = (
    "/stats",
    "/stats.csv",
    "/stats/capacity",
    "/stats/capacity.csv",
    "/stats/capacity.json",
    "/stats/agreement",
)
DOUBLE_RATING_PAGES = {("GET", "/double-ratings/{rating_id}"), ("POST", "/double-ratings/{rating_id}/consensus")}


def test_the_tables_cover_every_page(app: Any) -> None:
    covered = {
        **{("GET", "/assessments/{assessment_id}" + p.split("?")[0]): True for p in ASSESSMENT_GETS},
        ("GET", "/assessments/{assessment_id}/revisions/{number}"): True,
        **{("POST", "/assessments/{assessment_id}" + p): True for p in ASSESSMENT_POSTS},
        **{("GET", "/referrals/{referral_id}" + p.split("?")[0]): True for p in REFERRAL_PAGES},
        ("POST", "/referrals/{referral_id}"): True,
        ("GET", "/cases/{case_id}"): True,
        **dict.fromkeys(OTHER_PAGES, True),
        **dict.fromkeys(DOUBLE_RATING_PAGES, True),
    }
    pages = page_routes(app)
    assert ("GET", "/assessments/{assessment_id}") in pages  # the walk finds the pages
    assert sorted(pages - set(covered)) == []


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_the_staff_pages_are_forbidden_to_a_partner(login: Any, path: str) -> None:
    assert {p for (_, p), who in OTHER_PAGES.items() if who == "staff" and p.startswith("/stats")} == set(STAFF_PAGES)
    response = login("carla").get(path)
    assert response.status_code == 403 and "<svg" not in response.text and "intervention" not in response.text


def test_a_partner_sees_nothing_else_of_the_workspace(login: Any, app: Any) -> None:
    alice, carla = login("alice"), login("carla")
    assessment_id = referred_assessment(alice)
    workspace = app.state.workspace
    workspace.create_user(username="bert", password=PASSWORD, role="assessor", agency_id="hoj-gent")
    owner = workspace.store.get_user_by_username("alice")
    rating_id = workspace.double_ratings.request(owner, assessment_id, "bert").rating.id
    for path in ASSESSMENT_GETS:
        theirs = carla.get(f"/assessments/{assessment_id}{path}")
        missing = carla.get(f"/assessments/A-does-not-exist{path}")
        assert theirs.status_code == missing.status_code == 404, path
        assert theirs.text.replace(assessment_id, "X") == missing.text.replace("A-does-not-exist", "X")
    theirs, missing = carla.get("/cases/CASE-REF-1"), carla.get("/cases/CASE-missing")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace("CASE-REF-1", "X") == missing.text.replace("CASE-missing", "X")
    token = csrf_of(carla.get("/referrals").text)
    for action in ASSESSMENT_POSTS:
        response = carla.post(
            f"/assessments/{assessment_id}{action}", data={"csrf_token": token, "base_revision": "1", "step": "x"}
        )
        assert response.status_code == 404, action
    for method, path in sorted(DOUBLE_RATING_PAGES):  # a double rating of the agency: the same 404 as a missing one
        for wanted in (rating_id, "DR-does-not-exist"):
            response = carla.request(method, path.replace("{rating_id}", wanted), data={"csrf_token": token})
            assert response.status_code == 404, (method, path)
    assert carla.get("/new").status_code == 403
    refused = carla.post("/new", data={"csrf_token": token, "instrument": "x@1", "case_id": "CASE-9"})
    assert refused.status_code == 403


@pytest.mark.parametrize("path", REFERRAL_PAGES)
@pytest.mark.parametrize("who", ["sam", "bob", "alice"])
def test_another_agencys_referral_is_the_same_404_as_a_missing_one(login: Any, app: Any, path: str, who: str) -> None:
    alice, carla = login("alice"), login("carla")
    referred_assessment(alice)
    referral_id = _referral_id(carla)
    other = alice if who == "alice" else login(who)
    missing_id = "R-" + "0" * 32
    theirs = other.get(f"/referrals/{referral_id}{path}")
    missing = other.get(f"/referrals/{missing_id}{path}")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace(referral_id, "X") == missing.text.replace(missing_id, "X")
    assert app.state.workspace.store.disclosures.count() == 0


def _post(client: TestClient, referral_id: str, **fields: str) -> Any:
    token = csrf_of(client.get(f"/referrals/{referral_id}").text)
    return client.post(f"/referrals/{referral_id}", data={"csrf_token": token, **fields}, follow_redirects=False)


def test_the_partner_responds_and_records_delivery_and_the_expert_follows_it(login: Any) -> None:
    alice, carla = login("alice"), login("carla")
    assessment_id = referred_assessment(alice)
    referral_id = _referral_id(carla)
    page = carla.get(f"/referrals/{referral_id}").text
    assert 'id="respond"' in page and "Pending" in page
    steps = [
        {"action": "accept"},
        {"action": "start", "start.date": ago(60)},
        {"action": "session", "session.date": ago(53), "session.attended": "yes"},
        {"action": "session", "session.date": ago(46), "session.attended": "no"},
        {"action": "note", "note.text": "Synthetic: progress is steady."},
        {"action": "note", "note.text": "SECRET-SYNTHETIC-NOTE", "note.secret": "1"},
        {"action": "end", "end.date": ago(1), "end.outcome": "completed"},
    ]
    for fields in steps:
        response = _post(carla, referral_id, **fields)
        assert response.status_code == 303, (fields, response.text)
        assert response.headers["location"] == f"/referrals/{referral_id}?recorded={fields['action']}"
    page = carla.get(f"/referrals/{referral_id}?recorded=end").text
    assert "Recorded." in page and 'id="respond"' not in page
    assert ago(60) in page and ago(1) in page and "SECRET-SYNTHETIC-NOTE" in page
    assert page.count('data-session="') == 2
    plan = alice.get(f"/assessments/{assessment_id}/plan").text
    row = plan.split('data-delivery="trauma_treatment"')[1].split("</tr>")[0]
    assert "accepted" in row and "1 of 2" in row and "ended" in row and "completed" in row
    assert "Synthetic: progress is steady." in plan
    assert "SECRET-SYNTHETIC-NOTE" not in plan  # it stays with the partner


@pytest.mark.parametrize(
    ("fields", "field", "status_code"),
    [
        ({"action": "decline", "decline.reason": ""}, "decline.reason", 422),
        ({"action": "start", "start.date": ago(3)}, None, 409),
        ({"action": "note", "note.text": ""}, "note.text", 422),
        ({"action": "start", "start.date": "yesterday"}, "start.date", 422),
    ],
    ids=["decline-without-reason", "start-before-accepting", "blank-note", "bad-date"],
)
def test_a_refused_record_is_shown_and_nothing_is_written(
    login: Any, app: Any, fields: dict[str, str], field: str | None, status_code: int
) -> None:
    alice, carla = login("alice"), login("carla")
    referred_assessment(alice)
    referral_id = _referral_id(carla)
    if fields["action"] == "start" and field is not None:
        assert _post(carla, referral_id, action="accept").status_code == 303
    before = len(app.state.workspace.store.referrals.events([referral_id]))
    response = _post(carla, referral_id, **fields)
    assert response.status_code == status_code, response.text
    assert 'id="error-summary"' in response.text
    if field is not None:
        field_id = "f-" + field.replace(".", "-")
        assert f'href="#{field_id}"' in response.text and f'id="{field_id}-error"' in response.text
    assert len(app.state.workspace.store.referrals.events([referral_id])) == before


def test_another_agency_cannot_record_on_a_referral(login: Any, app: Any) -> None:
    alice, carla, sam = login("alice"), login("carla"), login("sam")
    referred_assessment(alice)
    referral_id = _referral_id(carla)
    for other in (sam, alice):
        token = csrf_of(other.get("/cases", follow_redirects=True).text)
        response = other.post(f"/referrals/{referral_id}", data={"csrf_token": token, "action": "accept"})
        assert response.status_code == 404
    assert app.state.workspace.store.referrals.events([referral_id]) == []


def test_a_second_rating_refers_no_partner_and_withdraws_no_referral(login: Any, app: Any) -> None:
    alice, carla, sam = login("alice"), login("carla"), login("sam")
    first = referred_assessment(alice)  # trauma treatment referred to care-gent
    referral_id = _referral_id(carla)
    workspace = app.state.workspace
    workspace.create_user(username="bert", password=PASSWORD, role="assessor", agency_id="hoj-gent")
    owner = workspace.store.get_user_by_username("alice")
    second = workspace.double_ratings.request(owner, first, "bert").second.id
    bert = login("bert")
    fields = form_fields(bert.get(f"/assessments/{second}").text)
    for name in [n for n in fields if n.endswith(".presence")]:
        fields[name] = ["N"]
    fields |= {"r.MH1.presence": ["Y"], "r.MH1.relevance": ["high"]}
    for judgement in ("case_priority", "trajectory_readiness"):
        fields[f"j.{judgement}.level"] = ["high"]
        fields[f"j.{judgement}.rationale"] = ["Synthetic rationale of the second rater"]
    assert post_form(bert, second, fields).status_code == 303
    decided = accept_every_step(plan_fields(bert, second))
    decided |= {"p.trauma_treatment.partner": ["school-gent"], "p.trauma_treatment.status": ["referred"]}
    assert post_plan(bert, second, decided, action="finalise").status_code == 303
    assert workspace.store.get_assessment("hoj-gent", second).status == "final"
    # the second rating, finalised last, is not the case's current plan: carla keeps hers, sam gets none
    assert _referral_id(carla) == referral_id
    assert 'data-referral="' not in sam.get("/referrals").text
