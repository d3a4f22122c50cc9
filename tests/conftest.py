"""pytest configuration: puts tests/ on the path so `helpers` and `property.strategies` import.

It also provides the databases that store and service tests run on (see
`databases.py`): a SQLite file, and PostgreSQL when `SPJ_TEST_DATABASE_URL` is
set (each test gets a fresh schema through `search_path`, dropped afterwards,
so runs are repeatable and do not disturb other users of the database).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))

from databases import PG_URL  # after the path above


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


# The stores' audit key (spj.store.keys): a fixed test key, so that no test writes a key file into the user's
# data folder and processes a test starts (crash writers, a served app) seal with the same key.
os.environ.setdefault("SPJ_AUDIT_KEY", "test-key:" + "5e" * 32)
