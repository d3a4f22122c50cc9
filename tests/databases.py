"""The databases that store and service tests run on.

A SQLite file always; PostgreSQL when `SPJ_TEST_DATABASE_URL` is set. The
fixtures `sqlite_url` and `pg_url` live in `tests/conftest.py`.
"""

from __future__ import annotations

import os

import pytest

PG_URL = os.environ.get("SPJ_TEST_DATABASE_URL")
STORE_KINDS = ["memory", "sqlite", "postgresql"]
SQL_KINDS = ["sqlite", "postgresql"]


def database_url(kind: str, request: pytest.FixtureRequest) -> str:
    """The URL of a fresh database of `kind` ("sqlite" or "postgresql") for the requesting test."""
    return str(request.getfixturevalue("pg_url" if kind == "postgresql" else "sqlite_url"))
