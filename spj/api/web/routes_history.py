"""History you can read: open any revision, compare any two field by field, restore an earlier value.

Every revision stays as it was: restoring writes a new revision on top of the head (through the normal
save, so a stale page gets the conflict page, never a silent overwrite).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response

from spj.api.web.forms import content_from_form, flatten, form_from_content
from spj.api.web.pages import (
    WebRoute,
    current_user,
    form_lists,
    language_of,
    posted_form,
    posted_revision,
    redirect,
    render,
    t,
    workspace_of,
)
from spj.api.web.viewmodels import differences
from spj.instrument.model import Instrument
from spj.service import InvalidRequestError, SaveConflictError
from spj.store.interface import Revision

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@dataclass(frozen=True)
class Change:
    """One field that differs between two revisions, and the revision that last changed it."""

    name: str
    label: str
    before: str
    after: str
    by: str
    at: Any
    number: int


@router.get("/assessments/{assessment_id}/revisions/{number}")
async def revision(request: Request, assessment_id: str, number: str) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    view = workspace.get(user, assessment_id)
    (found,) = workspace.revisions(user, assessment_id, _number(number, "number"))
    rows = differences(view.instrument, found.content, {}, language_of(request))
    author = workspace.person(user, found.author_id)
    context = {
        "title": t(request, "Revision %(n)s of %(id)s", n=found.number, id=view.id),
        "view": view,
        "revision": found,
        "author": author.display_name if author else found.author_id,
        "rows": rows,
    }
    return render(request, "revision.html", context, user=user)


@router.get("/assessments/{assessment_id}/compare")
async def compare(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    view = workspace.get(user, assessment_id)
    first = _number(request.query_params.get("from", ""), "from")
    last = _number(request.query_params.get("to", str(view.head)), "to")
    first, last = min(first, last), max(first, last)
    chosen = workspace.revisions(user, assessment_id, *range(first, last + 1))
    names = {r.author_id: _name(request, user, r.author_id) for r in chosen}
    context = {
        "title": t(request, "Compare revisions %(a)s and %(b)s", a=first, b=last),
        "view": view,
        "first": chosen[0],
        "last": chosen[-1],
        "changes": _changes(view.instrument, chosen, names, language_of(request)),
        "can_restore": not view.final and last == view.head,
        "numbers": [r.number for r in workspace.history(user, assessment_id)],
    }
    return render(request, "compare.html", context, user=user)


@router.post("/assessments/{assessment_id}/restore")
async def restore(request: Request, assessment_id: str) -> Response:
    """Earlier values of chosen fields, written as a new revision on top of the head."""
    user = current_user(request)
    workspace = workspace_of(request)
    fields = form_lists(await posted_form(request))
    view = workspace.get(user, assessment_id)  # first: another agency's assessment is a 404, whatever was posted
    base = posted_revision(fields)
    (source,) = workspace.revisions(user, assessment_id, _number((fields.get("from") or [""])[0], "from"))
    names = fields.get("field") or []
    if not names:
        raise InvalidRequestError("choose at least one field to restore", "field")
    head_revision = next(r for r in workspace.history(user, assessment_id) if r.number == view.head)
    if base != view.head:  # the page is stale: someone saved since; nothing is overwritten
        raise SaveConflictError(assessment_id, base, head_revision, view.content)
    form = form_from_content(view.instrument, view.content)
    earlier = form_from_content(view.instrument, source.content)
    for name in names:
        if name in earlier:
            form[name] = list(earlier[name])
        else:
            form.pop(name, None)
    content = content_from_form(view.instrument, view.content, form)
    saved = workspace.save(user, assessment_id, base, content)
    return redirect(request, f"/assessments/{saved.id}?saved={saved.head}")


def _changes(instrument: Instrument, revisions: Sequence[Revision], names: dict[str, str], lang: str) -> list[Change]:
    """Fields that differ between the first and the last revision, each with who last changed it and when."""
    rows = differences(instrument, revisions[0].content, revisions[-1].content, lang)
    last_change: dict[str, Revision] = {}
    previous = flatten(revisions[0].content, instrument)
    for current_revision in revisions[1:]:
        current = flatten(current_revision.content, instrument)
        for name in set(previous) | set(current):
            if previous.get(name, "") != current.get(name, ""):
                last_change[name] = current_revision
        previous = current
    changes = []
    for row in rows:
        by = last_change.get(row.name, revisions[-1])
        changes.append(
            Change(row.name, row.label, row.mine, row.theirs, names.get(by.author_id, ""), by.created_at, by.number)
        )
    return changes


def _number(raw: str, field: str) -> int:
    if not (raw.isascii() and raw.isdecimal() and 0 < len(raw) <= 10):
        raise InvalidRequestError(f"{field} must be a revision number", field)
    return int(raw)


def _name(request: Request, viewer: Any, user_id: str) -> str:
    person = workspace_of(request).person(viewer, user_id)
    return person.display_name if person else user_id
