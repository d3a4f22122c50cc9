"""Unsaved work kept by the workspace's autosave: one buffer per person and draft, never a revision.

A revision is the record (hash-chained, audited, shown in the history, counted for the four-eyes
rule); an autosave every few seconds would bury that record in noise. The buffer holds the form
exactly as typed (even when it would not validate yet), with the revision it was typed on. It is
replaced by each autosave and removed when its owner saves or discards it; nobody else sees it.

`MemoryDrafts` (tests) and `SqlDrafts` (on the `SqlStore`'s engine) behave alike; each store has
one as `store.drafts`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import ColumnElement, and_, delete, insert, select

from spj.store.hashing import utc_now
from spj.store.tables import Base, DraftBufferRow

if TYPE_CHECKING:
    from spj.store.sql import SqlStore

_table = Base.metadata.tables[DraftBufferRow.__tablename__]


@dataclass(frozen=True)
class DraftBuffer:
    """The form one person typed on a draft and has not saved yet."""

    agency_id: str
    assessment_id: str
    user_id: str
    base: int  # the revision the form was typed on
    fields: dict[str, list[str]] = field(default_factory=dict)
    saved_at: dt.datetime = field(default_factory=utc_now)


class Drafts(Protocol):
    """The store's autosave buffers."""

    def put(self, buffer: DraftBuffer) -> DraftBuffer: ...
    def get(self, agency_id: str, assessment_id: str, user_id: str) -> DraftBuffer | None: ...
    def discard(self, agency_id: str, assessment_id: str, user_id: str) -> None: ...


class MemoryDrafts:
    """Autosave buffers in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffers: dict[tuple[str, str, str], DraftBuffer] = {}

    def put(self, buffer: DraftBuffer) -> DraftBuffer:
        with self._lock:
            self._buffers[(buffer.agency_id, buffer.assessment_id, buffer.user_id)] = buffer
        return buffer

    def get(self, agency_id: str, assessment_id: str, user_id: str) -> DraftBuffer | None:
        with self._lock:
            return self._buffers.get((agency_id, assessment_id, user_id))

    def discard(self, agency_id: str, assessment_id: str, user_id: str) -> None:
        with self._lock:
            self._buffers.pop((agency_id, assessment_id, user_id), None)


class SqlDrafts:
    """Autosave buffers in the `draft_buffers` table of a `SqlStore` (one row per person and draft)."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def put(self, buffer: DraftBuffer) -> DraftBuffer:
        with self._store._write() as conn:  # replace: delete and insert in one transaction
            conn.execute(delete(_table).where(_key(buffer.agency_id, buffer.assessment_id, buffer.user_id)))
            conn.execute(
                insert(_table).values(
                    agency_id=buffer.agency_id,
                    assessment_id=buffer.assessment_id,
                    user_id=buffer.user_id,
                    base=buffer.base,
                    fields=json.dumps(buffer.fields, ensure_ascii=False),
                    saved_at=buffer.saved_at,
                )
            )
        return buffer

    def get(self, agency_id: str, assessment_id: str, user_id: str) -> DraftBuffer | None:
        with self._store._read() as conn:
            row = conn.execute(select(_table).where(_key(agency_id, assessment_id, user_id))).first()
        if row is None:
            return None
        return DraftBuffer(agency_id, assessment_id, user_id, row.base, json.loads(row.fields), row.saved_at)

    def discard(self, agency_id: str, assessment_id: str, user_id: str) -> None:
        with self._store._write() as conn:
            conn.execute(delete(_table).where(_key(agency_id, assessment_id, user_id)))


def _key(agency_id: str, assessment_id: str, user_id: str) -> ColumnElement[bool]:
    return and_(_table.c.agency_id == agency_id, _table.c.assessment_id == assessment_id, _table.c.user_id == user_id)
