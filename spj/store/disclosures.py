"""The disclosure log in the store (DESIGN 4.7): every extract the workspace shows to another agency.

Append-only (database triggers refuse UPDATE and DELETE) and hash-chained
exactly like the file log of `spj report --for` (`spj.disclosure.log`): each
entry has the same keys (`seq`, `at`, `by`, `agency`, `from_agency`, `case`,
`assessment`, `sections`, `basis`, `channel`, `prev`, `hash`) and the same
chain hash, so `spj audit disclosures` reads either and `verify` finds an
entry edited, removed or moved. In the store each entry's chain hash is also
sealed with the audit key (`spj.store.keys`, kept outside the database), so a
log rewritten with every hash recomputed is found too. The entry is written before the extract is
shown; when it cannot be written the extract is refused.

`MemoryDisclosures` (tests) and `SqlDisclosures` (on the `SqlStore`'s engine)
behave alike; each store has one as `store.disclosures`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Row, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from spj.disclosure.log import GENESIS, chain_problems, entry_hash
from spj.errors import Code, Location, Problem, StoreError
from spj.store.hashing import iso_time, utc_now
from spj.store.keys import Keyring
from spj.store.tables import Base, DisclosureRow

if TYPE_CHECKING:
    from spj.store.sql import SqlStore

_table = Base.metadata.tables[DisclosureRow.__tablename__]
APPEND_ATTEMPTS = 8  # should two appends still take the same number, the loser reads the new last entry again
_PG_LOCK = 0x5B1_D15C  # advisory lock id: PostgreSQL appends one entry at a time (SQLite: BEGIN IMMEDIATE does)


@dataclass(frozen=True)
class Disclosure:
    """What was shown: to which agency, by whom, of which case and assessment, which sections, on which basis."""

    by: str  # the username of the person it was shown to
    agency: str
    from_agency: str
    case: str
    assessment: str
    sections: tuple[str, ...]
    basis: str
    channel: str  # web, download, api


class DisclosureLog(Protocol):
    """The store's disclosure log."""

    def append(self, disclosure: Disclosure) -> dict[str, Any]: ...
    def entries(self, *, case: str | None = None, from_agency: str | None = None) -> list[dict[str, Any]]: ...
    def verify(self) -> list[str]: ...
    def count(self) -> int: ...


def _entry(seq: int, at: dt.datetime, disclosure: Disclosure, prev: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "seq": seq,
        "at": iso_time(at),
        "by": disclosure.by,
        "agency": disclosure.agency,
        "from_agency": disclosure.from_agency,
        "case": disclosure.case,
        "assessment": disclosure.assessment,
        "sections": list(disclosure.sections),
        "basis": disclosure.basis,
        "channel": disclosure.channel,
        "prev": prev,
    }
    entry["hash"] = entry_hash(entry, prev)
    return entry


def seal_disclosure(keyring: Keyring, entry_hash: str) -> tuple[str, str]:
    """(key id, HMAC) sealing an entry's chain hash (which covers the entry and every entry before it)."""
    return keyring.sign(f"spj-disclosure/1:{entry_hash}")


def _problems(
    entries: Sequence[dict[str, Any]], seals: Sequence[tuple[str | None, str | None]], keyring: Keyring
) -> list[str]:
    """The chain's breaks, then each entry whose seal is missing, wrong or under an unknown key."""
    problems = [
        f"disclosure {entries[number - 1].get('seq')}: {message}" for number, message in chain_problems(entries)
    ]
    for entry, (key_id, mac) in zip(entries, seals, strict=True):
        sealed = keyring.check(key_id, f"spj-disclosure/1:{entry.get('hash')}", mac)
        if mac is None:
            problems.append(f"disclosure {entry.get('seq')}: is not sealed")
        elif sealed is None:
            problems.append(f"disclosure {entry.get('seq')}: sealed with key {key_id!r}, not in the keyring")
        elif not sealed:
            problems.append(f"disclosure {entry.get('seq')}: its seal differs (rewritten outside spj)")
    return problems


