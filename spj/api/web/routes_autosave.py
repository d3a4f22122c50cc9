"""Autosave of the assessment form (issue 9): nothing typed is lost to a reload, a closed tab or an ended session.

`POST .../autosave` keeps the unsaved form (`spj.service.autosave`); the page offers it back. A save
posted after the session ended is not lost either: the sign-in page carries the typed fields, and
signing in keeps them for the same person and returns to the form with them (`carry_after_sign_in`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from spj.api.web.carry import assessment_form_target, uncarried
from spj.api.web.forms import content_fields
from spj.api.web.pages import (
    WebRoute,
    current_user,
    form_lists,
    optional_user,
    posted_form,
    posted_revision,
    redirect,
    workspace_of,
)
from spj.errors import SpjError
from spj.store.interface import User

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.post("/assessments/{assessment_id}/autosave")
async def autosave(request: Request, assessment_id: str) -> Response:
    """Keep the unsaved form; JSON for the page's script (401 when the session has ended: the page keeps the text)."""
    if optional_user(request) is None:
        return JSONResponse({"code": "unauthenticated", "message": "sign in again; nothing was kept"}, 401)
    user = current_user(request)
    fields = form_lists(await posted_form(request))
    kept = workspace_of(request).autosave.keep(user, assessment_id, posted_revision(fields), content_fields(fields))
    return JSONResponse({"saved_at": kept.saved_at.isoformat(), "base_revision": kept.base})


@router.post("/assessments/{assessment_id}/autosave/discard")
async def discard(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    await posted_form(request)
    workspace_of(request).autosave.discard(user, assessment_id)
    return redirect(request, f"/assessments/{assessment_id}")


def carry_after_sign_in(request: Request, user: User, form: Mapping[str, Sequence[str]], next_path: str) -> str | None:
    """After signing in: keep the carried fields as the user's autosave and return the form's address, or None."""
    carried = uncarried({key: list(values) for key, values in form.items()})
    root = str(request.scope.get("root_path", "")).rstrip("/")
    assessment_id = assessment_form_target(next_path, root)
    if not carried or assessment_id is None:
        return None
    try:
        base = posted_revision(carried)
        workspace_of(request).autosave.keep(user, assessment_id, base, content_fields(carried))
    except SpjError:  # not this person's draft, or no longer a draft: sign in as usual, keep nothing
        return None
    return f"/assessments/{assessment_id}?restore=2"
