"""Serving under a path prefix (`spj serve --root-path /spj`, `SPJ_ROOT_PATH`): links and `Location` keep it.

A reverse proxy publishes spj at `https://host/spj/`. Some proxies pass the path on as they got it
(`/spj/api/v1/...`), others strip the prefix (`/api/v1/...`). `RootPath` makes both look the same to the
app, as the ASGI specification has it: `root_path` is the prefix and `path` starts with it. Routing
then matches the path below the prefix, `request.url` is the public address, and every link or
`Location` the app writes starts with `root_path` (`under_root`).

>>> normalise_root_path("spj/")
'/spj'
>>> normalise_root_path("")
''
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from spj.errors import Code, Location, Problem, SpjError

_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")


def normalise_root_path(value: str, *, setting: str = "root_path") -> str:
    """`/a/b` from `a/b`, `/a/b/` or `/a/b`; `""` for none; `SpjError` (naming `setting`) for anything else."""
    parts = [part for part in value.strip().split("/") if part]
    if not all(_SEGMENT.match(part) and part not in (".", "..") for part in parts):
        raise SpjError(
            Problem(
                Code.ENVIRONMENT,
                f"{setting} {value!r} is not a path prefix: segments of letters, digits and . _ ~ - (like /spj)",
                Location(path=(setting,)),
            )
        )
    return "".join(f"/{part}" for part in parts)


def under_root(request: Request, path: str) -> str:
    """`path` (absolute within the app, like `/api/v1/assessments/A-1`) as the client must ask for it."""
    return str(request.scope.get("root_path", "")).rstrip("/") + path


class RootPath:
    """Serve the app under `prefix`, whether or not the proxy in front strips it from the path."""

    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.prefix = normalise_root_path(prefix)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.prefix:
            path: str = scope["path"]
            inside = path == self.prefix or path.startswith(self.prefix + "/")
            scope = dict(scope)
            scope["root_path"] = self.prefix
            if not inside:  # the proxy stripped the prefix: put it back, as a server's --root-path does
                scope["path"] = self.prefix + path
                raw = scope.get("raw_path")
                if isinstance(raw, bytes):
                    scope["raw_path"] = self.prefix.encode("ascii") + raw
        await self.app(scope, receive, send)
