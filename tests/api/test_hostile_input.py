"""Bad input never becomes a 5xx, and never reaches a log (issue 13, points 5 and 8).

The probe: a lone surrogate (`"\\ud800"`) in any content string gave a 500
whose traceback, with case text in it, went to the server log; an id with
`%00` gave 503 with the database's message on PostgreSQL; a chunked body
over the limit got 400; `base_revision: "1"` and `true` were accepted. Each
case below is refused with a 4xx and a stable code, on every store, and the
log of the whole run holds no payload. Synthetic data only.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, TestClient
from databases import SQL_KINDS, database_url

from spj.api import create_app
from spj.errors import AssessmentError, format_path
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore, SqlStore

API = "/api/v1"
CASE_TEXT = "Jan Janssens, Kerkstraat 1"  # synthetic, but shaped like what must never reach a log
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(params=["memory", *SQL_KINDS])
def app(request: pytest.FixtureRequest, registry: InstrumentRegistry) -> Iterator[Any]:
    store = MemoryStore() if request.param == "memory" else SqlStore(database_url(request.param, request))
    try:
        yield create_app(store, instruments=registry, hasher=FAST_HASHER, secret_key="test-secret")
    finally:
        if isinstance(store, SqlStore):
            store.close()


@pytest.fixture
def workspace(app: Any) -> Workspace:
    workspace: Workspace = app.state.workspace
    return workspace


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def alice(workspace: Workspace, people: People) -> dict[str, str]:
    _, token = workspace.create_token(people.alice)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def created(client: TestClient, alice: dict[str, str]) -> dict[str, Any]:
    body = {"case_id": "CASE-1", "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    response = client.post(f"{API}/assessments", json=body, headers=alice)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _raw_json(client: TestClient, method: str, url: str, text: str, headers: dict[str, str]) -> Any:
    return client.request(
        method, url, content=text.encode("utf-8"), headers={**headers, "content-type": "application/json"}
    )


def _content_with(created: dict[str, Any], formulation_json: str) -> str:
    """A save body whose formulation is `formulation_json`, spliced in as raw JSON text (escapes kept)."""
    content = {**created["content"], "formulation": "@@"}
    return json.dumps({"base_revision": 1, "content": content}).replace('"@@"', formulation_json)


@pytest.mark.parametrize(
    "formulation",
    [
        r'"\ud800"',
        rf'"{CASE_TEXT} \udfff"',
        rf'"{CASE_TEXT} \ud800\u0041"',
        rf'"{CASE_TEXT} \u0000"',
    ],
)
def test_invalid_text_in_json_is_refused_without_echo(
    client: TestClient, alice: dict[str, str], created: dict[str, Any], formulation: str
) -> None:
    url = f"{API}/assessments/{created['id']}"
    response = _raw_json(client, "PUT", url, _content_with(created, formulation), alice)
    assert response.status_code in (400, 422), response.text
    assert response.json()["error"]["code"] == "invalid-request"
    assert CASE_TEXT not in response.text
    assert client.get(url, headers=alice).json()["revision"] == 1


def test_a_surrogate_pair_is_text(client: TestClient, alice: dict[str, str], created: dict[str, Any]) -> None:
    url = f"{API}/assessments/{created['id']}"
    response = _raw_json(client, "PUT", url, _content_with(created, r'"\ud83d\ude00 \\ud800"'), alice)
    assert response.status_code == 200, response.text
    assert response.json()["content"]["formulation"] == "\U0001f600 \\ud800"


def test_bytes_that_are_not_utf8_are_refused(
    client: TestClient, alice: dict[str, str], created: dict[str, Any]
) -> None:
    url = f"{API}/assessments/{created['id']}"
    body = _content_with(created, '"@@"').encode().replace(b"@@", b"\xed\xa0\x80 \xff")
    response = client.put(url, content=body, headers={**alice, "content-type": "application/json"})
    assert response.status_code in (400, 422) and response.json()["error"]["code"] == "invalid-request"


@pytest.mark.parametrize("bad_id", ["%00", "A-1%00", "%0A", "A%ED%A0%80", "%C0%AF", "%FF"])
@pytest.mark.parametrize("suffix", ["", "/evaluation", "/history", "/report", "/countersign"])
def test_invalid_characters_in_an_id_are_404_or_422(
    client: TestClient, alice: dict[str, str], bad_id: str, suffix: str
) -> None:
    method = "POST" if suffix == "/countersign" else "GET"
    response = client.request(method, f"{API}/assessments/{bad_id}{suffix}", headers=alice)
    assert response.status_code in (404, 422), response.text
    assert response.json()["error"]["code"] in ("not-found", "invalid-request")


@pytest.mark.parametrize("query", ["case_id=%00", "case_id=CASE%00", "case_id=%ED%A0%80"])
def test_invalid_characters_in_a_query_are_4xx(client: TestClient, alice: dict[str, str], query: str) -> None:
    response = client.get(f"{API}/assessments?{query}", headers=alice)
    assert response.status_code in (404, 422), response.text


def test_a_case_id_with_nul_is_refused_on_create(client: TestClient, alice: dict[str, str]) -> None:
    body = {"case_id": "CASE\u00001", "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    response = client.post(f"{API}/assessments", json=body, headers=alice)
    assert response.status_code == 422, response.text


def test_invalid_characters_in_a_web_page_id_are_4xx(client: TestClient, people: People) -> None:
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token
    signed_in = client.post(
        "/login",
        data={"username": "alice", "password": "correct horse battery", "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    for path in ("/assessments/%00", "/assessments/A%00/history", "/cases/%00"):
        assert client.get(path).status_code in (404, 422), path


@pytest.mark.parametrize("base_revision", ["1", True, 1.0, "01", [1], {"n": 1}])
@pytest.mark.parametrize("route", ["", "/finalise"])
def test_base_revision_is_an_integer_only(
    client: TestClient, alice: dict[str, str], created: dict[str, Any], base_revision: Any, route: str
) -> None:
    url = f"{API}/assessments/{created['id']}{route}"
    body = {"base_revision": base_revision, "content": created["content"]}
    response = client.request("PUT" if not route else "POST", url, json=body, headers=alice)
    assert response.status_code == 422, response.text
    assert [p["path"] for p in response.json()["error"]["problems"]] == ["body.base_revision"]


def test_a_chunked_body_over_the_limit_is_413(app: Any, alice: dict[str, str], created: dict[str, Any]) -> None:
    small = create_app(app.state.workspace.store, instruments=app.state.workspace.instruments, max_body_bytes=1000)
    small.state.workspace = app.state.workspace

    def chunks() -> Iterator[bytes]:
        yield b'{"base_revision": 1, "content": {"formulation": "'
        for _ in range(50):
            yield b"x" * 100
        yield b'"}}'

    with TestClient(small, raise_server_exceptions=False) as client:
        url = f"{API}/assessments/{created['id']}"
        response = client.put(url, content=chunks(), headers={**alice, "content-type": "application/json"})
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "file-too-large"
        form = client.post("/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
        assert form.status_code == 413


def test_the_log_of_a_hostile_run_holds_no_payload(
    client: TestClient, alice: dict[str, str], created: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Every hostile request of this module once more, with every logger captured at DEBUG: no payload in the log."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("spj.api").debug("capture check")  # the capture sees the server's loggers
    url = f"{API}/assessments/{created['id']}"
    statuses = []
    for formulation in (
        rf'"{CASE_TEXT} \ud800"',
        rf'"{CASE_TEXT} \u0000"',
        f'["{CASE_TEXT}"]',
        f'{{"x": "{CASE_TEXT}"}}',
    ):
        statuses.append(_raw_json(client, "PUT", url, _content_with(created, formulation), alice).status_code)
    content = {**created["content"], "ratings": {"EN1": {"presence": CASE_TEXT}}, "case": [CASE_TEXT]}
    statuses.append(client.put(url, json={"base_revision": 1, "content": content}, headers=alice).status_code)
    statuses.append(client.put(url, json={"base_revision": CASE_TEXT, "content": {}}, headers=alice).status_code)
    statuses.append(client.get(f"{API}/assessments/{CASE_TEXT}%00", headers=alice).status_code)
    statuses.append(client.get(f"{API}/assessments?case_id={CASE_TEXT}%00", headers=alice).status_code)
    assert all(400 <= s < 500 for s in statuses), statuses
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]  # the test's own client
    assert any(r.getMessage() == "capture check" for r in server)
    logged = "".join(f"{r.getMessage()} {r.exc_text} {r.exc_info}" for r in server)
    assert "Janssens" not in logged and "Kerkstraat" not in logged


def test_the_service_refuses_text_no_store_can_keep(workspace: Workspace, people: People) -> None:
    """Behind the edge too (for callers of the Python API): NUL and lone surrogates are located 422s."""
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    content = {**view.content, "formulation": f"{CASE_TEXT}\x00", "scenarios": [{"kind": "repeat", "text": "\ud800"}]}
    with pytest.raises(AssessmentError) as refused:
        workspace.save(people.alice, view.id, 1, content)
    assert sorted(format_path(p.location.path) for p in refused.value.problems) == [
        "formulation",
        "scenarios[0].text",
    ]
    assert CASE_TEXT not in str(refused.value)
    assert workspace.get(people.alice, view.id).head == 1


def test_a_multipart_form_with_nul_is_refused_at_the_edge(client: TestClient, people: People) -> None:
    token = CSRF.search(client.get("/login").text)
    assert token
    fields = {"username": "alice\x00", "password": "correct horse battery", "csrf_token": token.group(1)}
    response = client.post("/login", files={k: (None, v) for k, v in fields.items()}, follow_redirects=False)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("username", ["alice\x00", "\ud800", "a" * 500])
def test_a_username_no_account_can_have_is_never_looked_up(workspace: Workspace, people: People, username: str) -> None:
    """On PostgreSQL a NUL in the lookup was a 503: such a name is an unknown user, at the same cost."""
    assert workspace.authenticate(username, "correct horse battery", client="192.0.2.1") is None
