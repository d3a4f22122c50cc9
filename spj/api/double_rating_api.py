"""Blind double rating over the JSON API: ask for a second rating, follow it, compare, record the consensus.

Thin over `workspace.double_ratings` (`spj.service.double_rating`) and
`Workspace.agreement_over_time`. While a double rating is open, the other
rating is 403 `blinded` on every route that takes its id; another agency's
records are 404 as everywhere.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.double_rating_models import (
    ComparisonOut,
    ConsensusIn,
    ConsensusResultOut,
    DoubleRatingOut,
    SecondRatingIn,
)
from spj.api.idempotency import IdempotentRoute
from spj.api.json_api import ERRORS
from spj.api.models import ErrorOut

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["double rating"], route_class=IdempotentRoute)
BLIND: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut, "description": "not allowed (forbidden), or sealed by an open double rating (blinded)"},
    409: {"model": ErrorOut, "description": "not possible in this state (double-rating, blinded)"},
}


@router.post(
    "/assessments/{assessment_id}/second-rating", status_code=201, response_model=DoubleRatingOut, responses=BLIND
)
def request_second_rating(
    assessment_id: str, body: SecondRatingIn, user: TokenUser, workspace: WorkspaceDep
) -> DoubleRatingOut:
    """Ask an assessor of your agency to rate this assessment's case blind: a blank assessment of the same case
    and instrument version is made for them. Asked by the assessor of the assessment or a coordinator."""
    return DoubleRatingOut.of(workspace.double_ratings.request(user, assessment_id, body.second_rater))


@router.get("/double-ratings", response_model=list[DoubleRatingOut], responses=BLIND)
def list_double_ratings(user: TokenUser, workspace: WorkspaceDep) -> list[DoubleRatingOut]:
    """Your agency's double ratings, oldest first: their state, not their ratings."""
    return [DoubleRatingOut.of(p) for p in workspace.double_ratings.of_agency(user)]


@router.get("/double-ratings/{rating_id}", response_model=DoubleRatingOut, responses=BLIND)
def get_double_rating(rating_id: str, user: TokenUser, workspace: WorkspaceDep) -> DoubleRatingOut:
    """One double rating's state: which assessments, who rates, whether both are submitted."""
    return DoubleRatingOut.of(workspace.double_ratings.get(user, rating_id))


@router.get("/double-ratings/{rating_id}/comparison", response_model=ComparisonOut, responses=BLIND)
def get_comparison(rating_id: str, user: TokenUser, workspace: WorkspaceDep) -> ComparisonOut:
    """Both ratings side by side, item by item (agree, adjacent, differ): only once both are submitted."""
    pair, items = workspace.double_ratings.comparison(user, rating_id)
    return ComparisonOut.of(pair, items)


@router.post(
    "/double-ratings/{rating_id}/consensus", status_code=201, response_model=ConsensusResultOut, responses=BLIND
)
def record_consensus(
    rating_id: str, body: ConsensusIn, user: TokenUser, workspace: WorkspaceDep, response: Response
) -> ConsensusResultOut:
    """The assessor's consensus: a value and a note per item on which the ratings differ. It is kept beside both
    ratings and carried by a new draft amending the first rating: finalise that draft to make it the final."""
    decisions = {item: (d.value, d.note) for item, d in body.decisions.items()}
    pair, draft = workspace.double_ratings.record_consensus(user, rating_id, decisions)
    response.headers["Location"] = f"/api/v1/assessments/{draft.id}"
    return ConsensusResultOut(double_rating=DoubleRatingOut.of(pair), assessment_id=draft.id, revision=draft.head)


@router.get("/stats/agreement", tags=["stats"], responses=BLIND)
def agreement(user: TokenUser, workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """Agreement of your agency's submitted double ratings, per instrument version and quarter (and over all
    quarters): percent agreement, weighted kappa, Krippendorff's alpha per item (`spj irr`'s figures). A cell of
    fewer than 5 double ratings is suppressed; no case, assessment or rater is named."""
    return [cell.to_dict() for cell in workspace.agreement_over_time(user)]
