"""The partners' part of the JSON API (`/api/v1/referrals`): their referrals and, per referral, the extract.

Thin over `spj.service.referrals.ReferralDesk`. A referral to another agency
is 404, exactly as a missing one; every extract is written to the store's
disclosure log before it is returned.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.json_api import ERRORS, REPORT_CSP, REPORT_TYPES
from spj.api.referral_models import ReferralOut

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["referrals"])


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
    """One referral to your agency."""
    return ReferralOut.of(workspace.referrals.get(user, referral_id), lang)


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
