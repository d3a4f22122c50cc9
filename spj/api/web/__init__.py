"""The web workspace: server-rendered pages over the service layer (`spj.service.Workspace`).

Works without JavaScript (plain forms, POST-redirect-GET). `router` holds
every page; `add_session_middleware` installs the signed-cookie session the
pages need. `spj.api.app.create_app` does both.

Modules: `pages` (shared: user, rendering, error pages), `session` (cookie
session, CSRF), `forms` (form fields ↔ assessment document, errors at
fields), `viewmodels` (live panel, side-by-side versions), `templating`
(Jinja + the `web` catalog), `plan_forms` and `plan_view` (the plan page), and one
`routes_*` module per group of pages
(`routes_stats`: the programme figures; `routes_capacity`: caseload and capacity; `routes_consultations`: case
consultations; `routes_double_rating`: blind double rating and its agreement over time).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException

from spj.api.web import (
    routes_account,
    routes_assessment,
    routes_autosave,
    routes_capacity,
    routes_cases,
    routes_consultations,
    routes_double_rating,
    routes_history,
    routes_output,
    routes_plan,
    routes_referrals,
    routes_sources,
    routes_stats,
    routes_training,
)
from spj.api.web.pages import WebRoute, not_found
from spj.api.web.session import add_session_middleware as add_session_middleware

router = APIRouter(include_in_schema=False)
for _module in (
    routes_account,
    routes_cases,
    routes_assessment,
    routes_autosave,
    routes_sources,
    routes_plan,
    routes_output,
    routes_history,
    routes_referrals,
    routes_stats,
    routes_capacity,
    routes_consultations,
    routes_double_rating,
    routes_history,
    routes_training,
):
    router.include_router(_module.router)

_fallback = APIRouter(route_class=WebRoute, include_in_schema=False)


@_fallback.get("/{path:path}")
async def unknown_page(request: Request, path: str) -> Response:
    """Any other address is the workspace's own 404 page (titled, in the page's language), not bare JSON.

    The JSON API keeps its JSON 404 for unknown `/api/…` paths.
    """
    if path == "api" or path.startswith("api/"):
        raise HTTPException(status_code=404)
    return not_found(request)


router.include_router(_fallback)

__all__ = ["add_session_middleware", "router"]
