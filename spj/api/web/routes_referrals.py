"""The partners' pages: their referrals and, per referral, the extract their profile allows.

Every extract shown (in the page's frame, or downloaded) is written to the
store's disclosure log first. A referral to another agency is the one 404
page, exactly as a missing one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from spj.api.web.forms import FieldErrors
from spj.api.web.pages import (
    WebRoute,
    current_user,
    form_lists,
    language_of,
    posted_form,
    redirect,
    render,
    report_language,
    t,
    workspace_of,
)
from spj.disclosure import Deployment
from spj.errors import AssessmentError
from spj.instrument.text import localize
from spj.service import InvalidRequestError, StateError
from spj.service.delivery import DeliveryEntry
from spj.service.referrals import Referral
from spj.store.interface import User

router = APIRouter(route_class=WebRoute, include_in_schema=False)

EXTRACT_CSP = "script-src 'none'; frame-ancestors 'self'"
ENTRY: TypeAdapter[Any] = TypeAdapter(DeliveryEntry)
ACTIONS = ("accept", "decline", "start", "session", "end", "note")
OUTCOMES = ("completed", "dropped", "stopped")


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
async def referral(request: Request, referral_id: str, recorded: str = "") -> Response:
    user = current_user(request)
    notice = {"kind": "ok", "text": t(request, "Recorded.")} if recorded in ACTIONS else None
    return _page(request, user, referral_id, notice=notice)


def _page(
    request: Request,
    user: User,
    referral_id: str,
    *,
    notice: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    values: Mapping[str, Sequence[str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    workspace = workspace_of(request)
    found = workspace.referrals.get(user, referral_id)
    context = {
        "title": localize(found.step.title, language_of(request), found.instrument),
        "nav": "referrals",
        "referral": referral_row(found, language_of(request), workspace.deployment),
        "delivery": workspace.referrals.delivery(user, referral_id),
        "outcomes": OUTCOMES,
        "notice": notice,
        "errors": errors or FieldErrors(),
        "typed": {k: v[0] for k, v in (values or {}).items() if v},
        "labels": _labels(request),
    }
    return render(request, "referral.html", context, status_code=status_code, user=user)


def _labels(request: Request) -> dict[str, str]:
    return {
        "decline.reason": t(request, "Reason for declining"),
        "start.date": t(request, "Start date"),
        "session.date": t(request, "Session date"),
        "session.attended": t(request, "Attended"),
        "end.date": t(request, "End date"),
        "end.outcome": t(request, "Outcome"),
        "note.text": t(request, "Note"),
    }


@router.post("/referrals/{referral_id}")
async def record(request: Request, referral_id: str) -> Response:
    """The partner's response, or a delivery record (start, session, end, note) on a referral to its agency."""
    user = current_user(request)
    workspace = workspace_of(request)
    fields = form_lists(await posted_form(request))
    action = (fields.get("action") or [""])[0]
    workspace.referrals.get(user, referral_id)  # another agency's referral: the one 404 page
    errors = FieldErrors()
    status_code = 422
    try:
        entry = ENTRY.validate_python(_entry(action, fields))
        workspace.referrals.record(user, referral_id, entry)
    except ValidationError as exc:
        for error in exc.errors():
            keys = [str(part) for part in error.get("loc", ()) if isinstance(part, str) and part != action]
            errors.add(f"{action}.{keys[-1]}" if keys and action in ACTIONS else None, str(error.get("msg")))
    except StateError as exc:
        errors.add(None, exc.problems[0].message)
        status_code = 409
    except (AssessmentError, InvalidRequestError) as exc:
        for problem in exc.problems:
            path = problem.location.path
            errors.add(f"{action}.{path[-1]}" if path else None, problem.message)
    else:
        return redirect(request, f"/referrals/{referral_id}?recorded={action}")
    return _page(request, user, referral_id, errors=errors, values=fields, status_code=status_code)


def _entry(action: str, fields: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The posted form of one action as a delivery entry, for validation to judge."""

    def one(name: str) -> str:
        return (fields.get(f"{action}.{name}") or [""])[0].replace("\r\n", "\n").strip()

    entry: dict[str, Any] = {"kind": action}
    if action == "decline":
        entry["reason"] = one("reason")
    elif action in ("start", "session", "end"):
        entry["date"] = one("date")
    if action == "session":
        entry["attended"] = {"yes": True, "no": False}.get(one("attended"), one("attended"))
    elif action == "end":
        entry["outcome"] = one("outcome")
    elif action == "note":
        entry["text"], entry["secret"] = one("text"), one("secret") == "1"
    return entry


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
    pdf, _ = await run_in_threadpool(  # never blocks the loop
        workspace.referrals.extract, user, referral_id, format="pdf", lang=lang, channel="download"
    )
    headers = {"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{referral_id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
