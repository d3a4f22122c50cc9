"""Bring a database to the newest schema with the migrations shipped in `spj/store/migrations/`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

    from spj.store.keys import Keyring

from spj.store.engine import WRITE_OPTION

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0010"
_PG_LOCK = 0x5B1_5702E  # advisory lock id: one migrating process at a time


def alembic_config() -> Config:
    """An alembic configuration built in code: no alembic.ini needed."""
    from alembic.config import Config  # imported when needed: alembic takes ~0.4 s to import

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    return config


def upgrade(engine: Engine, keyring: Keyring | None = None) -> None:
    """Run `upgrade head` in one transaction, serialized against other processes doing the same.

    `keyring` seals the existing audit trail when the migration to sealed audit (0007) runs.
    """
    from alembic import command

    config = alembic_config()
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
            config.attributes["connection"] = conn
            config.attributes["keyring"] = keyring
            command.upgrade(config, "head")
