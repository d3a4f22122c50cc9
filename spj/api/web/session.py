"""Sessions and CSRF for the pages.

The session is Starlette's `SessionMiddleware`: a cookie signed with
itsdangerous, `SameSite=Lax`, `Secure` when `https_only`. It holds four
things and never case content: the user's id, the user's session epoch at
sign-in, the CSRF token and the page language. Signing out bumps the user's
epoch in the store, so a copy of the cookie made before is no longer signed
in. Every POST carries the token in a hidden `csrf_token` field; a missing
or different token is refused with the 403 page (code `csrf`).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request

from spj.errors import Code, Problem, SpjError

SESSION_COOKIE = "spj_session"
SESSION_MAX_AGE = 8 * 60 * 60  # a working day; then sign in again
CSRF_FIELD = "csrf_token"


class CsrfError(SpjError):
    """A POST without the session's CSRF token."""

    def __init__(self) -> None:
        super().__init__(Problem(Code.CSRF, "the form's security token is missing or out of date; reload and retry"))


class LoginRequired(Exception):
    """The page needs a signed-in user; the pages redirect to the login page."""


def add_session_middleware(app: Any, *, secret_key: str, https_only: bool = False) -> None:
    """Install the signed-cookie session the pages need (call once, on the app that mounts `router`)."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=https_only,
    )


def session_of(request: Request) -> dict[str, Any]:
    """The request's session; a clear error when the app has no session middleware."""
    if "session" not in request.scope:
        raise RuntimeError("the web pages need a session: call spj.api.web.add_session_middleware(app, secret_key=...)")
    session: dict[str, Any] = request.session
    return session


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    session = session_of(request)
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """`CsrfError` unless `submitted` is this session's token."""
    expected = session_of(request).get("csrf")
    if not isinstance(expected, str) or not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfError()


def sign_in(request: Request, user_id: str, session_epoch: int) -> None:
    """Start a fresh session for `user_id` at the user's current epoch (a new CSRF token: no fixation)."""
    session = session_of(request)
    lang = session.get("lang")
    session.clear()
    session["user"] = user_id
    session["epoch"] = session_epoch
    session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        session["lang"] = lang


def sign_out(request: Request) -> None:
    """End the session, keeping only the language."""
    session = session_of(request)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
