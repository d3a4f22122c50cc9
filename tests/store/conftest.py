"""Store fixtures: the same tests run on MemoryStore, SQLite (a temporary file) and PostgreSQL.

PostgreSQL runs when `SPJ_TEST_DATABASE_URL` is set; each test gets a fresh
schema (through `search_path`), dropped afterwards, so runs are repeatable and
do not disturb other users of the database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from spj.store import MemoryStore, SqlStore

PG_URL = os.environ.get("SPJ_TEST_DATABASE_URL")
KINDS = ["memory", "sqlite", "postgresql"]
SQL_KINDS = ["sqlite", "postgresql"]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL to a fresh, empty PostgreSQL schema (skips without SPJ_TEST_DATABASE_URL)."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need SPJ_TEST_DATABASE_URL")
    schema = f"spj_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+pysqlite:///{tmp_path / 'spj.sqlite3'}"


def _url(kind: str, request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("pg_url" if kind == "postgresql" else "sqlite_url"))


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest) -> Iterator[MemoryStore | SqlStore]:
    """Each store implementation in turn, empty."""
    if request.param == "memory":
        yield MemoryStore()
        return
    sql = SqlStore(_url(request.param, request))
    try:
        yield sql
    finally:
        sql.close()


@pytest.fixture(params=SQL_KINDS)
def sql_store(request: pytest.FixtureRequest) -> Iterator[SqlStore]:
    """Each SQL database in turn, empty."""
    sql = SqlStore(_url(request.param, request))
    try:
        yield sql
    finally:
        sql.close()
