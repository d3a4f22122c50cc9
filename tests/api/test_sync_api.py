"""Staying in sync over HTTP (issue 12): the event feed, case endpoints with an external reference,
`Idempotency-Key` on every POST, revisions in every response, PATCH as a JSON Merge Patch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, TestClient, completed, partial
from fastapi.routing import APIRoute

from spj.api import create_app
from spj.api.events_api import encode_cursor
from spj.api.idempotency import IdempotentRoute
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore

API = "/api/v1"
SECRET_TEXT = "Synthetic formulation that must never reach the feed."


@pytest.fixture
def app_workspace(registry: InstrumentRegistry) -> Iterator[tuple[TestClient, Workspace]]:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app.state.workspace


@pytest.fixture
def client(app_workspace: tuple[TestClient, Workspace]) -> TestClient:
    return app_workspace[0]


@pytest.fixture
def workspace(app_workspace: tuple[TestClient, Workspace]) -> Workspace:
    return app_workspace[1]


@pytest.fixture
def tokens(workspace: Workspace, people: People) -> dict[str, dict[str, str]]:
    out = {}
    for name in ("alice", "rita", "bob"):
        _, token = workspace.create_token(getattr(people, name))
        out[name] = {"Authorization": f"Bearer {token}"}
    return out


def _create(client: TestClient, headers: dict[str, str], case: str = "CASE-1", **more: str) -> Any:
    body = {"case_id": case, "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    return client.post(f"{API}/assessments", json=body, headers={**headers, **more})


def _events(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    return client.get(f"{API}/events", headers=headers, params=params)


# ---- the event feed


def test_the_feed_lists_each_change_of_the_agency_in_order_without_case_text(
    client: TestClient, workspace: Workspace, people: People, tokens: dict[str, dict[str, str]], example: Any
) -> None:
    created = _create(client, tokens["alice"]).json()
    view = workspace.get(people.alice, created["id"])
    content = {**partial(view, example), "formulation": SECRET_TEXT}
    saved = client.put(
        f"{API}/assessments/{view.id}", json={"base_revision": 1, "content": content}, headers=tokens["alice"]
    )
    assert saved.status_code == 200, saved.text
    final = client.post(
        f"{API}/assessments/{view.id}/finalise",
        json={"base_revision": 2, "content": {**completed(view, example), "formulation": SECRET_TEXT}},
        headers=tokens["alice"],
    )
    assert final.status_code == 200, final.text
    signed = client.post(f"{API}/assessments/{view.id}/countersign", json={}, headers=tokens["rita"])
    assert signed.status_code == 200, signed.text
    _create(client, tokens["bob"], "CASE-B")

    page = _events(client, tokens["alice"])
    assert page.status_code == 200
    body = page.json()
    kinds = [(e["kind"], e["assessment_id"], e["revision"]) for e in body["events"]]
    assert kinds[:2] == [("case-created", None, None), ("created", view.id, 1)]
    assert kinds[2:4] == [("saved", view.id, 2), ("finalised", view.id, 3)]
    assert kinds[-1] == ("countersigned", view.id, 3)
    assert {e["case_id"] for e in body["events"]} == {"CASE-1"}
    assert {e["agency_id"] for e in body["events"]} == {"agency-a"}
    assert SECRET_TEXT not in page.text and "Synthetic" not in page.text
    assert page.headers["Next-Cursor"] == body["next"]
    # bob's agency sees only its own
    assert [e["case_id"] for e in _events(client, tokens["bob"]).json()["events"]] == ["CASE-B", "CASE-B"]


def test_the_feed_pages_on_with_the_cursor_and_an_empty_page_keeps_it(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    _create(client, tokens["alice"])
    first = _events(client, tokens["alice"], limit=1).json()
    assert [e["kind"] for e in first["events"]] == ["case-created"]
    second = _events(client, tokens["alice"], after=first["next"], limit=1).json()
    assert [e["kind"] for e in second["events"]] == ["created"]
    empty = _events(client, tokens["alice"], after=second["next"]).json()
    assert empty == {"events": [], "next": second["next"]}
    _create(client, tokens["alice"], "CASE-2")
    later = _events(client, tokens["alice"], after=second["next"]).json()
    assert [e["kind"] for e in later["events"]] == ["case-created", "created"]
    only = _events(client, tokens["alice"], kind=["created"]).json()
    assert [e["kind"] for e in only["events"]] == ["created", "created"]


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"after": "not-a-cursor"}, "query.after"),
        ({"after": encode_cursor(10**6)}, "query.after"),  # never handed out
        ({"limit": 0}, "query.limit"),
        ({"limit": 501}, "query.limit"),
        ({"limit": "many"}, "query.limit"),
        ({"kind": "exploded"}, "query.kind[0]"),
    ],
)
def test_bad_feed_parameters_are_422_at_their_field(
    client: TestClient, tokens: dict[str, dict[str, str]], params: dict[str, Any], where: str
) -> None:
    response = _events(client, tokens["alice"], **params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid-request"
    assert response.json()["error"]["problems"][0]["path"] == where


def test_the_feed_needs_a_token(client: TestClient) -> None:
    assert client.get(f"{API}/events").status_code == 401


# ---- cases


def test_a_case_is_created_found_by_its_external_reference_and_patched(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    made = client.post(
        f"{API}/cases", json={"external_ref": "CMS/2026/7", "metadata": {"team": "north"}}, headers=tokens["alice"]
    )
    assert made.status_code == 201, made.text
    case = made.json()
    assert case["id"].startswith("C-") and case["external_ref"] == "CMS/2026/7"
    assert made.headers["Location"] == f"{API}/cases/{case['id']}"
    found = client.get(f"{API}/cases", params={"external_ref": "CMS/2026/7"}, headers=tokens["alice"]).json()
    assert [c["id"] for c in found] == [case["id"]]
    assert client.get(f"{API}/cases", params={"external_ref": "CMS/2026/7"}, headers=tokens["bob"]).json() == []
    patched = client.patch(
        f"{API}/cases/{case['id']}",
        content=json.dumps({"metadata": {"team": None, "unit": "7"}}),
        headers={**tokens["alice"], "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["metadata"] == {"unit": "7"} and patched.json()["external_ref"] == "CMS/2026/7"
    assert client.get(f"{API}/cases/{case['id']}", headers=tokens["bob"]).status_code == 404
    # an assessment for the case, by its id
    assert _create(client, tokens["alice"], case["id"]).status_code == 201


def test_a_taken_external_reference_or_id_is_a_conflict(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    assert (
        client.post(f"{API}/cases", json={"id": "C1", "external_ref": "X/1"}, headers=tokens["alice"]).status_code
        == 201
    )
    again = client.post(f"{API}/cases", json={"external_ref": "X/1"}, headers=tokens["alice"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert client.post(f"{API}/cases", json={"id": "C1"}, headers=tokens["alice"]).status_code == 409
    # another agency has its own numbers
    assert (
        client.post(f"{API}/cases", json={"id": "C1", "external_ref": "X/1"}, headers=tokens["bob"]).status_code == 201
    )


@pytest.mark.parametrize(
    "body",
    [{"id": "CMS/2026/7"}, {"id": "a name with spaces"}, {"external_ref": ""}, {"metadata": {"k": {"nested": 1}}}],
)
def test_a_bad_case_is_422(client: TestClient, tokens: dict[str, dict[str, str]], body: dict[str, Any]) -> None:
    response = client.post(f"{API}/cases", json=body, headers=tokens["alice"])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid-request"


def test_the_case_id_pattern_is_in_the_openapi_document(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    parameters = document["paths"]["/api/v1/cases/{case_id}"]["get"]["parameters"]
    case_id = next(p for p in parameters if p["name"] == "case_id")
    assert case_id["schema"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
    create = document["components"]["schemas"]["CreateAssessment"]["properties"]["case_id"]
    assert create["pattern"] == case_id["schema"]["pattern"]


# ---- idempotency


def test_the_same_key_and_body_returns_the_first_response_and_creates_once(
    client: TestClient, workspace: Workspace, people: People, tokens: dict[str, dict[str, str]]
) -> None:
    key = {"Idempotency-Key": "7d3c-create-1"}
    first = _create(client, tokens["alice"], **key)
    second = _create(client, tokens["alice"], **key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(workspace.store.list_assessments("agency-a")) == 1
    # the same key in another agency is another key
    assert _create(client, tokens["bob"], **key).json()["id"] != first.json()["id"]


def test_the_same_key_with_another_body_is_422_with_a_stable_code(
    client: TestClient, workspace: Workspace, tokens: dict[str, dict[str, str]]
) -> None:
    key = {"Idempotency-Key": "reused"}
    assert _create(client, tokens["alice"], "CASE-1", **key).status_code == 201
    other = _create(client, tokens["alice"], "CASE-2", **key)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency-key-reused"
    assert other.json()["error"]["problems"][0]["path"] == "header.Idempotency-Key"
    assert [c.id for c in workspace.store.list_cases("agency-a")] == ["CASE-1"]


def test_a_key_still_running_is_409_and_a_failed_request_frees_its_key(
    client: TestClient, workspace: Workspace, people: People, tokens: dict[str, dict[str, str]]
) -> None:
    from spj.api.idempotency import KEY_TTL
    from spj.store.hashing import utc_now

    workspace.store.idempotency.begin("agency-a", "busy", "other", now=utc_now(), ttl=KEY_TTL)
    busy = client.post(f"{API}/cases", json={}, headers={**tokens["alice"], "Idempotency-Key": "busy"})
    assert busy.status_code == 422  # another request's key (fingerprint differs)
    workspace.store.idempotency.abandon("agency-a", "busy")
    body = {"id": "C-2"}
    from fastapi import Request

    from spj.api.idempotency import fingerprint

    scope = {"type": "http", "method": "POST", "path": f"{API}/cases", "query_string": b"", "headers": []}
    workspace.store.idempotency.begin(
        "agency-a", "busy", fingerprint(Request(scope), json.dumps(body).encode()), now=utc_now(), ttl=KEY_TTL
    )
    running = client.post(
        f"{API}/cases",
        content=json.dumps(body),
        headers={**tokens["alice"], "Idempotency-Key": "busy", "Content-Type": "application/json"},
    )
    assert running.status_code == 409 and running.json()["error"]["code"] == "idempotency-key-in-use"
    # a request refused before any change frees its key: sent again (corrected), it runs
    missing = client.post(
        f"{API}/assessments/A-missing/countersign", json={}, headers={**tokens["rita"], "Idempotency-Key": "k2"}
    )
    assert missing.status_code == 404
    assert workspace.store.idempotency.begin("agency-a", "k2", "x", now=utc_now(), ttl=KEY_TTL).outcome == "new"


@pytest.mark.parametrize("key", ["", "x" * 201, "tab\there"])
def test_a_malformed_key_is_422(client: TestClient, tokens: dict[str, dict[str, str]], key: str) -> None:
    response = client.post(f"{API}/cases", json={}, headers={**tokens["alice"], "Idempotency-Key": key})
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["path"] == "header.Idempotency-Key"


def test_every_post_of_the_json_api_honours_and_declares_the_key(client: TestClient) -> None:
    def walk(routes: Any) -> Iterator[Any]:  # FastAPI keeps included routers nested
        for route in routes:
            inner = getattr(route, "original_router", None)
            yield from walk(inner.routes) if inner is not None else (route,)

    posts = [
        r
        for r in walk(client.app.routes)  # type: ignore[attr-defined]
        if isinstance(r, APIRoute) and "POST" in r.methods and r.path.startswith(API)
    ]
    assert len(posts) >= 10
    assert [r.path for r in posts if not isinstance(r, IdempotentRoute)] == []
    document = client.get("/openapi.json").json()
    for route in posts:
        parameters = document["paths"][route.path]["post"].get("parameters", [])
        assert "Idempotency-Key" in [p["name"] for p in parameters], route.path


# ---- revisions in every response, PATCH


@pytest.fixture
def draft(
    client: TestClient, workspace: Workspace, people: People, tokens: dict[str, dict[str, str]], example: Any
) -> str:
    created = _create(client, tokens["alice"]).json()
    view = workspace.get(people.alice, created["id"])
    saved = client.put(
        f"{API}/assessments/{view.id}",
        json={"base_revision": 1, "content": partial(view, example)},
        headers=tokens["alice"],
    )
    assert saved.status_code == 200
    return str(view.id)


def test_the_evaluation_and_the_report_name_their_revision(
    client: TestClient, tokens: dict[str, dict[str, str]], draft: str
) -> None:
    evaluation = client.get(f"{API}/assessments/{draft}/evaluation", headers=tokens["alice"])
    assert evaluation.status_code == 200
    assert (evaluation.json()["revision"], evaluation.json()["assessment_id"]) == (2, draft)
    assert evaluation.headers["ETag"] == '"2"'
    report = client.get(f"{API}/assessments/{draft}/report", params={"format": "md"}, headers=tokens["alice"])
    assert report.status_code == 200
    assert (report.headers["ETag"], report.headers["Spj-Revision"]) == ('"2"', "2")


def test_an_old_revision_is_read_with_its_content(
    client: TestClient, tokens: dict[str, dict[str, str]], draft: str
) -> None:
    first = client.get(f"{API}/assessments/{draft}/revisions/1", headers=tokens["alice"])
    assert first.status_code == 200
    assert (first.json()["number"], first.headers["ETag"]) == (1, '"1"')
    assert first.json()["content"]["ratings"] == {}
    second = client.get(f"{API}/assessments/{draft}/revisions/2", headers=tokens["alice"]).json()
    assert set(second["content"]["ratings"]) == {"EN1", "EN2"}
    assert client.get(f"{API}/assessments/{draft}/revisions/3", headers=tokens["alice"]).status_code == 404
    assert client.get(f"{API}/assessments/{draft}/revisions/0", headers=tokens["alice"]).status_code == 422
    assert client.get(f"{API}/assessments/{draft}/revisions/1", headers=tokens["bob"]).status_code == 404


def _patch(client: TestClient, headers: dict[str, str], draft: str, patch: Any, **more: str) -> Any:
    return client.patch(
        f"{API}/assessments/{draft}",
        content=json.dumps(patch),
        headers={**headers, "Content-Type": "application/merge-patch+json", **more},
    )


def test_a_merge_patch_changes_only_what_it_names(
    client: TestClient, tokens: dict[str, dict[str, str]], draft: str
) -> None:
    response = _patch(
        client, tokens["alice"], draft, {"formulation": "Patched.", "ratings": {"EN2": None}}, **{"If-Match": '"2"'}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["revision"], response.headers["ETag"]) == (3, '"3"')
    assert body["content"]["formulation"] == "Patched."
    assert set(body["content"]["ratings"]) == {"EN1"}  # null removed EN2, EN1 untouched
    assert body["content"]["sources"]  # untouched


def test_a_patch_is_refused_like_a_put_and_needs_if_match(
    client: TestClient, tokens: dict[str, dict[str, str]], draft: str
) -> None:
    no_match = _patch(client, tokens["alice"], draft, {"formulation": "x"})
    assert no_match.status_code == 428 and no_match.json()["error"]["code"] == "precondition-required"
    stale = _patch(client, tokens["alice"], draft, {"formulation": "x"}, **{"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["error"]["current_revision"] == 2
    invalid = _patch(
        client, tokens["alice"], draft, {"ratings": {"EN1": {"presence": "banana"}}}, **{"If-Match": '"2"'}
    )
    assert invalid.status_code == 422
    put = client.put(
        f"{API}/assessments/{draft}",
        json={
            "base_revision": 2,
            "content": {
                **client.get(f"{API}/assessments/{draft}", headers=tokens["alice"]).json()["content"],
                "ratings": {"EN1": {"presence": "banana"}},
            },
        },
        headers=tokens["alice"],
    )
    assert [p["code"] for p in invalid.json()["error"]["problems"]] == [
        p["code"] for p in put.json()["error"]["problems"]
    ]
    text = client.patch(
        f"{API}/assessments/{draft}",
        content="formulation=x",
        headers={**tokens["alice"], "Content-Type": "text/plain", "If-Match": '"2"'},
    )
    assert text.status_code == 415 and text.json()["error"]["code"] == "unsupported-media-type"
    not_object = _patch(client, tokens["alice"], draft, ["formulation"], **{"If-Match": '"2"'})
    assert not_object.status_code == 422
    assert client.get(f"{API}/assessments/{draft}", headers=tokens["alice"]).json()["revision"] == 2  # nothing saved


def test_the_new_routes_have_their_operation_ids_and_media_types(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    ids = {
        ("get", "/api/v1/events"): "listEvents",
        ("post", "/api/v1/cases"): "createCase",
        ("get", "/api/v1/cases/{case_id}"): "getCase",
        ("patch", "/api/v1/cases/{case_id}"): "updateCase",
        ("patch", "/api/v1/assessments/{assessment_id}"): "patchAssessment",
        ("get", "/api/v1/assessments/{assessment_id}/revisions/{number}"): "getRevision",
        ("get", "/api/v1/hooks/deliveries"): "listHookDeliveries",
        ("post", "/api/v1/hooks/deliveries/{delivery_id}/retry"): "retryHookDelivery",
    }
    assert {key: paths[key[1]][key[0]]["operationId"] for key in ids} == ids
    patch = paths["/api/v1/assessments/{assessment_id}"]["patch"]
    assert list(patch["requestBody"]["content"]) == ["application/merge-patch+json"]
    assert {"412", "415", "428"} <= set(patch["responses"])


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_replay_and_feed_on_a_sql_store(
    registry: InstrumentRegistry, request: pytest.FixtureRequest, kind: str
) -> None:
    from spj.store import SqlStore

    store = SqlStore(str(request.getfixturevalue("pg_url" if kind == "postgresql" else "sqlite_url")))
    try:
        app = create_app(store, instruments=registry, hasher=FAST_HASHER, web=False)
        workspace: Workspace = app.state.workspace
        store.create_agency("agency-a", "A")
        alice = workspace.create_user(
            username="alice", password="correct horse battery", role="assessor", agency_id="agency-a"
        )
        headers = {"Authorization": f"Bearer {workspace.create_token(alice)[1]}", "Idempotency-Key": "k-1"}
        with TestClient(app) as client:
            first, second = _create(client, headers), _create(client, headers)
            assert first.status_code == second.status_code == 201
            assert first.json() == second.json() and second.headers["Idempotent-Replayed"] == "true"
            assert _create(client, headers, "CASE-2").json()["error"]["code"] == "idempotency-key-reused"
            feed = _events(client, headers).json()
            assert [e["kind"] for e in feed["events"]] == ["case-created", "created"]
        assert len(store.list_assessments("agency-a")) == 1
    finally:
        store.close()
