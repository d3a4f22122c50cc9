"""A source added from an indicator without a full save (issue 9, point 2): `POST .../sources`.

The page's script posts the new source (kind, date, description; optionally an id, and the indicator that
cites it) with the revision the form is editing. The source is added to that revision's content and saved as
a new revision; the form's other unsaved edits stay on the page (and in autosave) and are saved with "Save
draft", on top of the new revision. When someone else saved in between, nothing is added: the answer asks to
save the form first (a conflict is never resolved silently). Without JavaScript the sources table's empty row
and "Save draft" do the same.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from spj.api.web.forms import errors_for_problems
from spj.api.web.pages import (
    WebRoute,
    current_user,
    form_lists,
    language_of,
    posted_form,
    posted_revision,
    redirect,
    t,
    workspace_of,
)
from spj.api.web.viewmodels import field_labels
from spj.service import InvalidContentError, SaveConflictError

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_KEYS = ("id", "kind", "date", "description")


def _next_id(sources: list[Any]) -> str:
    taken = {str(s.get("id")) for s in sources if isinstance(s, dict)}
    n = len(taken) + 1
    while f"S{n}" in taken:
        n += 1
    return f"S{n}"


@router.post("/assessments/{assessment_id}/sources")
async def add_source(request: Request, assessment_id: str) -> Response:
    user = current_user(request)
    fields = form_lists(await posted_form(request))
    base = posted_revision(fields)
    workspace = workspace_of(request)
    view = workspace.get(user, assessment_id)
    wants_json = "application/json" in request.headers.get("accept", "")
    typed = {k: (fields.get(f"source.{k}") or [""])[0].strip() for k in _KEYS}
    cite = (fields.get("source.cite") or [""])[0].strip()
    if cite and cite not in {i.id for i in view.instrument.indicators}:
        cite = ""
    content: dict[str, Any] = copy.deepcopy(dict(view.content))
    sources = list(content.get("sources") or [])
    source: dict[str, Any] = {"id": typed["id"] or _next_id(sources), "kind": typed["kind"]}
    source.update({k: typed[k] for k in ("date", "description") if typed[k]})
    sources.append(source)
    content["sources"] = sources
    if cite:
        ratings = content.setdefault("ratings", {})
        rating = ratings.setdefault(cite, {})
        rating["sources"] = [*(rating.get("sources") or []), source["id"]]
    try:
        saved = workspace.save(user, assessment_id, base, content)
    except SaveConflictError:
        message = t(
            request, "Someone else saved this assessment in the meantime: save the draft first, then add the source."
        )
        return JSONResponse({"code": "conflict", "message": message}, status_code=409)
    except InvalidContentError as exc:
        errors = errors_for_problems(exc.problems)
        labels = field_labels(view.instrument, language_of(request))
        n = len(sources) - 1
        row = re.compile(rf"^s\.{n}\.(\w+)$")
        messages = []
        for name, found in errors.by_field.items():
            key = row.match(name)
            field = key.group(1) if key else ""
            messages += [{"field": field, "label": labels.get(name, name), "message": m} for m in found]
        messages += [{"field": "", "label": "", "message": m} for m in errors.general]
        return JSONResponse({"code": "invalid", "errors": messages}, status_code=422)
    anchor = f"#f-r-{cite}" if cite else "#case-sources"
    if not wants_json:
        return redirect(request, f"/assessments/{assessment_id}?saved={saved.head}{anchor}")
    text = t(request, "Source %(id)s added and saved as revision %(n)s.", id=source["id"], n=saved.head)
    return JSONResponse({"source": source, "cite": cite, "head": saved.head, "message": text})
