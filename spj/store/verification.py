"""Checking the store's history: the logic both stores' `verify()` share, as located findings with stable codes.

Three checks, each streaming what it reads:

- the audit chain (`AuditChainCheck`): global sequence without gaps, each
  entry linked to the one before and sealed under a known key, the sequence
  per assessment without gaps; it collects which revisions each entry wrote
  and who countersigned;
- each assessment's revisions (`check_assessment`): numbering, content and
  chain hashes, nothing but delivery updates after the final revision, the head
  and status of the record those of its last revision, every revision attested
  by the audit entry that wrote it (and no attested revision missing);
- each assessment's state seal (`check_state`): agency, status, head, links and
  countersignature as sealed by the entry that last changed them.

After the final revision only status updates may follow: final revisions that
change nothing but the delivery of a plan step (`spj.assessment.final_changes`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from spj.assessment.final_changes import changes_after_final
from spj.errors import format_path
from spj.store.hashing import chain_sha256, iso_time, sha256_hex
from spj.store.keys import Keyring
from spj.store.ledger import GENESIS, STATE_ACTIONS, EntryFacts, StateFacts, time_text


class Check(StrEnum):
    """Stable codes of what `spj audit verify` finds."""

    REVISION_NUMBERING = "revision-numbering"  # a gap or a repeat in an assessment's revision numbers
    REVISION_CONTENT = "revision-content"  # content changed after saving (content hash differs)
    REVISION_JSON = "revision-json"  # stored content is not JSON
    REVISION_LINK = "revision-link"  # a revision does not link to the one before it
    REVISION_HASH = "revision-hash"  # author, time, status or hash changed after saving (chain hash differs)
    REVISION_AFTER_FINAL = "revision-after-final"  # more than a delivery update after the final revision
    REVISION_UNATTESTED = "revision-unattested"  # no audit entry wrote this revision as it is now
    REVISION_MISSING = "revision-missing"  # an audit entry wrote a revision that is no longer there
    NO_REVISIONS = "no-revisions"  # an assessment without any revision
    ORPHAN_REVISIONS = "orphan-revisions"  # revisions of an assessment that does not exist
    HEAD_MISMATCH = "head-mismatch"  # the record's head is not its last revision
    STATUS_MISMATCH = "status-mismatch"  # the record's status is not its last revision's
    STATE_SEAL = "state-seal"  # agency, status, head, links or countersignature changed outside spj
    STATE_UNSEALED = "state-unsealed"  # an assessment without a state seal
    STATE_ENTRY = "state-entry"  # the entry that sealed the state is missing or is not about this assessment
    AGENCY_MISMATCH = "agency-mismatch"  # audit entries of the assessment name another agency than its record
    COUNTERSIGN_UNATTESTED = "countersign-unattested"  # a countersignature no audit entry recorded
    AUDIT_SEQUENCE = "audit-sequence"  # a gap or repeat in the global sequence: an entry removed or inserted
    AUDIT_ASSESSMENT_SEQUENCE = "audit-assessment-sequence"  # a gap or repeat in an assessment's entries
    AUDIT_LINK = "audit-link"  # an entry does not link to the seal of the entry before it
    AUDIT_SEAL = "audit-seal"  # an entry changed after it was written (its seal differs)
    AUDIT_UNSEALED = "audit-unsealed"  # an entry without a seal
    UNKNOWN_KEY = "unknown-key"  # sealed with a key that is not in the keyring
    CHECKPOINT_MISSING = "checkpoint-missing"  # the checkpoint's entry is gone: the trail was cut back
    CHECKPOINT_MISMATCH = "checkpoint-mismatch"  # the checkpoint's entry differs: history before it was rewritten


@dataclass(frozen=True, order=True)
class Finding:
    """One inconsistency: where (`assessment A-1 revision 2`, `audit entry 17`), its code, what is wrong."""

    where: str
    code: Check
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message} [{self.code.value}]"

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "code": self.code.value, "message": self.message}


@dataclass(frozen=True)
class StoredRevision:
    """A revision as stored: the content as its canonical JSON text."""

    assessment_id: str
    number: int
    author_id: str
    created_at: dt.datetime
    status: str
    content_json: str
    content_sha256: str
    previous_chain_sha256: str | None
    chain_sha256: str


@dataclass(frozen=True)
class StoredEntry:
    """An audit event as stored, with its seal."""

    id: int
    seq: int | None
    assessment_seq: int | None
    at: dt.datetime
    actor_id: str
    agency_id: str
    action: str
    assessment_id: str | None
    revision: int | None
    detail: str
    revision_sha256: str | None
    key_id: str | None
    prev_mac: str | None
    mac: str | None

    def facts(self) -> EntryFacts:
        return EntryFacts(
            seq=self.seq or 0,
            assessment_seq=self.assessment_seq,
            at=iso_time(self.at),
            actor_id=self.actor_id,
            agency_id=self.agency_id,
            action=self.action,
            assessment_id=self.assessment_id,
            revision=self.revision,
            detail=self.detail,
            revision_sha256=self.revision_sha256,
            prev_mac=self.prev_mac or "",
        )


@dataclass(frozen=True)
class StoredState:
    """An assessment record as stored, with its state seal."""

    id: str
    agency_id: str
    case_id: str
    instrument_id: str
    instrument_version: str
    status: str
    head: int
    previous_id: str | None
    amends_id: str | None
    created_by: str
    created_at: dt.datetime
    finalised_at: dt.datetime | None
    countersigned_by: str | None
    countersigned_at: dt.datetime | None
    state_seq: int | None
    state_key_id: str | None
    state_mac: str | None
    countersign_comment: str | None = None  # a column since migration 0008

    def facts(self, head_sha256: str) -> StateFacts:
        return state_facts(self, head_sha256, self.state_seq or 0)


def state_facts(record: StoredState, head_sha256: str, seq: int) -> StateFacts:
    """The facts a state seal covers, for `record` whose head revision has chain hash `head_sha256`."""
    return StateFacts(
        id=record.id,
        agency_id=record.agency_id,
        case_id=record.case_id,
        instrument_id=record.instrument_id,
        instrument_version=record.instrument_version,
        status=record.status,
        head=record.head,
        head_sha256=head_sha256,
        previous_id=record.previous_id,
        amends_id=record.amends_id,
        created_by=record.created_by,
        created_at=iso_time(record.created_at),
        finalised_at=time_text(record.finalised_at),
        countersigned_by=record.countersigned_by,
        countersigned_at=time_text(record.countersigned_at),
        seq=seq,
        countersign_comment=record.countersign_comment,
    )


@dataclass
class Trail:
    """What the audit chain says about one assessment."""

    agencies: set[str] = field(default_factory=set)
    revisions: dict[int, str] = field(default_factory=dict)  # number -> chain hash written
    countersigners: set[str] = field(default_factory=set)
    state_changes: set[int] = field(default_factory=set)  # the seqs of the entries that changed its state


class AuditChainCheck:
    """Feed the audit entries in `seq` order (`add`), then read `findings`, `trails`, `last`."""

    def __init__(self, keyring: Keyring, *, against: tuple[int, str] | None = None) -> None:
        self.keyring = keyring
        self.against = against  # (seq, seal) of a checkpoint: that entry must still be there, unchanged
        self.findings: list[Finding] = []
        self.trails: dict[str, Trail] = {}
        self.last: tuple[int, str] = (0, GENESIS)  # (seq, mac) of the last entry
        self._per_assessment: dict[str, int] = {}
        self._checkpoint_seen = False

    def finish(self) -> list[Finding]:
        """The findings, once every entry was added (a checkpoint beyond the last entry: the trail was cut)."""
        if self.against is not None and not self._checkpoint_seen:
            seq = self.against[0]
            self.findings.append(
                Finding(
                    f"audit entry {seq}",
                    Check.CHECKPOINT_MISSING,
                    f"the checkpoint's entry {seq} is gone (the trail ends at {self.last[0]}): entries were removed",
                )
            )
        return self.findings

    def add(self, entry: StoredEntry) -> None:
        where = f"audit entry {entry.seq if entry.seq is not None else f'id {entry.id}'}"
        if entry.seq is None or entry.mac is None:
            self.findings.append(Finding(where, Check.AUDIT_UNSEALED, "the entry has no seal"))
            return
        expected_seq, expected_prev = self.last[0] + 1, self.last[1]
        if entry.seq != expected_seq:
            self.findings.append(
                Finding(
                    where,
                    Check.AUDIT_SEQUENCE,
                    f"follows entry {self.last[0]}: "
                    + (
                        f"entries {expected_seq}..{entry.seq - 1} are missing"
                        if entry.seq > expected_seq
                        else "repeated"
                    ),
                )
            )
        elif entry.prev_mac != expected_prev:
            self.findings.append(Finding(where, Check.AUDIT_LINK, "does not link to the seal of the entry before it"))
        sealed = self.keyring.check(entry.key_id, entry.facts().canonical(), entry.mac)
        if sealed is None:
            self.findings.append(
                Finding(where, Check.UNKNOWN_KEY, f"sealed with key {entry.key_id!r}, not in the keyring")
            )
        elif not sealed:
            self.findings.append(Finding(where, Check.AUDIT_SEAL, "changed after it was written (its seal differs)"))
        self.last = (entry.seq, entry.mac)
        if self.against is not None and entry.seq == self.against[0]:
            self._checkpoint_seen = True
            if entry.mac != self.against[1]:
                self.findings.append(
                    Finding(
                        where,
                        Check.CHECKPOINT_MISMATCH,
                        "differs from the checkpoint: this entry or one before it was rewritten",
                    )
                )
        if entry.assessment_id is not None:
            self._add_to_trail(where, entry)

    def _add_to_trail(self, where: str, entry: StoredEntry) -> None:
        assert entry.assessment_id is not None and entry.seq is not None
        trail = self.trails.setdefault(entry.assessment_id, Trail())
        previous = self._per_assessment.get(entry.assessment_id, 0)
        if entry.assessment_seq != previous + 1:
            self.findings.append(
                Finding(
                    where,
                    Check.AUDIT_ASSESSMENT_SEQUENCE,
                    f"is entry {entry.assessment_seq} of assessment {entry.assessment_id}, after its entry {previous}: "
                    "an entry of the assessment is missing or repeated",
                )
            )
        self._per_assessment[entry.assessment_id] = entry.assessment_seq or previous + 1
        trail.agencies.add(entry.agency_id)
        if entry.action in STATE_ACTIONS:
            trail.state_changes.add(entry.seq)
        if entry.revision_sha256 is not None and entry.revision is not None:
            trail.revisions[entry.revision] = entry.revision_sha256
        if entry.action == "countersign":
            trail.countersigners.add(entry.actor_id)


def check_assessment(
    assessment_id: str, head: int, status: str, revisions: Iterable[StoredRevision], trail: Trail | None = None
) -> list[Finding]:
    """Findings on one assessment's revisions (given in number order); empty when the chain holds.

    With `trail` (what the audit chain says about it), every revision must be
    the one its audit entry wrote, and every revision an entry wrote must be there.
    """
    findings: list[Finding] = []
    where = f"assessment {assessment_id}"
    expected_number = 1
    previous_chain: str | None = None
    last: StoredRevision | None = None
    seen: set[int] = set()
    for rev in revisions:
        at = f"{where} revision {rev.number}"
        seen.add(rev.number)
        if rev.number != expected_number:
            findings.append(
                Finding(at, Check.REVISION_NUMBERING, f"expected revision {expected_number} (a gap or a duplicate)")
            )
        expected_number = rev.number + 1
        findings += _check_hashes(at, rev, previous_chain)
        if trail is not None and trail.revisions.get(rev.number) != rev.chain_sha256:
            findings.append(
                Finding(
                    at,
                    Check.REVISION_UNATTESTED,
                    "no audit entry wrote this revision as it is now (rewritten, or inserted outside spj)",
                )
            )
        if last is not None and last.status == "final":
            findings += _after_final(at, last, rev)
        previous_chain = rev.chain_sha256
        last = rev
    if trail is not None:
        for number in sorted(set(trail.revisions) - seen):
            findings.append(
                Finding(f"{where} revision {number}", Check.REVISION_MISSING, "an audit entry wrote it; it is gone")
            )
    if last is None:
        findings.append(Finding(where, Check.NO_REVISIONS, f"has no revisions (head is {head})"))
        return findings
    if last.number != head:
        findings.append(
            Finding(where, Check.HEAD_MISMATCH, f"head is revision {head} but the last revision is {last.number}")
        )
    if (status == "final") != (last.status == "final"):
        findings.append(
            Finding(where, Check.STATUS_MISMATCH, f"status is {status} but the last revision is {last.status}")
        )
    return findings


def _check_hashes(at: str, rev: StoredRevision, previous_chain: str | None) -> list[Finding]:
    findings = []
    try:
        json.loads(rev.content_json)
    except ValueError:
        findings.append(Finding(at, Check.REVISION_JSON, "content is not valid JSON"))
    if sha256_hex(rev.content_json) != rev.content_sha256:
        findings.append(Finding(at, Check.REVISION_CONTENT, "content hash mismatch (content was changed after saving)"))
    if rev.previous_chain_sha256 != previous_chain:
        findings.append(Finding(at, Check.REVISION_LINK, "link to the previous revision does not match its chain hash"))
    computed_chain = chain_sha256(
        previous=rev.previous_chain_sha256,
        assessment_id=rev.assessment_id,
        number=rev.number,
        author_id=rev.author_id,
        created_at=rev.created_at,
        status=rev.status,
        content_hash=rev.content_sha256,
    )
    if computed_chain != rev.chain_sha256:
        findings.append(
            Finding(at, Check.REVISION_HASH, "chain hash mismatch (author, time, status or hash changed after saving)")
        )
    return findings


def check_state(record: StoredState, head_sha256: str | None, trail: Trail | None, keyring: Keyring) -> list[Finding]:
    """Findings on an assessment's sealed state: the seal, its entry, the agency and the countersignature."""
    where = f"assessment {record.id}"
    findings: list[Finding] = []
    trail = trail or Trail()
    if record.state_mac is None:
        findings.append(Finding(where, Check.STATE_UNSEALED, "the assessment's state has no seal"))
    else:
        sealed = keyring.check(record.state_key_id, record.facts(head_sha256 or "").canonical(), record.state_mac)
        if sealed is None:
            findings.append(
                Finding(where, Check.UNKNOWN_KEY, f"state sealed with key {record.state_key_id!r}, not in the keyring")
            )
        elif not sealed:
            findings.append(
                Finding(
                    where,
                    Check.STATE_SEAL,
                    "agency, case, status, head, links or countersignature changed outside spj "
                    "(the state seal differs)",
                )
            )
        if record.state_seq not in trail.state_changes:
            findings.append(
                Finding(
                    where, Check.STATE_ENTRY, f"the audit entry {record.state_seq} that sealed its state is missing"
                )
            )
    others = sorted(trail.agencies - {record.agency_id})
    if others:
        findings.append(
            Finding(
                where,
                Check.AGENCY_MISMATCH,
                f"belongs to {record.agency_id} but its audit entries name {', '.join(others)}",
            )
        )
    if record.countersigned_by is not None and record.countersigned_by not in trail.countersigners:
        findings.append(
            Finding(
                where,
                Check.COUNTERSIGN_UNATTESTED,
                f"countersigned by {record.countersigned_by} without an audit entry",
            )
        )
    return findings


