"""One log line per request, with a request id, and nothing of the case: `spj.requests`.

Every HTTP request gets an id: the client's `X-Request-ID` when it is a plain token (1-128 of
`A-Z a-z 0-9 . _ : -`), else a new one. The id is echoed in the response's `X-Request-ID` and
is on every log record written while the request runs (`current_request_id`), so that an error in
the server log can be matched to a client's report.

The line holds the method, the route's template (never the path, which names cases), the status and
the duration: no query, no body, no user, no client address. `spj.api.log_format` writes it as JSON.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spj.api.routes import method_of, route_template

log = logging.getLogger("spj.requests")

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("spj_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served in this context, or None outside a request."""
    return _request_id.get()


def stamp_request_ids() -> None:
    """Make every log record written during a request carry its `request_id` (once per process).

    Stamped when the record is made, in the request's context; a handler may format it later, elsewhere.
    """
    base = logging.getLogRecordFactory()
    if getattr(base, "_spj_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        request_id = _request_id.get()
        if request_id is not None:
            record.request_id = request_id
        return record

    factory._spj_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def request_id_from(value: str | None) -> str:
    """The client's id when it is valid, else a new random one.

    >>> request_id_from("cms-7f3a.42")
    'cms-7f3a.42'
    >>> len(request_id_from("has spaces"))
    32
    """
    if value is not None and _VALID.match(value):
        return value
    return uuid.uuid4().hex


class RequestLog:
    """Give each request an id (echoed in `X-Request-ID`) and log one line when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        stamp_request_ids()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-request-id"), None)
        request_id = request_id_from(given)
        token = _request_id.set(request_id)
        status = 500  # when the app fails before it answers
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            # Left set: the server's error handler, outside this middleware in the same task, logs the error
            # with this request's id (each request runs in a task of its own, so nothing leaks to the next).
            self._log(scope, status, started)
            raise
        self._log(scope, status, started)
        _request_id.reset(token)

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        log.info(
            "request",
            extra={  # the request id is stamped by `stamp_request_ids`: the context still holds it here
                "method": method_of(scope),
                "route": route_template(scope),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
