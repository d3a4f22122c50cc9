"""Every error status a JSON API route can return, typed (`ErrorOut`) in the OpenAPI document.

Routes declare what is theirs (404, 409, 412, 423, ...). What the layers around every route add is
written here once, so that a generated client has a typed error for each: 401 (no or bad token),
403 (a read-only token on a change, or a role that may not do it), 413 and 415 (a body too large, or
not JSON) where the route takes a body, 422 (invalid request), 500 (a bug) and 503 (the database
unavailable, or busy).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}
METHODS = ("get", "put", "post", "patch", "delete")
EVERY_ROUTE: dict[str, str] = {
    "401": "no API token, or one that is unknown, revoked or expired (code unauthenticated)",
    "403": "a read-only token on a change, or a role that may not do this (code forbidden)",
    "422": "invalid request; each problem names its field (codes invalid-request, schema, ...)",
    "500": "a bug: the administrator finds it in the server log by the request id (code internal)",
    "503": "the database is unavailable (code store), or the server is busy: retry after Retry-After (code busy)",
}
WITH_A_BODY: dict[str, str] = {
    "413": "the body is larger than the server's limit (code file-too-large)",
    "415": "the body is not JSON: send Content-Type: application/json (code unsupported-media-type)",
}


def error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


def add_error_responses(document: dict[str, Any], *, prefix: str = "/api/") -> None:
    """Add the statuses every route can return to each operation under `prefix` that lacks them."""
    for path, item in document.get("paths", {}).items():
        if not path.startswith(prefix):
            continue
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            statuses = dict(EVERY_ROUTE)
            if "requestBody" in operation:
                statuses |= WITH_A_BODY
            for status, description in statuses.items():
                responses.setdefault(status, error_response(description))


def document_errors(app: FastAPI) -> None:
    """Make `app.openapi()` add the statuses of `add_error_responses` (once; the document is cached)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_error_responses(build())
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
