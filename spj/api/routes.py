"""The route a request matched, as its template (`/api/v1/assessments/{assessment_id}`), for logs and metrics.

Never the path itself: a path carries case and assessment ids. A request that matched no route is
`(unmatched)`; the HTTP method is one of the known ones or `OTHER`, so that no client can make up labels.
"""

from __future__ import annotations

from starlette.types import Scope

UNMATCHED = "(unmatched)"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope: Scope) -> str:
    """The matched route's path template, or `UNMATCHED`."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNMATCHED


def method_of(scope: Scope) -> str:
    """The request's method when it is a known one, else `OTHER`."""
    method = str(scope.get("method", "")).upper()
    return method if method in METHODS else "OTHER"
