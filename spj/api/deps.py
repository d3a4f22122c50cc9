"""FastAPI dependencies shared by the JSON API and the web pages.

- `get_workspace(request)`: the app's `Workspace` (the service layer);
- `current_user_from_token(...)`: the user an `Authorization: Bearer <token>` acts for, else 401; a read-only
  token on any method but GET/HEAD/OPTIONS is 403 (checked here, so every token route enforces it);
- `WorkspaceDep`, `TokenUser`: the same as `Annotated` types for route signatures.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from spj.service import ForbiddenError, UnauthenticatedError, Workspace
from spj.service.tokens import allows
from spj.store.interface import User


def get_workspace(request: Request) -> Workspace:
    """The workspace `create_app` put on the app."""
    workspace: Workspace = request.app.state.workspace
    return workspace


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# Declares the bearer scheme in the OpenAPI document (`bearerAuth`) for every route that needs a token; the
# header itself is read by `bearer_token`, so a missing or malformed one is spj's 401, not FastAPI's 403.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearerAuth", description="an API token from `spj token add`")


def current_user_from_token(
    request: Request,
    workspace: Annotated[Workspace, Depends(get_workspace)],
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
) -> User:
    """The user an API token acts for; `UnauthenticatedError` (401) without a valid token (unknown, revoked or
    expired), `ForbiddenError` (403) when a read-only token asks to change anything."""
    token = bearer_token(request)
    if token is None:
        raise UnauthenticatedError("send an API token: Authorization: Bearer <token>")
    grant = workspace.token_grant(token)
    if grant is None:
        raise UnauthenticatedError("the API token is not valid (unknown, revoked or expired)")
    if not allows(grant.token.scope, request.method):
        raise ForbiddenError(f"this API token is read-only: {request.method} needs a token with the scope write")
    return grant.user


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
TokenUser = Annotated[User, Depends(current_user_from_token)]
