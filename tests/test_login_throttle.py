"""The sign-in throttle holds under a burst (issue 13, point 2).

The probe: 30 simultaneous `POST /login` for one account checked 29 wrong
passwords and let the right one in; of 100, 44 were checked; 20 failures with
random usernames from one address locked every account out of that address,
and behind a reverse proxy everyone shares one. Now an attempt is counted
before its password is checked, atomically per account and per address; only
attempts on real accounts count for an address; and the address is the one a
trusted proxy reports. Bursts run against a real server (uvicorn in a thread)
with one thread per client. Synthetic accounts only.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from starlette.exceptions import StarletteDeprecationWarning

from spj.api.app import create_app
from spj.service import InstrumentRegistry
from spj.service.errors import TooManyAttemptsError
from spj.service.throttle import USERNAME_LIMIT, LoginThrottle
from spj.store import MemoryStore

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"
# Slow enough that a burst overlaps its password checks, as argon2's real cost does.
HASHER = PasswordHasher(time_cost=2, memory_cost=4096, parallelism=1)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def registry() -> InstrumentRegistry:
    return InstrumentRegistry.from_folders([ROOT / "instruments"])


def _app(registry: InstrumentRegistry, **options: Any) -> Any:
    store = MemoryStore()
    app = create_app(store, instruments=registry, secret_key="test-secret", hasher=HASHER, **options)
    store.create_agency("agency-a", "A (synthetic)")
    app.state.workspace.create_user(username="alice", password=PASSWORD, role="assessor", agency_id="agency-a")
    app.state.workspace.create_user(username="amir", password=PASSWORD, role="assessor", agency_id="agency-a")
    checks: Counter[str] = Counter()
    auth = app.state.workspace.auth
    verify, lock = auth._verify, threading.Lock()

    def counted(password_hash: str | None, password: str) -> bool:
        with lock:
            checks["checked"] += 1
        return bool(verify(password_hash, password))

    auth._verify = counted
    app.state.checks = checks
    return app


class Server:
    """uvicorn serving `app` on a free local port, in a thread."""

    def __init__(self, app: Any) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        # As `spj serve` runs it: uvicorn believes no proxy header; the app does, from trusted proxies only.
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", proxy_headers=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _burst(base: str, attempts: list[tuple[str, str]], headers: dict[str, str] | None = None) -> list[int]:
    """Every (username, password) posted at the same moment, each from its own client with its own session."""
    clients = [httpx.Client(base_url=base, headers=headers or {}, timeout=60) for _ in attempts]
    tokens = []
    for client in clients:
        match = CSRF.search(client.get("/login").text)
        assert match
        tokens.append(match.group(1))
    start = threading.Barrier(len(attempts))
    statuses: list[int] = [0] * len(attempts)

    def post(n: int) -> None:
        username, password = attempts[n]
        data = {"username": username, "password": password, "csrf_token": tokens[n]}
        start.wait()
        statuses[n] = clients[n].post("/login", data=data, follow_redirects=False).status_code

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    return statuses


@pytest.mark.parametrize("size", [30, 40, 100])
def test_a_burst_checks_no_more_passwords_than_the_limit(registry: InstrumentRegistry, size: int) -> None:
    app = _app(registry)
    with Server(app) as base:
        statuses = _burst(base, [("alice", f"wrong-guess-{n}") for n in range(size)])
    checked = app.state.checks["checked"]
    assert checked <= USERNAME_LIMIT, f"{checked} passwords checked in a burst of {size}: {Counter(statuses)}"
    assert Counter(statuses) == {401: checked, 429: size - checked}


@pytest.mark.parametrize("size", [30])
def test_a_burst_with_the_right_password_checks_no_more_wrong_ones_than_the_limit(
    registry: InstrumentRegistry, size: int
) -> None:
    """The probe's burst: 29 wrong passwords and the right one. A right password takes back only its own attempt."""
    app = _app(registry)
    with Server(app) as base:
        statuses = _burst(base, [*(("alice", f"wrong-guess-{n}") for n in range(size - 1)), ("alice", PASSWORD)])
    counts = Counter(statuses)
    assert set(counts) <= {401, 429, 303}, counts
    assert counts[401] <= USERNAME_LIMIT, counts
    assert counts[401] + counts[303] == app.state.checks["checked"] <= USERNAME_LIMIT + 1
    assert counts[429] == size - app.state.checks["checked"]


def test_made_up_usernames_never_lock_known_accounts_out(registry: InstrumentRegistry) -> None:
    app = _app(registry)
    with Server(app) as base:
        made_up = _burst(base, [(f"nobody-{n}", "wrong-guess") for n in range(40)])
        assert set(made_up) == {401}
        assert _burst(base, [("alice", PASSWORD)]) == [303]