def _matches(entry: dict[str, Any], case: str | None, from_agency: str | None) -> bool:
    return (case is None or entry["case"] == case) and (from_agency is None or entry["from_agency"] == from_agency)


class MemoryDisclosures:
    """The disclosure log in memory, sealed with `keyring`."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._seals: dict[int, tuple[str | None, str | None]] = {}  # by seq

    def append(self, disclosure: Disclosure) -> dict[str, Any]:
        with self._lock:
            last = self._entries[-1] if self._entries else None
            entry = _entry(len(self._entries) + 1, utc_now(), disclosure, last["hash"] if last else GENESIS)
            self._entries.append(entry)
            self._seals[entry["seq"]] = seal_disclosure(self._keyring, entry["hash"])
            return dict(entry)

    def entries(self, *, case: str | None = None, from_agency: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._entries if _matches(e, case, from_agency)]

    def verify(self) -> list[str]:
        with self._lock:
            seals = [self._seals.get(e.get("seq"), (None, None)) for e in self._entries]  # type: ignore[arg-type]
            return _problems(self._entries, seals, self._keyring)

    def count(self) -> int:
        with self._lock:
            return len(self._entries)


class SqlDisclosures:
    """The disclosure log in the `disclosures` table of a `SqlStore`."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def append(self, disclosure: Disclosure) -> dict[str, Any]:
        for _ in range(APPEND_ATTEMPTS):
            try:
                with self._store._write() as conn:
                    if conn.dialect.name == "postgresql":
                        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
                    last = conn.execute(select(_table.c.seq, _table.c.hash).order_by(_table.c.seq.desc()).limit(1))
                    row = last.first()
                    at = utc_now()
                    entry = _entry(row.seq + 1 if row else 1, at, disclosure, row.hash if row else GENESIS)
                    key_id, mac = seal_disclosure(self._store.keyring, entry["hash"])
                    conn.execute(
                        insert(_table).values(
                            seq=entry["seq"],
                            at=at,
                            by=disclosure.by,
                            agency_id=disclosure.agency,
                            from_agency_id=disclosure.from_agency,
                            case_id=disclosure.case,
                            assessment_id=disclosure.assessment,
                            sections=json.dumps(entry["sections"]),
                            basis=disclosure.basis,
                            channel=disclosure.channel,
                            prev_hash=entry["prev"],
                            hash=entry["hash"],
                            key_id=key_id,
                            mac=mac,
                        )
                    )
                return entry
            except IntegrityError:
                continue  # someone else took this number: read the new last entry and try again
        raise StoreError(
            Problem(
                Code.DISCLOSURE_LOG,
                "the disclosure log entry could not be written (too many at once); the extract was not given",
                Location(),
            )
        )

    def entries(self, *, case: str | None = None, from_agency: str | None = None) -> list[dict[str, Any]]:
        query = select(_table).order_by(_table.c.seq)
        if case is not None:
            query = query.where(_table.c.case_id == case)
        if from_agency is not None:
            query = query.where(_table.c.from_agency_id == from_agency)
        with self._store._read() as conn:
            return [_from_row(r) for r in conn.execute(query)]

    def verify(self) -> list[str]:
        with self._store._read() as conn:
            rows = conn.execute(select(_table).order_by(_table.c.seq)).all()
        return _problems([_from_row(r) for r in rows], [(r.key_id, r.mac) for r in rows], self._store.keyring)

    def count(self) -> int:
        with self._store._read() as conn:
            return int(conn.execute(select(func.count()).select_from(_table)).scalar_one())


def _from_row(row: Row[Any]) -> dict[str, Any]:
    try:
        sections = json.loads(row.sections)
    except ValueError:
        sections = row.sections  # shown as stored; the hash check names the entry
    return {
        "seq": row.seq,
        "at": iso_time(row.at),
        "by": row.by,
        "agency": row.agency_id,
        "from_agency": row.from_agency_id,
        "case": row.case_id,
        "assessment": row.assessment_id,
        "sections": sections,
        "basis": row.basis,
        "channel": row.channel,
        "prev": row.prev_hash,
        "hash": row.hash,
    }
