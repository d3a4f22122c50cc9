"""`spj hooks deliver|dead|retry` (issue 12): the delivery worker apart from the server, and the dead letters."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from spj.cli.app import app
from spj.store import SqlStore

RUNNER = CliRunner()


class _Receiver(http.server.BaseHTTPRequestHandler):
    status = 204
    calls: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append(self.headers["Spj-Event-Kind"])
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.calls, _Receiver.status = [], 204
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def setup(tmp_path: Path, receiver: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    url = f"sqlite+pysqlite:///{tmp_path / 'spj.db'}"
    store = SqlStore(url)
    store.create_agency("north", "North")
    store.create_case("north", "case-1", actor="u")
    store.close()
    deployment = tmp_path / "deployment.yaml"
    deployment.write_text(
        "format: spj-deployment/1\nagencies:\n  - {id: north, kind: probation}\n"
        f"hooks:\n  - {{id: cms, agency: north, url: '{receiver}', secret_env: SPJ_TEST_HOOK_SECRET}}\n"
    )
    monkeypatch.setenv("SPJ_TEST_HOOK_SECRET", "synthetic-secret-0123456789")
    return deployment, url


def test_deliver_once_posts_the_new_events(setup: tuple[Path, str]) -> None:
    deployment, url = setup
    result = RUNNER.invoke(app, ["hooks", "deliver", "--deployment", str(deployment), "--db", url, "--once"])
    assert result.exit_code == 0, result.output
    assert "delivered 1" in result.output and _Receiver.calls == ["case-created"]
    again = RUNNER.invoke(app, ["hooks", "deliver", "--deployment", str(deployment), "--db", url, "--once"])
    assert "delivered 0" in again.output and _Receiver.calls == ["case-created"]


def test_a_missing_secret_is_named_without_a_traceback(
    setup: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment, url = setup
    monkeypatch.delenv("SPJ_TEST_HOOK_SECRET")
    result = RUNNER.invoke(app, ["hooks", "deliver", "--deployment", str(deployment), "--db", url, "--once"])
    assert result.exit_code == 1
    assert "SPJ_TEST_HOOK_SECRET" in result.output and "Traceback" not in result.output


def test_dead_letters_are_listed_and_retried(setup: tuple[Path, str]) -> None:
    deployment, url = setup
    store = SqlStore(url)
    from spj.store.hashing import utc_now

    now = utc_now()
    store.hooks.enqueue("cms", "north", None, now=now)
    [delivery] = store.hooks.due(now)
    store.hooks.failed(delivery.id, error="answered HTTP 500", status=500, next_attempt_at=now, dead=True)
    store.close()
    listed = RUNNER.invoke(app, ["hooks", "dead", "--agency", "north", "--db", url])
    assert listed.exit_code == 0 and f"{delivery.id}  hook cms" in listed.output
    assert "answered HTTP 500" in listed.output
    retried = RUNNER.invoke(app, ["hooks", "retry", str(delivery.id), "--agency", "north", "--db", url])
    assert retried.exit_code == 0, retried.output
    unknown = RUNNER.invoke(app, ["hooks", "retry", str(delivery.id), "--agency", "north", "--db", url])
    assert unknown.exit_code == 1 and "not found" in unknown.output
    delivered = RUNNER.invoke(app, ["hooks", "deliver", "--deployment", str(deployment), "--db", url, "--once"])
    assert "delivered 1" in delivered.output
