"""The agency's cases and assessments; starting an assessment, a reassessment or an amendment."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from spj.api.web.pages import WebRoute, current_user, language_of, posted_form, redirect, render, t, workspace_of
from spj.errors import AssessmentError
from spj.instrument.text import localize

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/cases")
async def cases(request: Request) -> Response:
    user = current_user(request)
    if user.role == "partner":  # a partner's workspace is its referrals
        return redirect(request, "/referrals")
    workspace = workspace_of(request)
    assessments = workspace.list_assessments(user)
    by_case: dict[str, list[object]] = {}
    for record in sorted(assessments, key=lambda r: r.updated_at, reverse=True):
        by_case.setdefault(record.case_id, []).append(record)
    rows = [(case, by_case.get(case.id, [])) for case in workspace.list_cases(user)]
    rows.sort(key=lambda row: max((r.updated_at for r in row[1]), default=row[0].created_at), reverse=True)  # type: ignore[attr-defined]
    return render(request, "cases.html", {"title": t(request, "Cases"), "nav": "cases", "rows": rows}, user=user)


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
    user = current_user(request)
    context = {
        "title": t(request, "New assessment"),
        "nav": "new",
        "instruments": _instrument_choices(request),
        "cases": workspace_of(request).list_cases(user),
        "case_id": case,
        "instrument": "",
        "error": "",
    }
    return render(request, "new.html", context, user=user)


@router.post("/new")
async def create(request: Request) -> Response:
    user = current_user(request)
    form = await posted_form(request)
    case_id = str(form.get("case_id") or "").strip()
    choice = str(form.get("instrument") or "")
    instrument_id, _, version = choice.partition("@")
    try:
        view = workspace_of(request).create(user, case_id, instrument_id, version)
    except AssessmentError as exc:
        context = {
            "title": t(request, "New assessment"),
            "nav": "new",
            "instruments": _instrument_choices(request),
            "cases": workspace_of(request).list_cases(user),
            "case_id": case_id,
            "instrument": choice,
            "error": "; ".join(p.message for p in exc.problems),
        }
        return render(request, "new.html", context, status_code=422, user=user)
    return redirect(request, f"/assessments/{view.id}?started=1")


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
