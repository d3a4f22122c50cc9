"""The partners' part of the JSON API (`/api/v1/referrals`): their referrals, the extract, delivery records; and
the assessing agency's view of delivery against its plan (`/api/v1/assessments/{id}/delivery`).

Thin over `spj.service.referrals.ReferralDesk`. A referral to another agency
is 404, exactly as a missing one; every extract is written to the store's
disclosure log before it is returned.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.idempotency import IdempotentRoute
from spj.api.json_api import ERRORS, REPORT_CSP, REPORT_TYPES
from spj.api.models import ErrorOut
from spj.api.referral_models import PlanDeliveryOut, ReferralOut
from spj.service.delivery import DeliveryEntry

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["referrals"], route_class=IdempotentRoute)


@router.get("/referrals", response_model=list[ReferralOut])
def list_referrals(
    user: TokenUser, workspace: WorkspaceDep, lang: Annotated[str | None, Query(max_length=20)] = None
) -> list[ReferralOut]:
    """The steps referred to your agency (a partner of the deployment), with where they stand."""
    return [ReferralOut.of(r, lang) for r in workspace.referrals.for_partner(user)]


@router.get("/referrals/{referral_id}", response_model=ReferralOut)
def get_referral(
    referral_id: str,
    user: TokenUser,
    workspace: WorkspaceDep,
    lang: Annotated[str | None, Query(max_length=20)] = None,
) -> ReferralOut:
    """One referral to your agency, with what your agency recorded about its delivery."""
    referral = workspace.referrals.get(user, referral_id)
    return ReferralOut.of(referral, lang, workspace.referrals.delivery(user, referral_id))


@router.post(
    "/referrals/{referral_id}/delivery",
    response_model=ReferralOut,
    responses={409: {"model": ErrorOut, "description": "may not follow what is recorded (code referral-state)"}},
)
def record_delivery(
    referral_id: str,
    user: TokenUser,
    workspace: WorkspaceDep,
    entry: Annotated[
        DeliveryEntry,
        Body(
            openapi_examples={
                "accept": {"value": {"kind": "accept"}},
                "decline": {"value": {"kind": "decline", "reason": "No place before spring."}},
                "start": {"value": {"kind": "start", "date": "2027-03-01"}},
                "session": {"value": {"kind": "session", "date": "2027-03-08", "attended": True}},
                "end": {"value": {"kind": "end", "date": "2027-06-28", "outcome": "completed"}},
                "note": {"value": {"kind": "note", "text": "Engaged well.", "secret": False}},
            }
        ),
    ],
    lang: Annotated[str | None, Query(max_length=20)] = None,
) -> ReferralOut:
    """Record your agency's response, the start, a session, the end with its outcome, or a note.

    A note with `secret: true` (professional secrecy) is never shown to the assessing agency.
    """
    delivery = workspace.referrals.record(user, referral_id, entry)
    return ReferralOut.of(workspace.referrals.get(user, referral_id), lang, delivery)


@router.get(
    "/referrals/{referral_id}/extract",
    response_class=Response,
    responses={200: {"content": {t: {} for t in REPORT_TYPES.values()}, "description": "the extract"}},
)
def extract(
    referral_id: str,
    user: TokenUser,
    workspace: WorkspaceDep,
    format: Literal["html", "md", "pdf"] = "html",
    lang: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """What your agency may see of the case (the deployment's profile for its kind); logged before it is returned."""
    content, _ = workspace.referrals.extract(user, referral_id, format=format, lang=lang, channel="api")
    headers = {"Content-Security-Policy": REPORT_CSP} if format == "html" else {}
    if format == "pdf":
        headers["Content-Disposition"] = f'attachment; filename="{referral_id}.pdf"'
    return Response(content, media_type=REPORT_TYPES[format], headers=headers)


@router.get("/assessments/{assessment_id}/delivery", response_model=PlanDeliveryOut, tags=["plan"])
def plan_delivery(
    assessment_id: str,
    user: TokenUser,
    workspace: WorkspaceDep,
    lang: Annotated[str | None, Query(max_length=20)] = None,
) -> PlanDeliveryOut:
    """Delivery against the agreed plan: per step its due dates, verdict and what its partner recorded.

    Verdicts: planned, not-started, blocked (by a step it follows that is not completed), on-time, late, ended.
    Partners' secret notes are never included.
    """
    view = workspace.read(user, assessment_id, what="delivery")
    plan = workspace.referrals.plan_delivery(user, assessment_id)
    return PlanDeliveryOut.of(assessment_id, plan, lang, view.instrument)
