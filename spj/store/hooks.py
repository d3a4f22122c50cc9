"""The delivery of events to web hook subscriptions: one row per (subscription, event), pending until delivered.

`enqueue` adds a pending delivery for each of the agency's events the subscription has not had yet (the
pair is unique: an event is never queued twice for one subscription). A worker takes the `due`
deliveries, `claim`s each one (a lease: two workers never send the same delivery at once), sends it and
records the outcome: `delivered`, or `failed` with the next attempt's time, or dead after the last attempt
(the dead-letter list, which `retry` puts back in the queue).

`MemoryHooks` (tests) and `SqlHooks` (on the `SqlStore`'s engine) behave alike; each store has one as
`store.hooks`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from spj.store.interface import NotFoundError
from spj.store.outbox import Event, MemoryOutbox, event_of
from spj.store.tables import Base, EventRow, HookDeliveryRow

if TYPE_CHECKING:
    from spj.store.sql import SqlStore

_table = Base.metadata.tables[HookDeliveryRow.__tablename__]
_events = Base.metadata.tables[EventRow.__tablename__]
State = Literal["pending", "delivered", "dead"]
_ENQUEUE_BATCH = 500


@dataclass(frozen=True)
class Delivery:
    """One event on its way to one subscription."""

    id: int
    subscription_id: str
    agency_id: str
    event: Event
    state: State
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None = None
    last_status: int | None = None
    delivered_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """The delivery as JSON data (the dead-letter list)."""
        return {
            "id": self.id,
            "subscription_id": self.subscription_id,
            "state": self.state,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat().replace("+00:00", "Z"),
            "last_error": self.last_error,
            "last_status": self.last_status,
            "event": self.event.to_dict(),
        }


class HookDeliveries(Protocol):
    """The store's web hook deliveries."""

    def enqueue(
        self, subscription_id: str, agency_id: str, kinds: Collection[str] | None, *, now: dt.datetime
    ) -> int: ...
    def due(self, now: dt.datetime, *, limit: int = 100) -> list[Delivery]: ...
    def claim(self, delivery: Delivery, *, now: dt.datetime, lease_until: dt.datetime) -> bool: ...
    def delivered(self, delivery_id: int, *, now: dt.datetime, status: int) -> None: ...
    def failed(
        self, delivery_id: int, *, error: str, status: int | None, next_attempt_at: dt.datetime, dead: bool
    ) -> None: ...
    def get(self, delivery_id: int) -> Delivery: ...
    def list(self, agency_id: str, *, state: State | None = None, limit: int = 200) -> list[Delivery]: ...
    def retry(self, agency_id: str, delivery_id: int, *, now: dt.datetime) -> Delivery: ...


class MemoryHooks:
    """Deliveries in a dictionary, over a `MemoryOutbox`."""

    def __init__(self, events: MemoryOutbox) -> None:
        self._events = events
        self._lock = threading.Lock()
        self._rows: dict[int, Delivery] = {}

    def enqueue(self, subscription_id: str, agency_id: str, kinds: Collection[str] | None, *, now: dt.datetime) -> int:
        """Queue the agency's events (of `kinds`, or all) the subscription has not had; how many were queued."""
        with self._lock:
            seen = {d.event.id for d in self._rows.values() if d.subscription_id == subscription_id}
            last = max(seen, default=0)
            added = 0
            for event in self._events.after(agency_id, last, limit=_ENQUEUE_BATCH, kinds=kinds):
                if event.id not in seen:
                    delivery_id = len(self._rows) + 1
                    self._rows[delivery_id] = Delivery(
                        delivery_id, subscription_id, agency_id, event, "pending", 0, now
                    )
                    added += 1
            return added

    def due(self, now: dt.datetime, *, limit: int = 100) -> list[Delivery]:
        with self._lock:
            found = [d for d in self._rows.values() if d.state == "pending" and d.next_attempt_at <= now]
        return sorted(found, key=lambda d: (d.event.id, d.id))[:limit]

    def claim(self, delivery: Delivery, *, now: dt.datetime, lease_until: dt.datetime) -> bool:
        with self._lock:
            current = self._rows.get(delivery.id)
            if current is None or current != delivery or current.state != "pending" or current.next_attempt_at > now:
                return False
            self._rows[delivery.id] = dataclasses.replace(current, next_attempt_at=lease_until)
            return True

    def delivered(self, delivery_id: int, *, now: dt.datetime, status: int) -> None:
        with self._lock:
            d = self._rows[delivery_id]
            self._rows[delivery_id] = dataclasses.replace(
                d, state="delivered", attempts=d.attempts + 1, last_status=status, last_error=None, delivered_at=now
            )

    def failed(
        self, delivery_id: int, *, error: str, status: int | None, next_attempt_at: dt.datetime, dead: bool
    ) -> None:
        with self._lock:
            d = self._rows[delivery_id]
            self._rows[delivery_id] = dataclasses.replace(
                d,
                state="dead" if dead else "pending",
                attempts=d.attempts + 1,
                last_error=error[:400],
                last_status=status,
                next_attempt_at=next_attempt_at,
            )

    def get(self, delivery_id: int) -> Delivery:
        with self._lock:
            found = self._rows.get(delivery_id)
        if found is None:
            raise NotFoundError(f"delivery {delivery_id}")
        return found

    def list(self, agency_id: str, *, state: State | None = None, limit: int = 200) -> list[Delivery]:
        """The agency's deliveries (in one state, when given), oldest first."""
        with self._lock:
            found = [d for d in self._rows.values() if d.agency_id == agency_id and (state is None or d.state == state)]
        return sorted(found, key=lambda d: d.id)[:limit]

    def retry(self, agency_id: str, delivery_id: int, *, now: dt.datetime) -> Delivery:
        """Put a dead delivery of the agency back in the queue, with its attempts counted afresh."""
        with self._lock:
            d = self._rows.get(delivery_id)
            if d is None or d.agency_id != agency_id or d.state != "dead":
                raise NotFoundError(f"dead delivery {delivery_id}")
            self._rows[delivery_id] = d = dataclasses.replace(d, state="pending", attempts=0, next_attempt_at=now)
            return d


