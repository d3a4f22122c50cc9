"""Every read audited (issue 13, item 6): each route that shows case content writes a read row.

The app's routes are enumerated (API and pages, FastAPI's nested routers
walked): each must be listed below, either as showing case content, with the
request that shows it and the audit rows it must leave, or with the reason it
shows none. A new route that is in neither table fails the test, so it cannot
be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from spj.store import MemoryStore

from .conftest import TestClient, form_fields

CASE = "CASE-READ-1"


@dataclass
class Setup:
    web: TestClient
    api: TestClient
    store: MemoryStore
    first: str  # an assessment
    second: str  # its reassessment (previous_id = first)
    csrf: str


@dataclass(frozen=True)
class Shows:
    """A route that shows case content: how to call it and the (assessment, action) rows it must write."""

    call: Callable[[Setup, Any], Any]  # (setup, what `prepare` returned) -> response
    rows: Callable[[Setup], set[tuple[str, str]]]
    prepare: Callable[[Setup], Any] = lambda s: None  # done before the rows are counted


def _first(action: str) -> Callable[[Setup], set[tuple[str, str]]]:
    return lambda s: {(s.first, action)}


def _stale_save_api(s: Setup, content: Any) -> Any:
    # revision 2 exists: a conflict that shows revision 2's content
    return s.api.put(f"/api/v1/assessments/{s.first}", json={"base_revision": 1, "content": content})


def _stale_form(page: str, form_id: str) -> Callable[[Setup], dict[str, list[str]]]:
    def prepare(s: Setup) -> dict[str, list[str]]:
        fields = form_fields(s.web.get(page.format(s.first)).text, form_id)
        fields["base_revision"] = ["1"]
        return fields

    return prepare


def _post(page: str) -> Callable[[Setup, Any], Any]:
    return lambda s, fields: s.web.post(page.format(s.first), data=fields, follow_redirects=False)


def _submitted_double_rating(s: Setup) -> tuple[str, str, str]:
    """A double rating of two final assessments (written straight to the store): (rating, first, second)."""
    import datetime as dt

    from spj.store.double_ratings import DoubleRating

    rita = s.store.get_user_by_username("rita")
    assert rita is not None
    content = s.store.get_revision("hoj-gent", s.first).content
    made = []
    s.store.create_case("hoj-gent", "CASE-DR", actor=rita.id)
    for n in (1, 2):
        record, _ = s.store.create_assessment(
            "hoj-gent",
            assessment_id=f"A-DR-{n}",
            case_id="CASE-DR",
            instrument_id=content["instrument"]["id"],
            instrument_version=content["instrument"]["version"],
            content={**content, "id": f"A-DR-{n}"},
            actor=rita.id,
        )
        s.store.finalise("hoj-gent", record.id, base=1, content={**content, "id": record.id}, actor=rita.id)
        made.append(record.id)
    at = dt.datetime.now(dt.UTC)
    s.store.double_ratings.add(DoubleRating("DR-READ", "hoj-gent", "CASE-DR", made[0], made[1], rita.id, rita.id, at))
    return "DR-READ", made[0], made[1]


def _both_compared(s: Setup) -> set[tuple[str, str]]:
    return {("A-DR-1", "read-comparison"), ("A-DR-2", "read-comparison")}


CONTENT: dict[tuple[str, str], Shows] = {
    ("GET", "/api/v1/double-ratings/{rating_id}/comparison"): Shows(
        lambda s, made: s.api.get(f"/api/v1/double-ratings/{made[0]}/comparison"),
        _both_compared,
        prepare=_submitted_double_rating,
    ),
    ("GET", "/double-ratings/{rating_id}"): Shows(
        lambda s, made: s.web.get(f"/double-ratings/{made[0]}"), _both_compared, prepare=_submitted_double_rating
    ),
    ("GET", "/api/v1/assessments/{assessment_id}"): Shows(
        lambda s, _: s.api.get(f"/api/v1/assessments/{s.first}"), _first("read")
    ),
    ("GET", "/api/v1/assessments/{assessment_id}/evaluation"): Shows(
        lambda s, _: s.api.get(f"/api/v1/assessments/{s.first}/evaluation"), _first("read-evaluation")
    ),
    ("GET", "/api/v1/assessments/{assessment_id}/history"): Shows(
        lambda s, _: s.api.get(f"/api/v1/assessments/{s.first}/history"), _first("read-history")
    ),
    ("GET", "/api/v1/assessments/{assessment_id}/report"): Shows(
        lambda s, _: s.api.get(f"/api/v1/assessments/{s.first}/report?format=md"), _first("read-report")
    ),
    ("GET", "/api/v1/assessments/{assessment_id}/delivery"): Shows(
        lambda s, _: s.api.get(f"/api/v1/assessments/{s.first}/delivery"), _first("read-delivery")
    ),
    ("GET", "/api/v1/assessments/{assessment_id}/fhir"): Shows(
        lambda s, _: s.api.get(f"/api/v1/assessments/{s.first}/fhir"), _first("read")
    ),
    ("PUT", "/api/v1/assessments/{assessment_id}"): Shows(
        _stale_save_api,
        _first("read-conflict"),
        prepare=lambda s: s.store.get_revision("hoj-gent", s.first).content,
    ),
    ("GET", "/api/v1/assessments/{assessment_id}/revisions/{number}"): Shows(
        lambda s, _: s.api.get(f"/api/v1/assessments/{s.first}/revisions/1"), _first("read-revision")
    ),
    ("PATCH", "/api/v1/assessments/{assessment_id}"): Shows(
        lambda s, _: s.api.patch(
            f"/api/v1/assessments/{s.first}",
            content=b'{"formulation": "Stale."}',
            headers={"Content-Type": "application/merge-patch+json", "If-Match": '"1"'},
        ),
        _first("read-conflict"),
    ),
    ("GET", "/assessments/{assessment_id}"): Shows(lambda s, _: s.web.get(f"/assessments/{s.first}"), _first("read")),
    ("GET", "/assessments/{assessment_id}/plan"): Shows(
        lambda s, _: s.web.get(f"/assessments/{s.first}/plan"), _first("read-plan")
    ),
    ("GET", "/assessments/{assessment_id}/report"): Shows(
        lambda s, _: s.web.get(f"/assessments/{s.first}/report"), _first("read-report-page")
    ),
    ("GET", "/assessments/{assessment_id}/report.html"): Shows(
        lambda s, _: s.web.get(f"/assessments/{s.first}/report.html"), _first("read-report")
    ),
    ("GET", "/assessments/{assessment_id}/report.pdf"): Shows(
        lambda s, _: s.web.get(f"/assessments/{s.first}/report.pdf"), _first("read-report")
    ),
    ("GET", "/assessments/{assessment_id}/revisions/{number}"): Shows(
        lambda s, _: s.web.get(f"/assessments/{s.first}/revisions/1"), _first("read-revision")
    ),
    ("GET", "/assessments/{assessment_id}/compare"): Shows(
        lambda s, _: s.web.get(f"/assessments/{s.first}/compare?from=1&to=2"), _first("read-revision")
    ),
    ("GET", "/assessments/{assessment_id}/history"): Shows(
        lambda s, _: s.web.get(f"/assessments/{s.first}/history"), _first("read-history")
    ),
    ("GET", "/assessments/{assessment_id}/changes"): Shows(
        lambda s, _: s.web.get(f"/assessments/{s.second}/changes"),
        lambda s: {(s.second, "read-changes"), (s.first, "read-changes")},  # both assessments are shown
    ),
    ("POST", "/assessments/{assessment_id}/preview"): Shows(
        lambda s, _: s.web.post(f"/assessments/{s.first}/preview", data={"csrf_token": s.csrf}), _first("read-preview")
    ),
    ("POST", "/assessments/{assessment_id}"): Shows(
        _post("/assessments/{}"),
        _first("read-conflict"),
        prepare=_stale_form("/assessments/{}", "assessment-form"),
    ),
    ("POST", "/assessments/{assessment_id}/plan"): Shows(
        _post("/assessments/{}/plan"),
        lambda s: {(s.first, "read-conflict"), (s.first, "read-plan")},
        prepare=_stale_form("/assessments/{}/plan", "plan-form"),
    ),
}

WRITES = "a write: its own audit row (create, save, finalise, update-status, countersign) records it"
NO_CONTENT: dict[tuple[str, str], str] = {
    ("GET", "/"): "a redirect",
    ("GET", "/login"): "the sign-in form",
    ("POST", "/login"): "signs in",
    ("POST", "/logout"): "signs out",
    ("POST", "/language"): "sets the language",
    ("GET", "/new"): "the form to start an assessment",
    ("POST", "/new"): WRITES,
    ("GET", "/static/web.css"): "a stylesheet",
    ("GET", "/static/assessment.js"): "a script",
    ("GET", "/static/confirm.js"): "a script",
    ("POST", "/assessments/{assessment_id}/autosave"): "keeps the user's own unsaved form; answers its time only",
    ("POST", "/assessments/{assessment_id}/autosave/discard"): "drops the user's unsaved form; a redirect",
    ("POST", "/assessments/{assessment_id}/sources"): "a save (its own audit row); answers the new source only",
    ("GET", "/consultations"): "consultations' ids, dates and agencies: no case content",
    ("POST", "/consultations/{consultation_id}/approval"): "an approval: its own audit row; a redirect",
    ("POST", "/api/v1/consultations/{consultation_id}/approval"): "an approval: its own audit row; ids only",
    ("GET", "/api/v1/consultations"): "consultations' ids, dates and agencies: no case content",
    ("GET", "/consultations/{consultation_id}"): "a consultation: written to its disclosure log before it is shown",
    ("GET", "/api/v1/consultations/{consultation_id}"): "a consultation: written to its log before it is returned",
    ("GET", "/api/docs"): "the API documentation",
    ("GET", "/docs/oauth2-redirect"): "the API documentation",
    ("GET", "/openapi.json"): "the API schema",
    ("GET", "/healthz"): "the process answers: no case",
    ("GET", "/readyz"): "the database's schema revision: no case",
    ("GET", "/{path:path}"): "the not-found page",
    ("GET", "/cases"): "case pseudonyms, their assessments' ids, states and drafts' counts done: no content",
    ("GET", "/cases/{case_id}"): "one case's assessments' ids and states: no content",
    ("GET", "/api/v1/cases"): "case pseudonyms: no content",
    ("POST", "/api/v1/cases"): "a new case: its pseudonym, reference and metadata; no assessment content",
    ("GET", "/api/v1/cases/{case_id}"): "a case's pseudonym, reference and metadata: no assessment content",
    ("PATCH", "/api/v1/cases/{case_id}"): "a case's reference and metadata: no assessment content",
    ("GET", "/api/v1/events"): "the event feed: ids, kinds, revisions and times only",
    ("GET", "/api/v1/hooks/deliveries"): "web hook deliveries: ids, states and events (ids only)",
    ("POST", "/api/v1/hooks/deliveries/{delivery_id}/retry"): "a delivery queued again: ids only",
    ("GET", "/api/v1/assessments"): "assessments' ids and states: no content",
    ("GET", "/api/v1/instruments"): "instruments, not cases",
    ("GET", "/api/v1/instruments/{instrument_id}/{version}"): "an instrument, not a case",
    ("GET", "/stats"): "figures over many assessments, no case",
    ("GET", "/stats.csv"): "figures over many assessments, no case",
    ("GET", "/api/v1/stats/interventions"): "figures over many assessments, no case",
    ("GET", "/stats/capacity"): "figures over many assessments, no case",
    ("GET", "/stats/capacity.csv"): "figures over many assessments, no case",
    ("GET", "/stats/capacity.json"): "figures over many assessments, no case",
    ("GET", "/api/v1/stats/capacity"): "figures over many assessments, no case",
    ("GET", "/api/v1/tokens"): "an agency's API tokens (ids, accounts, labels, scopes): no case",
    ("POST", "/api/v1/tokens/{token_id}/revoke"): "revokes an API token: no case",
    ("GET", "/referrals"): "a partner's referrals: what to deliver, no assessment content",
    ("GET", "/referrals/{referral_id}"): "a partner's referral: what to deliver, no assessment content",
    ("POST", "/referrals/{referral_id}"): "a partner records delivery (its own event log)",
    ("GET", "/api/v1/referrals"): "a partner's referrals: what to deliver, no assessment content",
    ("GET", "/api/v1/referrals/{referral_id}"): "a partner's referral: what to deliver, no assessment content",
    ("POST", "/api/v1/referrals/{referral_id}/delivery"): "a partner records delivery (its own event log)",
    ("GET", "/referrals/{referral_id}/extract.html"): "an extract: written to the disclosure log before it is shown",
    ("GET", "/referrals/{referral_id}/extract.pdf"): "an extract: written to the disclosure log before it is shown",
    ("GET", "/api/v1/referrals/{referral_id}/extract"): "an extract: written to the disclosure log first",
    ("POST", "/api/v1/assessments"): WRITES,
    ("POST", "/api/v1/assessments/{assessment_id}/reassess"): WRITES,
    ("POST", "/api/v1/assessments/{assessment_id}/amend"): WRITES,
    ("POST", "/api/v1/assessments/{assessment_id}/finalise"): WRITES + "; a refusal echoes the sender's own content",
    ("POST", "/api/v1/assessments/{assessment_id}/status"): WRITES,
    ("POST", "/api/v1/assessments/{assessment_id}/countersign"): WRITES,
    ("POST", "/assessments/{assessment_id}/reassess"): WRITES,
    ("POST", "/assessments/{assessment_id}/restore"): WRITES + "; the earlier revision it reads writes read-revision",
    ("POST", "/assessments/{assessment_id}/amend"): WRITES,
    ("POST", "/assessments/{assessment_id}/countersign"): WRITES,
    ("POST", "/assessments/{assessment_id}/return"): WRITES,  # the return-to-assessor audit row
    ("POST", "/assessments/{assessment_id}/plan/status"): WRITES + "; a refusal shows the plan page (audited there)",
    ("POST", "/api/v1/assessments/{assessment_id}/second-rating"): WRITES + " (request-second-rating)",
    ("POST", "/assessments/{assessment_id}/double-rating"): WRITES + " (request-second-rating)",
    ("GET", "/assessments/{assessment_id}/double-rating"): "a double rating's ids and states: no content",
    ("GET", "/api/v1/double-ratings"): "double ratings' ids and states: no content",
    ("GET", "/api/v1/double-ratings/{rating_id}"): "a double rating's ids and states: no content",
    ("POST", "/api/v1/double-ratings/{rating_id}/consensus"): WRITES + " (record-consensus); its comparison is audited",
    ("POST", "/double-ratings/{rating_id}/consensus"): WRITES + " (record-consensus); its comparison is audited",
    ("GET", "/stats/agreement"): "figures over many double ratings, no case",
    ("GET", "/training"): "synthetic training vignettes, no case",
    ("GET", "/training/{vignette_id}"): "synthetic training vignettes, no case",
    ("POST", "/training/{vignette_id}"): "synthetic training vignettes, no case",
    ("GET", "/training/{vignette_id}/feedback"): "synthetic training vignettes, no case",
    ("GET", "/api/v1/stats/agreement"): "figures over many double ratings, no case",
}


def all_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, nested routers walked."""

    def walk(routes: Any) -> Iterator[tuple[str, str]]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from walk(inner.routes)
                continue
            for method in getattr(route, "methods", None) or ():
                yield method, route.path

    return {(m, p) for m, p in walk(app.routes) if m != "HEAD"}


