"""`/healthz` (the process answers) and `/readyz` (database reachable, migrations at HEAD) (issue 12, point 8).

No token needed, and nothing about cases in the answer. Synthetic data only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import FAST_HASHER, TestClient

from spj.api import create_app
from spj.service import InstrumentRegistry
from spj.store import MemoryStore, SqlStore
from spj.store.migrate import HEAD


@pytest.fixture
def sql_store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'spj.db'}")
    try:
        yield store
    finally:
        store.close()


def _client(store: MemoryStore | SqlStore, registry: InstrumentRegistry) -> TestClient:
    app = create_app(store, instruments=registry, hasher=FAST_HASHER, web=False)
    return TestClient(app, raise_server_exceptions=False)


def test_healthz_answers_without_a_token(registry: InstrumentRegistry) -> None:
    response = _client(MemoryStore(), registry).get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_on_a_current_database(sql_store: SqlStore, registry: InstrumentRegistry) -> None:
    response = _client(sql_store, registry).get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "database": "reachable", "schema": HEAD, "head": HEAD}


def test_readyz_503_when_migrations_are_behind(sql_store: SqlStore, registry: InstrumentRegistry) -> None:
    with sql_store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    response = _client(sql_store, registry).get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not-ready", "database": "reachable", "schema": "0001", "head": HEAD}


def test_readyz_503_when_the_database_is_unreachable(
    sql_store: SqlStore, registry: InstrumentRegistry, tmp_path: Path
) -> None:
    client = _client(sql_store, registry)
    sql_store.engine = sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'spj.db'}")  # a folder that is not there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not-ready", "database": "unreachable", "schema": None, "head": HEAD}


def test_readyz_on_the_memory_store(registry: InstrumentRegistry) -> None:
    assert _client(MemoryStore(), registry).get("/readyz").json()["status"] == "ready"


def test_documented_without_security(registry: InstrumentRegistry) -> None:
    paths = _client(MemoryStore(), registry).get("/openapi.json").json()["paths"]
    assert paths["/healthz"]["get"].get("security", []) == []
    assert {"200", "503"} <= set(paths["/readyz"]["get"]["responses"])
