"""The assessment form: show, save a draft, finalise, preview the live panel, resolve a conflict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from spj.api.web import conflicts
from spj.api.web.conditions import not_asked
from spj.api.web.forms import (
    FieldErrors,
    content_fields,
    content_from_form,
    errors_for_problems,
    finalise_errors,
    form_from_content,
    merge_fields,
)
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
from spj.api.web.templating import environment
from spj.api.web.viewmodels import (
    FormValues,
    Panel,
    build_panel,
    differences,
    field_labels,
    scenario_kinds,
    scenario_rows,
    source_rows,
)
from spj.errors import AssessmentError, SpjError
from spj.instrument.text import localize
from spj.service import InvalidContentError, SaveConflictError, Workspace
from spj.service.signoff import MAX_COMMENT
from spj.service.views import AssessmentView
from spj.store.drafts import DraftBuffer
from spj.store.interface import Revision, User

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _panel(request: Request, workspace: Workspace, user: User, view: AssessmentView) -> Panel | None:
    try:
        evaluation = workspace.evaluate(user, view.id)
    except AssessmentError:
        return None
    return build_panel(view.instrument, evaluation, language_of(request), view.content)


def _changes_url(request: Request, view: AssessmentView) -> str | None:
    if view.record.previous_id:
        return f"{request.scope.get('root_path', '')}/assessments/{view.id}/changes"
    return None


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
    panel_note: str = "",
    plan_problems: bool = False,
    kept: DraftBuffer | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    workspace = workspace_of(request)
    workspace.audit_read(user, view)  # every rendering of the form shows the assessment: audited here, once
    lang = language_of(request)
    form_values = FormValues(values if values is not None else form_from_content(view.instrument, view.content))
    can_countersign = workspace.may_countersign(user, view)
    countersigner = None
    if view.record.countersigned_by:
        signer = workspace.person(user, view.record.countersigned_by)
        countersigner = signer.display_name if signer else view.record.countersigned_by
    context = {
        "title": t(request, "Assessment %(id)s", id=view.id),
        "countersigner": countersigner,
        "returns": _returns(workspace, user, view),
        "max_comment": MAX_COMMENT,
        "view": view,
        "instrument": view.instrument,
        "loc": lambda text: localize(text, lang, view.instrument),
        "values": form_values,
        "not_asked": not_asked(view.instrument, view.content, lang),
        "errors": errors or FieldErrors(),
        "labels": field_labels(view.instrument, lang),
        "sources": source_rows(form_values),
        "scenarios": scenario_rows(form_values, view.instrument),
        "scenario_kinds": scenario_kinds(),
        "panel": _panel(request, workspace, user, view),
        "panel_note": panel_note,
        "base_revision": base_revision if base_revision is not None else view.head,
        "readonly": view.final,
        "notice": notice,
        "heading": heading,
        "can_countersign": can_countersign,
        "changes_url": _changes_url(request, view),
        "plan_problems": plan_problems,
        "kept": kept,
    }
    return render(request, "assessment.html", context, status_code=status_code, user=user)


def _returns(workspace: Workspace, user: User, view: AssessmentView) -> list[dict[str, Any]]:
    """The returns to the assessor of a final assessment, by display name, oldest first."""
    if not view.final:
        return []
    found = []
    for r in workspace.returns(user, view.id):
        person = workspace.person(user, r.by)
        found.append({"who": person.display_name if person else r.by, "at": r.at, "comment": r.comment})
    return found


_STARTED = {
    "1": "Assessment started. Nothing is rated yet.",
    "reassessment": (
        "Reassessment started: the previous ratings and evidence are carried over. "
        "Review each one; the judgements are yours to make anew."
    ),
    "amendment": "Amendment started: everything is carried over from the final assessment it corrects.",
}


@router.get("/assessments/{assessment_id}")
async def show(
    request: Request, assessment_id: str, saved: int | None = None, started: str = "", restore: int = 0
) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    view = workspace.get(user, assessment_id)  # the read is audited by _page
    kept = workspace.autosave.kept(user, assessment_id)
    if kept is not None and restore:
        return _restored(request, user, view, kept, after_sign_in=restore == 2)
    notice = None
    if saved is not None:
        notice = {"kind": "ok", "text": t(request, "Saved as revision %(n)s.", n=saved)}
    elif started in _STARTED:
        notice = {"kind": "ok", "text": t(request, _STARTED[started])}
    elif view.final and request.query_params.get("finalised"):
        notice = {"kind": "ok", "text": t(request, "Finalised. The assessment is now locked.")}
    elif request.query_params.get("countersigned"):
        notice = {"kind": "ok", "text": t(request, "Countersigned.")}
    elif request.query_params.get("returned"):
        notice = {"kind": "ok", "text": t(request, "Returned to the assessor with your comments.")}
    return _page(request, user, view, notice=notice, kept=kept)


def _restored(
    request: Request, user: User, view: AssessmentView, kept: DraftBuffer, *, after_sign_in: bool
) -> HTMLResponse:
    """The form as the user last typed it (autosaved, or carried over a sign-in), on the revision it was typed on."""
    if after_sign_in:
        text = t(request, "Your session had ended. What you typed is back in the form: check it, then save the draft.")
    else:
        when = environment(language_of(request)).filters["datetime"](kept.saved_at)
        text = t(
            request, "Your unsaved changes of %(when)s are back in the form. Save the draft to keep them.", when=when
        )
    notice = {"kind": "warn", "text": text}
    return _page(request, user, view, values=kept.fields, base_revision=kept.base, notice=notice)


@router.post("/assessments/{assessment_id}")
async def save(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    fields = form_lists(await posted_form(request))
    action = (fields.get("action") or ["save"])[0]
    base = posted_revision(fields)
    view = workspace.get(user, assessment_id)
    mine = content_fields(fields)
    if action in ("merge-save", "merge-edit"):
        base_content = _revision_content(request, user, view, base)
        base_fields = form_from_content(view.instrument, base_content) if base_content else {}
        my_content = content_from_form(view.instrument, view.content, mine)
        head_fields = form_from_content(view.instrument, view.content)
        merged, clashing = merge_fields(base_fields, form_from_content(view.instrument, my_content), head_fields)
        choices = conflicts.chosen(fields)
        if conflicts.unresolved(clashing, choices):  # never decided for the user: ask again, nothing saved
            head = _head_revision(request, user, view)
            return _conflict(request, user, view, head, my_content, mine, base, choices=choices, ask=True)
        merged = conflicts.apply_choices(merged, head_fields, choices, clashing)
        if action == "merge-edit":
            notice = {
                "kind": "warn",
                "text": t(
                    request, "Your changes are applied on top of revision %(n)s. Check them, then save.", n=view.head
                ),
            }
            return _page(request, user, view, values=merged, base_revision=view.head, notice=notice)
        mine, base = merged, view.head
    content = content_from_form(view.instrument, view.content, mine)
    try:
        if action == "finalise":
            return _finalise(request, workspace, user, view, content, base, mine)
        saved = workspace.save(user, assessment_id, base, content)
    except SaveConflictError as exc:
        return _conflict(request, user, view, exc.head, exc.content, mine, base)
    except InvalidContentError as exc:
        return _page(
            request,
            user,
            view,
            values=mine,
            errors=errors_for_problems(exc.problems),
            base_revision=base,
            panel_note=t(request, "From the last saved revision."),
            status_code=422,
        )
    workspace.autosave.discard(user, assessment_id)  # saved: the autosaved copy has done its work
    return redirect(request, f"/assessments/{saved.id}?saved={saved.head}")


def _finalise(
    request: Request,
    workspace: Workspace,
    user: User,
    view: AssessmentView,
    content: dict[str, Any],
    base: int,
    mine: Mapping[str, Sequence[str]],
) -> Response:
    """Keep the user's edits as a draft revision first, then finalise; refused → the reasons at their fields."""
    try:
        final = save_then_finalise(workspace, user, view, content, base)
    except NotFinalised as refused:
        errors = finalise_errors(view.instrument, content, refused.refusal.problems, lang=language_of(request))
        current = refused.current
        kept = t(request, "Your changes are saved as revision %(n)s.", n=current.head) if refused.kept else ""
        return _page(
            request,
            user,
            current,
            values=mine,
            errors=errors,
            base_revision=current.head,
            heading=t(request, "Not finalised yet: the assessment is incomplete"),
            notice={"kind": "warn", "text": kept} if kept else None,
            plan_problems=any(p.location.path[:1] == ("plan",) for p in refused.refusal.problems),
            status_code=422,
        )
    workspace.store.drafts.discard(user.agency_id, final.id, user.id)
    return redirect(request, f"/assessments/{final.id}?finalised=1")


