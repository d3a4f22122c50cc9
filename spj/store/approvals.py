"""Approvals of a case consultation's feedback note given in the workspace (art. 458ter Sw.).

A consultation record (`spj-consultation/1`) may already list approvals; a
participating agency that approves later does so in the workspace, and that
approval is kept here: one per consultation and agency, never withdrawn
(append-only, database triggers refuse UPDATE and DELETE). The approval and
its audit entry are written in one transaction; approving again changes
nothing and writes nothing.

`MemoryApprovals` (tests) and `SqlApprovals` (on the `SqlStore`'s engine)
behave alike; each store has one as `store.approvals`.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Row, and_, insert, select
from sqlalchemy.exc import IntegrityError

from spj.store.hashing import utc_now
from spj.store.tables import Base, ConsultationApprovalRow

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from spj.store.memory import MemoryStore
    from spj.store.sql import SqlStore

_table = Base.metadata.tables[ConsultationApprovalRow.__tablename__]
ACTION = "approve-feedback"  # the audit action


@dataclass(frozen=True)
class NoteApproval:
    """One participating agency's approval of a consultation's feedback note, given in the workspace."""

    consultation_id: str
    agency_id: str
    actor_id: str
    username: str
    at: dt.datetime


class NoteApprovals(Protocol):
    """The approvals given in the workspace."""

    def approve(
        self, consultation_id: str, agency_id: str, *, actor_id: str, username: str
    ) -> tuple[NoteApproval, bool]:
        """The agency's approval, and whether it is new (audited); an existing one is returned unchanged."""
        ...

    def of(self, consultation_id: str) -> list[NoteApproval]:
        """The approvals of a consultation's note, in the order given."""
        ...


class MemoryApprovals:
    """Approvals in memory, audited in the `MemoryStore`'s chain."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._approvals: dict[tuple[str, str], NoteApproval] = {}

    def approve(
        self, consultation_id: str, agency_id: str, *, actor_id: str, username: str
    ) -> tuple[NoteApproval, bool]:
        with self._lock:
            found = self._approvals.get((consultation_id, agency_id))
            if found is not None:
                return found, False
            approval = NoteApproval(consultation_id, agency_id, actor_id, username, utc_now())
            self._store.record(
                agency_id, actor=actor_id, action=ACTION, assessment_id=None, revision=None, detail=consultation_id
            )
            self._approvals[(consultation_id, agency_id)] = approval
            return approval, True

    def of(self, consultation_id: str) -> list[NoteApproval]:
        with self._lock:
            found = [a for (c, _), a in self._approvals.items() if c == consultation_id]
        return sorted(found, key=lambda a: a.at)


class SqlApprovals:
    """Approvals in the `consultation_approvals` table of a `SqlStore`, audited in the same transaction."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def approve(
        self, consultation_id: str, agency_id: str, *, actor_id: str, username: str
    ) -> tuple[NoteApproval, bool]:
        try:
            return self._approve(consultation_id, agency_id, actor_id=actor_id, username=username)
        except IntegrityError:  # the same agency approved at the same moment: theirs stands, nothing written
            with self._store._read() as conn:
                found = _find(conn, consultation_id, agency_id)
            if found is None:
                raise
            return found, False

    def _approve(
        self, consultation_id: str, agency_id: str, *, actor_id: str, username: str
    ) -> tuple[NoteApproval, bool]:
        with self._store._write() as conn:
            found = _find(conn, consultation_id, agency_id)
            if found is not None:
                return found, False
            self._store._require_agency(conn, agency_id)
            approval = NoteApproval(consultation_id, agency_id, actor_id, username, utc_now())
            conn.execute(
                insert(_table).values(
                    consultation_id=consultation_id,
                    agency_id=agency_id,
                    actor_id=actor_id,
                    username=username,
                    at=approval.at,
                )
            )
            self._store._audit(
                conn,
                agency_id=agency_id,
                actor=actor_id,
                action=ACTION,
                assessment_id=None,
                revision=None,
                detail=consultation_id,
                at=approval.at,
            )
        return approval, True

    def of(self, consultation_id: str) -> list[NoteApproval]:
        query = select(_table).where(_table.c.consultation_id == consultation_id).order_by(_table.c.at)
        with self._store._read() as conn:
            return [_approval(row) for row in conn.execute(query)]


def _find(conn: Connection, consultation_id: str, agency_id: str) -> NoteApproval | None:
    row = conn.execute(
        select(_table).where(and_(_table.c.consultation_id == consultation_id, _table.c.agency_id == agency_id))
    ).first()
    return _approval(row) if row is not None else None


def _approval(row: Row[Any]) -> NoteApproval:
    return NoteApproval(row.consultation_id, row.agency_id, row.actor_id, row.username, row.at)
