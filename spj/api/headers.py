"""Security headers on every response, as plain ASGI middleware.

- every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`;
- every HTML page without its own policy: `PAGE_CSP` (no inline script: the
  pages' script is a static file);
- every response under `/api/`, and every HTML page that sets no caching of
  its own: `Cache-Control: no-store` (they carry case content);
- the API docs page (Swagger UI, no case content): `DOCS_CSP`, which allows
  the CDN it loads from.

A route that sets its own Content-Security-Policy (the reports) keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)


class SecurityHeaders:
    """Add the security headers above to every HTTP response."""

    def __init__(self, app: ASGIApp, *, api_prefix: str = "/api/", docs_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.api_prefix = api_prefix
        self.docs_paths = frozenset(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root = str(scope.get("root_path", "")).rstrip("/")
        path = str(scope.get("path", ""))
        if root and path.startswith(root):
            path = path[len(root) :]
        api = path.startswith(self.api_prefix)
        docs = path in self.docs_paths

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                html = headers.get("content-type", "").startswith("text/html")
                if html and "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = DOCS_CSP if docs else PAGE_CSP
                if (api and not docs) or (html and "cache-control" not in headers):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
