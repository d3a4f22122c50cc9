"""The plan page: the engine's proposal with its reasons, the expert's decision on every step, the agreed plan.

Saving the plan is an ordinary save of the assessment (a new revision, stating the revision edited);
finalising from here finalises the assessment, refused while anything (in the plan or elsewhere) is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from spj.api.web.forms import FieldErrors
from spj.api.web.pages import (
    NotFinalised,
    WebRoute,
    current_user,
    form_lists,
    language_of,
    posted_form,
    posted_revision,
    redirect,
    render,
    save_then_finalise,
    t,
    workspace_of,
)
from spj.api.web.plan_forms import errors_for_plan, errors_for_update, form_from_plan, plan_from_form, renumber_added
from spj.api.web.plan_view import added_rows, build_plan_page, delivery_rows, partner_choices, plan_labels
from spj.api.web.viewmodels import FormValues
from spj.errors import AssessmentError
from spj.instrument.text import localize
from spj.service import InvalidContentError, SaveConflictError
from spj.service.views import AssessmentView
from spj.store.interface import User

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _page(
    request: Request,
    user: User,
    view: AssessmentView,
    *,
    values: Mapping[str, Sequence[str]] | None = None,
    errors: FieldErrors | None = None,
    base_revision: int | None = None,
    notice: dict[str, str] | None = None,
    heading: str = "",
    updates: Mapping[str, Mapping[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    workspace = workspace_of(request)
    workspace.audit_read(user, view, what="plan")  # every rendering of the plan page shows it: audited here, once
    lang = language_of(request)
    try:
        evaluation = workspace.evaluate(user, view.id)
    except AssessmentError:
        evaluation = None
    plan = view.content.get("plan") or {}
    page = build_plan_page(
        view.instrument,
        evaluation,
        plan,
        lang,
        deployment=workspace.deployment,
        own_agency=view.record.agency_id,
    )
    delivery = []
    if view.final and evaluation is not None:
        names = dict(partner_choices(workspace.deployment, view.record.agency_id, lang, view.instrument) or [])
        delivery = delivery_rows(workspace.referrals.plan_delivery(user, view.id), view.instrument, lang, names)
    form_values = FormValues(renumber_added(values) if values is not None else form_from_plan(plan))
    rows = added_rows(form_values)
    context = {
        "title": t(request, "Plan of assessment %(id)s", id=view.id),
        "view": view,
        "page": page,
        "values": form_values,
        "added": rows,
        "errors": errors or FieldErrors(),
        "labels": plan_labels(page, rows, lang),
        "base_revision": base_revision if base_revision is not None else view.head,
        "readonly": view.final,
        "version_1": view.assessment is not None and view.assessment.version < 2,
        "notice": notice,
        "heading": heading,
        "instrument_title": localize(view.instrument.title, lang, view.instrument),
        "typed": updates or {},
        "delivery": delivery,
    }
    return render(request, "plan.html", context, status_code=status_code, user=user)


@router.get("/assessments/{assessment_id}/plan")
async def show(request: Request, assessment_id: str, saved: int | None = None, updated: int | None = None) -> Response:
    user = current_user(request)
    view = workspace_of(request).get(user, assessment_id)  # the read is audited by _page
    notice = None
    if saved is not None:
        notice = {"kind": "ok", "text": t(request, "Saved as revision %(n)s.", n=saved)}
    elif updated is not None:
        notice = {"kind": "ok", "text": t(request, "Status updated: revision %(n)s.", n=updated)}
    return _page(request, user, view, notice=notice)


_NOT_PLAN = ("csrf_token", "base_revision", "action")


@router.post("/assessments/{assessment_id}/plan")
async def save(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    fields = form_lists(await posted_form(request))
    action = (fields.get("action") or ["save"])[0]
    base = posted_revision(fields)
    view = workspace.get(user, assessment_id)
    mine = {k: v for k, v in fields.items() if k not in _NOT_PLAN}
    content: dict[str, Any] = {**view.content, "plan": plan_from_form(view.content.get("plan") or {}, mine)}
    lang = language_of(request)
    try:
        if action == "finalise":
            final = save_then_finalise(workspace, user, view, content, base)
            return redirect(request, f"/assessments/{final.id}?finalised=1")
        saved = workspace.save(user, assessment_id, base, content)
    except NotFinalised as refused:
        current = refused.current
        undecided = _undecided(request, user, current)
        kept = t(request, "Your changes are saved as revision %(n)s.", n=current.head) if refused.kept else ""
        return _page(
            request,
            user,
            current,
            values=mine,
            errors=errors_for_plan(
                refused.refusal.problems,
                shown=_proposed(request, user, current),
                undecided=undecided,
                lang=lang,
                titles=_titles(current, lang),
            ),
            base_revision=current.head,
            heading=t(request, "Not finalised yet"),
            notice={"kind": "warn", "text": kept} if kept else None,
            status_code=422,
        )
    except SaveConflictError as exc:
        notice = {
            "kind": "warn",
            "text": t(
                request,
                "Someone saved revision %(n)s in between. Your plan is shown over it: check it, then save again.",
                n=exc.current,
            ),
        }
        head = workspace.get(user, assessment_id)
        return _page(request, user, head, values=mine, base_revision=head.head, notice=notice, status_code=409)
    except InvalidContentError as exc:
        return _page(
            request,
            user,
            view,
            values=mine,
            errors=errors_for_plan(
                exc.problems, shown=_proposed(request, user, view), lang=lang, titles=_titles(view, lang)
            ),
            base_revision=base,
            status_code=422,
        )
    return redirect(request, f"/assessments/{saved.id}/plan?saved={saved.head}")


def _titles(view: AssessmentView, lang: str) -> dict[str, str]:
    """The instrument's steps by title, for the plan's problems in plain words."""
    return {i.id: localize(i.title, lang, view.instrument) for i in view.instrument.interventions}


def _undecided(request: Request, user: User, view: AssessmentView) -> list[str]:
    try:
        agreed = workspace_of(request).evaluate(user, view.id).agreed_plan
    except AssessmentError:
        return []
    return list(agreed.undecided) if agreed is not None else []


def _proposed(request: Request, user: User, view: AssessmentView) -> list[str]:
    """The steps the engine proposes for the saved ratings: the page shows a decision for each."""
    try:
        return list(workspace_of(request).evaluate(user, view.id).plan.steps)
    except AssessmentError:
        return []


@router.post("/assessments/{assessment_id}/plan/status")
async def update_status(request: Request, assessment_id: str) -> Response:
    """A status update of one agreed step of a final assessment: a new revision, nothing else changes."""
    user = current_user(request)
    workspace = workspace_of(request)
    fields = form_lists(await posted_form(request))
    base = posted_revision(fields)
    step_id = (fields.get("step") or [""])[0]
    delivery = {
        key: (fields.get(key) or [""])[0].strip() or None
        for key in ("status", "status_reason", "started_on", "ended_on")
    }
    view = workspace.get(user, assessment_id)
    try:
        updated = workspace.update_status(user, assessment_id, base, step_id, delivery)
    except SaveConflictError as exc:
        notice = {
            "kind": "warn",
            "text": t(
                request,
                "Someone saved revision %(n)s in between. Check where the step stands now, then update again.",
                n=exc.current,
            ),
        }
        return _page(request, user, workspace.get(user, assessment_id), notice=notice, status_code=409)
    except (InvalidContentError, AssessmentError) as exc:
        return _page(
            request,
            user,
            view,
            errors=errors_for_update(exc.problems, step_id),
            heading=t(request, "The status was not updated"),
            updates={step_id: {key: value or "" for key, value in delivery.items()}},
            status_code=422,
        )
    return redirect(request, f"/assessments/{assessment_id}/plan?updated={updated.head}#delivery")
