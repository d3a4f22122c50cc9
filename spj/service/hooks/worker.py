"""The delivery worker: queue each subscription's new events, post them signed, retry with backoff, give up.

One run (`HookWorker.run_once`): for each subscription, queue the agency's events it has not had
(`store.hooks.enqueue`); then take the due deliveries, claim each one (a lease, so that two workers never
post the same one at once), post it and record what happened. A 2xx answer delivers it; anything else (an
error status, a timeout, no connection) is a failed attempt, retried after `Backoff.delay` (exponential,
capped); after `Backoff.max_attempts` attempts the delivery is dead: listed as a dead letter
(`GET /api/v1/hooks/deliveries?state=dead`, `spj hooks dead`) until retried.

The body is the event (`Event.to_dict`), identical on every attempt; `Spj-Event-Id` lets a receiver
ignore a delivery it already processed (a timeout may hide a success). Nothing of the receiver's answer
is kept but its status; no case text is in an event.

Runs in the server's process (a thread, while `spj serve` runs) or apart, as `spj hooks deliver`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import httpx

from spj.disclosure.hooks import HookSubscription
from spj.errors import Code, Location, Problem, SpjError
from spj.service.hooks.signature import SIGNATURE_HEADER, sign
from spj.store.hashing import utc_now
from spj.store.hooks import Delivery
from spj.store.interface import Store

log = logging.getLogger("spj.hooks")


@dataclass(frozen=True)
class Backoff:
    """When to try again: `base_seconds * factor ** (attempts - 1)`, at most `max_seconds`; dead after
    `max_attempts` attempts."""

    base_seconds: float = 30.0
    factor: float = 2.0
    max_seconds: float = 6 * 3600.0
    max_attempts: int = 10

    def delay(self, attempts: int) -> dt.timedelta:
        """The wait after the `attempts`-th failed attempt."""
        return dt.timedelta(seconds=min(self.base_seconds * self.factor ** max(attempts - 1, 0), self.max_seconds))


@dataclass(frozen=True)
class RunSummary:
    """What one run did."""

    queued: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0


def secrets_from_environment(
    subscriptions: Sequence[HookSubscription], environ: Mapping[str, str] | None = None
) -> dict[str, bytes]:
    """Each subscription's signing secret from its `secret_env`; an `SpjError` (code environment) names the
    variables not set."""
    environ = os.environ if environ is None else environ
    missing = [s for s in subscriptions if not environ.get(s.secret_env)]
    if missing:
        raise SpjError(
            [
                Problem(
                    Code.ENVIRONMENT,
                    f"web hook {s.id!r}: set {s.secret_env} to its signing secret (at least 16 characters)",
                    Location(path=("hooks", s.id, "secret_env")),
                )
                for s in missing
            ]
        )
    return {s.id: environ[s.secret_env].encode("utf-8") for s in subscriptions}


class HookWorker:
    """Delivers the store's events to `subscriptions`, signed with `secrets` (by subscription id)."""

    def __init__(
        self,
        store: Store,
        subscriptions: Sequence[HookSubscription],
        *,
        secrets: Mapping[str, bytes],
        client: httpx.Client | None = None,
        backoff: Backoff | None = None,
        timeout: float = 10.0,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.store = store
        self.subscriptions = {s.id: s for s in subscriptions}
        self.secrets = dict(secrets)
        self.client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self.backoff = backoff or Backoff()
        self.timeout = timeout
        self.clock = clock

    def run_once(self, *, limit: int = 100) -> RunSummary:
        """Queue new events, then try every due delivery once; what was done."""
        now = self.clock()
        queued = sum(self.store.hooks.enqueue(s.id, s.agency, s.kinds, now=now) for s in self.subscriptions.values())
        delivered = failed = dead = 0
        for delivery in self.store.hooks.due(now, limit=limit):
            subscription = self.subscriptions.get(delivery.subscription_id)
            if subscription is None:  # no longer in the deployment: left in the queue, untouched
                continue
            lease = now + dt.timedelta(seconds=self.timeout + 30)
            if not self.store.hooks.claim(delivery, now=now, lease_until=lease):
                continue  # another worker has it
            error, status = self._post(subscription, delivery)
            if error is None and status is not None:
                self.store.hooks.delivered(delivery.id, now=self.clock(), status=status)
                delivered += 1
                continue
            attempts = delivery.attempts + 1
            gives_up = attempts >= self.backoff.max_attempts
            self.store.hooks.failed(
                delivery.id,
                error=error or "failed",
                status=status,
                next_attempt_at=self.clock() + self.backoff.delay(attempts),
                dead=gives_up,
            )
            log.warning(
                "web hook %s: delivery %s of event %s failed (attempt %s): %s",
                subscription.id,
                delivery.id,
                delivery.event.id,
                attempts,
                error,
            )
            failed += 1
            dead += gives_up
        return RunSummary(queued, delivered, failed, dead)

    def _post(self, subscription: HookSubscription, delivery: Delivery) -> tuple[str | None, int | None]:
        """Post the delivery: (None, status) when the receiver answered 2xx, else (error, status or None)."""
        body = json.dumps(delivery.event.to_dict(), sort_keys=True, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "spj-hooks",
            "Spj-Event-Id": str(delivery.event.id),
            "Spj-Event-Kind": delivery.event.kind,
            "Spj-Delivery-Attempt": str(delivery.attempts + 1),
            SIGNATURE_HEADER: sign(self.secrets[subscription.id], body, timestamp=int(self.clock().timestamp())),
        }
        try:
            response = self.client.post(subscription.url, content=body, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException:
            return f"timed out after {self.timeout:g} s", None
        except httpx.HTTPError as exc:
            return f"could not connect ({type(exc).__name__})", None
        if 200 <= response.status_code < 300:
            return None, response.status_code
        return f"answered HTTP {response.status_code}", response.status_code

    def run_forever(self, stop: threading.Event, *, interval: float = 5.0) -> None:
        """Run again and again until `stop` is set (a fault in one run is logged; the next run goes on)."""
        while not stop.is_set():
            try:
                self.run_once()
            except SpjError as exc:  # the database away for a moment: try again next time
                log.error("web hook run failed: %s", exc.codes)
            stop.wait(interval)

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()


class BackgroundDelivery:
    """A `HookWorker` running in a thread of the server's process until `stop`."""

    def __init__(self, worker: HookWorker, *, interval: float = 5.0) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=worker.run_forever, args=(self._stop,), kwargs={"interval": interval}, name="spj-hooks", daemon=True
        )

    def start(self) -> BackgroundDelivery:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the current run, and close the worker's client."""
        self._stop.set()
        self._thread.join(timeout=self.worker.timeout + 5)
        self.worker.close()


def in_process(store: Store, subscriptions: Sequence[HookSubscription]) -> BackgroundDelivery | None:
    """The in-process delivery of `spj serve`: None without subscriptions, or when `SPJ_HOOKS_WORKER=external`
    (then `spj hooks deliver` runs apart). `SPJ_HOOKS_INTERVAL`: seconds between runs (default 5)."""
    mode = os.environ.get("SPJ_HOOKS_WORKER", "in-process")
    interval = os.environ.get("SPJ_HOOKS_INTERVAL", "5")
    if not subscriptions or mode == "external":
        return None
    if mode != "in-process":
        raise SpjError(
            Problem(Code.ENVIRONMENT, f"SPJ_HOOKS_WORKER is 'in-process' or 'external', not {mode!r}", Location())
        )
    try:
        seconds = float(interval)
    except ValueError:
        seconds = -1.0
    if not 0.05 <= seconds <= 3600:
        raise SpjError(
            Problem(Code.ENVIRONMENT, f"SPJ_HOOKS_INTERVAL is seconds (0.05 to 3600), not {interval!r}", Location())
        )
    worker = HookWorker(store, subscriptions, secrets=secrets_from_environment(subscriptions))
    return BackgroundDelivery(worker, interval=seconds).start()
