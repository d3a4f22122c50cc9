"""The outbox: every change writes an event row in the change's own transaction, for the event feed and web hooks.

A change that writes a sealed audit entry (`create`, `save`, `finalise`, `countersign`, `update-status`, a
return to the assessor, a case created or updated) also writes the event of its kind (`EVENT_KINDS`) in
the same transaction, so an event is never lost (the change committed) nor invented (the change rolled
back). A partner's delivery record writes its `delivery-recorded` event likewise, and a finalised plan
that names partners a `referred` event.

Events carry ids only, never case text: kind, agency, case, assessment, revision, referral, partner agencies,
time. Ids grow in commit order: on PostgreSQL each event is written under the audit chain's advisory lock
(held to the commit), on SQLite under its single writer, so a reader going on `after` the last id it saw
never misses one committed later.

`MemoryOutbox` (tests) and `SqlOutbox` (on the `SqlStore`'s engine) behave alike; each store has one as
`store.events`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection

from spj.store.tables import Base, EventRow

if TYPE_CHECKING:
    from spj.store.sql import SqlStore

_events = Base.metadata.tables[EventRow.__tablename__]
LEDGER_LOCK = 0x5B1_A0D1  # PostgreSQL advisory lock of the audit chain: one writer of the chain and the outbox

# audit action -> event kind; an action not here (a read, a login) writes no event
EVENT_KINDS: dict[str, str] = {
    "create": "created",
    "save": "saved",
    "finalise": "finalised",
    "countersign": "countersigned",
    "return-to-assessor": "returned",
    "update-status": "delivery-updated",
    "create-case": "case-created",
    "update-case": "case-updated",
}
REFERRED = "referred"
DELIVERY_RECORDED = "delivery-recorded"
KINDS: tuple[str, ...] = (*EVENT_KINDS.values(), REFERRED, DELIVERY_RECORDED)


@dataclass(frozen=True)
class Event:
    """One change, as the feed and web hooks show it: ids, kind, revision, time; never case text."""

    id: int
    agency_id: str
    kind: str
    at: dt.datetime
    case_id: str | None = None
    assessment_id: str | None = None
    revision: int | None = None
    referral_id: str | None = None
    partners: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON data (the feed's and the web hooks' payload)."""
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "agency_id": self.agency_id,
            "case_id": self.case_id,
            "assessment_id": self.assessment_id,
            "revision": self.revision,
        }
        if self.referral_id is not None:
            data["referral_id"] = self.referral_id
        if self.partners:
            data["partners"] = list(self.partners)
        return data


@dataclass(frozen=True)
class NewEvent:
    """An event to append (its id and time are the store's)."""

    agency_id: str
    kind: str
    case_id: str | None = None
    assessment_id: str | None = None
    revision: int | None = None
    referral_id: str | None = None
    partners: tuple[str, ...] = ()


class EventFeed(Protocol):
    """The store's outbox, read in id order per agency."""

    def after(
        self, agency_id: str, after_id: int, *, limit: int, kinds: Collection[str] | None = None
    ) -> list[Event]: ...
    def last_id(self) -> int: ...


class MemoryOutbox:
    """Events in a list; `append` is called by `MemoryStore` under its lock, inside the change it records."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._events: list[Event] = []

    def append(self, new: NewEvent, at: dt.datetime) -> Event:
        with self._lock:
            event = Event(len(self._events) + 1, at=at, **_fields(new))
            self._events.append(event)
            return event

    def after(self, agency_id: str, after_id: int, *, limit: int, kinds: Collection[str] | None = None) -> list[Event]:
        """The agency's events with an id above `after_id`, oldest first, at most `limit`."""
        with self._lock:
            found = [
                e for e in self._events[after_id:] if e.agency_id == agency_id and (kinds is None or e.kind in kinds)
            ]
        return found[:limit]

    def last_id(self) -> int:
        """The id of the newest event of any agency (0 when there is none): the highest valid position."""
        with self._lock:
            return len(self._events)


class SqlOutbox:
    """Events in the `events` table of a `SqlStore`; rows are written by `append` inside the store's writes."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def after(self, agency_id: str, after_id: int, *, limit: int, kinds: Collection[str] | None = None) -> list[Event]:
        query = select(_events).where(_events.c.agency_id == agency_id, _events.c.id > after_id)
        if kinds is not None:
            query = query.where(_events.c.kind.in_(list(kinds)))
        with self._store._read() as conn:
            rows = conn.execute(query.order_by(_events.c.id).limit(limit)).all()
        return [event_of(r) for r in rows]

    def last_id(self) -> int:
        with self._store._read() as conn:
            return int(conn.execute(select(func.max(_events.c.id))).scalar() or 0)


def append(conn: Connection, new: NewEvent, at: dt.datetime) -> None:
    """Write `new` in the transaction of `conn` (under the chain's lock on PostgreSQL: ids in commit order)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK})
    values = _fields(new)
    values["partners"] = json.dumps(list(new.partners)) if new.partners else None
    conn.execute(insert(_events).values(at=at, **values))


def event_of(row: Any) -> Event:
    """An `events` row as an `Event`."""
    return Event(
        id=row.id,
        agency_id=row.agency_id,
        kind=row.kind,
        at=row.at,
        case_id=row.case_id,
        assessment_id=row.assessment_id,
        revision=row.revision,
        referral_id=row.referral_id,
        partners=tuple(json.loads(row.partners)) if row.partners else (),
    )


def _fields(new: NewEvent) -> dict[str, Any]:
    return {name: getattr(new, name) for name in NewEvent.__dataclass_fields__}