def _conflict(
    request: Request,
    user: User,
    view: AssessmentView,
    head: Revision,
    my_content: dict[str, Any],
    mine: Mapping[str, Sequence[str]],
    base: int,
    *,
    choices: Mapping[str, tuple[str, str]] | None = None,
    ask: bool = False,
) -> HTMLResponse:
    """Someone saved in between: both versions side by side; nothing the user typed is lost.

    Where both changed the same field, the user chooses (theirs, mine, or a combination of the texts).
    """
    lang = language_of(request)
    author = workspace_of(request).person(user, head.author_id)
    base_content = _revision_content(request, user, view, base)
    rows = differences(view.instrument, my_content, head.content, lang, base=base_content)
    base_fields = form_from_content(view.instrument, base_content) if base_content else {}
    my_fields = form_from_content(view.instrument, my_content)
    head_fields = form_from_content(view.instrument, head.content)
    _, clashing = merge_fields(base_fields, my_fields, head_fields)
    shown = {row.name: row for row in rows}
    clashes = [
        conflicts.Clash(
            name,
            shown[name].label if name in shown else name,
            "\n".join(my_fields.get(name) or ()),
            "\n".join(head_fields.get(name) or ()),
            shown[name].mine if name in shown else "",
            shown[name].theirs if name in shown else "",
        )
        for name in clashing
    ]
    context = {
        "title": t(request, "Someone else saved this assessment"),
        "view": view,
        "head": head,
        "author": author.display_name if author else head.author_id,
        "base": base,
        "rows": rows,
        "mine": mine,
        "clashes": clashes,
        "choices": choices or {},
        "ask": ask,
    }
    return render(request, "conflict.html", context, status_code=409, user=user)


def _head_revision(request: Request, user: User, view: AssessmentView) -> Revision:
    return next(r for r in workspace_of(request).history(user, view.id) if r.number == view.head)


def _revision_content(request: Request, user: User, view: AssessmentView, number: int) -> dict[str, Any] | None:
    found = next((r for r in workspace_of(request).history(user, view.id) if r.number == number), None)
    return found.content if found else None


@router.post("/assessments/{assessment_id}/preview")
async def preview(request: Request, assessment_id: str) -> Response:
    """The live panel for the unsaved form (progressive enhancement; nothing is saved)."""
    user = current_user(request)
    workspace = workspace_of(request)
    fields = form_lists(await posted_form(request))
    view = workspace.read(user, assessment_id, what="preview")
    content = content_from_form(view.instrument, view.content, content_fields(fields))
    try:
        evaluation, _problems = workspace.preview(user, assessment_id, content)
    except SpjError:
        evaluation = None
    lang = language_of(request)
    panel = build_panel(view.instrument, evaluation, lang, content) if evaluation is not None else None
    note = t(request, "Preview of your unsaved changes.") if panel else ""
    html = environment(lang).get_template("_panel.html").render(panel=panel, panel_note=note)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
