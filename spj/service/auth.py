"""Accounts and API tokens: argon2 password hashing, tokens stored as sha256, roles.

An API token acts for a user account (usually a service account of a case
system) and is scoped to that account's agency: the store keeps its sha256,
its agency and a name `"<username> <label>"` (usernames have no spaces), so the
token's actions are audited under that account and carry its role. The token
itself is shown once, when it is created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from spj.service.errors import ForbiddenError, InvalidRequestError
from spj.service.throttle import LoginThrottle
from spj.service.tokens import TokenGrant, TokenListing, check_scope, token_state
from spj.store.hashing import utc_now
from spj.store.interface import ApiToken, NotFoundError, Role, Store, User

ROLES: tuple[Role, ...] = ("assessor", "reviewer", "administrator", "partner")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_CONCURRENT_VERIFICATIONS = 4  # argon2 is memory-hard: a burst of sign-ins must not exhaust memory or CPU


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
        self,
        store: Store,
        *,
        hasher: PasswordHasher | None = None,
        throttle: LoginThrottle | None = None,
        max_concurrent_verifications: int = MAX_CONCURRENT_VERIFICATIONS,
    ) -> None:
        self.store = store
        self.hasher = hasher or PasswordHasher()
        self.throttle = throttle or LoginThrottle()
        self._verifying = threading.BoundedSemaphore(max_concurrent_verifications)
        # Verified when the username is unknown, so that an unknown user costs as much time as a wrong password.
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    def hash_password(self, password: str) -> str:
        """An argon2id hash of `password`."""
        return self.hasher.hash(password)

    def authenticate(self, username: str, password: str, *, client: str | None = None) -> User | None:
        """The user with this username and password, or None (for an unknown user and a wrong password alike).

        The attempt is counted before the password is checked
        (`LoginThrottle.begin`): `TooManyAttemptsError`, before any hash is
        computed, once this username or this `client` address has used its
        attempts, so that no burst checks more passwords than the limit.
        """
        username = username.strip().lower()
        # A name no account can have (NUL, 500 characters, ...) is never looked up: an unknown user, at the same cost.
        user = self.store.get_user_by_username(username) if USERNAME.match(username) else None
        attempt = self.throttle.begin(username, client, known=user is not None)
        if not self._verify(user.password_hash if user is not None else None, password) or user is None:
            return None
        self.throttle.succeeded(attempt)
        return user

    def _verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches (the dummy hash when there is no account: the same cost)."""
        with self._verifying:
            try:
                return self.hasher.verify(password_hash or self._dummy_hash, password) and password_hash is not None
            except (VerificationError, InvalidHashError):
                return False

    def end_sessions(self, user: User) -> int:
        """Sign the user out everywhere: sessions signed before this are over. The new epoch."""
        return self.store.bump_session_epoch(user.id)

    def revoke_token(self, token_id: str) -> bool:
        """Revoke an API token by its id (the next request with it is 401); False when there is none."""
        return self.store.revoke_token(token_id) is not None

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

    def create_token(
        self,
        user: User,
        *,
        label: str = "api",
        by: User | None = None,
        scope: str = "write",
        expires_in: dt.timedelta | None = None,
    ) -> tuple[ApiToken, str]:
        """A new API token acting for `user`; returns the record and the token (shown once, never stored).

        `scope` is `write` (read and change) or `read` (GET only); `expires_in` its lifetime (None: until revoked).
        """
        if by is not None:
            require_role(by, "administrator")
            if by.agency_id != user.agency_id:
                raise ForbiddenError("an administrator creates tokens in their own agency only")
        checked = check_scope(scope)
        token = secrets.token_urlsafe(32)
        label = " ".join(label.split()) or "api"
        record = self.store.create_token(
            agency_id=user.agency_id,
            name=f"{user.username} {label}",
            token_sha256=token_sha256(token),
            scope=checked,
            expires_at=None if expires_in is None else utc_now() + expires_in,
        )
        return record, token

    def token_grant(self, token: str) -> TokenGrant | None:
        """The account a token acts for and its record, or None when the token is unknown, revoked, expired or its
        account left its agency.

        Not cached: a revocation (from `spj token revoke`, another process) holds from the next request.
        """
        if not token or len(token) > 256:
            return None
        record = self.store.find_token(token_sha256(token))
        if record is None or token_state(record, utc_now()) != "active":
            return None
        username = record.name.split(" ", 1)[0]
        user = self.store.get_user_by_username(username)
        if user is None or user.agency_id != record.agency_id:
            return None
        return TokenGrant(user, record)

    def user_from_token(self, token: str) -> User | None:
        """The account a token acts for, or None (see `token_grant`)."""
        grant = self.token_grant(token)
        return None if grant is None else grant.user

    def list_tokens(self, by: User) -> list[TokenListing]:
        """The tokens of `by`'s agency, revoked and expired ones too (an administrator's view)."""
        require_role(by, "administrator")
        now = utc_now()
        return [TokenListing.of(t, now) for t in self.store.list_tokens(by.agency_id)]

    def revoke_agency_token(self, by: User, token_id: str) -> TokenListing:
        """Revoke a token of `by`'s agency (an administrator); another agency's token is `NotFoundError`."""
        require_role(by, "administrator")
        if not any(t.id == token_id for t in self.store.list_tokens(by.agency_id)):
            raise NotFoundError(f"token {token_id}")
        record = self.store.revoke_token(token_id)
        if record is None:  # removed in between: as if it never was
            raise NotFoundError(f"token {token_id}")
        return TokenListing.of(record, utc_now())
