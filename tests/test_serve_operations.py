"""`spj serve --workers N --proxy-headers --forwarded-allow-ips --root-path --metrics-token --log-format`
(issue 12, point 8). uvicorn itself is not started: the app and options it would get are checked.
Synthetic data only."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning
from typer.testing import CliRunner

from spj.api import asgi
from spj.cli.app import app as cli

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

METRICS = "metrics-token-for-tests-42"
HANDED_DOWN = (
    "SPJ_DATABASE_URL",
    "SPJ_SECRET_KEY",
    "SPJ_INSTRUMENTS",
    "SPJ_DEPLOYMENT",
    "SPJ_CONSULTATIONS",
    "SPJ_HTTPS_ONLY",
    "SPJ_FORWARDED_ALLOW_IPS",
    "SPJ_ROOT_PATH",
    "SPJ_METRICS_TOKEN",
    "SPJ_LOG_FORMAT",
    "PROMETHEUS_MULTIPROC_DIR",
)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `spj serve --workers` writes into the environment is undone after the test."""
    for name in HANDED_DOWN:
        monkeypatch.setenv(name, "x")
        monkeypatch.delenv(name)
    monkeypatch.setenv("SPJ_SECRET_KEY", "k" * 32)


def _serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check: Any, *extra: str) -> Any:
    """Run `spj serve` with uvicorn replaced by `check(app, options)`."""
    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []

    def run(app: Any, **options: Any) -> None:
        calls.append((app, options))
        check(app, options)

    monkeypatch.setattr(uvicorn, "run", run)
    result = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path), "--no-demo", *extra])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    return result


def test_one_process_behind_a_proxy_at_a_prefix(tmp_path: Path, monkeypatch, clean_environment) -> None:
    def check(app: Any, options: dict[str, Any]) -> None:
        with TestClient(app, follow_redirects=False) as client:
            assert client.get("/spj/").headers["location"] == "/spj/login"
            assert client.get("/").headers["location"] == "/spj/login"  # the proxy stripped the prefix
            assert client.get("/spj/metrics", headers={"Authorization": f"Bearer {METRICS}"}).status_code == 200
            forwarded = client.get("/spj/healthz", headers={"X-Forwarded-Proto": "https"})
            assert forwarded.status_code == 200
        trusted = [m for m in app.user_middleware if m.cls.__name__ == "ProxyHeadersMiddleware"]
        assert trusted and trusted[0].kwargs["trusted_hosts"] == "127.0.0.1"  # --proxy-headers alone
        assert options["proxy_headers"] is False  # the app reads them, from the trusted proxies only
        formatter = options["log_config"]["formatters"]["spj"]["()"]
        assert formatter == "spj.api.log_format.JsonFormatter"

    result = _serve(tmp_path, monkeypatch, check, "--root-path", "/spj", "--proxy-headers", "--metrics-token", METRICS)
    assert "http://127.0.0.1:8000/spj/" in result.output


def test_forwarded_allow_ips_names_the_proxies(tmp_path: Path, monkeypatch, clean_environment) -> None:
    def check(app: Any, options: dict[str, Any]) -> None:
        trusted = [m for m in app.user_middleware if m.cls.__name__ == "ProxyHeadersMiddleware"]
        assert trusted[0].kwargs["trusted_hosts"] == "10.0.0.0/8"
        assert options["log_config"]["formatters"]["spj"]["()"] == "spj.api.log_format.TextFormatter"

    args = ("--proxy-headers", "--forwarded-allow-ips", "10.0.0.0/8", "--log-format", "text")
    _serve(tmp_path, monkeypatch, check, *args)


def test_several_workers_build_the_app_from_the_environment(tmp_path: Path, monkeypatch, clean_environment) -> None:
    def check(app: Any, options: dict[str, Any]) -> None:
        assert app == "spj.api.asgi:app" and options["workers"] == 3
        assert os.environ["SPJ_ROOT_PATH"] == "/spj" and os.environ["SPJ_METRICS_TOKEN"] == METRICS
        assert os.environ["SPJ_SECRET_KEY"] == "k" * 32  # one key for every worker
        assert Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).is_dir()  # counts summed across workers
        Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).rmdir()
        assert options["timeout_worker_healthcheck"] >= 30
        assert os.environ["SPJ_FORWARDED_ALLOW_IPS"] == "127.0.0.1"

    args = ("--workers", "3", "--root-path", "/spj/", "--metrics-token", METRICS, "--proxy-headers")
    _serve(tmp_path, monkeypatch, check, *args)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")  # the worker below counts in memory: no other worker here
    worker = asgi.app_from_environment(os.environ)  # what each worker process does
    try:
        with TestClient(worker, follow_redirects=False) as client:
            assert client.get("/spj/").headers["location"] == "/spj/login"
            assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS}"}).status_code == 200
    finally:
        worker.state.workspace.store.close()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--metrics-token", "short"), "SPJ_METRICS_TOKEN"),
        (("--root-path", "/a b"), "SPJ_ROOT_PATH"),
        (("--log-format", "xml"), "SPJ_LOG_FORMAT"),
        (("--workers", "0"), "--workers"),
    ],
)
def test_bad_settings_are_refused_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_environment: None, args: tuple[str, ...], named: str
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("started"))
    result = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path), *args])
    assert result.exit_code != 0 and named in result.output and "Traceback" not in result.output
    assert not (tmp_path / "spj.sqlite3").exists()


def test_the_asgi_app_configures_json_logs_only_when_nothing_else_did(monkeypatch: pytest.MonkeyPatch) -> None:
    from spj.api.log_format import configure_logging

    assert logging.getLogger().handlers  # pytest's capture: already configured, left alone
    assert configure_logging("json") is False
