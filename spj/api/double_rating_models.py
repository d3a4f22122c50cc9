"""What the double-rating routes of the JSON API take and return (`spj.api.double_rating_api`).

A double rating's state names assessments by id and accounts by id; the
ratings themselves are returned only by the comparison, once both are submitted.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from spj.api.models import Body
from spj.service.double_rating import MAX_NOTE, ItemComparison, PairView


class SecondRatingIn(Body):
    """Who rates the case blind: the username of an assessor of your agency who has not seen the first rating."""

    second_rater: str = Field(min_length=1, max_length=200)


class DecisionIn(Body):
    """The value agreed on one differing item, and how the consensus was reached."""

    value: str | None = Field(default=None, max_length=200, description="one of the item's levels")
    note: str | None = Field(default=None, max_length=MAX_NOTE, description="how the consensus was reached")


class ConsensusIn(Body):
    """One decision per item on which the two ratings differ (adjacent or differ), by item id."""

    decisions: dict[str, DecisionIn] = Field(
        default_factory=dict, examples=[{"EN1.presence": {"value": "Y", "note": "Both read the same report."}}]
    )


class ConsensusItemOut(BaseModel):
    item: str
    first: str | None
    second: str | None
    value: str | None
    note: str


class ConsensusOut(BaseModel):
    assessment_id: str = Field(description="the amendment of the first rating that carries the consensus")
    by: str
    at: dt.datetime
    items: list[ConsensusItemOut]


class DoubleRatingOut(BaseModel):
    """A double rating's state: which assessments, who, whether both are submitted; no rating."""

    id: str
    case_id: str
    first_id: str
    second_id: str
    second_rater: str
    requested_by: str
    requested_at: dt.datetime
    first_status: str
    second_status: str
    submitted: bool = Field(description="both ratings are final: the blind is lifted")
    consensus: ConsensusOut | None

    @classmethod
    def of(cls, pair: PairView) -> DoubleRatingOut:
        rating, consensus = pair.rating, pair.consensus
        return cls(
            id=rating.id,
            case_id=rating.case_id,
            first_id=rating.first_id,
            second_id=rating.second_id,
            second_rater=rating.second_rater,
            requested_by=rating.requested_by,
            requested_at=rating.requested_at,
            first_status=pair.first.status,
            second_status=pair.second.status,
            submitted=pair.submitted,
            consensus=None
            if consensus is None
            else ConsensusOut(
                assessment_id=consensus.assessment_id,
                by=consensus.actor_id,
                at=consensus.at,
                items=[ConsensusItemOut(**i.to_dict()) for i in consensus.items],
            ),
        )


class ItemOut(BaseModel):
    item: str
    kind: str
    target: str
    scale: str | None
    levels: list[str]
    first: str | None
    second: str | None
    verdict: str = Field(examples=["adjacent"], description="agree, adjacent (neighbouring levels) or differ")


class ComparisonOut(BaseModel):
    """Both ratings side by side, item by item."""

    double_rating: DoubleRatingOut
    items: list[ItemOut]

    @classmethod
    def of(cls, pair: PairView, items: list[ItemComparison]) -> ComparisonOut:
        return cls(double_rating=DoubleRatingOut.of(pair), items=[ItemOut(**i.to_dict()) for i in items])


class ConsensusResultOut(BaseModel):
    """The consensus kept, and the draft amendment that carries it (finalise it as usual)."""

    double_rating: DoubleRatingOut
    assessment_id: str
    revision: int