def test_every_route_is_listed_as_showing_case_content_or_not(app: Any) -> None:
    routes = all_routes(app)
    assert not set(CONTENT) & set(NO_CONTENT)
    unlisted = sorted(routes - set(CONTENT) - set(NO_CONTENT))
    assert unlisted == [], f"say whether these routes show case content (and audit them if so): {unlisted}"
    assert sorted((set(CONTENT) | set(NO_CONTENT)) - routes) == []  # no stale entries


@pytest.fixture
def setup(app: Any, login: Callable[[str], TestClient]) -> Setup:
    workspace = app.state.workspace
    store: MemoryStore = workspace.store
    alice = store.get_user_by_username("alice")
    assert alice is not None
    view = workspace.create(alice, CASE, "disengagement-trajectory", "2.0.0")
    workspace.save(alice, view.id, view.head, {**view.content, "formulation": "Synthetic formulation."})
    second, _ = store.create_assessment(
        "hoj-gent",
        assessment_id="A-READ-2",
        case_id=CASE,
        instrument_id=view.record.instrument_id,
        instrument_version=view.record.instrument_version,
        content={**view.content, "id": "A-READ-2"},
        actor=alice.id,
        previous_id=view.id,
    )
    _, token = workspace.create_token(alice)
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    web = login("alice")
    csrf = form_fields(web.get(f"/assessments/{view.id}").text)["csrf_token"][0]
    return Setup(web=web, api=api, store=store, first=view.id, second=second.id, csrf=csrf)


def _rows(setup: Setup) -> list[tuple[str, str, str]]:
    return [(e.assessment_id or "", e.action, e.actor_id) for e in setup.store.audit_events("hoj-gent")]


@pytest.mark.parametrize("route", sorted(CONTENT), ids=lambda r: f"{r[0]} {r[1]}")
def test_a_route_that_shows_case_content_writes_a_read_row(setup: Setup, route: tuple[str, str]) -> None:
    shows = CONTENT[route]
    alice = setup.store.get_user_by_username("alice")
    assert alice is not None
    prepared = shows.prepare(setup)
    before = len(_rows(setup))
    response = shows.call(setup, prepared)
    assert response.status_code < 500, response.text
    new = _rows(setup)[before:]
    assert {(a, action) for a, action, _ in new} == shows.rows(setup), new
    assert {actor for _, _, actor in new} == {alice.id}
    assert setup.store.verify() == []
