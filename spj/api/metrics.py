"""Prometheus metrics at `/metrics` (prometheus-client): requests, latency, evaluations, saves, store errors.

Off unless a metrics token is set (`spj serve --metrics-token`, `SPJ_METRICS_TOKEN`); then `/metrics`
answers a scraper that sends `Authorization: Bearer <that token>` and no one else (401). Why a token
and not an open route: the counts describe a service that holds case files (how many assessments are
finalised, and when), and `/metrics` is served on the same port as the workspace, which a reverse
proxy publishes; an open route would publish them too. The metrics token is not an API token: it reads
the counts and nothing else. Without the setting the route does not exist (404) and nothing is counted.

Metrics (labels never hold a case id, a user or a path: the route's template, method, status, kind):

- `spj_http_requests_total{method, route, status}` and `spj_http_request_duration_seconds{method, route, status}`
- `spj_evaluations_total`: evaluations computed (cache hits are not evaluations)
- `spj_saves_total{kind}`: revisions saved, `draft` or `final`
- `spj_store_errors_total{code}`: requests that failed on the database (HTTP 5xx from a `StoreError`)

Several worker processes (`spj serve --workers N`, gunicorn): each process counts for itself, so
prometheus-client's multiprocess mode must be on, with `PROMETHEUS_MULTIPROC_DIR` naming an empty
folder before the workers start (`spj serve --workers` makes one when it is not set). `/metrics` then
sums every worker's files. Empty the folder between runs of the service.
"""

from __future__ import annotations

import hmac
import inspect
import os
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spj.api.errors import simple_error, status_for
from spj.api.routes import method_of, route_template
from spj.errors import Code, SpjError, StoreError
from spj.service.telemetry import SaveKind

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
MIN_TOKEN_LENGTH = 16
METRICS_PATH = "/metrics"


class Metrics:
    """The counters and histograms of one app, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ("method", "route", "status")
        self.requests = Counter(
            "spj_http_requests", "HTTP requests, by route template and status", labels, registry=self.registry
        )
        self.latency = Histogram(
            "spj_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and status",
            labels,
            registry=self.registry,
        )
        self.evaluations = Counter("spj_evaluations", "Evaluations computed", registry=self.registry)
        self.saves = Counter("spj_saves", "Revisions saved, by kind (draft, final)", ("kind",), registry=self.registry)
        self.store_errors = Counter(
            "spj_store_errors", "Requests that failed on the database, by code", ("code",), registry=self.registry
        )

    # Telemetry (spj.service.telemetry): the workspace calls these.
    def evaluated(self) -> None:
        self.evaluations.inc()

    def saved(self, kind: SaveKind) -> None:
        self.saves.labels(kind=kind).inc()

    def exposition(self) -> bytes:
        """The text format; every worker's counts summed in multiprocess mode."""
        if os.environ.get(MULTIPROC_DIR):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


class RequestMetrics:
    """Count each HTTP request and its duration by method, route template and status."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            labels = {"method": method_of(scope), "route": route_template(scope), "status": str(status)}
            self.metrics.requests.labels(**labels).inc()
            self.metrics.latency.labels(**labels).observe(time.perf_counter() - started)


def install_metrics(app: FastAPI, *, token: str | None) -> Metrics | None:
    """With a `token`: count on `app` and serve `/metrics` to a scraper with that bearer token. None without."""
    if not token:
        return None
    metrics = Metrics()
    app.state.workspace.telemetry = metrics
    expected = token.encode("utf-8")

    async def serve_metrics(request: Request) -> Response:
        request.scope.setdefault("route", route)  # counted and logged under its own template, like any route
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8"), expected):
            response = simple_error(401, Code.UNAUTHENTICATED.value, "send the metrics token: Authorization: Bearer")
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    route = Route(METRICS_PATH, serve_metrics, methods=["GET"], include_in_schema=False)
    app.router.routes.insert(0, route)  # first, ahead of the pages' catch-all route (`/{path}`)
    handle_spj_error = app.exception_handlers[SpjError]

    async def on_store_error(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, StoreError)
        if status_for(exc) >= 500:
            code = exc.problems[0].code.value if exc.problems else Code.STORE.value
            metrics.store_errors.labels(code=code).inc()
        response = handle_spj_error(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(StoreError, on_store_error)
    app.add_middleware(RequestMetrics, metrics=metrics)
    return metrics
