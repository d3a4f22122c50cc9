"""Accounts and API tokens: argon2 password hashing, tokens stored as sha256, roles.

An API token acts for a user account (usually a service account of a case
system) and is scoped to that account's agency: the store keeps its sha256,
its agency and a name `"<username> <label>"` (usernames have no spaces), so the
token's actions are audited under that account and carry its role. The token
itself is shown once, when it is created.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..store.interface import ApiToken, Role, Store, User
from .errors import ForbiddenError, InvalidRequestError

ROLES: tuple[Role, ...] = ("assessor", "reviewer", "administrator")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
MIN_PASSWORD_LENGTH = 10
TOKEN_CACHE_SECONDS = 10.0  # how long a token's account is remembered (a changed role shows within this time)


def token_sha256(token: str) -> str:
    """The sha256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def require_role(user: User, *roles: Role) -> None:
    """`ForbiddenError` unless `user` has one of `roles`.

    >>> require_role(User("u", "ann", "Ann", "reviewer", "ag", ""), "reviewer", "administrator")
    """
    if user.role not in roles:
        raise ForbiddenError(f"this needs the role {' or '.join(roles)}; {user.username} is {user.role}")


class Auth:
    """Password checks, accounts and tokens over a `Store`."""

    def __init__(
        self, store: Store, *, hasher: PasswordHasher | None = None, token_cache_seconds: float = TOKEN_CACHE_SECONDS
    ) -> None:
        self.store = store
        # token sha256 -> (user, expiry): spares two queries on every API request
        self._token_users: dict[str, tuple[User, float]] = {}
        self._token_cache_seconds = token_cache_seconds
        self.hasher = hasher or PasswordHasher()
        # Verified when the username is unknown, so that an unknown user costs as much time as a wrong password.
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    def hash_password(self, password: str) -> str:
        """An argon2id hash of `password`."""
        return self.hasher.hash(password)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user with this username and password, or None (for an unknown user and a wrong password alike)."""
        user = self.store.get_user_by_username(username.strip().lower())
        try:
            if user is None:
                self.hasher.verify(self._dummy_hash, password)
                return None
            self.hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return user

    def create_user(
        self,
        *,
        username: str,
        password: str,
        role: Role,
        agency_id: str,
        display_name: str | None = None,
        by: User | None = None,
    ) -> User:
        """Create an account; `by` (when given) must be an administrator of the same agency.

        Usernames are lower-case (`[a-z0-9._@-]`); passwords have at least 10 characters.
        """
        if by is not None:
            require_role(by, "administrator")
            if by.agency_id != agency_id:
                raise ForbiddenError("an administrator creates accounts in their own agency only")
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise InvalidRequestError(
                "a username is 1-64 characters: lower-case letters, digits, '.', '_', '@', '-'", "username"
            )
        if role not in ROLES:
            raise InvalidRequestError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", "role")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidRequestError(f"a password has at least {MIN_PASSWORD_LENGTH} characters", "password")
        if self.store.get_user_by_username(username) is not None:
            raise InvalidRequestError(f"the username {username!r} is taken", "username")
        return self.store.create_user(
            username=username,
            display_name=(display_name or username).strip(),
            role=role,
            agency_id=agency_id,
            password_hash=self.hash_password(password),
        )

    def create_token(self, user: User, *, label: str = "api", by: User | None = None) -> tuple[ApiToken, str]:
        """A new API token acting for `user`; returns the record and the token (shown once, never stored)."""
        if by is not None:
            require_role(by, "administrator")
            if by.agency_id != user.agency_id:
                raise ForbiddenError("an administrator creates tokens in their own agency only")
        token = secrets.token_urlsafe(32)
        label = " ".join(label.split()) or "api"
        record = self.store.create_token(
            agency_id=user.agency_id, name=f"{user.username} {label}", token_sha256=token_sha256(token)
        )
        return record, token

    def user_from_token(self, token: str) -> User | None:
        """The account a token acts for, or None when the token is unknown or its account left its agency."""
        if not token or len(token) > 256:
            return None
        digest = token_sha256(token)
        cached = self._token_users.get(digest)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        record = self.store.find_token(digest)
        if record is None:
            return None
        username = record.name.split(" ", 1)[0]
        user = self.store.get_user_by_username(username)
        if user is None or user.agency_id != record.agency_id:
            return None
        if len(self._token_users) > 10_000:
            self._token_users.clear()
        self._token_users[digest] = (user, time.monotonic() + self._token_cache_seconds)
        return user
