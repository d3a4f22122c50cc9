"""Errors as HTTP responses: every `SpjError` becomes `{"error": {"code", "message", "problems": [...]}}`.

Status codes: not found 404, conflict 409 (412 when the client used
`If-Match`), locked 423, invalid content or request 422, unauthenticated 401,
forbidden 403, a store failure 503, busy 503 with Retry-After (every PDF worker
taken or the time budget spent), a body too large 413. FastAPI's own
request validation errors get the same shape (code `invalid-request`, each
problem with its field path). Anything else is a bug: a generic 500, logged
without request content (case content never reaches a log).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from spj.errors import AssessmentError, Code, Location, Problem, RenderError, SpjError, StoreError, format_path
from spj.service.errors import (
    ForbiddenError,
    InvalidRequestError,
    SaveConflictError,
    StateError,
    UnauthenticatedError,
)
from spj.store.interface import ConflictError, LockedError, NotFoundError

log = logging.getLogger("spj.api")

INTERNAL = "internal"  # the one code that is not a `Code`: a bug, not bad input

HtmlErrorRenderer = Callable[[Request, SpjError, int], Awaitable[Response] | Response | None]


class PreconditionFailedError(ConflictError):
    """An `If-Match` revision that is not the head (HTTP 412); carries the same data as a conflict."""


def status_for(exc: SpjError) -> int:
    """The HTTP status of a service error."""
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, LockedError):
        return 423
    if isinstance(exc, ConflictError | StateError):
        return 409
    if isinstance(exc, UnauthenticatedError):
        return 401
    if isinstance(exc, ForbiddenError):
        return 403
    if isinstance(exc, AssessmentError | InvalidRequestError):
        return 422
    if isinstance(exc, RenderError):
        return 422 if exc.problems and exc.problems[0].code in (Code.LANGUAGE, Code.OUTPUT) else 500
    if isinstance(exc, StoreError):
        code = exc.problems[0].code if exc.problems else Code.STORE
        return {Code.CONFLICT: 409, Code.NOT_FOUND: 404}.get(code, 503)
    codes = {p.code for p in exc.problems}
    return next((status for code, status in _STATUS_BY_CODE if code in codes), 400)


_STATUS_BY_CODE = (  # the first code an error has decides (for errors of no class above)
    (Code.BUSY, 503),
    (Code.TOO_MANY_ATTEMPTS, 429),
    (Code.CSRF, 403),
    (Code.FORBIDDEN, 403),
    (Code.UNAUTHENTICATED, 401),
    (Code.TOO_FEW_CASES, 422),
)


def error_body(exc: SpjError) -> dict[str, Any]:
    """The JSON body of an error response."""
    first = exc.problems[0] if exc.problems else Problem(Code.INVALID_REQUEST, str(exc))
    body: dict[str, Any] = {
        "code": first.code.value,
        "message": first.message,
        "problems": [p.to_dict() for p in exc.problems],
    }
    if isinstance(exc, ConflictError):
        body["current_revision"] = exc.current
        body["base_revision"] = exc.base
    if isinstance(exc, SaveConflictError):
        body["content"] = exc.content
        body["current_content"] = exc.head.content
    elif hasattr(exc, "content"):
        body["content"] = exc.content
    return {"error": body}


def error_response(exc: SpjError, status: int | None = None) -> JSONResponse:
    """`exc` as a JSON response."""
    status = status or status_for(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    retry_after = getattr(exc, "retry_after", None)
    if status in (429, 503) and isinstance(retry_after, int):
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(error_body(exc), status_code=status, headers=headers)


def simple_error(status: int, code: str, message: str, *, path: str = "") -> JSONResponse:
    """An error response that does not come from an `SpjError`."""
    problem = {"code": code, "message": message, "file": None, "line": None, "column": None, "path": path}
    return JSONResponse({"error": {"code": code, "message": message, "problems": [problem]}}, status_code=status)


def validation_problems(exc: RequestValidationError) -> list[Problem]:
    """FastAPI's validation errors as located problems (`body.content.ratings`, `query.format`, ...)."""
    problems = []
    for error in exc.errors():
        loc = tuple(part for part in error.get("loc", ()) if isinstance(part, str | int))
        message = str(error.get("msg", "invalid value"))
        if error.get("type") == "json_invalid":
            position = loc[1] if len(loc) > 1 else "?"
            loc, message = loc[:1], f"the body is not valid JSON (at character {position})"
        where = format_path(loc)
        problems.append(Problem(Code.INVALID_REQUEST, f"{where}: {message}" if where else message, Location(path=loc)))
    return problems or [Problem(Code.INVALID_REQUEST, "invalid request")]


def _route(request: Request) -> str:
    """The route's template (`/api/v1/assessments/{assessment_id}`), never the path: a path may carry any text."""
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    return template if isinstance(template, str) else "(no route)"


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on `app`.

    Outside `/api/`, a renderer set as `app.state.html_error_renderer`
    (`(request, error, status) -> Response | None`) may answer with a page
    instead of JSON.
    """

    async def respond(request: Request, exc: SpjError, status: int) -> Response:
        renderer: HtmlErrorRenderer | None = getattr(request.app.state, "html_error_renderer", None)
        if renderer is not None and not request.url.path.startswith("/api/"):
            page = renderer(request, exc, status)
            if page is not None and not isinstance(page, Response):
                page = await page
            if page is not None:
                return page
        return error_response(exc, status)

    async def on_spj_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SpjError)
        status = status_for(exc)
        if isinstance(exc, PreconditionFailedError):
            status = 412
        if status >= 500:
            log.error("request failed: %s %s: %s %s", request.method, _route(request), type(exc).__name__, exc.codes)
        return await respond(request, exc, status)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return await respond(request, SpjError(validation_problems(exc)), 422)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = {401: Code.UNAUTHENTICATED, 403: Code.FORBIDDEN, 404: Code.NOT_FOUND}.get(
            exc.status_code, Code.INVALID_REQUEST
        )
        message = exc.detail if isinstance(exc.detail, str) else "invalid request"
        response = simple_error(exc.status_code, code.value, message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_bug(request: Request, exc: Exception) -> Response:
        # The exception's message may quote case content: log its type and the route only.
        log.error("internal error on %s %s: %s", request.method, _route(request), type(exc).__name__)
        return simple_error(500, INTERNAL, "internal error; the administrator can find it in the server log")

    app.add_exception_handler(SpjError, on_spj_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_bug)
