"""What an assessment produces: the report (view, HTML, PDF), its history, the countersignature, the changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from spj.api.web.labels import provider_label
from spj.api.web.pages import (
    WebRoute,
    current_user,
    language_of,
    posted_form,
    redirect,
    render,
    report_language,
    t,
    workspace_of,
)
from spj.errors import AssessmentError

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/assessments/{assessment_id}/report")
async def report_page(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    view = workspace_of(request).read(user, assessment_id, what="report-page")
    context = {"title": t(request, "Report %(id)s", id=view.id), "view": view, "problems": view.problems}
    return render(request, "report.html", context, user=user)


@router.get("/assessments/{assessment_id}/report.html")
async def report_html(request: Request, assessment_id: str, download: bool = False) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    view = workspace.get(user, assessment_id)
    html = workspace.report(user, assessment_id, "html", report_language(request, view.instrument.languages))
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": "script-src 'none'; frame-ancestors 'self'"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{view.id}.html"'
    return Response(html, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/assessments/{assessment_id}/report.pdf")
async def report_pdf(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    view = workspace.get(user, assessment_id)
    language = report_language(request, view.instrument.languages)
    pdf = await run_in_threadpool(workspace.report, user, assessment_id, "pdf", language)  # never blocks the loop
    headers = {"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{view.id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/assessments/{assessment_id}/history")
async def history(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    view = workspace.read(user, assessment_id, what="history")
    revisions = list(reversed(workspace.history(user, assessment_id)))
    authors: dict[str, str] = {}
    returns = workspace.returns(user, assessment_id)
    for user_id in [r.author_id for r in revisions] + [view.record.countersigned_by or ""] + [r.by for r in returns]:
        if user_id and user_id not in authors:
            author = workspace.person(user, user_id)
            authors[user_id] = author.display_name if author else user_id
    context = {
        "title": t(request, "History of %(id)s", id=view.id),
        "view": view,
        "revisions": revisions,
        "authors": authors,
        "returns": returns,
    }
    return render(request, "history.html", context, user=user)


@router.post("/assessments/{assessment_id}/countersign")
async def countersign(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    form = await posted_form(request)
    workspace_of(request).countersign(user, assessment_id, _comment(form))
    return redirect(request, f"/assessments/{assessment_id}?countersigned=1")


@router.post("/assessments/{assessment_id}/return")
async def return_to_assessor(request: Request, assessment_id: str) -> Response:
    """Instead of countersigning, return the final assessment to its assessor with comments (it stays locked)."""
    user = current_user(request)
    form = await posted_form(request)
    workspace_of(request).return_to_assessor(user, assessment_id, _comment(form) or "")
    return redirect(request, f"/assessments/{assessment_id}?returned=1")


def _comment(form: FormData) -> str | None:
    value = form.get("comment")
    return value if isinstance(value, str) else None


@router.get("/assessments/{assessment_id}/changes")
async def changes(request: Request, assessment_id: str) -> Response:
    """What changed since the assessment this one reassesses (`spj.compare`)."""
    user = current_user(request)
    workspace = workspace_of(request)
    current = workspace.read(user, assessment_id, what="changes")
    comparison: Any = None
    problem = ""
    try:
        comparison = workspace.changes(user, assessment_id, lang=language_of(request))
    except AssessmentError as exc:
        problem = "; ".join(p.message for p in exc.problems)
    context = {
        "title": t(request, "Changes since the last assessment"),
        "view": current,
        "comparison": comparison,
        "problem": problem,
        "provider": lambda code: provider_label(code, language_of(request)),
    }
    return render(request, "changes.html", context, user=user)
