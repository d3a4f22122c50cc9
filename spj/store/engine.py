"""Database URLs and engines: the default SQLite file, and the SQLite settings that make it safe.

SQLite is set up for durability and concurrent writers: WAL journal,
`synchronous=FULL`, foreign keys on, a busy timeout, and `BEGIN IMMEDIATE` for
write transactions so that concurrent writers wait for each other instead of
failing half-way with "database is locked".
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

from spj.errors import Code, Location, Problem, StoreError

BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "spj_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)


def default_data_dir() -> Path:
    """Where the default database lives: `$SPJ_DATA_DIR`, else `$XDG_DATA_HOME/spj`, else `~/.local/share/spj`."""
    if env := os.environ.get("SPJ_DATA_DIR"):
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share") / "spj"


def default_database_url() -> str:
    """The URL of the default SQLite file (its folder is created)."""
    folder = default_data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            Problem(Code.STORE, f"cannot create the data folder {folder}: {exc.strerror}; set SPJ_DATA_DIR", Location())
        ) from exc
    return f"sqlite+pysqlite:///{folder / 'spj.sqlite3'}"


def make_engine(url: str) -> Engine:
    """An engine for `url`, with spj's SQLite settings when it is SQLite. Parameters never appear in errors."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(Problem(Code.STORE, f"not a database URL: {url!r}", Location())) from exc
    options: dict[str, Any] = {"hide_parameters": True, "pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise StoreError(
                Problem(Code.STORE, "an in-memory SQLite database is not supported; give a file", Location())
            )
        options["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000}
        _create_private(parsed.database)
    try:
        engine = create_engine(parsed, **options)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(Problem(Code.STORE, f"cannot use database URL {url!r}: {exc}", Location())) from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _create_private(database: str) -> None:
    """Create the SQLite file readable by its owner only (0600) when it is not there yet; SQLite gives its WAL
    and shared-memory files the same mode. An existing file keeps its mode; a file that cannot be created is
    left for SQLite to report when it connects."""
    if database.startswith("file:"):
        return  # a URI filename: SQLite opens it with its own options
    with contextlib.suppress(OSError):  # FileExistsError among them
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # pysqlite's own transaction handling is turned off: spj emits BEGIN itself (below)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
