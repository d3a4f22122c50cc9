"""The JSON API over HTTP (TestClient): isolation of agencies on every route, errors, conflicts, reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, TestClient, completed, partial

from spj.api import create_app
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore

API = "/api/v1"


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
    """Authorization headers by person."""
    out = {}
    for name in ("alice", "rita", "bob"):
        _, token = workspace.create_token(getattr(people, name))
        out[name] = {"Authorization": f"Bearer {token}"}
    _, token = workspace.create_token(
        workspace.create_user(username="bea", password="correct horse battery", role="reviewer", agency_id="agency-b")
    )
    out["bea"] = {"Authorization": f"Bearer {token}"}
    workspace.store.create_agency("agency-p", "Partner P (synthetic)")
    _, token = workspace.create_token(
        workspace.create_user(username="pia", password="correct horse battery", role="partner", agency_id="agency-p")
    )
    out["pia"] = {"Authorization": f"Bearer {token}"}  # a partner account (tests/api/test_partner_api.py: more)
    return out


def _create(client: TestClient, headers: dict[str, str], case: str = "CASE-1", **extra: Any) -> dict[str, Any]:
    body = {"case_id": case, "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION, **extra}
    response = client.post(f"{API}/assessments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _final(
    client: TestClient, workspace: Workspace, people: People, headers: dict[str, str], example: dict[str, Any]
) -> str:
    created = _create(client, headers)
    view = workspace.get(people.alice, created["id"])
    response = client.post(
        f"{API}/assessments/{view.id}/finalise",
        json={"base_revision": 1, "content": completed(view, example)},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return view.id


# Every route that names an agency's record: (method, path, body). `{id}` is an assessment, `{case}` its case.
ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/assessments/{id}", None),
    ("PUT", "/assessments/{id}", {"base_revision": 1, "content": {}}),
    ("POST", "/assessments/{id}/finalise", {"base_revision": 1, "content": {}}),
    ("POST", "/assessments/{id}/reassess", None),
    ("POST", "/assessments/{id}/amend", None),
    ("GET", "/assessments/{id}/evaluation", None),
    ("GET", "/assessments/{id}/report?format=html", None),
    ("GET", "/assessments/{id}/report?format=pdf", None),
    ("GET", "/assessments/{id}/history", None),
    ("POST", "/assessments/{id}/countersign", None),
    ("POST", "/assessments/{id}/status", {"base_revision": 2, "step": "motivational_work", "status": "running"}),
    ("GET", "/assessments/{id}/delivery", None),
    ("GET", "/assessments/{id}/fhir", None),
    ("POST", "/assessments/{id}/second-rating", {"second_rater": "rita"}),
    ("GET", "/assessments?case_id={case}", None),
    ("PATCH", "/assessments/{id}", {"formulation": "x"}),
    ("GET", "/assessments/{id}/revisions/1", None),
    ("GET", "/cases/{case}", None),
    ("PATCH", "/cases/{case}", {"metadata": {"team": "north"}}),
]


def test_the_route_table_covers_every_record_route(client: TestClient) -> None:
    covered = {(m, p.split("?")[0]) for m, p, _ in ROUTES}
    for path, item in client.get("/openapi.json").json()["paths"].items():
        for method in item:
            if "{assessment_id}" in path:
                template = path.removeprefix(API).replace("{assessment_id}", "{id}").replace("{number}", "1")
                assert (method.upper(), template) in covered


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
@pytest.mark.parametrize("who", ["bob", "bea", "pia"])
def test_another_agencys_record_is_exactly_a_missing_one(
    client: TestClient,
    workspace: Workspace,
    people: People,
    tokens: dict[str, dict[str, str]],
    example: dict[str, Any],
    method: str,
    path: str,
    body: Any,
    who: str,
) -> None:
    final_id = _final(client, workspace, people, tokens["alice"], example)

    def call(assessment_id: str, case_id: str) -> Any:
        url = API + path.format(id=assessment_id, case=case_id)
        return client.request(method, url, headers=tokens[who], json=body)

    theirs = call(final_id, "CASE-1")
    missing = call("A-missing", "CASE-missing")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"]["code"] == missing.json()["error"]["code"] == "not-found"
    assert theirs.json()["error"]["message"].replace(final_id, "X").replace("CASE-1", "X") == (
        missing.json()["error"]["message"].replace("A-missing", "X").replace("CASE-missing", "X")
    )
    assert set(theirs.headers) - {"content-length"} == set(missing.headers) - {"content-length"}


def test_cases_of_another_agency_are_not_listed(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    _create(client, tokens["alice"], "CASE-A")
    assert [c["id"] for c in client.get(f"{API}/cases", headers=tokens["alice"]).json()] == ["CASE-A"]
    assert client.get(f"{API}/cases", headers=tokens["bob"]).json() == []
    assert client.get(f"{API}/assessments", headers=tokens["bob"]).json() == []


ALL_ROUTES = [
    ("GET", "/instruments"),
    ("GET", f"/instruments/{INSTRUMENT_ID}/{VERSION}"),
    ("GET", "/cases"),
    ("GET", "/assessments"),
    ("POST", "/assessments"),
    *((m, p.format(id="A-1", case="C")) for m, p, _ in ROUTES),
]


@pytest.mark.parametrize(("method", "path"), ALL_ROUTES)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic YWxpY2U6eA=="}, {"Authorization": "Bearer"}],
    ids=["none", "bad", "basic", "empty"],
)
def test_no_or_bad_token_is_401(
    client: TestClient, people: People, method: str, path: str, headers: dict[str, str]
) -> None:
    response = client.request(method, API + path, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ('{"case_id": "C", ', "body"),
        ("[]", "body"),
        ('{"instrument_id": "x", "instrument_version": "1.0.0"}', "body.case_id"),
        ('{"case_id": 7, "instrument_id": "x", "instrument_version": "1.0.0"}', "body.case_id"),
        ('{"case_id": "C", "instrument_id": "x", "instrument_version": "1.0.0", "extra": 1}', "body.extra"),
        (json.dumps({"case_id": "John Doe", "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}), "case_id"),
    ],
)
def test_malformed_create_is_422_with_the_field(
    client: TestClient, tokens: dict[str, dict[str, str]], body: str, path: str
) -> None:
    response = client.post(
        f"{API}/assessments", content=body, headers={**tokens["alice"], "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid-request"
    assert any(p["path"] == path for p in error["problems"]), error


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"base_revision": "one", "content": {}}, "invalid-request", "body.base_revision"),
        ({"base_revision": 0, "content": {}}, "invalid-request", "body.base_revision"),
        ({"base_revision": 1}, "invalid-request", "body.content"),
        ({"content": {}}, "invalid-request", "body.base_revision"),
        ({"base_revision": 1, "content": []}, "invalid-request", "body.content"),
        (
            {"base_revision": 1, "content": {"ratings": {"EN1": {"presence": "?"}}}},
            "unknown-code",
            "ratings.EN1.presence",
        ),
        ({"base_revision": 1, "content": {"ratings": "all"}}, "schema", "ratings"),
        ({"base_revision": 1, "content": {"date": "yesterday"}}, "schema", "date"),
    ],
)
def test_malformed_save_is_422_with_the_field(
    client: TestClient, tokens: dict[str, dict[str, str]], body: Any, code: str, path: str
) -> None:
    created = _create(client, tokens["alice"])
    if isinstance(body.get("content"), dict) and body["content"]:
        body = {**body, "content": {**created["content"], **body["content"]}}
    response = client.put(f"{API}/assessments/{created['id']}", json=body, headers=tokens["alice"])
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert any(p["code"] == code and p["path"] == path for p in error["problems"]), error


def test_save_and_conflict_echoes_the_content(
    client: TestClient,
    workspace: Workspace,
    people: People,
    tokens: dict[str, dict[str, str]],
    example: dict[str, Any],
) -> None:
    created = _create(client, tokens["alice"])
    url = f"{API}/assessments/{created['id']}"
    view = workspace.get(people.alice, created["id"])
    first = client.put(
        url, json={"base_revision": 1, "content": {**view.content, "formulation": "first"}}, headers=tokens["rita"]
    )
    assert first.status_code == 200 and first.json()["revision"] == 2 and first.headers["etag"] == '"2"'
    mine = {**partial(view, example), "formulation": "mine"}
    response = client.put(url, json={"base_revision": 1, "content": mine}, headers=tokens["alice"])
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict" and error["current_revision"] == 2
    assert error["content"]["formulation"] == "mine" and error["content"]["ratings"] == mine["ratings"]
    assert error["current_content"]["formulation"] == "first"


def test_if_match(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    created = _create(client, tokens["alice"])
    url = f"{API}/assessments/{created['id']}"
    content = {**created["content"], "formulation": "x"}
    stale = client.put(url, json={"content": content}, headers={**tokens["alice"], "If-Match": '"7"'})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "conflict"
    assert stale.json()["error"]["content"]["formulation"] == "x"
    assert (
        client.put(url, json={"content": content}, headers={**tokens["alice"], "If-Match": "nope"}).status_code == 422
    )
    ok = client.put(
        url, json={"content": content}, headers={**tokens["alice"], "If-Match": created["revision"] and '"1"'}
    )
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    assert client.get(url, headers=tokens["alice"]).headers["etag"] == '"2"'


def test_finalise_refused_then_done_then_locked(
    client: TestClient,
    workspace: Workspace,
    people: People,
    tokens: dict[str, dict[str, str]],
    example: dict[str, Any],
) -> None:
    created = _create(client, tokens["alice"])
    url = f"{API}/assessments/{created['id']}"
    view = workspace.get(people.alice, created["id"])
    refused = client.post(
        f"{url}/finalise", json={"base_revision": 1, "content": partial(view, example)}, headers=tokens["alice"]
    )
    assert refused.status_code == 422
    codes = {p["code"] for p in refused.json()["error"]["problems"]}
    assert {"incomplete", "missing-judgement", "missing-rationale"} <= codes
    done = client.post(
        f"{url}/finalise", json={"base_revision": 1, "content": completed(view, example)}, headers=tokens["alice"]
    )
    assert done.status_code == 200 and done.json()["status"] == "final"
    locked = client.put(url, json={"base_revision": 2, "content": done.json()["content"]}, headers=tokens["alice"])
    assert locked.status_code == 423 and locked.json()["error"]["code"] == "locked"


def test_countersign_reassess_history(
    client: TestClient,
    workspace: Workspace,
    people: People,
    tokens: dict[str, dict[str, str]],
    example: dict[str, Any],
) -> None:
    final_id = _final(client, workspace, people, tokens["alice"], example)
    url = f"{API}/assessments/{final_id}"
    assert client.post(f"{url}/countersign", headers=tokens["alice"]).json()["error"]["code"] == "forbidden"
    signed = client.post(f"{url}/countersign", headers=tokens["rita"])
    assert signed.status_code == 200 and signed.json()["countersigned_by"] == people.rita.id
    again = client.post(f"{url}/countersign", headers=tokens["rita"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"  # issue 13, point 5
    chosen = client.post(f"{url}/reassess", json={"assessment_id": "A-next"}, headers=tokens["alice"])
    assert chosen.status_code == 422  # ids are generated, never chosen by the client
    new = client.post(f"{url}/reassess", headers=tokens["alice"])
    assert new.status_code == 201 and new.json()["previous_id"] == final_id
    assert new.json()["id"] != "A-next" and new.headers["location"].endswith(new.json()["id"])
    assert new.json()["content"]["ratings"] == example["ratings"]
    history = client.get(f"{url}/history", headers=tokens["alice"]).json()
    assert [r["number"] for r in history["revisions"]] == [1, 2]
    assert history["revisions"][1]["previous_chain_sha256"] == history["revisions"][0]["chain_sha256"]


def test_evaluation_and_reports(
    client: TestClient,
    workspace: Workspace,
    people: People,
    tokens: dict[str, dict[str, str]],
    example: dict[str, Any],
) -> None:
    final_id = _final(client, workspace, people, tokens["alice"], example)
    url = f"{API}/assessments/{final_id}"
    evaluation = client.get(f"{url}/evaluation", headers=tokens["alice"]).json()
    assert {"instrument", "completeness", "domains", "flags", "interventions", "undetermined", "plan"} <= set(
        evaluation
    )
    pdf = client.get(f"{url}/report?format=pdf&lang=nl", headers=tokens["alice"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    html = client.get(f"{url}/report", headers=tokens["alice"])
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    md = client.get(f"{url}/report?format=md&lang=fr", headers=tokens["alice"])
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    bad_format = client.get(f"{url}/report?format=docx", headers=tokens["alice"])
    assert bad_format.status_code == 422 and bad_format.json()["error"]["problems"][0]["path"] == "query.format"
    bad_lang = client.get(f"{url}/report?lang=xx", headers=tokens["alice"])
    assert bad_lang.status_code == 422 and bad_lang.json()["error"]["code"] == "language"


def test_instruments(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    listed = client.get(f"{API}/instruments", headers=tokens["alice"]).json()
    assert {(i["id"], i["version"]) for i in listed} >= {(INSTRUMENT_ID, VERSION)}
    one = client.get(f"{API}/instruments/{INSTRUMENT_ID}/{VERSION}", headers=tokens["alice"])
    assert one.status_code == 200 and one.json()["indicators"]
    missing = client.get(f"{API}/instruments/{INSTRUMENT_ID}/9.9.9", headers=tokens["alice"])
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not-found"


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert f"{API}/assessments/{{assessment_id}}" in spec["paths"]
    assert "ErrorOut" in spec["components"]["schemas"]


def test_body_too_large_is_413(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    created = _create(client, tokens["alice"])
    big = json.dumps({"base_revision": 1, "content": {"formulation": "x" * (3 * 1024 * 1024)}})
    response = client.put(
        f"{API}/assessments/{created['id']}",
        content=big,
        headers={**tokens["alice"], "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "file-too-large"


def test_unknown_route_is_a_json_404(client: TestClient) -> None:
    response = client.get(f"{API}/nothing")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not-found"


def test_a_bug_is_a_generic_500_without_content(
    client: TestClient,
    workspace: Workspace,
    tokens: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("case content: SECRET")

    monkeypatch.setattr(workspace, "read", broken)
    response = client.get(f"{API}/assessments/A-1/evaluation", headers=tokens["alice"])
    assert response.status_code == 500 and response.json()["error"]["code"] == "internal"
    assert "SECRET" not in response.text and "SECRET" not in caplog.text


def test_countersign_takes_an_optional_bounded_comment(
    client: TestClient,
    workspace: Workspace,
    people: People,
    tokens: dict[str, dict[str, str]],
    example: dict[str, Any],
) -> None:
    final_id = _final(client, workspace, people, tokens["alice"], example)
    url = f"{API}/assessments/{final_id}/countersign"
    too_long = client.post(url, json={"comment": "x" * 2001}, headers=tokens["rita"])
    assert too_long.status_code == 422
    assert workspace.get(people.alice, final_id).record.countersigned_by is None
    signed = client.post(url, json={"comment": "Checked with the team."}, headers=tokens["rita"])
    assert signed.status_code == 200 and signed.json()["countersign_comment"] == "Checked with the team."
