"""The sealed audit trail: what each seal covers, computed the same way by every store and by `verify`.

Two kinds of seal, both HMAC-SHA256 under the audit key (`spj.store.keys`):

- every audit event is an entry of one global chain: its global `seq`
  (1, 2, 3, ... without gaps), its `assessment_seq` (1, 2, ... per assessment),
  its facts, the chain hash of the revision it wrote (`revision_sha256`, so
  every revision is attested by the entry that wrote it) and the seal of the
  entry before it (`prev_mac`). Removing, editing or reordering an entry, or
  rewriting a revision, breaks a seal that cannot be recomputed without the key.
- every assessment's mutable state (agency, case, status, head and the head
  revision's chain hash, links, countersignature, times) is sealed with the
  `seq` of the entry that last changed it: moving the head back, another
  agency, a forged countersignature or a final turned draft break that seal.

>>> from spj.store.keys import Keyring
>>> ring = Keyring.parse("k1 " + "00" * 32)
>>> facts = EntryFacts(seq=1, assessment_seq=None, at="2024-01-01T00:00:00.000000+00:00", actor_id="u",
...                    agency_id="a", action="login", assessment_id=None, revision=None, detail="",
...                    revision_sha256=None, prev_mac=GENESIS)
>>> key_id, mac = ring.sign(facts.canonical())
>>> ring.check(key_id, facts.canonical(), mac)
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple, dataclass

from spj.store.hashing import canonical_json, iso_time

GENESIS = "0" * 64  # the `prev_mac` of the first entry
REVISION_ACTIONS = frozenset({"create", "save", "finalise", "update-status"})  # each writes one revision
STATE_ACTIONS = frozenset({"create", "save", "finalise", "countersign", "update-status"})  # they seal the state


@dataclass(frozen=True)
class EntryFacts:
    """What an audit entry's seal covers (times as `iso_time` text)."""

    seq: int
    assessment_seq: int | None
    at: str
    actor_id: str
    agency_id: str
    action: str
    assessment_id: str | None
    revision: int | None
    detail: str
    revision_sha256: str | None
    prev_mac: str

    def canonical(self) -> str:
        return canonical_json(["spj-audit-entry/1", *astuple(self)])


@dataclass(frozen=True)
class StateFacts:
    """What an assessment's state seal covers."""

    id: str
    agency_id: str
    case_id: str
    instrument_id: str
    instrument_version: str
    status: str
    head: int
    head_sha256: str  # the chain hash of the head revision
    previous_id: str | None
    amends_id: str | None
    created_by: str
    created_at: str
    finalised_at: str | None
    countersigned_by: str | None
    countersigned_at: str | None
    seq: int  # the audit entry that last changed the state
    countersign_comment: str | None = None

    def canonical(self) -> str:
        values = list(astuple(self))
        if self.countersign_comment is None:  # states sealed before comments existed keep their seal
            values.pop()
        return canonical_json(["spj-assessment-state/1", *values])


def time_text(at: dt.datetime | None) -> str | None:
    """A time as sealed (None stays None)."""
    return None if at is None else iso_time(at)
