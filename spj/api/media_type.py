"""A JSON API body must be JSON: any other `Content-Type` is 415 `unsupported-media-type`, before any route.

Under `/api/`, a POST, PUT or PATCH with a body says `application/json` (or a `+json` type such as
`application/fhir+json`, `application/merge-patch+json`); without the header, or with `text/plain` or a form,
the answer is 415 and names the type to use, instead of a 422 about the body's shape. An empty body
(`reassess` without options) needs no type. Plain ASGI middleware, like `InputGuard`.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from spj.errors import Code

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def is_json(content_type: str) -> bool:
    """Whether a `Content-Type` value names JSON (`application/json`, `application/*+json`), any parameters aside."""
    media = content_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def _header(scope: Scope, name: bytes) -> str | None:
    return next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == name), None)


def _has_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return _header(scope, b"transfer-encoding") is not None


class JsonBodiesOnly:
    """Refuse a JSON API request whose body is not JSON with 415 (see the module)."""

    def __init__(self, app: ASGIApp, *, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in BODY_METHODS and self._under_api(scope):
            content_type = _header(scope, b"content-type")
            if _has_body(scope) and not is_json(content_type or ""):
                await _refuse(send, content_type)
                return
        await self.app(scope, receive, send)

    def _under_api(self, scope: Scope) -> bool:
        root = str(scope.get("root_path", "")).rstrip("/")
        path = str(scope.get("path", ""))
        if root and path.startswith(root + "/"):
            path = path[len(root) :]
        return path.startswith(self.prefix)


async def _refuse(send: Send, content_type: str | None) -> None:
    said = "no Content-Type" if not content_type else f"Content-Type {content_type.split(';', 1)[0].strip()[:80]!r}"
    message = f"the body must be JSON (Content-Type: application/json); the request has {said}"
    code = Code.UNSUPPORTED_MEDIA_TYPE.value
    problem = {"code": code, "message": message, "file": None, "line": None, "column": None, "path": "header"}
    body = json.dumps({"error": {"code": code, "message": message, "problems": [problem]}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 415, "headers": headers})
    await send({"type": "http.response.body", "body": body})