class SqlHooks:
    """Deliveries in the `hook_deliveries` table of a `SqlStore`."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def enqueue(self, subscription_id: str, agency_id: str, kinds: Collection[str] | None, *, now: dt.datetime) -> int:
        with self._store._write() as conn:
            last = conn.execute(
                select(func.max(_table.c.event_id)).where(_table.c.subscription_id == subscription_id)
            ).scalar()
            query = select(_events.c.id).where(_events.c.agency_id == agency_id, _events.c.id > (last or 0))
            if kinds is not None:
                query = query.where(_events.c.kind.in_(sorted(kinds)))
            ids = conn.execute(query.order_by(_events.c.id).limit(_ENQUEUE_BATCH)).scalars().all()
            added = 0
            for event_id in ids:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(_table).values(
                                subscription_id=subscription_id,
                                agency_id=agency_id,
                                event_id=event_id,
                                state="pending",
                                attempts=0,
                                next_attempt_at=now,
                            )
                        )
                    added += 1
                except IntegrityError:
                    continue  # queued at the same moment by another worker
            return added

    def _select(self) -> Any:
        return select(_table, *[c.label(f"ev_{c.name}") for c in _events.c]).join(
            _events, _events.c.id == _table.c.event_id
        )

    def due(self, now: dt.datetime, *, limit: int = 100) -> list[Delivery]:
        query = (
            self._select()
            .where(_table.c.state == "pending", _table.c.next_attempt_at <= now)
            .order_by(_table.c.event_id, _table.c.id)
            .limit(limit)
        )
        with self._store._read() as conn:
            return [_delivery(r) for r in conn.execute(query).all()]

    def claim(self, delivery: Delivery, *, now: dt.datetime, lease_until: dt.datetime) -> bool:
        with self._store._write() as conn:
            moved = conn.execute(
                update(_table)
                .where(
                    _table.c.id == delivery.id,
                    _table.c.state == "pending",
                    _table.c.attempts == delivery.attempts,
                    _table.c.next_attempt_at <= now,
                )
                .values(next_attempt_at=lease_until)
            ).rowcount
        return moved == 1

    def delivered(self, delivery_id: int, *, now: dt.datetime, status: int) -> None:
        with self._store._write() as conn:
            conn.execute(
                update(_table)
                .where(_table.c.id == delivery_id)
                .values(
                    state="delivered",
                    attempts=_table.c.attempts + 1,
                    last_status=status,
                    last_error=None,
                    delivered_at=now,
                )
            )

    def failed(
        self, delivery_id: int, *, error: str, status: int | None, next_attempt_at: dt.datetime, dead: bool
    ) -> None:
        with self._store._write() as conn:
            conn.execute(
                update(_table)
                .where(_table.c.id == delivery_id)
                .values(
                    state="dead" if dead else "pending",
                    attempts=_table.c.attempts + 1,
                    last_error=error[:400],
                    last_status=status,
                    next_attempt_at=next_attempt_at,
                )
            )

    def get(self, delivery_id: int) -> Delivery:
        with self._store._read() as conn:
            row = conn.execute(self._select().where(_table.c.id == delivery_id)).first()
        if row is None:
            raise NotFoundError(f"delivery {delivery_id}")
        return _delivery(row)

    def list(self, agency_id: str, *, state: State | None = None, limit: int = 200) -> list[Delivery]:
        query = self._select().where(_table.c.agency_id == agency_id)
        if state is not None:
            query = query.where(_table.c.state == state)
        with self._store._read() as conn:
            return [_delivery(r) for r in conn.execute(query.order_by(_table.c.id).limit(limit)).all()]

    def retry(self, agency_id: str, delivery_id: int, *, now: dt.datetime) -> Delivery:
        with self._store._write() as conn:
            moved = conn.execute(
                update(_table)
                .where(_table.c.id == delivery_id, _table.c.agency_id == agency_id, _table.c.state == "dead")
                .values(state="pending", attempts=0, next_attempt_at=now)
            ).rowcount
        if moved != 1:
            raise NotFoundError(f"dead delivery {delivery_id}")
        return self.get(delivery_id)


def _delivery(row: Any) -> Delivery:
    event = event_of(_EventColumns(row))
    return Delivery(
        id=row.id,
        subscription_id=row.subscription_id,
        agency_id=row.agency_id,
        event=event,
        state=row.state,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        last_status=row.last_status,
        delivered_at=row.delivered_at,
    )


class _EventColumns:
    """The `ev_*` columns of a joined row, read under the events table's own names."""

    def __init__(self, row: Any) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, f"ev_{name}")
