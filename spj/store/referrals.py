"""What the store keeps for partners: an index of where referrals may be, and what they record.

A referral is not stored: it is derived from the agreed plan of a case's
current final assessment (`spj.service.referrals`), so it can never drift
from the plan, and withdrawing or re-pointing a step withdraws the partner's
access at once. To find a partner's referrals without reading every
assessment, the service indexes (partner agency, agency, assessment) before
it writes a final revision that names the partner; the plan then decides.

What a partner records about a referral (its response, the start, each
session, the end, a note) is stored as append-only events, keyed by the
referral's id; `spj.service.delivery` reads them in order.

`MemoryReferrals` (tests) and `SqlReferrals` (on the `SqlStore`'s engine)
behave alike; each store has one as `store.referrals`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from spj.store.hashing import canonical_json, utc_now
from spj.store.outbox import DELIVERY_RECORDED, MemoryOutbox, NewEvent
from spj.store.outbox import append as append_event
from spj.store.tables import Base, ReferralEventRow, ReferralIndexRow

if TYPE_CHECKING:
    from spj.store.sql import SqlStore

_index = Base.metadata.tables[ReferralIndexRow.__tablename__]
_events = Base.metadata.tables[ReferralEventRow.__tablename__]


@dataclass(frozen=True)
class DeliveryEvent:
    """One thing a partner recorded about a referral (`kind`: accept, decline, start, session, end, note)."""

    id: int
    referral_id: str
    partner_agency_id: str
    agency_id: str  # the agency that made the assessment
    case_id: str
    at: dt.datetime
    actor_id: str
    by: str  # the username
    kind: str
    data: dict[str, Any]


class ReferralStore(Protocol):
    """Where referrals may be, by partner agency, and what partners record about them."""

    def index(self, agency_id: str, assessment_id: str, partners: Iterable[str]) -> None: ...
    def candidates(self, partner_agency_id: str) -> list[tuple[str, str]]: ...
    def append_event(
        self,
        *,
        referral_id: str,
        partner_agency_id: str,
        agency_id: str,
        case_id: str,
        actor_id: str,
        by: str,
        kind: str,
        data: dict[str, Any],
    ) -> DeliveryEvent: ...
    def events(self, referral_ids: Sequence[str]) -> list[DeliveryEvent]: ...


class MemoryReferrals:
    """The referral index in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: dict[str, list[tuple[str, str]]] = {}
        self._events: list[DeliveryEvent] = []
        self.outbox: MemoryOutbox | None = None  # the store's event feed, when there is one (spj.store.outbox)

    def index(self, agency_id: str, assessment_id: str, partners: Iterable[str]) -> None:
        with self._lock:
            for partner in partners:
                rows = self._index.setdefault(partner, [])
                if (agency_id, assessment_id) not in rows:
                    rows.append((agency_id, assessment_id))

    def candidates(self, partner_agency_id: str) -> list[tuple[str, str]]:
        """(agency, assessment) pairs that may refer a case to the partner, oldest first."""
        with self._lock:
            return list(self._index.get(partner_agency_id, ()))

    def append_event(
        self,
        *,
        referral_id: str,
        partner_agency_id: str,
        agency_id: str,
        case_id: str,
        actor_id: str,
        by: str,
        kind: str,
        data: dict[str, Any],
    ) -> DeliveryEvent:
        stored = json.loads(canonical_json(data))  # as the database keeps it: plain JSON, copied
        with self._lock:
            event = DeliveryEvent(
                id=len(self._events) + 1,
                referral_id=referral_id,
                partner_agency_id=partner_agency_id,
                agency_id=agency_id,
                case_id=case_id,
                at=utc_now(),
                actor_id=actor_id,
                by=by,
                kind=kind,
                data=stored,
            )
            self._events.append(event)
            if self.outbox is not None:
                self.outbox.append(_recorded(agency_id, case_id, referral_id), event.at)
            return event

    def events(self, referral_ids: Sequence[str]) -> list[DeliveryEvent]:
        """The events of these referrals, in the order they were recorded."""
        wanted = set(referral_ids)
        with self._lock:
            return [e for e in self._events if e.referral_id in wanted]


class SqlReferrals:
    """The referral index in the `referral_index` table of a `SqlStore`."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def index(self, agency_id: str, assessment_id: str, partners: Iterable[str]) -> None:
        wanted = sorted(set(partners))
        if not wanted:
            return
        with self._store._write() as conn:
            known = set(
                conn.execute(
                    select(_index.c.partner_agency_id).where(
                        _index.c.agency_id == agency_id, _index.c.assessment_id == assessment_id
                    )
                ).scalars()
            )
            now = utc_now()
            for partner in wanted:
                if partner in known:
                    continue
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(_index).values(
                                partner_agency_id=partner,
                                agency_id=agency_id,
                                assessment_id=assessment_id,
                                created_at=now,
                            )
                        )
                except IntegrityError:
                    continue  # indexed at the same moment by another request

    def candidates(self, partner_agency_id: str) -> list[tuple[str, str]]:
        """(agency, assessment) pairs that may refer a case to the partner, oldest first."""
        with self._store._read() as conn:
            rows = conn.execute(
                select(_index.c.agency_id, _index.c.assessment_id)
                .where(_index.c.partner_agency_id == partner_agency_id)
                .order_by(_index.c.created_at, _index.c.assessment_id)
            ).all()
        return [(r.agency_id, r.assessment_id) for r in rows]

    def append_event(
        self,
        *,
        referral_id: str,
        partner_agency_id: str,
        agency_id: str,
        case_id: str,
        actor_id: str,
        by: str,
        kind: str,
        data: dict[str, Any],
    ) -> DeliveryEvent:
        text = canonical_json(data)
        at = utc_now()
        with self._store._write() as conn:
            event_id = conn.execute(
                insert(_events)
                .values(
                    referral_id=referral_id,
                    partner_agency_id=partner_agency_id,
                    agency_id=agency_id,
                    case_id=case_id,
                    at=at,
                    actor_id=actor_id,
                    by=by,
                    kind=kind,
                    data=text,
                )
                .returning(_events.c.id)
            ).scalar_one()
            append_event(conn, _recorded(agency_id, case_id, referral_id), at)  # the feed's row, same transaction
        return DeliveryEvent(
            int(event_id), referral_id, partner_agency_id, agency_id, case_id, at, actor_id, by, kind, json.loads(text)
        )

    def events(self, referral_ids: Sequence[str]) -> list[DeliveryEvent]:
        """The events of these referrals, in the order they were recorded."""
        if not referral_ids:
            return []
        with self._store._read() as conn:
            rows = conn.execute(
                select(_events).where(_events.c.referral_id.in_(sorted(set(referral_ids)))).order_by(_events.c.id)
            ).all()
        return [
            DeliveryEvent(
                id=r.id,
                referral_id=r.referral_id,
                partner_agency_id=r.partner_agency_id,
                agency_id=r.agency_id,
                case_id=r.case_id,
                at=r.at,
                actor_id=r.actor_id,
                by=r.by,
                kind=r.kind,
                data=json.loads(r.data),
            )
            for r in rows
        ]


def _recorded(agency_id: str, case_id: str, referral_id: str) -> NewEvent:
    """The assessing agency's event for what a partner recorded (ids only: the record itself is the partner's)."""
    return NewEvent(agency_id, DELIVERY_RECORDED, case_id=case_id, referral_id=referral_id)
