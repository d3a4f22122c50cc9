"""Idempotency keys: a POST sent again with the same `Idempotency-Key` gets the first response, not a second change.

Per agency: a key names one request (its fingerprint: method, path and body) until it expires. `begin`
claims the key before the request runs (the claim is the row: two requests with one key cannot both
run); `finish` keeps the response; `abandon` frees the key of a request that failed without a response
worth replaying (a server fault), so that it can be sent again. An agency's expired keys are removed when it next
claims one.

`MemoryIdempotency` (tests) and `SqlIdempotency` (on the `SqlStore`'s engine) behave alike; each store has
one as `store.idempotency`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from spj.store.tables import Base, IdempotencyKeyRow

if TYPE_CHECKING:
    from spj.store.sql import SqlStore

_table = Base.metadata.tables[IdempotencyKeyRow.__tablename__]


@dataclass(frozen=True)
class StoredResponse:
    """The first response to a keyed request: what a replay returns."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """What `begin` found: `new` (run the request), `replay` (send `response`), `mismatch` (the key was used
    with another request), `running` (the first request with the key has not finished)."""

    outcome: Literal["new", "replay", "mismatch", "running"]
    response: StoredResponse | None = None


@dataclass
class _Entry:
    fingerprint: str
    expires_at: dt.datetime
    response: StoredResponse | None = field(default=None)


class IdempotencyKeys(Protocol):
    """The store's idempotency keys."""

    def begin(self, agency_id: str, key: str, fingerprint: str, *, now: dt.datetime, ttl: dt.timedelta) -> Claim: ...
    def finish(self, agency_id: str, key: str, response: StoredResponse) -> None: ...
    def abandon(self, agency_id: str, key: str) -> None: ...
    def purge(self, now: dt.datetime) -> int: ...


def _claim(fingerprint: str, stored_fingerprint: str, response: StoredResponse | None) -> Claim:
    if stored_fingerprint != fingerprint:
        return Claim("mismatch")
    return Claim("running") if response is None else Claim("replay", response)


class MemoryIdempotency:
    """Keys in a dictionary."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[tuple[str, str], _Entry] = {}

    def begin(self, agency_id: str, key: str, fingerprint: str, *, now: dt.datetime, ttl: dt.timedelta) -> Claim:
        with self._lock:
            for gone in [k for k, e in self._keys.items() if k[0] == agency_id and e.expires_at <= now]:
                del self._keys[gone]
            entry = self._keys.get((agency_id, key))
            if entry is not None:
                return _claim(fingerprint, entry.fingerprint, entry.response)
            self._keys[agency_id, key] = _Entry(fingerprint, now + ttl)
            return Claim("new")

    def finish(self, agency_id: str, key: str, response: StoredResponse) -> None:
        with self._lock:
            entry = self._keys.get((agency_id, key))
            if entry is not None:
                entry.response = response

    def abandon(self, agency_id: str, key: str) -> None:
        with self._lock:
            self._keys.pop((agency_id, key), None)

    def purge(self, now: dt.datetime) -> int:
        """Forget the keys that expired; how many."""
        with self._lock:
            gone = [k for k, e in self._keys.items() if e.expires_at <= now]
            for k in gone:
                del self._keys[k]
            return len(gone)


class SqlIdempotency:
    """Keys in the `idempotency_keys` table of a `SqlStore` (primary key: agency and key)."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def begin(self, agency_id: str, key: str, fingerprint: str, *, now: dt.datetime, ttl: dt.timedelta) -> Claim:
        where = (_table.c.agency_id == agency_id) & (_table.c.key == key)
        try:
            with self._store._write() as conn:
                # the agency's expired keys go first (an expired key is free again): the table stays small
                conn.execute(delete(_table).where(_table.c.agency_id == agency_id, _table.c.expires_at <= now))
                row = conn.execute(select(_table).where(where)).first()
                if row is not None:
                    return _claim(fingerprint, row.fingerprint, _response(row))
                conn.execute(
                    insert(_table).values(
                        agency_id=agency_id, key=key, fingerprint=fingerprint, created_at=now, expires_at=now + ttl
                    )
                )
        except IntegrityError:  # claimed at the same moment by another request
            return Claim("running")
        return Claim("new")

    def finish(self, agency_id: str, key: str, response: StoredResponse) -> None:
        with self._store._write() as conn:
            conn.execute(
                update(_table)
                .where(_table.c.agency_id == agency_id, _table.c.key == key)
                .values(
                    status=response.status,
                    headers=json.dumps(response.headers),
                    body=base64.b64encode(response.body).decode("ascii"),
                )
            )

    def abandon(self, agency_id: str, key: str) -> None:
        with self._store._write() as conn:
            conn.execute(delete(_table).where(_table.c.agency_id == agency_id, _table.c.key == key))

    def purge(self, now: dt.datetime) -> int:
        with self._store._write() as conn:
            return int(conn.execute(delete(_table).where(_table.c.expires_at <= now)).rowcount or 0)


def _response(row: Any) -> StoredResponse | None:
    if row.status is None:
        return None
    return StoredResponse(row.status, json.loads(row.headers), base64.b64decode(row.body))
