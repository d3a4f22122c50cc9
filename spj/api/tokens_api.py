"""API tokens over the JSON API (`/api/v1/tokens`): an administrator lists and revokes their agency's tokens.

Thin over `Workspace.list_tokens` and `Workspace.revoke_agency_token`. Never the token nor its hash:
its id, the account and label (the case system), scope, state and dates. Another agency's token is 404.
Tokens are created with `spj token add` (printed once, on the server's console), not over HTTP.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.idempotency import IdempotentRoute
from spj.api.json_api import ERRORS
from spj.api.models import ErrorOut
from spj.service.tokens import TokenListing

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["tokens"], route_class=IdempotentRoute)
ADMIN_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut, "description": "not an administrator, or a read-only token on a change (forbidden)"}
}


class TokenOut(BaseModel):
    """One API token of the agency: what it is for and whether it still works (never the token itself)."""

    id: str
    username: str = Field(description="the account the token acts for")
    label: str = Field(description="what the token is for: the case system that holds it")
    agency_id: str
    scope: Literal["read", "write"] = Field(description="read: GET only; write: read and change")
    state: Literal["active", "expired", "revoked"]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, listing: TokenListing) -> TokenOut:
        return cls.model_validate(listing, from_attributes=True)


@router.get("/tokens", response_model=list[TokenOut], responses=ADMIN_ONLY)
def list_tokens(user: TokenUser, workspace: WorkspaceDep) -> list[TokenOut]:
    """Your agency's API tokens, revoked and expired ones too, oldest first (administrators)."""
    return [TokenOut.of(t) for t in workspace.list_tokens(user)]


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut, responses=ADMIN_ONLY)
def revoke_token(token_id: str, user: TokenUser, workspace: WorkspaceDep) -> TokenOut:
    """Revoke one of your agency's API tokens (administrators): its next request is 401. Revoking twice is fine."""
    return TokenOut.of(workspace.revoke_agency_token(user, token_id))
