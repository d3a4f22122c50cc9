"""The case consultation pages: the consultations an agency took part in, and each as the agency may see it.

Thin over `spj.service.consultations`: the same rules as the JSON API (a
secret item another agency brought is shown as withheld; the addressee of the
feedback note sees the released note only; anyone else gets the one 404 page,
exactly as for a missing consultation). A page that shows another agency's
text is written to the store's disclosure log before it is rendered.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from spj.api.web.pages import WebRoute, current_user, language_of, posted_form, redirect, render, t, workspace_of
from spj.disclosure import Deployment
from spj.instrument.text import localize

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def agency_names(deployment: Deployment | None, lang: str) -> dict[str, str]:
    """Each agency of the deployment by its title in `lang` (its id when it has none)."""
    if deployment is None:
        return {}
    return {a.id: (localize(a.title, lang, None) if a.title else a.id) for a in deployment.agencies}


@router.get("/consultations")
async def consultations(request: Request) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    context = {
        "title": t(request, "Case consultations"),
        "nav": "consultations",
        "rows": workspace.consultations.for_agency(user),
        "names": agency_names(workspace.deployment, language_of(request)),
    }
    return render(request, "consultations.html", context, user=user)


@router.get("/consultations/{consultation_id}")
async def consultation(request: Request, consultation_id: str) -> Response:
    user = current_user(request)
    workspace = workspace_of(request)
    lang = language_of(request)
    view = workspace.consultations.view(user, consultation_id, lang=lang, channel="web")
    names = agency_names(workspace.deployment, lang)
    context = {
        "title": t(request, "Case consultation %(id)s", id=view.id),
        "nav": "consultations",
        "c": view,
        "names": names,
        "waiting": ", ".join(names.get(agency, agency) for agency in view.waiting),
        "approved": request.query_params.get("approved") == "1",
        "can_approve": view.role == "participant" and user.agency_id in view.waiting,
    }
    return render(request, "consultation.html", context, user=user)


@router.post("/consultations/{consultation_id}/approval")
async def approve(request: Request, consultation_id: str) -> Response:
    """The user's agency approves the feedback note (any other agency: the one 404 page)."""
    user = current_user(request)
    await posted_form(request)
    workspace_of(request).consultations.approve(user, consultation_id)
    return redirect(request, f"/consultations/{consultation_id}?approved=1")
