"""Security regressions from a review (JSON API and web pages over TestClient).

Each test states the behaviour a secure spj must keep: ids that disclose nothing
across agencies, sessions that end at logout, throttled logins, 4xx for hostile
input, security headers. Synthetic data only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.exceptions import StarletteDeprecationWarning

from spj.api.app import create_app
from spj.service import InstrumentRegistry
from spj.store import MemoryStore, SqlStore

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1"
INSTRUMENT_ID, VERSION = "disengagement-trajectory", "2.0.0"
PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def registry() -> InstrumentRegistry:
    return InstrumentRegistry.from_folders([ROOT / "instruments"])


def _build(store: Any, registry: InstrumentRegistry) -> Any:
    app = create_app(store, instruments=registry, secret_key="test-secret", hasher=FAST_HASHER)
    ws = app.state.workspace
    store.create_agency("agency-a", "A (synthetic)")
    store.create_agency("agency-b", "B (synthetic)")
    for name, role, agency in (("alice", "assessor", "agency-a"), ("bob", "assessor", "agency-b")):
        ws.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)
    return app


@pytest.fixture
def app(registry: InstrumentRegistry) -> Any:
    return _build(MemoryStore(), registry)


@pytest.fixture
def sql_app(registry: InstrumentRegistry, tmp_path: Path) -> Iterator[Any]:
    store = SqlStore(f"sqlite:///{tmp_path / 'spj.db'}")
    yield _build(store, registry)
    store.close()


def _client(app: Any) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def _token(app: Any, username: str) -> dict[str, str]:
    ws = app.state.workspace
    user = ws.store.get_user_by_username(username)
    _, token = ws.create_token(user)
    return {"Authorization": f"Bearer {token}"}


def _create(client: TestClient, headers: dict[str, str], case: str = "CASE-1", **extra: Any) -> Any:
    body = {"case_id": case, "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION, **extra}
    return client.post(f"{API}/assessments", json=body, headers=headers)


def _login(app: Any, username: str) -> TestClient:
    client = _client(app)
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1), "next": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


# ---- 1. agency isolation ------------------------------------------------------------------------------


def test_assessment_id_of_other_agency_is_not_disclosed_on_create(app: Any) -> None:
    """Agency B can probe whether an assessment id exists in agency A: 409 'already exists' vs 201.

    Fixed by never taking an id from the client: ids are generated (uuid4), a client id is refused (422).
    """
    client = _client(app)
    alice, bob = _token(app, "alice"), _token(app, "bob")
    created = _create(client, alice)
    assert created.status_code == 201
    secret = created.json()["id"]
    assert re.fullmatch(r"A-[0-9a-f]{32}", secret), secret
    probe = _create(client, bob, case="CASE-B", assessment_id=secret)
    unused = _create(client, bob, case="CASE-B", assessment_id="VERA-2024-nobody")
    assert unused.status_code == 422  # the API takes no client-chosen id (was 201)
    # Another agency's id must behave exactly like an unused one.
    assert probe.status_code == unused.status_code, probe.text
    assert probe.json()["error"]["code"] == unused.json()["error"]["code"]
    assert secret not in probe.text
    assert _create(client, bob, case="CASE-B").status_code == 201


def test_assessment_id_of_other_agency_is_not_disclosed_on_create_sql(sql_app: Any) -> None:
    """The same oracle on the SQL store (global primary key on assessments.id)."""
    from spj.errors import StoreError

    client = _client(sql_app)
    alice, bob = _token(sql_app, "alice"), _token(sql_app, "bob")
    created = _create(client, alice)
    assert created.status_code == 201
    secret = created.json()["id"]
    probe = _create(client, bob, case="CASE-B", assessment_id=secret)
    unused = _create(client, bob, case="CASE-B", assessment_id="A-unused-1")
    assert probe.status_code == unused.status_code == 422, probe.text
    assert _create(client, bob, case="CASE-B").status_code == 201
    # Below the API, an id clash in the store is the same conflict in either agency, and names neither.
    ws = sql_app.state.workspace
    bob_user, alice_user = (ws.store.get_user_by_username(name) for name in ("bob", "alice"))
    messages = []
    for user in (bob_user, alice_user):
        view = ws.create(user, "CASE-C", INSTRUMENT_ID, VERSION)
        with pytest.raises(StoreError) as clash:
            ws.store.create_assessment(
                user.agency_id,
                assessment_id=secret,
                case_id="CASE-C",
                instrument_id=INSTRUMENT_ID,
                instrument_version=VERSION,
                content=view.content,
                actor=user.id,
            )
        assert clash.value.codes == ["conflict"]
        messages.append(clash.value.problems[0].message)
    assert messages[0] == messages[1]
    assert secret not in messages[0] and "exists" not in messages[0]


# ---- 2. authentication / sessions -------------------------------------------------------------------


def test_session_cookie_is_dead_after_logout(app: Any) -> None:
    """A session cookie copied before logout (shared PC, proxy log, XSS) still works for 8 hours after it."""
    client = _login(app, "alice")
    stolen = client.cookies.get("spj_session")
    assert stolen
    page = client.get("/cases")
    token = CSRF.search(page.text)
    assert token
    assert client.post("/logout", data={"csrf_token": token.group(1)}, follow_redirects=False).status_code == 303
    replay = _client(app)
    replay.cookies.set("spj_session", stolen)
    response = replay.get("/cases", follow_redirects=False)
    assert response.status_code in (302, 303), "the old session cookie still signs in after logout"


# ---- 4. hostile input: never a 500 -------------------------------------------------------------------


def test_web_base_revision_with_unicode_digit_is_4xx(app: Any) -> None:
    """The form's base_revision is checked with `str.isdigit()` (True for '²') then int(): ValueError, 500."""
    client = _login(app, "alice")
    page = client.get("/new")
    token = CSRF.search(page.text)
    assert token
    created = client.post(
        "/new",
        data={"csrf_token": token.group(1), "instrument": f"{INSTRUMENT_ID}@{VERSION}", "case_id": "CASE-1"},
        follow_redirects=False,
    )
    assessment_id = created.headers["location"].split("/assessments/")[1].split("?")[0]
    response = client.post(
        f"/assessments/{assessment_id}",
        data={"csrf_token": token.group(1), "base_revision": "\u00b2", "action": "save"},
        follow_redirects=False,
    )
    assert 400 <= response.status_code < 500, response.status_code


