"""Sign-in throttling: failure counters per username and per client address, in memory, with back-off.

After `limit` failures within `window` seconds a key is blocked; the block
lasts `base_delay` seconds and doubles with each further failure (up to
`max_delay`). A blocked attempt is refused before any password hash is
computed. Counters are bounded (`max_keys`, oldest dropped first) and
guarded by a lock; they live in the process and reset on restart.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

WINDOW_SECONDS = 15 * 60
USERNAME_LIMIT = 5
CLIENT_LIMIT = 20  # one address may be an office behind NAT: more room than for one account
BASE_DELAY_SECONDS = 30.0
MAX_DELAY_SECONDS = 15 * 60.0
MAX_KEYS = 10_000


class FailureCounter:
    """Recent failures per key; `retry_after(key)` > 0 while the key is blocked."""

    def __init__(
        self,
        *,
        limit: int,
        window: float = WINDOW_SECONDS,
        base_delay: float = BASE_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.base_delay, self.max_delay = limit, window, base_delay, max_delay
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._failures.get(key, ()) if now - t < self.window]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again (0 when it may now)."""
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if len(times) < self.limit:
                return 0.0
            delay = min(self.base_delay * 2.0 ** (len(times) - self.limit), self.max_delay)
            return max(0.0, times[-1] + delay - now)

    def fail(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times[-(self.limit + 16) :]  # enough to reach max_delay
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class LoginThrottle:
    """Failure counters per username and per client address (IP)."""

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
            FailureCounter(limit=limit, window=window, base_delay=base_delay, max_delay=max_delay, clock=clock)
            for limit in (username_limit, client_limit)
        )

    def _keys(self, username: str, client: str | None) -> Iterable[tuple[FailureCounter, str]]:
        yield self.usernames, username
        if client:
            yield self.clients, client

    def retry_after(self, username: str, client: str | None) -> int:
        """Whole seconds until this username from this address may try again (0: now)."""
        wait = max(counter.retry_after(key) for counter, key in self._keys(username, client))
        return math.ceil(wait)

    def failed(self, username: str, client: str | None) -> None:
        for counter, key in self._keys(username, client):
            counter.fail(key)

    def succeeded(self, username: str) -> None:
        """A right password clears the account's failures (the address's stay: it may be guessing others)."""
        self.usernames.reset(username)
