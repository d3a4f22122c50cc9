"""Request body size limit, as plain ASGI middleware: a body over the limit gets 413 before any route reads it.

By Content-Length when the client states it; otherwise (a chunked body) while
the body is read, whole, before the app is called.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spj.errors import Code

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that hands out `messages` first, then whatever the server sends (a disconnect)."""
    pending = list(messages)

    async def next_message() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return next_message


class BodySizeLimit:
    """Refuse request bodies larger than `max_bytes` with 413 (by Content-Length, or while streaming)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal_by_headers(scope)
        if refusal is not None:
            await self._refuse(send, refusal)
            return
        # The body is read whole before the app sees it: a route's parser would turn an error raised while it
        # reads (a chunked body growing past the limit) into 400, never 413.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._refuse(send, 413)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, replay([whole], receive), send)

    def _refusal_by_headers(self, scope: Scope) -> int | None:
        """413 when Content-Length declares too much, 400 when it is not a count; None when it is fine or absent."""
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_bytes:
                    return 413
                if declared < 0:
                    return 400
        return None

    async def _refuse(self, send: Send, status: int) -> None:
        if status == 413:
            code, message = Code.FILE_TOO_LARGE.value, f"the request body is larger than {self.max_bytes} bytes"
        else:
            code, message = Code.INVALID_REQUEST.value, "invalid Content-Length"
        problem: dict[str, Any] = {"code": code, "message": message, "file": None, "line": None, "column": None}
        problem["path"] = ""
        body = json.dumps({"error": {"code": code, "message": message, "problems": [problem]}}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
