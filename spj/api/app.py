"""The FastAPI application of `spj serve`: the JSON API under `/api/v1` and, when present, the web pages.

>>> from spj.store import MemoryStore  # doctest: +SKIP
>>> app = create_app(MemoryStore())  # doctest: +SKIP

The web pages (`spj.api.web`) are mounted when that package provides a
`router`; if it also provides `add_session_middleware(app, secret_key=...,
https_only=...)`, the session is installed with the app's secret key.
"""

from __future__ import annotations

import importlib
import importlib.util
import secrets
from collections.abc import Iterable
from pathlib import Path

from argon2 import PasswordHasher
from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from spj.api.cases_api import router as cases_router
from spj.api.consultations_api import router as consultations_router
from spj.api.double_rating_api import router as double_rating_router
from spj.api.errors import install_error_handlers
from spj.api.events_api import router as events_router
from spj.api.fhir_api import router as fhir_router
from spj.api.headers import SecurityHeaders
from spj.api.health_api import router as health_router
from spj.api.input_guard import InputGuard
from spj.api.json_api import router as json_router
from spj.api.limits import DEFAULT_MAX_BODY_BYTES, BodySizeLimit
from spj.api.media_type import JsonBodiesOnly
from spj.api.metrics import install_metrics
from spj.api.openapi_errors import document_errors
from spj.api.operation_ids import operation_id
from spj.api.referrals_api import router as referrals_router
from spj.api.request_log import RequestLog
from spj.api.revisions_api import router as revisions_router
from spj.api.stats_api import router as stats_router
from spj.api.tokens_api import router as tokens_router
from spj.api.urls import RootPath, normalise_root_path
from spj.disclosure import Deployment
from spj.disclosure.consultation import Consultation
from spj.service import InstrumentRegistry, Workspace
from spj.service.instruments import default_folders
from spj.store.interface import Store
from spj.version import __version__

DESCRIPTION = """Structured professional judgement assessments over HTTP.

Authenticate with an API token: `Authorization: Bearer <token>` (`spj token add`).
Every record is scoped to the token's agency; another agency's record is 404.
Save with the revision you edited (`base_revision` or `If-Match`); a conflict
is 409 (412 with If-Match) and echoes your content back. Errors are
`{"error": {"code", "message", "problems": [{code, message, path, ...}]}}`.

Provenance is the server's: `assessor` (id, agency, name), `previous` and
`amends` in the content come from the account that created the assessment and
from the records. Leave them out or send them back as you read them; a body
that sets them otherwise is 422 with a problem at each such field.
`base_revision` is a JSON integer. Text with NUL or a lone surrogate is 422
and never echoed; every body over the limit is 413.
"""


def create_app(
    store: Store,
    *,
    instruments_dirs: Iterable[str | Path] = (),
    instruments: InstrumentRegistry | None = None,
    secret_key: str | None = None,
    https_only: bool = False,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    hasher: PasswordHasher | None = None,
    web: bool = True,
    deployment: Deployment | None = None,
    consultations: Iterable[Consultation] = (),
    forwarded_allow_ips: str | None = None,
    certification_register: Path | None = None,
    training_record: Path | None = None,
    root_path: str = "",
    metrics_token: str | None = None,
) -> FastAPI:
    """The app over `store`.

    Instruments come from `instruments` when given, else from `./instruments`,
    the shipped ones and `instruments_dirs`. `secret_key` signs the pages'
    session cookies (random per process when None: sessions end on restart);
    `https_only` marks the session cookie `Secure` (serve behind TLS).
    `deployment` (DESIGN 4.7) is the register of partner agencies and what each may see;
    `consultations` the case consultation records of that deployment.
    `forwarded_allow_ips` (comma-separated addresses or networks of the reverse
    proxies in front of the app, `spj serve --forwarded-allow-ips`): only from
    them is `X-Forwarded-For` believed, so that the sign-in throttle counts
    per real client; without it the peer's address is the client.
    `training_record` is the trainees' record of vignette ratings (default: the user's state folder).
    `certification_register` is the register of certified experts the capacity page counts (default: the
    user's state folder, as `spj certify`).
    `root_path` (`/spj`) serves the app under that prefix behind a proxy (`spj.api.urls`);
    `metrics_token` turns on `/metrics` for a scraper with that bearer token (`spj.api.metrics`).
    Every request is logged in one line to `spj.requests`, with its `X-Request-ID` (`spj.api.request_log`).
    """
    registry = instruments or InstrumentRegistry.from_folders(default_folders(instruments_dirs))
    app = FastAPI(
        title="spj",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    app.state.workspace = Workspace(
        store,
        registry,
        hasher=hasher,
        deployment=deployment,
        consultations=consultations,
        certification_register=certification_register,
    )
    app.state.secret_key = secret_key or secrets.token_urlsafe(32)
    app.state.training_record = training_record
    install_error_handlers(app)
    app.include_router(json_router)
    app.include_router(referrals_router)
    app.include_router(stats_router)
    app.include_router(fhir_router)
    app.include_router(consultations_router)
    app.include_router(double_rating_router)
    app.include_router(health_router)
    app.include_router(tokens_router)
    app.include_router(cases_router)
    app.include_router(events_router)
    app.include_router(revisions_router)
    if web:
        _mount_web(app, secret_key=app.state.secret_key, https_only=https_only)
    app.add_middleware(InputGuard)
    app.add_middleware(JsonBodiesOnly)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    docs = [p for p in (app.docs_url, app.swagger_ui_oauth2_redirect_url) if p]
    app.add_middleware(SecurityHeaders, docs_paths=docs)
    if forwarded_allow_ips:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=forwarded_allow_ips)
    install_metrics(app, token=metrics_token)
    app.add_middleware(RequestLog)
    if prefix := normalise_root_path(root_path):
        app.add_middleware(RootPath, prefix=prefix)
    document_errors(app)
    return app


def _mount_web(app: FastAPI, *, secret_key: str, https_only: bool) -> None:
    name = f"{__package__}.web"
    if importlib.util.find_spec(name) is None:
        return
    module = importlib.import_module(name)
    router = getattr(module, "router", None)
    if router is None:
        return
    add_session = getattr(module, "add_session_middleware", None)
    if add_session is not None:
        add_session(app, secret_key=secret_key, https_only=https_only)
    app.include_router(router)
