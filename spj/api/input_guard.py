"""Text that no route can store or print is refused at the edge, as plain ASGI middleware.

Refused before any route runs, with a JSON error that never quotes the input:

- a path with a control character (NUL, newline, ...), a lone surrogate or
  bytes that are not UTF-8: 404 `not-found` (no record has such an id);
- a query string or a form body (urlencoded or multipart: no route takes a
  file) with NUL, a lone surrogate or bytes that are not UTF-8: 422
  `invalid-request`;
- a JSON body that is not UTF-8, or whose strings hold a lone surrogate
  (`"\\ud800"`) or NUL (`"\\u0000"`): 422 `invalid-request`. Neither can be
  encoded in a response or stored by PostgreSQL.

The body is read whole (`BodySizeLimit`, outside this middleware, bounds it),
checked, then handed on to the app unchanged.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from spj.api.limits import replay
from spj.errors import Code

_ID_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NUL = re.compile(r"\x00")  # in a body's text: PostgreSQL stores no NUL; other control characters are kept
_ESCAPED_SURROGATE_OR_NUL = re.compile(rb"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0000)")


class InvalidText(ValueError):
    """Input that is not valid text; its message never quotes the input."""


def check_text(text: str, *, what: str, controls: re.Pattern[str]) -> None:
    """`InvalidText` when `text` holds a lone surrogate or a control character."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidText(f"{what} holds a lone surrogate (at character {exc.start}); send valid Unicode") from None
    found = controls.search(text)
    if found is not None:
        raise InvalidText(
            f"{what} holds a control character (U+{ord(found.group()):04X}, at character {found.start()})"
        )


def check_utf8(data: bytes, *, what: str) -> str:
    """`data` decoded, or `InvalidText` when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidText(f"{what} is not UTF-8 (at byte {exc.start})") from None


def _check_json_strings(value: Any, *, what: str) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            check_text(item, what=what, controls=_NUL)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def check_body(body: bytes, content_type: str) -> None:
    """`InvalidText` when a JSON or form body holds text no route can take."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        text = check_utf8(body, what="the body")
        if _ESCAPED_SURROGATE_OR_NUL.search(body):
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                return  # not JSON at all: the route's parser says so
            _check_json_strings(parsed, what="a string of the body")
    elif kind == "multipart/form-data":  # no route takes a file: every part is text
        check_text(check_utf8(body, what="the form"), what="the form", controls=_NUL)
    elif kind == "application/x-www-form-urlencoded":
        for part in body.split(b"&"):
            field = check_utf8(unquote_to_bytes(part.replace(b"+", b" ")), what="a form field")
            check_text(field, what="a form field", controls=_NUL)


class InputGuard:
    """Refuse requests whose path, query or body holds text that is not valid (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            raw_path = scope.get("raw_path") or str(scope.get("path", "")).encode("utf-8", "surrogateescape")
            check_text(check_utf8(unquote_to_bytes(raw_path), what="the path"), what="the path", controls=_ID_CONTROL)
        except InvalidText as exc:
            await _refuse(send, 404, Code.NOT_FOUND.value, f"not found: {exc}")
            return
        try:
            query = scope.get("query_string", b"")
            for part in query.split(b"&"):
                decoded = check_utf8(unquote_to_bytes(part.replace(b"+", b" ")), what="the query")
                check_text(decoded, what="the query", controls=_ID_CONTROL)
        except InvalidText as exc:
            await _refuse(send, 422, Code.INVALID_REQUEST.value, str(exc))
            return
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        content_type = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"content-type"), "")
        try:
            check_body(body, content_type)
        except InvalidText as exc:
            await _refuse(send, 422, Code.INVALID_REQUEST.value, str(exc))
            return
        await self.app(scope, replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    problem = {"code": code, "message": message, "file": None, "line": None, "column": None, "path": ""}
    body = json.dumps({"error": {"code": code, "message": message, "problems": [problem]}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
