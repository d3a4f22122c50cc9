"""Double ratings of real cases (issue 10): a second, blind rating of an assessment, and the consensus after it.

A double rating links an assessment (the first rating) to a second assessment
of the same case and instrument version, made by a second rater of the same
agency. The consensus the first assessor records once both are submitted is
kept beside it: per differing item, both ratings, the value agreed and a note.
Both tables are append-only (database triggers refuse UPDATE and DELETE): the
two original ratings stay as they were, the consensus is written once. Every
write is audited in the same transaction.

`MemoryDoubleRatings` (tests) and `SqlDoubleRatings` (on the `SqlStore`'s
engine) behave alike; each store has one as `store.double_ratings`. Who may
ask for one, and who may see what while the second rating is open, is decided
by `spj.service.double_rating`, not here.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Row, and_, insert, or_, select
from sqlalchemy.exc import IntegrityError

from spj.errors import Code, Location, Problem, StoreError
from spj.store.interface import NotFoundError
from spj.store.tables import Base, ConsensusRow, DoubleRatingRow

if TYPE_CHECKING:
    from spj.store.memory import MemoryStore
    from spj.store.sql import SqlStore

_ratings = Base.metadata.tables[DoubleRatingRow.__tablename__]
_consensus = Base.metadata.tables[ConsensusRow.__tablename__]
REQUEST_ACTION = "request-second-rating"  # the audit actions
CONSENSUS_ACTION = "record-consensus"


@dataclass(frozen=True)
class DoubleRating:
    """A second, blind rating of an assessment (`first_id`) by `second_rater`, as assessment `second_id`."""

    id: str
    agency_id: str
    case_id: str
    first_id: str
    second_id: str
    second_rater: str  # account id
    requested_by: str  # account id
    requested_at: dt.datetime


@dataclass(frozen=True)
class ConsensusItem:
    """One item on which the two ratings differed: both ratings, the value the assessor agreed, and why."""

    item: str  # "<indicator>.<scale>" or "judgement.<id>"
    first: str | None
    second: str | None
    value: str | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "first": self.first, "second": self.second, "value": self.value, "note": self.note}


@dataclass(frozen=True)
class Consensus:
    """The consensus of a double rating: recorded once, carried by a new assessment (`assessment_id`)."""

    double_rating_id: str
    agency_id: str
    assessment_id: str  # the amendment of the first rating that carries the consensus
    actor_id: str
    at: dt.datetime
    items: tuple[ConsensusItem, ...]


def already(what: str) -> StoreError:
    """A second write where one is allowed: a conflict."""
    return StoreError(Problem(Code.CONFLICT, f"{what} already exists", Location()))


class DoubleRatings(Protocol):
    """The double ratings of every agency, scoped by agency (another agency's is not found)."""

    def add(self, rating: DoubleRating) -> DoubleRating:
        """Keep a new double rating (audited); a conflict when its first rating has one already."""
        ...

    def get(self, agency_id: str, rating_id: str) -> DoubleRating:
        """One double rating of the agency; `NotFoundError` otherwise."""
        ...

    def of_case(self, agency_id: str, case_id: str) -> list[DoubleRating]:
        """The double ratings of one case of the agency, oldest first."""
        ...

    def of_agency(self, agency_id: str) -> list[DoubleRating]:
        """Every double rating of the agency, oldest first."""
        ...

    def of_assessment(self, agency_id: str, assessment_id: str) -> DoubleRating | None:
        """The double rating whose first or second rating the assessment is, if any."""
        ...

    def add_consensus(self, consensus: Consensus) -> Consensus:
        """Keep the consensus of a double rating (audited); a conflict when it has one already."""
        ...

    def consensus_of(self, agency_id: str, rating_id: str) -> Consensus | None:
        """The consensus of a double rating, if recorded."""
        ...


class MemoryDoubleRatings:
    """Double ratings in memory, audited in the `MemoryStore`'s chain."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._ratings: dict[str, DoubleRating] = {}
        self._consensus: dict[str, Consensus] = {}

    def add(self, rating: DoubleRating) -> DoubleRating:
        with self._lock:
            if any(r.first_id == rating.first_id or r.id == rating.id for r in self._ratings.values()):
                raise already(f"a second rating of assessment {rating.first_id}")
            self._store.record(
                rating.agency_id,
                actor=rating.requested_by,
                action=REQUEST_ACTION,
                assessment_id=rating.first_id,
                revision=None,
                detail=rating.id,
            )
            self._ratings[rating.id] = rating
            return rating

    def get(self, agency_id: str, rating_id: str) -> DoubleRating:
        found = self._ratings.get(rating_id)
        if found is None or found.agency_id != agency_id:
            raise NotFoundError(f"double rating {rating_id}")
        return found

    def of_case(self, agency_id: str, case_id: str) -> list[DoubleRating]:
        return [r for r in self.of_agency(agency_id) if r.case_id == case_id]

    def of_agency(self, agency_id: str) -> list[DoubleRating]:
        with self._lock:
            found = [r for r in self._ratings.values() if r.agency_id == agency_id]
        return sorted(found, key=lambda r: (r.requested_at, r.id))

    def of_assessment(self, agency_id: str, assessment_id: str) -> DoubleRating | None:
        return next(
            (r for r in self.of_agency(agency_id) if assessment_id in (r.first_id, r.second_id)),
            None,
        )

    def add_consensus(self, consensus: Consensus) -> Consensus:
        with self._lock:
            if consensus.double_rating_id in self._consensus:
                raise already(f"the consensus of double rating {consensus.double_rating_id}")
            self._store.record(
                consensus.agency_id,
                actor=consensus.actor_id,
                action=CONSENSUS_ACTION,
                assessment_id=consensus.assessment_id,
                revision=None,
                detail=consensus.double_rating_id,
            )
            self._consensus[consensus.double_rating_id] = consensus
            return consensus

    def consensus_of(self, agency_id: str, rating_id: str) -> Consensus | None:
        found = self._consensus.get(rating_id)
        return found if found is not None and found.agency_id == agency_id else None


class SqlDoubleRatings:
    """Double ratings in the `double_ratings` and `double_rating_consensus` tables, audited in the same transaction."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def add(self, rating: DoubleRating) -> DoubleRating:
        try:
            with self._store._write() as conn:
                self._store._require_agency(conn, rating.agency_id)
                conn.execute(
                    insert(_ratings).values(
                        id=rating.id,
                        agency_id=rating.agency_id,
                        case_id=rating.case_id,
                        first_id=rating.first_id,
                        second_id=rating.second_id,
                        second_rater=rating.second_rater,
                        requested_by=rating.requested_by,
                        requested_at=rating.requested_at,
                    )
                )
                self._store._audit(
                    conn,
                    agency_id=rating.agency_id,
                    actor=rating.requested_by,
                    action=REQUEST_ACTION,
                    assessment_id=rating.first_id,
                    revision=None,
                    detail=rating.id,
                    at=rating.requested_at,
                )
        except IntegrityError as exc:  # the first rating has one already (unique first_id)
            raise already(f"a second rating of assessment {rating.first_id}") from exc
        return rating

    def get(self, agency_id: str, rating_id: str) -> DoubleRating:
        found = self._select(and_(_ratings.c.agency_id == agency_id, _ratings.c.id == rating_id))
        if not found:
            raise NotFoundError(f"double rating {rating_id}")
        return found[0]

    def of_case(self, agency_id: str, case_id: str) -> list[DoubleRating]:
        return self._select(and_(_ratings.c.agency_id == agency_id, _ratings.c.case_id == case_id))

    def of_agency(self, agency_id: str) -> list[DoubleRating]:
        return self._select(_ratings.c.agency_id == agency_id)

    def of_assessment(self, agency_id: str, assessment_id: str) -> DoubleRating | None:
        found = self._select(
            and_(
                _ratings.c.agency_id == agency_id,
                or_(_ratings.c.first_id == assessment_id, _ratings.c.second_id == assessment_id),
            )
        )
        return found[0] if found else None

    def add_consensus(self, consensus: Consensus) -> Consensus:
        try:
            with self._store._write() as conn:
                conn.execute(
                    insert(_consensus).values(
                        double_rating_id=consensus.double_rating_id,
                        agency_id=consensus.agency_id,
                        assessment_id=consensus.assessment_id,
                        actor_id=consensus.actor_id,
                        at=consensus.at,
                        items=json.dumps([i.to_dict() for i in consensus.items], ensure_ascii=False),
                    )
                )
                self._store._audit(
                    conn,
                    agency_id=consensus.agency_id,
                    actor=consensus.actor_id,
                    action=CONSENSUS_ACTION,
                    assessment_id=consensus.assessment_id,
                    revision=None,
                    detail=consensus.double_rating_id,
                    at=consensus.at,
                )
        except IntegrityError as exc:
            raise already(f"the consensus of double rating {consensus.double_rating_id}") from exc
        return consensus

    def consensus_of(self, agency_id: str, rating_id: str) -> Consensus | None:
        query = select(_consensus).where(
            and_(_consensus.c.agency_id == agency_id, _consensus.c.double_rating_id == rating_id)
        )
        with self._store._read() as conn:
            row = conn.execute(query).first()
        return _consensus_of(row) if row is not None else None

    def _select(self, where: Any) -> list[DoubleRating]:
        query = select(_ratings).where(where).order_by(_ratings.c.requested_at, _ratings.c.id)
        with self._store._read() as conn:
            return [_rating(row) for row in conn.execute(query)]


def _rating(row: Row[Any]) -> DoubleRating:
    return DoubleRating(
        row.id,
        row.agency_id,
        row.case_id,
        row.first_id,
        row.second_id,
        row.second_rater,
        row.requested_by,
        row.requested_at,
    )


def _consensus_of(row: Row[Any]) -> Consensus:
    items = tuple(
        ConsensusItem(i["item"], i["first"], i["second"], i["value"], i["note"]) for i in json.loads(row.items)
    )
    return Consensus(row.double_rating_id, row.agency_id, row.assessment_id, row.actor_id, row.at, items)
