"""What `spj serve` sets up before it listens (issue 12, point 8): the data file's mode and the demo accounts.

The SQLite file (and its WAL) is created 0600; demo accounts are created on a first start only: never with
`--no-demo`, never when any administrator exists. uvicorn itself is not started. Synthetic data only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from spj.cli.app import app
from spj.service import InstrumentRegistry, Workspace
from spj.store import SqlStore

HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_files_are_created_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = SqlStore(f"sqlite:///{tmp_path / 'spj.db'}")
        store.create_agency("agency-a", "A (synthetic)")
        try:
            assert _mode(tmp_path / "spj.db") == 0o600
            assert _mode(tmp_path / "spj.db-wal") == 0o600
        finally:
            store.close()
    finally:
        os.umask(old)


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "spj.db"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    SqlStore(f"sqlite:///{path}").close()
    assert _mode(path) == 0o640


@pytest.fixture
def no_uvicorn(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    import uvicorn

    calls: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(app))
    monkeypatch.delenv("SPJ_DATABASE_URL", raising=False)
    monkeypatch.setenv("SPJ_SECRET_KEY", "k" * 32)
    return calls


def _serve(tmp_path: Path, *extra: str) -> Any:
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path), *extra])
    assert result.exit_code == 0, result.output
    return result


def _users(tmp_path: Path) -> tuple[Any, Any]:
    store = SqlStore(f"sqlite+pysqlite:///{tmp_path / 'spj.sqlite3'}")
    try:
        return store.get_user_by_username("admin"), store.get_user_by_username("assessor")
    finally:
        store.close()


def test_first_start_creates_demo_accounts(tmp_path: Path, no_uvicorn: list[Any]) -> None:
    result = _serve(tmp_path)
    assert "password:" in result.output and all(u is not None for u in _users(tmp_path))
    assert _mode(tmp_path / "spj.sqlite3") == 0o600


def test_no_demo(tmp_path: Path, no_uvicorn: list[Any]) -> None:
    result = _serve(tmp_path, "--no-demo")
    assert "password" not in result.output and _users(tmp_path) == (None, None)
    assert "spj user add" in result.output  # says how to add the first account
    assert len(no_uvicorn) == 1


def test_no_demo_when_an_administrator_exists(tmp_path: Path, no_uvicorn: list[Any]) -> None:
    store = SqlStore(f"sqlite+pysqlite:///{tmp_path / 'spj.sqlite3'}")
    try:
        store.create_agency("agency-a", "A (synthetic)")
        Workspace(store, InstrumentRegistry(), hasher=HASHER).create_user(
            username="root", password="correct horse battery", role="administrator", agency_id="agency-a"
        )
    finally:
        store.close()
    result = _serve(tmp_path)
    assert "password" not in result.output and _users(tmp_path) == (None, None)
