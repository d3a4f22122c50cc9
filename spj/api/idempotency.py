"""`Idempotency-Key` on every POST of the JSON API: sent again, the same request returns the first response.

Follows the IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field": the same key with the same
request (method, path, query and body bytes) replays the first response, status and body, with
`Idempotent-Replayed: true`, and does nothing again; the same key with another request is 422
(`idempotency-key-reused`: a client error that retrying cannot fix), and while the first request with
the key still runs a second one is 409 (`idempotency-key-in-use`: wait and send it again). Keys are kept
per agency (the token's) for `KEY_TTL`; a server fault (5xx) or an error raised before any change frees the
key, so the request can be sent again with it.

Used as the `route_class` of every JSON API router; a POST route declares the header in the OpenAPI
document through it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from spj.api.deps import bearer_token
from spj.api.errors import error_response
from spj.errors import Code, Location, Problem, SpjError
from spj.store.hashing import utc_now
from spj.store.idempotency import StoredResponse

HEADER = "Idempotency-Key"
KEY_TTL = dt.timedelta(hours=24)
MAX_KEY = 200
KEPT_HEADERS = ("content-type", "location", "etag", "next-cursor", "link")
PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "a unique key per request (a UUID): sent again with the same request, the first response is "
    "returned and nothing is done twice; with another request, 422 idempotency-key-reused. Kept 24 hours.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
}


def _problem(code: Code, message: str) -> SpjError:
    return SpjError(Problem(code, message, Location(path=("header", HEADER))))


def fingerprint(request: Request, body: bytes) -> str:
    """What makes two requests the same: method, path, query and body bytes."""
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), request.url.query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class IdempotentRoute(APIRoute):
    """A route that honours `Idempotency-Key` when it is a POST."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if "POST" in (self.methods or ()):
            extra = dict(self.openapi_extra or {})
            extra["parameters"] = [*extra.get("parameters", []), PARAMETER]
            self.openapi_extra = extra

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if "POST" not in (self.methods or ()):
            return handler

        async def idempotent(request: Request) -> Response:
            key = request.headers.get(HEADER)
            if key is None:
                return await handler(request)
            if not (1 <= len(key) <= MAX_KEY and key.isascii() and key.isprintable()):
                return error_response(
                    _problem(Code.INVALID_REQUEST, f"{HEADER} is 1 to {MAX_KEY} printable ASCII characters"), 422
                )
            workspace = request.app.state.workspace
            token = bearer_token(request)
            user = await run_in_threadpool(workspace.user_from_token, token) if token else None
            if user is None:  # the route answers 401
                return await handler(request)
            keys = workspace.store.idempotency
            body = await request.body()
            claim = await run_in_threadpool(
                keys.begin, user.agency_id, key, fingerprint(request, body), now=utc_now(), ttl=KEY_TTL
            )
            if claim.outcome == "mismatch":
                return error_response(
                    _problem(
                        Code.IDEMPOTENCY_KEY_REUSED,
                        f"this {HEADER} was used with another request; use a new key for a new request",
                    )
                )
            if claim.outcome == "running":
                return error_response(
                    _problem(
                        Code.IDEMPOTENCY_KEY_IN_USE,
                        f"the first request with this {HEADER} is still running; send it again in a moment",
                    )
                )
            if claim.outcome == "replay" and claim.response is not None:
                stored = claim.response
                return Response(
                    stored.body,
                    status_code=stored.status,
                    headers={**stored.headers, "Idempotent-Replayed": "true"},
                )
            try:
                response = await handler(request)
            except BaseException:
                await run_in_threadpool(keys.abandon, user.agency_id, key)
                raise
            content = getattr(response, "body", None)
            if response.status_code >= 500 or not isinstance(content, bytes):
                await run_in_threadpool(keys.abandon, user.agency_id, key)
                return response
            kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
            await run_in_threadpool(
                keys.finish, user.agency_id, key, StoredResponse(response.status_code, kept, content)
            )
            return response

        return idempotent