def _after_final(at: str, final: StoredRevision, rev: StoredRevision) -> list[Finding]:
    """A revision after a final one is a status update: final too, and only the delivery of a step changed."""
    if rev.status != "final":
        return [Finding(at, Check.REVISION_AFTER_FINAL, f"saved after the final revision {final.number}")]
    try:
        before, after = json.loads(final.content_json), json.loads(rev.content_json)
    except ValueError:
        return []  # reported as invalid JSON above
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return [Finding(at, Check.REVISION_AFTER_FINAL, f"saved after the final revision {final.number}")]
    changed = changes_after_final(before, after)
    if not changed:
        return []
    return [
        Finding(
            at,
            Check.REVISION_AFTER_FINAL,
            f"changed {', '.join(format_path(p) for p in changed)} after the final revision {final.number} "
            "(only the delivery of a plan step may change; amend the assessment instead)",
        )
    ]


def verify_history(
    keyring: Keyring,
    *,
    entries: Iterable[StoredEntry],
    states: dict[str, StoredState],
    revisions: Iterable[tuple[str, list[StoredRevision]]],
    against: tuple[int, str] | None = None,
) -> list[Finding]:
    """Every finding on a store's history: `entries` in seq order, `revisions` grouped by assessment in order.

    `against`: the (seq, seal) of a checkpoint kept elsewhere; the entry must
    still be there with that seal, which proves that nothing up to it was
    rewritten, even by someone holding the key.
    """
    chain = AuditChainCheck(keyring, against=against)
    for entry in entries:
        chain.add(entry)
    findings = chain.finish()
    seen: set[str] = set()
    for assessment_id, batch in revisions:
        seen.add(assessment_id)
        state = states.get(assessment_id)
        if state is None:
            findings.append(
                Finding(f"assessment {assessment_id}", Check.ORPHAN_REVISIONS, "revisions without an assessment")
            )
            continue
        findings += _check_one(keyring, state, batch, chain.trails.get(assessment_id, Trail()))
    for missing in sorted(set(states) - seen):
        findings += _check_one(keyring, states[missing], [], chain.trails.get(missing, Trail()))
    return findings


def _check_one(keyring: Keyring, state: StoredState, batch: list[StoredRevision], trail: Trail) -> list[Finding]:
    head_sha256 = next((r.chain_sha256 for r in batch if r.number == state.head), None)
    return check_assessment(state.id, state.head, state.status, batch, trail) + check_state(
        state, head_sha256, trail, keyring
    )