def test_huge_base_revision_on_sqlite_is_4xx(sql_app: Any) -> None:
    """base_revision has no upper bound: 2**63 overflows SQLite's INTEGER binding and gives a 500."""
    client = _client(sql_app)
    alice = _token(sql_app, "alice")
    created = _create(client, alice).json()
    response = client.put(
        f"{API}/assessments/{created['id']}",
        json={"base_revision": 2**63, "content": created["content"]},
        headers=alice,
    )
    assert response.status_code in (409, 422), (response.status_code, response.text)


def test_identifier_with_trailing_newline_is_refused(app: Any) -> None:
    """IDENTIFIER uses `$`, which matches before a final newline: 'CASE-1\\n' is accepted as an id."""
    client = _client(app)
    alice = _token(app, "alice")
    case = _create(client, alice, case="CASE-1\n")
    assessment = _create(client, alice, assessment_id="A-1\n")  # no client ids at all now: refused too
    assert case.status_code == 422, case.text
    assert assessment.status_code == 422, assessment.text
    from spj.service.content import check_identifier

    with pytest.raises(Exception, match="case_id"):
        check_identifier("CASE-1\n", "case_id")


# ---- 5. headers ---------------------------------------------------------------------------------------


def test_pages_send_csp_and_nosniff(app: Any) -> None:
    client = _login(app, "alice")
    response = client.get("/cases")
    assert response.status_code == 200
    assert "content-security-policy" in response.headers
    assert response.headers.get("x-content-type-options") == "nosniff"


def test_api_responses_with_case_content_are_not_cacheable(app: Any) -> None:
    client = _client(app)
    alice = _token(app, "alice")
    created = _create(client, alice).json()
    response = client.get(f"{API}/assessments/{created['id']}", headers=alice)
    assert response.status_code == 200
    assert "no-store" in response.headers.get("cache-control", "")
    report = client.get(f"{API}/assessments/{created['id']}/report?format=html", headers=alice)
    assert report.status_code in (200, 422)


def test_api_html_report_has_csp_and_nosniff(app: Any, registry: InstrumentRegistry) -> None:
    """The JSON API serves the HTML report (case content) same-origin without CSP or nosniff."""
    import copy
    import json

    import yaml

    client = _client(app)
    alice = _token(app, "alice")
    created = _create(client, alice).json()
    example = ROOT / "instruments" / INSTRUMENT_ID / "examples"
    files = sorted(example.glob("*.assessment.yaml"))
    assert files
    data = yaml.safe_load(files[0].read_text(encoding="utf-8"))
    content = copy.deepcopy(created["content"])
    for key in ("sources", "ratings", "formulation", "scenarios", "judgements"):
        if key in data:
            content[key] = json.loads(json.dumps(data[key], default=str))
    saved = client.put(
        f"{API}/assessments/{created['id']}", json={"base_revision": 1, "content": content}, headers=alice
    )
    assert saved.status_code == 200, saved.text
    report = client.get(f"{API}/assessments/{created['id']}/report?format=html", headers=alice)
    assert report.status_code == 200, report.text
    assert "content-security-policy" in report.headers
    assert report.headers.get("x-content-type-options") == "nosniff"
    assert report.headers["content-security-policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")


