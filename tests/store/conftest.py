"""Store fixtures: the same tests run on MemoryStore, SQLite (a temporary file) and PostgreSQL.

The databases come from `tests/databases.py`; PostgreSQL runs when
`SPJ_TEST_DATABASE_URL` is set.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from databases import SQL_KINDS, STORE_KINDS, database_url

from spj.store import MemoryStore, SqlStore


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest) -> Iterator[MemoryStore | SqlStore]:
    """Each store implementation in turn, empty."""
    if request.param == "memory":
        yield MemoryStore()
        return
    sql = SqlStore(database_url(request.param, request))
    try:
        yield sql
    finally:
        sql.close()


@pytest.fixture(params=SQL_KINDS)
def sql_store(request: pytest.FixtureRequest) -> Iterator[SqlStore]:
    """Each SQL database in turn, empty."""
    sql = SqlStore(database_url(request.param, request))
    try:
        yield sql
    finally:
        sql.close()


@pytest.fixture(params=SQL_KINDS)
def sql_url(request: pytest.FixtureRequest) -> str:
    """The URL of each SQL database in turn, empty and not yet migrated."""
    return database_url(request.param, request)
