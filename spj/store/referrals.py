"""What the store keeps for partners: an index of where referrals may be.

A referral is not stored: it is derived from the agreed plan of a case's
current final assessment (`spj.service.referrals`), so it can never drift
from the plan, and withdrawing or re-pointing a step withdraws the partner's
access at once. To find a partner's referrals without reading every
assessment, the service indexes (partner agency, agency, assessment) before
it writes a final revision that names the partner; the plan then decides.

`MemoryReferrals` (tests) and `SqlReferrals` (on the `SqlStore`'s engine)
behave alike; each store has one as `store.referrals`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from spj.store.hashing import utc_now
from spj.store.tables import Base, ReferralIndexRow

if TYPE_CHECKING:
    from spj.store.sql import SqlStore

_index = Base.metadata.tables[ReferralIndexRow.__tablename__]


class ReferralStore(Protocol):
    """Where referrals may be, by partner agency."""

    def index(self, agency_id: str, assessment_id: str, partners: Iterable[str]) -> None: ...
    def candidates(self, partner_agency_id: str) -> list[tuple[str, str]]: ...


class MemoryReferrals:
    """The referral index in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: dict[str, list[tuple[str, str]]] = {}

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