def test_behind_a_trusted_proxy_each_client_has_its_own_address_limit(registry: InstrumentRegistry) -> None:
    """20 failures on real accounts block the address they came from, as the proxy reports it, and no other."""
    app = _app(registry, forwarded_allow_ips="127.0.0.1")
    guesses = [(name, f"wrong-{n}") for n in range(USERNAME_LIMIT) for name in ("alice", "amir")]
    with Server(app) as base:
        for _round in range(2):  # 2 accounts x 5 = 10 attempts per burst, 20 from this client in all
            attacker = {"X-Forwarded-For": "203.0.113.5"}
            assert set(_burst(base, guesses, attacker)) <= {401, 429}
            app.state.workspace.auth.throttle.usernames.reset("alice")  # as if other accounts were tried
            app.state.workspace.auth.throttle.usernames.reset("amir")
        assert _burst(base, [("alice", PASSWORD)], {"X-Forwarded-For": "203.0.113.5"}) == [429]
        assert _burst(base, [("alice", PASSWORD)], {"X-Forwarded-For": "198.51.100.7"}) == [303]


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(registry: InstrumentRegistry) -> None:
    """A client cannot dodge its address limit by claiming another address."""
    app = _app(registry)  # no trusted proxy
    throttle = app.state.workspace.auth.throttle
    with Server(app) as base:
        for n in range(4):
            spoofed = {"X-Forwarded-For": f"192.0.2.{n}"}
            assert set(_burst(base, [("alice", f"wrong-{n}-{m}") for m in range(5)], spoofed)) <= {401}
            throttle.usernames.reset("alice")
        assert throttle.retry_after("someone", "127.0.0.1") > 0  # the real peer is blocked
        assert throttle.retry_after("someone", "192.0.2.1") == 0


# ---- the throttle itself ----------------------------------------------------------------------------------


def test_begin_counts_before_the_check_and_refuses_uncounted() -> None:
    clock = [0.0]
    throttle = LoginThrottle(username_limit=3, client_limit=10, clock=lambda: clock[0])
    attempts = [throttle.begin("alice", "10.0.0.1", known=True) for _ in range(3)]
    with pytest.raises(TooManyAttemptsError) as refused:
        throttle.begin("alice", "10.0.0.1", known=True)
    assert refused.value.retry_after == 30
    assert len(attempts) == 3
    throttle.succeeded(attempts[-1])  # a right password takes back its own attempt, and no other
    assert throttle.retry_after("alice", "10.0.0.1") == 0
    throttle.begin("alice", "10.0.0.1", known=True)
    with pytest.raises(TooManyAttemptsError):
        throttle.begin("alice", "10.0.0.1", known=True)
    clock[0] += 31
    assert throttle.retry_after("alice", None) == 0


def test_begin_is_atomic_across_threads() -> None:
    throttle = LoginThrottle(username_limit=5, client_limit=20)
    start = threading.Barrier(64)
    admitted: list[int] = []

    def attempt() -> None:
        start.wait()
        try:
            throttle.begin("alice", "10.0.0.1", known=True)
        except TooManyAttemptsError:
            return
        admitted.append(1)

    threads = [threading.Thread(target=attempt) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 5


def test_unknown_usernames_do_not_count_for_the_address() -> None:
    throttle = LoginThrottle(username_limit=5, client_limit=3)
    for n in range(50):
        throttle.begin(f"nobody-{n}", "10.0.0.1", known=False)
    throttle.begin("alice", "10.0.0.1", known=True)  # not blocked
    for name in ("amir", "anna"):
        throttle.begin(name, "10.0.0.1", known=True)
    for name in ("alice", "nobody-x"):  # the block, once reached, refuses every username alike
        with pytest.raises(TooManyAttemptsError):
            throttle.begin(name, "10.0.0.1", known=name == "alice")


@pytest.fixture(autouse=True)
def _no_stray_threads() -> Iterator[None]:
    before = threading.active_count()
    yield
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)


def test_spj_serve_passes_the_trusted_proxies_to_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`spj serve --forwarded-allow-ips`: the app believes X-Forwarded-For from those proxies; uvicorn itself never."""
    from typer.testing import CliRunner

    from spj.cli.app import app as cli

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.update(app=app, **kwargs))
    result = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path), "--forwarded-allow-ips", "testclient"])
    assert result.exit_code == 0, result.output
    assert served["proxy_headers"] is False
    app = served["app"]
    app.state.workspace.store.create_agency("agency-a", "A (synthetic)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)  # httpx serves the test client as well
        from starlette.testclient import TestClient

    with TestClient(app) as client:
        match = CSRF.search(client.get("/login").text)
        assert match
        data = {"username": "admin", "password": "wrong-guess", "csrf_token": match.group(1)}
        assert client.post("/login", data=data, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 401
    throttle = app.state.workspace.auth.throttle
    throttle.clients.limit = 1  # one counted attempt blocks: shows which address it was counted for
    assert throttle.retry_after("x", "203.0.113.9") > 0 and throttle.retry_after("x", "testclient") == 0