def test_serve_can_mark_the_session_cookie_secure() -> None:
    """`spj serve` never passes https_only: behind TLS the session cookie has no Secure flag, and no option sets it."""
    import inspect

    from spj.cli.commands import serve

    source = inspect.getsource(serve)
    assert "https_only" in source, "spj serve has no way to set the Secure flag on the session cookie"


def test_login_is_throttled_after_repeated_failures(app: Any) -> None:
    """No lockout or rate limit: unlimited online password guessing (each guess also costs an argon2 hash)."""
    client = _client(app)
    statuses = []
    for attempt in range(30):
        page = client.get("/login")
        token = CSRF.search(page.text)
        assert token
        response = client.post(
            "/login",
            data={"username": "alice", "password": f"wrong-guess-{attempt}", "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        statuses.append(response.status_code)
    assert 429 in statuses, f"30 wrong passwords in a row, all answered {set(statuses)}"


# ---- follow-ups: throttle details, read audit, token revocation, session epoch --------------------------


def test_throttled_login_has_retry_after_and_runs_no_hash(app: Any) -> None:
    client = _client(app)
    auth = app.state.workspace.auth
    for attempt in range(5):
        token = CSRF.search(client.get("/login").text)
        assert token
        data = {"username": "alice", "password": f"wrong-{attempt}", "csrf_token": token.group(1)}
        assert client.post("/login", data=data).status_code == 401
    calls = []
    auth._verify = lambda *args: calls.append(args) or False
    token = CSRF.search(client.get("/login").text)
    assert token
    data = {"username": "alice", "password": PASSWORD, "csrf_token": token.group(1)}
    response = client.post("/login", data=data)
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in response.text
    assert calls == []


def test_reads_are_audited(app: Any) -> None:
    client = _client(app)
    alice = _token(app, "alice")
    created = _create(client, alice).json()
    assert client.get(f"{API}/assessments/{created['id']}", headers=alice).status_code == 200
    store = app.state.workspace.store
    user = store.get_user_by_username("alice")
    reads = [e for e in store.audit_events(user.agency_id, assessment_id=created["id"]) if e.action == "read"]
    assert len(reads) == 1 and reads[0].actor_id == user.id and reads[0].detail == ""
    response = client.get(f"{API}/assessments/{created['id']}", headers=alice)
    assert response.headers["referrer-policy"] == "no-referrer"


def test_revoked_token_is_refused_at_once(sql_app: Any) -> None:
    ws = sql_app.state.workspace
    record, token = ws.create_token(ws.store.get_user_by_username("alice"))
    client = _client(sql_app)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{API}/cases", headers=headers).status_code == 200
    assert ws.revoke_token(record.id) is True
    assert client.get(f"{API}/cases", headers=headers).status_code == 401
    assert ws.revoke_token("no-such-token") is False


def test_session_epoch_on_sql_store(sql_app: Any) -> None:
    client = _login(sql_app, "alice")
    assert client.get("/cases", follow_redirects=False).status_code == 200
    store = sql_app.state.workspace.store
    user = store.get_user_by_username("alice")
    assert user.session_epoch == 0
    assert store.bump_session_epoch(user.id) == 1
    assert client.get("/cases", follow_redirects=False).status_code in (302, 303)
    assert _login(sql_app, "alice").get("/cases", follow_redirects=False).status_code == 200


def test_assessment_page_csp_allows_its_script(app: Any) -> None:
    client = _login(app, "alice")
    token = CSRF.search(client.get("/new").text)
    assert token
    data = {"csrf_token": token.group(1), "instrument": f"{INSTRUMENT_ID}@{VERSION}", "case_id": "CASE-1"}
    page = client.post("/new", data=data)
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "base-uri 'none'" in csp
    assert "<script>" not in page.text and "/static/assessment.js" in page.text
    assert page.headers["cache-control"] == "no-store"
    script = client.get("/static/assessment.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


def test_cli_token_revoke(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from spj.cli.app import app as cli

    url = f"sqlite:///{tmp_path / 'spj.db'}"
    store = SqlStore(url)
    store.create_agency("agency-a", "A (synthetic)")
    from spj.service import Workspace

    ws = Workspace(store, InstrumentRegistry(), hasher=FAST_HASHER)
    user = ws.create_user(username="svc", password=PASSWORD, role="assessor", agency_id="agency-a")
    record, token = ws.create_token(user)
    runner = CliRunner()
    assert runner.invoke(cli, ["token", "revoke", record.id, "--db", url]).exit_code == 0
    assert ws.user_from_token(token) is None
    assert runner.invoke(cli, ["token", "revoke", "nope", "--db", url]).exit_code != 0
    store.close()
