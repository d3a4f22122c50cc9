"""Signed web hooks (issue 12): the worker posts each event once, signed; a receiver that fails or times out gets
retries with backoff and, in the end, a dead letter; nothing is lost and nothing delivered twice."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import httpx
import pytest
from conftest import FAST_HASHER, TestClient

from spj.api import create_app
from spj.disclosure import parse_deployment
from spj.disclosure.hooks import HookSubscription
from spj.errors import SpjError
from spj.service.hooks import SIGNATURE_HEADER, Backoff, HookWorker, verify
from spj.service.hooks.worker import in_process, secrets_from_environment
from spj.store import MemoryStore

SECRET = b"synthetic-secret-0123456789"
HOOK = HookSubscription(id="cms", agency="north", url="https://cms.example/hook", secret_env="SPJ_TEST_HOOK")
START = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    store.create_agency("north", "North")
    store.create_agency("south", "South")
    store.create_case("north", "case-1", actor="u")
    store.create_case("south", "case-9", actor="u")
    return store


def _worker(store: MemoryStore, handler: Any, clock: Clock, **options: Any) -> HookWorker:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return HookWorker(store, [HOOK], secrets={"cms": SECRET}, client=client, clock=clock, **options)


def test_each_event_is_posted_once_signed_and_only_the_agencys_own(store: MemoryStore) -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    clock = Clock()
    worker = _worker(store, receiver, clock)
    assert worker.run_once().delivered == 1
    assert worker.run_once().delivered == 0  # nothing twice
    store.create_case("north", "case-2", actor="u")
    assert worker.run_once().delivered == 1
    bodies = [json.loads(r.content) for r in received]
    assert [(b["kind"], b["case_id"], b["agency_id"]) for b in bodies] == [
        ("case-created", "case-1", "north"),
        ("case-created", "case-2", "north"),
    ]
    first = received[0]
    assert first.headers["Spj-Event-Id"] == str(bodies[0]["id"])
    now = int(clock().timestamp())
    assert verify(SECRET, first.headers[SIGNATURE_HEADER], first.content, now=now)
    assert not verify(b"another secret", first.headers[SIGNATURE_HEADER], first.content, now=now)
    assert not verify(SECRET, first.headers[SIGNATURE_HEADER], first.content + b" ", now=now)
    assert not verify(SECRET, first.headers[SIGNATURE_HEADER], first.content, now=now + 3600)  # replayed later


def test_a_receiver_that_times_out_gets_a_recorded_retry_with_backoff_and_no_duplicate(store: MemoryStore) -> None:
    attempts: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        attempts.append(request.headers["Spj-Delivery-Attempt"])
        if len(attempts) == 1:
            raise httpx.ReadTimeout("the receiver took too long", request=request)
        return httpx.Response(200)

    clock = Clock()
    worker = _worker(store, flaky, clock, backoff=Backoff(base_seconds=30, factor=2))
    first = worker.run_once()
    assert (first.delivered, first.failed) == (0, 1)
    [pending] = store.hooks.list("north", state="pending")
    assert (pending.attempts, pending.last_error) == (1, "timed out after 10 s")
    assert pending.next_attempt_at == START + dt.timedelta(seconds=30)
    clock.advance(29)
    assert worker.run_once().delivered == 0  # not due yet: no early retry
    clock.advance(1)
    assert worker.run_once().delivered == 1
    assert attempts == ["1", "2"]
    [done] = store.hooks.list("north", state="delivered")
    assert (done.id, done.attempts, done.event.id) == (pending.id, 2, pending.event.id)
    clock.advance(3600)
    worker.run_once()
    assert attempts == ["1", "2"]  # delivered: never sent again


def test_a_receiver_that_keeps_failing_ends_as_a_dead_letter_that_can_be_retried(store: MemoryStore) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500)

    clock = Clock()
    backoff = Backoff(base_seconds=10, factor=2, max_attempts=3)
    worker = _worker(store, broken, clock, backoff=backoff)
    waits = []
    for _ in range(3):
        worker.run_once()
        [delivery] = store.hooks.list("north", state=None)
        waits.append((delivery.next_attempt_at - clock()).total_seconds())
        clock.advance(1000)
    assert waits[:2] == [10, 20]  # exponential
    [dead] = store.hooks.list("north", state="dead")
    assert (dead.attempts, dead.last_status, dead.last_error) == (3, 500, "answered HTTP 500")
    worker.run_once()
    assert store.hooks.get(dead.id).attempts == 3  # dead: left alone
    store.hooks.retry("north", dead.id, now=clock())
    worker.client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(202)))
    assert worker.run_once().delivered == 1


class _SlowOnce(http.server.BaseHTTPRequestHandler):
    """A real HTTP receiver: the first request waits longer than the worker's timeout, the others answer at once."""

    calls: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append(body)
        if len(type(self).calls) == 1:
            time.sleep(1.5)
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    _SlowOnce.calls = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowOnce)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_a_real_receiver_that_times_out_is_retried_and_the_event_arrives_whole(
    store: MemoryStore, receiver: str
) -> None:
    hook = HOOK.model_copy(update={"url": receiver})
    clock = Clock()
    worker = HookWorker(store, [hook], secrets={"cms": SECRET}, timeout=0.5, clock=clock)
    try:
        assert worker.run_once().failed == 1
        [pending] = store.hooks.list("north", state="pending")
        assert pending.last_error == "timed out after 0.5 s"
        clock.advance(3600)
        assert worker.run_once().delivered == 1
    finally:
        worker.close()
    assert len(_SlowOnce.calls) == 2 and _SlowOnce.calls[0] == _SlowOnce.calls[1]  # the same event, the same bytes


