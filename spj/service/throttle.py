"""Sign-in throttling: attempts counted per username and per client address, before any password is checked.

An attempt is counted (`LoginThrottle.begin`) *before* its password is
verified, atomically for the account and the address under one lock: of a
burst of simultaneous sign-ins, at most `limit` reach the password check, the
rest are refused at once. A right password takes its own attempt back
(`succeeded`); wrong ones stay counted for the window, so that a burst that
contains the right password (or the real user signing in during a guessing
run) opens no room for more guesses.

After `limit` counted attempts within `window` seconds a key is blocked; the
block lasts `base_delay` seconds and doubles with each further attempt (up to
`max_delay`).

Per address, only attempts on existing accounts count: a flood of sign-ins
with made-up usernames never blocks an address (and so never locks the known
accounts behind it out), while each made-up username has its own per-username
count like a real one. The address block, once reached, applies to every
username alike, so its answer does not tell which usernames exist. The client
address is the peer's, or the one a trusted proxy reports (`spj serve
--forwarded-allow-ips`). Counters are bounded (`max_keys`, oldest dropped
first); they live in the process and reset on restart.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from spj.service.errors import TooManyAttemptsError

WINDOW_SECONDS = 15 * 60
USERNAME_LIMIT = 5
CLIENT_LIMIT = 20  # one address may be an office behind NAT: more room than for one account
BASE_DELAY_SECONDS = 30.0
MAX_DELAY_SECONDS = 15 * 60.0
MAX_KEYS = 10_000


class FailureCounter:
    """Recent attempts per key; `wait(key, now)` > 0 while the key is blocked. Not locked: `LoginThrottle` locks."""

    def __init__(
        self,
        *,
        limit: int,
        window: float = WINDOW_SECONDS,
        base_delay: float = BASE_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.limit, self.window, self.base_delay, self.max_delay = limit, window, base_delay, max_delay
        self.max_keys = max_keys
        self._times: OrderedDict[str, list[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._times.get(key, ()) if now - t < self.window]
        if times:
            self._times[key] = times
        else:
            self._times.pop(key, None)
        return times

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` may try again (0 when it may now)."""
        times = self._recent(key, now)
        if len(times) < self.limit:
            return 0.0
        delay = min(self.base_delay * 2.0 ** (len(times) - self.limit), self.max_delay)
        return max(0.0, times[-1] + delay - now)

    def add(self, key: str, now: float) -> None:
        times = self._recent(key, now)
        times.append(now)
        self._times[key] = times[-(self.limit + 16) :]  # enough to reach max_delay
        self._times.move_to_end(key)
        while len(self._times) > self.max_keys:
            self._times.popitem(last=False)

    def remove(self, key: str, at: float) -> None:
        """Take back the attempt counted at `at` (a right password)."""
        times = self._times.get(key)
        if times and at in times:
            times.remove(at)
            if not times:
                del self._times[key]

    def reset(self, key: str) -> None:
        """Forget every attempt of `key` (an administrator's unblock)."""
        self._times.pop(key, None)


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt counted by `LoginThrottle.begin`: hand it back to `succeeded` when the password is right."""

    username: str
    client: str | None  # None: not counted for an address (no address, or an unknown username)
    at: float


class LoginThrottle:
    """Attempts per username and per client address (IP), counted before the password is checked."""

    def __init__(
        self,
        *,
        username_limit: int = USERNAME_LIMIT,
        client_limit: int = CLIENT_LIMIT,
        window: float = WINDOW_SECONDS,
        base_delay: float = BASE_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.usernames, self.clients = (
            FailureCounter(limit=limit, window=window, base_delay=base_delay, max_delay=max_delay)
            for limit in (username_limit, client_limit)
        )
        self._clock = clock
        self._lock = threading.Lock()

    def begin(self, username: str, client: str | None, *, known: bool) -> Attempt:
        """Count an attempt for `username` from `client`, or refuse it (`TooManyAttemptsError`) uncounted.

        `known`: the username is an account; only then does the attempt count
        for the address (a block of the address refuses every username).
        """
        with self._lock:
            now = self._clock()
            wait = self.usernames.wait(username, now)
            if client:
                wait = max(wait, self.clients.wait(client, now))
            if wait > 0:
                raise TooManyAttemptsError(max(1, math.ceil(wait)))
            self.usernames.add(username, now)
            counted = client if client and known else None
            if counted:
                self.clients.add(counted, now)
            return Attempt(username, counted, now)

    def succeeded(self, attempt: Attempt) -> None:
        """A right password: its attempt is taken back (for the account and the address), no other."""
        with self._lock:
            self.usernames.remove(attempt.username, attempt.at)
            if attempt.client:
                self.clients.remove(attempt.client, attempt.at)

    def retry_after(self, username: str, client: str | None) -> int:
        """Whole seconds until this username from this address may try again (0: now); counts nothing."""
        with self._lock:
            now = self._clock()
            wait = self.usernames.wait(username, now)
            if client:
                wait = max(wait, self.clients.wait(client, now))
            return math.ceil(wait)
