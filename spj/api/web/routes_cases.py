"""The agency's cases and assessments; starting an assessment, a reassessment or an amendment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from spj.api.web.pages import WebRoute, current_user, language_of, posted_form, redirect, render, t, workspace_of
from spj.errors import AssessmentError
from spj.instrument.text import localize
from spj.service.case_list import STATUSES, CaseQuery, case_query
from spj.store.interface import AssessmentRecord, User

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/cases")
async def cases(request: Request, q: str = "", status: str = "", assessor: str = "", mine: str = "") -> Response:
    user = current_user(request)
    if user.role == "partner":  # a partner's workspace is its referrals
        return redirect(request, "/referrals")
    workspace = workspace_of(request)
    try:
        query = case_query(q, status, assessor, mine)
    except AssessmentError as exc:
        problem = exc.problems[0]
        refused = {"title": t(request, "Cases"), "heading": t(request, "Cases"), "message": problem.message}
        refused["code"] = str(problem.code)
        return render(request, "error.html", refused, status_code=422, user=user)
    rows = workspace.search_cases(user, query)
    progress = workspace.draft_progress(user, [r for _, records in rows for r in records])
    context: dict[str, Any] = {
        "title": t(request, "Cases"),
        "nav": "cases",
        "rows": rows,
        "progress": progress,
        "query": query,
        "statuses": STATUSES,
        "people": _people(
            request, user, [r for _, records in workspace.search_cases(user, CaseQuery()) for r in records]
        ),
    }
    return render(request, "cases.html", context, user=user)


def _people(request: Request, user: User, records: list[AssessmentRecord]) -> dict[str, str]:
    """Display names of the people who started the listed assessments (ids only when unknown)."""
    names: dict[str, str] = {}
    for user_id in sorted({r.created_by for r in records}):
        person = workspace_of(request).person(user, user_id)
        names[user_id] = person.display_name if person else user_id
    return names


@router.get("/cases/{case_id}")
async def case(request: Request, case_id: str) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    found = workspace.get_case(user, case_id)
    assessments = workspace.list_assessments(user, case_id)
    context = {
        "title": t(request, "Case %(id)s", id=found.id),
        "nav": "cases",
        "case": found,
        "assessments": assessments,
        "progress": workspace.draft_progress(user, assessments),
        "instruments": _instrument_choices(request),
    }
    return render(request, "case.html", context, user=user)


def _instrument_choices(request: Request) -> list[tuple[str, str]]:
    lang = language_of(request)
    return [
        (f"{i.id}@{i.version}", f"{localize(i.title, lang, i)} {i.version}")
        for i in workspace_of(request).list_instruments()
    ]


@router.get("/new")
async def new_page(request: Request, case: str = "") -> Response:
    return _new_page(request, current_user(request), case, "")


@router.post("/new")
async def create(request: Request) -> Response:
    user = current_user(request)
    form = await posted_form(request)
    case_id = str(form.get("case_id") or "").strip()
    choice = str(form.get("instrument") or "")
    instrument_id, _, version = choice.partition("@")
    workspace = workspace_of(request)
    if not form.get("confirm_second_draft") and case_id and workspace.open_drafts_of_case(user, case_id):
        # A second open draft of one case is allowed, but only on purpose: ask first.
        return _new_page(request, user, case_id, choice, second_draft=True, status_code=409)
    try:
        view = workspace.create(user, case_id, instrument_id, version)
    except AssessmentError as exc:
        return _new_page(
            request, user, case_id, choice, error="; ".join(p.message for p in exc.problems), status_code=422
        )
    return redirect(request, f"/assessments/{view.id}?started=1")


def _new_page(
    request: Request,
    user: User,
    case_id: str,
    choice: str,
    *,
    error: str = "",
    second_draft: bool = False,
    status_code: int = 200,
) -> Response:
    workspace = workspace_of(request)
    context = {
        "title": t(request, "New assessment"),
        "nav": "new",
        "instruments": _instrument_choices(request),
        "cases": workspace.list_cases(user),
        "case_id": case_id,
        "instrument": choice,
        "error": error,
        "open_drafts": workspace.open_drafts_of_case(user, case_id) if second_draft else [],
    }
    return render(request, "new.html", context, status_code=status_code, user=user)


@router.post("/assessments/{assessment_id}/reassess")
async def reassess(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    await posted_form(request)
    view = workspace_of(request).reassess(user, assessment_id)
    return redirect(request, f"/assessments/{view.id}?started=reassessment")


@router.post("/assessments/{assessment_id}/amend")
async def amend(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    await posted_form(request)
    view = workspace_of(request).amend(user, assessment_id)
    return redirect(request, f"/assessments/{view.id}?started=amendment")
