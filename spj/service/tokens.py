"""What an API token may do: its scope, its expiry, and the listing an administrator sees.

A token's scope is `write` (read and change, the default) or `read` (GET only: a case system that
only reads). A token may expire (`expires_in`, e.g. `90d`); an expired or revoked token is refused
(401) like an unknown one. A token is named `"<username> <label>"`: the label says which case system
holds it (`spj token add cms1 --label "probation CMS"`), so the listing shows who has which token.

>>> parse_expires_in("90d")
datetime.timedelta(days=90)
>>> parse_expires_in("12h")
datetime.timedelta(seconds=43200)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from spj.service.errors import InvalidRequestError
from spj.store.interface import ApiToken, TokenScope, User

SCOPES: tuple[TokenScope, ...] = ("read", "write")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_EXPIRES_IN = dt.timedelta(days=3660)  # ten years: longer is a typing error, not a policy
_DURATION = re.compile(r"^\s*(\d{1,6})\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

TokenState = Literal["active", "expired", "revoked"]


def parse_expires_in(text: str) -> dt.timedelta:
    """A lifetime like `30m`, `12h`, `90d`, `8w`; `InvalidRequestError` (field `expires_in`) otherwise."""
    found = _DURATION.match(text)
    if found is None:
        raise InvalidRequestError(
            f"expires_in {text!r} is not a lifetime: a number and a unit, m h d or w (like 90d)", "expires_in"
        )
    lifetime = dt.timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    if not dt.timedelta(0) < lifetime <= MAX_EXPIRES_IN:
        raise InvalidRequestError(f"expires_in is more than zero and at most {MAX_EXPIRES_IN.days} days", "expires_in")
    return lifetime


def check_scope(scope: str) -> TokenScope:
    """`scope` when it is one of `SCOPES`; `InvalidRequestError` (field `scope`) otherwise."""
    for known in SCOPES:
        if scope == known:
            return known
    raise InvalidRequestError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}", "scope")


def token_state(token: ApiToken, now: dt.datetime) -> TokenState:
    """`revoked`, `expired` (its expiry has passed) or `active`."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def allows(scope: TokenScope, method: str) -> bool:
    """Whether a token of `scope` may make a request with this HTTP method (a read-only token: GET only)."""
    return scope == "write" or method.upper() in READ_METHODS


@dataclass(frozen=True)
class TokenGrant:
    """A valid token: the account it acts for and its record (scope, expiry)."""

    user: User
    token: ApiToken


@dataclass(frozen=True)
class TokenListing:
    """One token as an administrator sees it: never the token nor its hash."""

    id: str
    username: str
    label: str
    agency_id: str
    scope: TokenScope
    state: TokenState
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, token: ApiToken, now: dt.datetime) -> TokenListing:
        username, _, label = token.name.partition(" ")
        return cls(
            id=token.id,
            username=username,
            label=label,
            agency_id=token.agency_id,
            scope=token.scope,
            state=token_state(token, now),
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
        )
