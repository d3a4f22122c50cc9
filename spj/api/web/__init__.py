"""The web workspace: server-rendered pages over the service layer (`spj.service.Workspace`).

Works without JavaScript (plain forms, POST-redirect-GET). `router` holds
every page; `add_session_middleware` installs the signed-cookie session the
pages need. `spj.api.app.create_app` does both.

Modules: `pages` (shared: user, rendering, error pages), `session` (cookie
session, CSRF), `forms` (form fields ↔ assessment document, errors at
fields), `viewmodels` (live panel, side-by-side versions), `templating`
(Jinja + the `web` catalog), and one `routes_*` module per group of pages.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import routes_account, routes_assessment, routes_cases, routes_output
from .session import add_session_middleware as add_session_middleware

router = APIRouter(include_in_schema=False)
for _module in (routes_account, routes_cases, routes_assessment, routes_output):
    router.include_router(_module.router)

__all__ = ["add_session_middleware", "router"]
