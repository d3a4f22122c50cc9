"""`spj user add` and `spj token add|list|revoke` work on a named database only; tokens with a scope and an
expiry (issue 12, point 8). Synthetic agencies and accounts only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from spj.cli.app import app as cli
from spj.service import InstrumentRegistry, Workspace
from spj.store import SqlStore

PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def no_database_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No database named anywhere; the home folder is a temporary one, to see that nothing is written there."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("SPJ_DATABASE_URL", "SPJ_DATA_DIR", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.mark.parametrize(
    "args",
    [
        ["user", "add", "ann", "--agency", "a", "--new-agency", "A"],
        ["token", "add", "ann"],
        ["token", "list"],
        ["token", "revoke", "some-id"],
    ],
)
def test_refused_without_a_database_setting(no_database_setting: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 1, result.output
    assert "SPJ_DATABASE_URL" in result.output and "--db" in result.output and "SPJ_DATA_DIR" in result.output
    assert "Traceback" not in result.output
    assert list(no_database_setting.rglob("*")) == []  # nothing written under the home folder


def test_user_add_with_a_data_dir_setting(no_database_setting: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SPJ_DATA_DIR", str(tmp_path / "data"))
    args = ["user", "add", "ann", "--agency", "a", "--new-agency", "A (synthetic)"]
    result = CliRunner().invoke(cli, args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "spj.sqlite3").exists()
    assert list(no_database_setting.rglob("*")) == []


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'spj.db'}"
    store = SqlStore(url)
    store.create_agency("agency-a", "A (synthetic)")
    Workspace(store, InstrumentRegistry(), hasher=FAST_HASHER).create_user(
        username="cms1", password=PASSWORD, role="assessor", agency_id="agency-a"
    )
    store.close()
    return url


def test_token_add_read_only_with_expiry_then_list(database: str) -> None:
    runner = CliRunner()
    added = runner.invoke(
        cli,
        [
            "token",
            "add",
            "cms1",
            "--label",
            "probation CMS",
            "--scope",
            "read",
            "--expires-in",
            "90d",
            "--db",
            database,
        ],
    )
    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[0]
    store = SqlStore(database)
    try:
        grant = Workspace(store, InstrumentRegistry(), hasher=FAST_HASHER).token_grant(token)
        assert grant is not None and grant.token.scope == "read" and grant.token.expires_at is not None
        lifetime = grant.token.expires_at - grant.token.created_at
        assert abs(lifetime - dt.timedelta(days=90)) < dt.timedelta(seconds=5)
    finally:
        store.close()
    listed = runner.invoke(cli, ["token", "list", "--json", "--db", database])
    assert listed.exit_code == 0, listed.output
    (entry,) = json.loads(listed.stdout)
    assert (entry["username"], entry["label"], entry["scope"], entry["state"]) == (
        "cms1",
        "probation CMS",
        "read",
        "active",
    )
    assert token not in listed.output
    text = runner.invoke(cli, ["token", "list", "--db", database])
    assert entry["id"] in text.stdout and "probation CMS" in text.stdout
    assert runner.invoke(cli, ["token", "revoke", entry["id"], "--db", database]).exit_code == 0
    again = json.loads(runner.invoke(cli, ["token", "list", "--json", "--db", database]).stdout)
    assert again[0]["state"] == "revoked"


@pytest.mark.parametrize(
    ("option", "value", "field"), [("--expires-in", "forever", "expires_in"), ("--scope", "admin", "scope")]
)
def test_token_add_refuses_a_bad_option(database: str, option: str, value: str, field: str) -> None:
    result = CliRunner().invoke(cli, ["token", "add", "cms1", option, value, "--db", database])
    assert result.exit_code == 1 and field in result.output and "Traceback" not in result.output
    store = SqlStore(database)
    try:
        assert store.list_tokens() == []  # nothing created
    finally:
        store.close()
