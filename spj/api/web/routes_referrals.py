"""The partners' pages: their referrals and, per referral, the extract their profile allows.

Every extract shown (in the page's frame, or downloaded) is written to the
store's disclosure log first. A referral to another agency is the one 404
page, exactly as a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response

from spj.api.web.pages import WebRoute, current_user, language_of, render, report_language, t, workspace_of
from spj.disclosure import Deployment
from spj.instrument.text import localize
from spj.service.referrals import Referral

router = APIRouter(route_class=WebRoute, include_in_schema=False)

EXTRACT_CSP = "script-src 'none'; frame-ancestors 'self'"


@dataclass(frozen=True)
class ReferralRow:
    """A referral as the pages show it: texts localized, the referring agency by its name."""

    id: str
    step_id: str
    title: str
    from_agency: str
    case_id: str
    assessment_id: str
    assessment_date: str
    status: str
    status_reason: str
    contact: str
    objective: str
    start_week: int
    end_week: int


def referral_row(referral: Referral, lang: str, deployment: Deployment | None) -> ReferralRow:
    step, instrument = referral.step, referral.instrument
    agency = deployment.agency(referral.agency_id) if deployment is not None else None
    return ReferralRow(
        id=referral.id,
        step_id=step.id,
        title=localize(step.title, lang, instrument),
        from_agency=(localize(agency.title, lang, instrument) if agency and agency.title else referral.agency_id),
        case_id=referral.case_id,
        assessment_id=referral.assessment_id,
        assessment_date=referral.assessment.date.isoformat(),
        status=step.status,
        status_reason=step.status_reason or "",
        contact=step.contact or "",
        objective=step.objective or "",
        start_week=step.start_week,
        end_week=step.end_week,
    )


@router.get("/referrals")
async def referrals(request: Request) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    lang = language_of(request)
    rows = [referral_row(r, lang, workspace.deployment) for r in workspace.referrals.for_partner(user)]
    context = {"title": t(request, "Referrals"), "nav": "referrals", "rows": rows}
    return render(request, "referrals.html", context, user=user)


@router.get("/referrals/{referral_id}")
async def referral(request: Request, referral_id: str) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    found = workspace.referrals.get(user, referral_id)
    row = referral_row(found, language_of(request), workspace.deployment)
    context = {"title": row.title, "nav": "referrals", "referral": row, "notice": None}
    return render(request, "referral.html", context, user=user)


@router.get("/referrals/{referral_id}/extract.html")
async def extract_html(request: Request, referral_id: str, download: bool = False) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    found = workspace.referrals.get(user, referral_id)
    lang = report_language(request, found.instrument.languages)
    html, _ = workspace.referrals.extract(
        user, referral_id, format="html", lang=lang, channel="download" if download else "web"
    )
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": EXTRACT_CSP}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{referral_id}.html"'
    return Response(html, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/referrals/{referral_id}/extract.pdf")
async def extract_pdf(request: Request, referral_id: str) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    found = workspace.referrals.get(user, referral_id)
    lang = report_language(request, found.instrument.languages)
    pdf, _ = workspace.referrals.extract(user, referral_id, format="pdf", lang=lang, channel="download")
    headers = {"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{referral_id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
