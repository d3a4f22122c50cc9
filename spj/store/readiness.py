"""Whether a store can serve: its database answers and its schema is at the newest migration (`/readyz`).

Only the schema revision is read: nothing about cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from spj.store.interface import Store
from spj.store.migrate import HEAD
from spj.store.sql import SqlStore


@dataclass(frozen=True)
class Readiness:
    """The database reached or not, the schema revision it is at (None when unknown) and the newest one."""

    reachable: bool
    schema: str | None
    head: str = HEAD

    @property
    def ready(self) -> bool:
        return self.reachable and self.schema == self.head


def readiness(store: Store) -> Readiness:
    """Check `store`: a SQL store is asked for its alembic revision; the memory store is always ready."""
    if not isinstance(store, SqlStore):
        return Readiness(reachable=True, schema=HEAD)
    try:
        with store.engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return Readiness(reachable=False, schema=None)
    return Readiness(reachable=True, schema=str(revision) if revision is not None else None)