def test_secrets_come_from_the_environment_and_a_missing_one_is_named() -> None:
    assert secrets_from_environment([HOOK], {"SPJ_TEST_HOOK": "s" * 20}) == {"cms": b"s" * 20}
    with pytest.raises(SpjError) as caught:
        secrets_from_environment([HOOK], {})
    assert caught.value.codes == ["environment"] and "SPJ_TEST_HOOK" in str(caught.value)


def test_the_in_process_worker_is_off_without_hooks_or_when_external(
    store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert in_process(store, []) is None
    monkeypatch.setenv("SPJ_HOOKS_WORKER", "external")
    assert in_process(store, [HOOK]) is None
    monkeypatch.setenv("SPJ_HOOKS_WORKER", "sometimes")
    with pytest.raises(SpjError):
        in_process(store, [HOOK])


DEPLOYMENT = """format: spj-deployment/1
agencies:
  - {id: north, kind: probation}
hooks:
  - {id: cms, agency: north, url: "https://cms.example/hook", secret_env: SPJ_HOOK_CMS, kinds: [finalised]}
"""


def test_the_deployment_declares_hooks_and_refuses_bad_ones() -> None:
    deployment = parse_deployment(DEPLOYMENT)
    assert [(h.id, h.agency, h.kinds) for h in deployment.hooks] == [("cms", "north", ("finalised",))]
    bad = DEPLOYMENT.replace("agency: north", "agency: nowhere").replace("[finalised]", "[finalized]")
    with pytest.raises(SpjError) as caught:
        parse_deployment(bad)
    assert caught.value.codes == ["unknown-agency", "schema"]
    assert caught.value.problems[0].location.line == 5
    with pytest.raises(SpjError):
        parse_deployment(DEPLOYMENT.replace("https://cms.example/hook", "file:///etc/passwd"))


def test_the_dead_letters_are_listed_and_retried_over_http(store: MemoryStore) -> None:
    from spj.store.hashing import utc_now

    app = create_app(store, hasher=FAST_HASHER, web=False)
    workspace = app.state.workspace
    north = workspace.create_user(username="nina", password="correct horse battery", role="assessor", agency_id="north")
    south = workspace.create_user(username="sam", password="correct horse battery", role="assessor", agency_id="south")
    headers = {n: {"Authorization": f"Bearer {workspace.create_token(u)[1]}"} for n, u in (("n", north), ("s", south))}
    now = utc_now()
    store.hooks.enqueue("cms", "north", None, now=now)
    [delivery] = store.hooks.due(now)
    store.hooks.failed(delivery.id, error="answered HTTP 500", status=500, next_attempt_at=now, dead=True)
    with TestClient(app) as client:
        dead = client.get("/api/v1/hooks/deliveries", headers=headers["n"])
        assert dead.status_code == 200
        assert [(d["id"], d["state"], d["event"]["kind"]) for d in dead.json()] == [
            (delivery.id, "dead", "case-created")
        ]
        assert client.get("/api/v1/hooks/deliveries", headers=headers["s"]).json() == []
        url = f"/api/v1/hooks/deliveries/{delivery.id}/retry"
        assert client.post(url, headers=headers["s"]).status_code == 404
        again = client.post(url, headers=headers["n"])
        assert again.status_code == 200 and again.json()["state"] == "pending"
        assert client.post(url, headers=headers["n"]).status_code == 404  # no longer dead
        assert (
            client.get("/api/v1/hooks/deliveries", params={"state": "bogus"}, headers=headers["n"]).status_code == 422
        )


def test_the_server_delivers_in_process_while_it_runs(
    store: MemoryStore, receiver: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPJ_TEST_HOOK", SECRET.decode())
    monkeypatch.setenv("SPJ_HOOKS_INTERVAL", "0.1")
    deployment = parse_deployment(
        "format: spj-deployment/1\nagencies:\n  - {id: north, kind: probation}\n  - {id: south, kind: probation}\n"
        f"hooks:\n  - {{id: cms, agency: north, url: '{receiver}', secret_env: SPJ_TEST_HOOK}}\n"
    )
    app = create_app(store, hasher=FAST_HASHER, web=False, deployment=deployment)
    _SlowOnce.calls = [b"(not the first)"]  # every request answered at once
    with TestClient(app):
        deadline = time.monotonic() + 10
        while len(_SlowOnce.calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [json.loads(b)["kind"] for b in _SlowOnce.calls[1:]] == ["case-created"]
    assert store.hooks.list("north", state="delivered")[0].event.case_id == "case-1"
    assert store.hooks.list("south", state=None) == []  # no hook for south


def test_the_receivers_status_is_recorded(store: MemoryStore) -> None:
    worker = _worker(store, lambda request: httpx.Response(202), Clock())
    worker.run_once()
    [done] = store.hooks.list("north", state="delivered")
    assert (done.last_status, done.attempts, done.last_error) == (202, 1, None)
