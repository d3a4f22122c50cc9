"""Blind double rating over HTTP (issue 10, point 4): every route and page that takes an assessment id refuses
the rater an open double rating hides it from; the pages to ask, compare and record the consensus.

The app's routes are enumerated (API and pages, nested routers walked): a future route that takes an
assessment id is checked here without being listed, so it cannot leak the other rating silently.
Synthetic data only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from spj.store import MemoryStore

from .conftest import (
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

CASE = "CASE-DR-WEB"
INSTRUMENT = ("disengagement-trajectory", "2.0.0")
# JSON bodies of a shape the API accepts (a route that refuses the shape answers 422 before the service is asked)
API_BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "/api/v1/assessments/{assessment_id}"): {"base_revision": 1, "content": {}},
    ("POST", "/api/v1/assessments/{assessment_id}/finalise"): {"base_revision": 1, "content": {}},
    ("POST", "/api/v1/assessments/{assessment_id}/status"): {"base_revision": 1, "step": "x", "status": "running"},
    ("POST", "/api/v1/assessments/{assessment_id}/second-rating"): {"second_rater": "rita"},
}


@dataclass
class Pair:
    first: str
    second: str
    rating: str
    store: MemoryStore


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


def assessment_routes(app: Any) -> list[tuple[str, str]]:
    return sorted((m, p) for m, p in all_routes(app) if "{assessment_id}" in p)


@pytest.fixture
def pair(app: Any) -> Pair:
    workspace = app.state.workspace
    store: MemoryStore = workspace.store
    workspace.create_user(username="bert", password=PASSWORD, role="assessor", agency_id="hoj-gent")
    alice = store.get_user_by_username("alice")
    assert alice is not None
    view = workspace.create(alice, CASE, *INSTRUMENT)
    workspace.save(alice, view.id, view.head, {**view.content, "formulation": "Synthetic formulation, first rater."})
    made = workspace.double_ratings.request(alice, view.id, "bert")
    return Pair(view.id, made.second.id, made.rating.id, store)


def _token_client(app: Any, username: str) -> TestClient:
    workspace = app.state.workspace
    user = workspace.store.get_user_by_username(username)
    _, token = workspace.create_token(user)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def _call(app: Any, web: TestClient, api: TestClient, method: str, path: str, assessment_id: str) -> Any:
    url = path.replace("{assessment_id}", assessment_id).replace("{number}", "1")
    if path.startswith("/api/"):
        body = API_BODIES.get((method, path))
        return api.request(method, url, json=body) if body is not None else api.request(method, url)
    if method == "GET":
        return web.get(url + ("?from=1&to=1" if url.endswith("/compare") else ""))
    token = csrf_of(web.get("/cases").text)
    data = {"csrf_token": token, "base_revision": "1", "step": "x", "second_rater": "rita", "from": "1"}
    return web.request(method, url, data=data, follow_redirects=False)


def _refused_as_blinded(response: Any) -> bool:
    if response.status_code != 403:
        return False
    if response.headers.get("content-type", "").startswith("application/json"):
        return bool(response.json()["error"]["code"] == "blinded")
    return "<code>blinded</code>" in response.text


def test_the_enumeration_finds_the_routes_that_take_an_assessment_id(app: Any) -> None:
    routes = assessment_routes(app)
    assert ("GET", "/api/v1/assessments/{assessment_id}") in routes
    assert ("GET", "/assessments/{assessment_id}/report.pdf") in routes
    assert ("GET", "/api/v1/assessments/{assessment_id}/fhir") in routes
    assert len(routes) >= 35
    assert set(API_BODIES) <= set(routes)  # no stale entry


def test_every_route_taking_an_assessment_id_refuses_the_second_rater_the_first_rating(
    app: Any, login: Any, pair: Pair
) -> None:
    web, api = login("bert"), _token_client(app, "bert")
    before = len(pair.store.audit_events("hoj-gent", assessment_id=pair.first))
    leaks = []
    for method, path in assessment_routes(app):
        response = _call(app, web, api, method, path, pair.first)
        if not _refused_as_blinded(response):
            leaks.append((method, path, response.status_code))
        assert "Synthetic formulation, first rater" not in response.text, (method, path)
    assert leaks == []
    # nothing was read nor written on the first rating by the blinded rater
    assert len(pair.store.audit_events("hoj-gent", assessment_id=pair.first)) == before
    assert pair.store.get_assessment("hoj-gent", pair.first).head == 2


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_every_route_taking_an_assessment_id_refuses_anyone_else_the_open_second_rating(
    app: Any, login: Any, pair: Pair, who: str
) -> None:
    web, api = login(who), _token_client(app, who)
    leaks = []
    for method, path in assessment_routes(app):
        response = _call(app, web, api, method, path, pair.second)
        if not _refused_as_blinded(response):
            leaks.append((method, path, response.status_code))
    assert leaks == []
    assert pair.store.get_assessment("hoj-gent", pair.second).head == 1


def test_another_agency_gets_the_same_404_as_for_a_missing_assessment(app: Any, login: Any, pair: Pair) -> None:
    web, api = login("bob"), _token_client(app, "bob")
    for method, path in assessment_routes(app):
        for assessment_id in (pair.first, pair.second):
            theirs = _call(app, web, api, method, path, assessment_id)
            missing = _call(app, web, api, method, path, "A-does-not-exist")
            assert theirs.status_code == missing.status_code == 404, (method, path)
    for path in (f"/api/v1/double-ratings/{pair.rating}", f"/api/v1/double-ratings/{pair.rating}/comparison"):
        assert api.get(path).status_code == 404
    assert web.get(f"/double-ratings/{pair.rating}").status_code == 404
    assert api.get("/api/v1/double-ratings").json() == []


def test_the_lists_show_neither_rater_the_other_rating(app: Any, login: Any, pair: Pair) -> None:
    bert, alice = _token_client(app, "bert"), _token_client(app, "alice")
    assert {a["id"] for a in bert.get("/api/v1/assessments").json()} == {pair.second}
    assert pair.second not in {a["id"] for a in alice.get("/api/v1/assessments").json()}
    page = login("bert").get(f"/cases/{CASE}").text
    assert pair.second in page and pair.first not in page
    assert pair.second not in login("alice").get(f"/cases/{CASE}").text


def test_the_double_rating_state_says_blind_and_names_no_rating(app: Any, login: Any, pair: Pair) -> None:
    api = _token_client(app, "bert")
    state = api.get(f"/api/v1/double-ratings/{pair.rating}").json()
    assert (state["first_id"], state["second_id"], state["submitted"]) == (pair.first, pair.second, False)
    refused = api.get(f"/api/v1/double-ratings/{pair.rating}/comparison")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "blinded"
    page = login("bert").get(f"/double-ratings/{pair.rating}")
    assert page.status_code == 200 and 'id="blind"' in page.text and "Synthetic formulation" not in page.text
    mine = login("bert").get(f"/assessments/{pair.second}/double-rating")
    assert mine.status_code == 200 and 'id="blind"' in mine.text


def test_asking_for_a_second_rating_in_the_workspace(app: Any, login: Any) -> None:
    workspace = app.state.workspace
    workspace.create_user(username="bert", password=PASSWORD, role="assessor", agency_id="hoj-gent")
    alice = workspace.store.get_user_by_username("alice")
    view = workspace.create(alice, CASE, *INSTRUMENT)
    client = login("alice")
    page = client.get(f"/assessments/{view.id}/double-rating")
    assert page.status_code == 200 and 'id="ask-form"' in page.text
    assert f"/assessments/{view.id}/double-rating" in client.get(f"/assessments/{view.id}").text
    token = csrf_of(page.text)
    refused = client.post(f"/assessments/{view.id}/double-rating", data={"csrf_token": token, "second_rater": "alice"})
    assert refused.status_code == 422 and 'id="second_rater-error"' in refused.text
    assert workspace.store.double_ratings.of_agency("hoj-gent") == []
    done = client.post(
        f"/assessments/{view.id}/double-rating",
        data={"csrf_token": token, "second_rater": "<b>bert</b>".replace("<b>", "").replace("</b>", "")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(done.headers["location"])
    assert 'id="requested"' in shown.text and 'id="blind"' in shown.text
    (made,) = workspace.store.double_ratings.of_agency("hoj-gent")
    assert made.first_id == view.id
    assert made.second_id in login("bert").get("/cases").text


def test_the_agreement_page_and_route_are_for_staff_and_suppress_small_cells(app: Any, login: Any, pair: Pair) -> None:
    page = login("rita").get("/stats/agreement")
    assert page.status_code == 200 and "No double rating is complete yet" in page.text
    assert _token_client(app, "rita").get("/api/v1/stats/agreement").json() == []
    assert not re.search(r"A-[0-9a-f]{32}", page.text)


def _finalise_through_pages(client: TestClient, assessment_id: str, mental_health: str) -> None:
    """Every indicator absent but MH1 (`mental_health`), the judgements, every proposed step accepted: final."""
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    for name in [n for n in fields if n.endswith(".presence")]:
        fields[name] = ["N"]
    fields |= {"r.MH1.presence": [mental_health], "r.MH1.relevance": ["high"]}
    for judgement in ("case_priority", "trajectory_readiness"):
        fields[f"j.{judgement}.level"] = ["moderate"]
        fields[f"j.{judgement}.rationale"] = ["Synthetic rationale"]
    assert post_form(client, assessment_id, fields).status_code == 303
    response = post_plan(
        client, assessment_id, accept_every_step(plan_fields(client, assessment_id)), action="finalise"
    )
    assert response.status_code == 303, response.text


def test_compare_and_record_the_consensus_in_the_workspace(app: Any, login: Any) -> None:
    workspace = app.state.workspace
    workspace.create_user(username="bert", password=PASSWORD, role="assessor", agency_id="hoj-gent")
    alice, bert = login("alice"), login("bert")
    first = start_assessment(alice, CASE)
    _finalise_through_pages(alice, first, "Y")
    token = csrf_of(alice.get(f"/assessments/{first}/double-rating").text)
    alice.post(f"/assessments/{first}/double-rating", data={"csrf_token": token, "second_rater": "bert"})
    (made,) = workspace.store.double_ratings.of_agency("hoj-gent")
    assert alice.get(f"/double-ratings/{made.id}").text.count('data-verdict="') == 0  # blind
    _finalise_through_pages(bert, made.second_id, "N")
    page = alice.get(f"/double-ratings/{made.id}")
    assert page.status_code == 200
    assert 'data-item="MH1.presence" data-verdict="differ"' in page.text
    assert 'data-item="MH2.presence" data-verdict="agree"' in page.text
    fields = form_fields(page.text, "consensus-form")
    assert "value:MH1.presence" in fields and "value:MH2.presence" not in fields
    refused = alice.post(f"/double-ratings/{made.id}/consensus", data={**fields, "value:MH1.presence": "P"})
    assert refused.status_code == 422 and 'id="note-1-error"' in refused.text
    assert workspace.store.double_ratings.consensus_of("hoj-gent", made.id) is None
    note = "Synthetic note: <i>agreed</i> after reading the file together."
    done = alice.post(
        f"/double-ratings/{made.id}/consensus",
        data={**fields, "value:MH1.presence": "P", "note:MH1.presence": note},
        follow_redirects=False,
    )
    assert done.status_code == 303
    draft_id = done.headers["location"].split("/assessments/")[1].split("?")[0]
    draft = workspace.store.get_revision("hoj-gent", draft_id).content
    assert draft["ratings"]["MH1"]["presence"] == "P" and draft["amends"] == first
    shown = alice.get(f"/double-ratings/{made.id}")
    assert (
        'id="consensus"' in shown.text and "&lt;i&gt;agreed&lt;/i&gt;" in shown.text and "<i>agreed" not in shown.text
    )
    agreement = login("rita").get("/stats/agreement")
    assert "&lt;5" in agreement.text  # one pair: the cell is suppressed
    assert 'id="agreement"' in agreement.text


def test_a_consensus_over_the_api_is_refused_with_a_problem_per_field_then_kept(app: Any, login: Any) -> None:
    workspace = app.state.workspace
    workspace.create_user(username="bert", password=PASSWORD, role="assessor", agency_id="hoj-gent")
    alice_web, bert_web = login("alice"), login("bert")
    first = start_assessment(alice_web, CASE)
    _finalise_through_pages(alice_web, first, "Y")
    alice = _token_client(app, "alice")
    asked = alice.post(f"/api/v1/assessments/{first}/second-rating", json={"second_rater": "bert"})
    assert asked.status_code == 201, asked.text
    rating = asked.json()
    assert (rating["first_id"], rating["submitted"], rating["consensus"]) == (first, False, None)
    again = alice.post(f"/api/v1/assessments/{first}/second-rating", json={"second_rater": "rita"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "double-rating"
    _finalise_through_pages(bert_web, rating["second_id"], "N")
    compared = alice.get(f"/api/v1/double-ratings/{rating['id']}/comparison")
    assert compared.status_code == 200 and compared.json()["double_rating"]["submitted"] is True
    mh1 = next(i for i in compared.json()["items"] if i["item"] == "MH1.presence")
    assert (mh1["first"], mh1["second"], mh1["verdict"]) == ("Y", "N", "differ")
    refused = alice.post(
        f"/api/v1/double-ratings/{rating['id']}/consensus", json={"decisions": {"MH1.presence": {"value": "P"}}}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "double-rating"
    assert [p["path"] for p in refused.json()["error"]["problems"]] == ["decisions.MH1.presence.note"]
    kept = alice.post(
        f"/api/v1/double-ratings/{rating['id']}/consensus",
        json={"decisions": {"MH1.presence": {"value": "P", "note": "Synthetic note."}}},
    )
    assert kept.status_code == 201, kept.text
    draft = kept.json()["assessment_id"]
    assert kept.headers["location"] == f"/api/v1/assessments/{draft}"
    assert alice.get(f"/api/v1/assessments/{draft}").json()["content"]["ratings"]["MH1"]["presence"] == "P"
    state = alice.get(f"/api/v1/double-ratings/{rating['id']}").json()
    assert state["consensus"]["assessment_id"] == draft and state["consensus"]["items"][0]["value"] == "P"
    assert [r["id"] for r in alice.get("/api/v1/double-ratings").json()] == [rating["id"]]


def test_a_page_of_the_list_is_filled_past_the_hidden_assessments(app: Any, pair: Pair) -> None:
    workspace = app.state.workspace
    alice = workspace.store.get_user_by_username("alice")
    for _ in range(3):  # more of the blinded case: hidden from bert
        workspace.create(alice, CASE, *INSTRUMENT)
    other = workspace.create(alice, "CASE-DR-OTHER", *INSTRUMENT).id
    bert = _token_client(app, "bert")
    seen, cursor = [], None
    while True:
        response = bert.get("/api/v1/assessments", params={"limit": 1, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        seen += [a["id"] for a in response.json()]
        cursor = response.headers.get("Next-Cursor")
        if cursor is None:
            break
    assert seen == [pair.second, other]
    first_page = bert.get("/api/v1/assessments", params={"limit": 2}).json()
    assert [a["id"] for a in first_page] == [pair.second, other]
