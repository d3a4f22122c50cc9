"""`MemoryStore`: the store in memory, with the same behaviour as `SqlStore` (for tests).

Like `SqlStore` it persists and takes no lifecycle decision (`spj.service.lifecycle` does).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from spj.errors import Code, Location, Problem, StoreError
from spj.store.approvals import MemoryApprovals
from spj.store.disclosures import MemoryDisclosures
from spj.store.double_ratings import MemoryDoubleRatings
from spj.store.drafts import MemoryDrafts
from spj.store.hashing import canonical_json, chain_sha256, iso_time, sha256_hex, utc_now
from spj.store.hooks import MemoryHooks
from spj.store.idempotency import MemoryIdempotency
from spj.store.interface import (
    Agency,
    ApiToken,
    AssessmentFilter,
    AssessmentRecord,
    AuditEvent,
    Case,
    ConflictError,
    NotFoundError,
    Revision,
    Role,
    Status,
    TokenScope,
    User,
    duplicate_external_ref,
    id_clash,
    not_final,
)
from spj.store.keys import Keyring
from spj.store.ledger import GENESIS, EntryFacts
from spj.store.outbox import EVENT_KINDS, REFERRED, MemoryOutbox, NewEvent
from spj.store.referrals import MemoryReferrals
from spj.store.verification import Finding, StoredEntry, StoredRevision, StoredState, state_facts, verify_history


def _duplicate(what: str) -> StoreError:
    return StoreError(Problem(Code.CONFLICT, f"{what} already exists", Location()))


class MemoryStore:
    """Everything in dictionaries, guarded by one lock; content is copied in and out.

    The audit trail is sealed like `SqlStore`'s, with `keyring` (default: a new random key).
    """

    def __init__(self, *, keyring: Keyring | None = None) -> None:
        self.keyring = keyring or Keyring.generate()
        self._lock = threading.RLock()
        self._agencies: dict[str, Agency] = {}
        self._users: dict[str, User] = {}
        self._tokens: dict[str, ApiToken] = {}
        self._cases: dict[tuple[str, str], Case] = {}
        self._assessments: dict[str, AssessmentRecord] = {}
        self._revisions: dict[str, list[Revision]] = {}
        self._audit: list[AuditEvent] = []
        self._assessment_seqs: dict[str, int] = {}  # the last assessment_seq of each assessment's audit entries
        self.referrals = MemoryReferrals()  # where partners' referrals may be (spj.store.referrals)
        self.disclosures = MemoryDisclosures(
            self.keyring
        )  # every extract shown to another agency (spj.store.disclosures)
        self.drafts = MemoryDrafts()  # unsaved work the workspace autosaved (spj.store.drafts)
        self.approvals = MemoryApprovals(self)  # feedback notes approved in the workspace (spj.store.approvals)
        self.events = MemoryOutbox()  # the event feed, written with each change (spj.store.outbox)
        self.referrals.outbox = self.events
        self.idempotency = MemoryIdempotency()  # POST requests' Idempotency-Key (spj.store.idempotency)
        self.hooks = MemoryHooks(self.events)  # deliveries of events to web hooks (spj.store.hooks)
        self.double_ratings = MemoryDoubleRatings(self)  # second ratings and their consensus (spj.store.double_ratings)

    def close(self) -> None:
        """Nothing to release."""

    # ------------------------------------------------------------------ helpers

    def _require_agency(self, agency_id: str) -> None:
        if agency_id not in self._agencies:
            raise NotFoundError(f"agency {agency_id}")

    def _assessment(self, agency_id: str, assessment_id: str) -> AssessmentRecord:
        record = self._assessments.get(assessment_id)
        if record is None or record.agency_id != agency_id:
            raise NotFoundError(f"assessment {assessment_id}")
        return record

    def _add_audit(
        self,
        agency_id: str,
        actor: str,
        action: str,
        assessment_id: str | None,
        revision: int | None,
        detail: str,
        at: Any = None,
        revision_sha256: str | None = None,
        case_id: str | None = None,
    ) -> int:
        at = at or utc_now()
        self._emit(agency_id, action, assessment_id, revision, at, case_id)
        last = self._audit[-1] if self._audit else None
        assessment_seq = None
        if assessment_id is not None:
            assessment_seq = self._assessment_seqs[assessment_id] = self._assessment_seqs.get(assessment_id, 0) + 1
        facts = EntryFacts(
            seq=len(self._audit) + 1,
            assessment_seq=assessment_seq,
            at=iso_time(at),
            actor_id=actor,
            agency_id=agency_id,
            action=action,
            assessment_id=assessment_id,
            revision=revision,
            detail=detail,
            revision_sha256=revision_sha256,
            prev_mac=last.mac or GENESIS if last else GENESIS,
        )
        key_id, mac = self.keyring.sign(facts.canonical())
        self._audit.append(
            AuditEvent(
                facts.seq,
                at,
                actor,
                agency_id,
                action,
                assessment_id,
                revision,
                detail,
                seq=facts.seq,
                assessment_seq=assessment_seq,
                revision_sha256=revision_sha256,
                key_id=key_id,
                prev_mac=facts.prev_mac,
                mac=mac,
            )
        )
        return facts.seq

    def _emit(
        self, agency_id: str, action: str, assessment_id: str | None, revision: int | None, at: Any, case_id: str | None
    ) -> None:
        """The outbox row of a change (under the lock, inside the change: both or neither)."""
        kind = EVENT_KINDS.get(action)
        if kind is None:
            return
        if case_id is None and assessment_id is not None:
            case_id = self._assessments[assessment_id].case_id
        self.events.append(NewEvent(agency_id, kind, case_id, assessment_id, revision), at)

    def _seal(self, assessment_id: str, seq: int) -> AssessmentRecord:
        """Seal the assessment's state as it now stands, after the audit entry `seq` that changed it."""
        record = self._assessments[assessment_id]
        head_sha256 = self._revisions[assessment_id][record.head - 1].chain_sha256
        key_id, mac = self.keyring.sign(state_facts(_state(record), head_sha256, seq).canonical())
        record = dataclasses.replace(record, state_seq=seq, state_key_id=key_id, state_mac=mac)
        self._assessments[assessment_id] = record
        return record

    @staticmethod
    def _new_revision(
        assessment_id: str, number: int, author: str, at: Any, status: Status, text: str, previous: str | None
    ) -> Revision:
        content_hash = sha256_hex(text)
        chain = chain_sha256(
            previous=previous,
            assessment_id=assessment_id,
            number=number,
            author_id=author,
            created_at=at,
            status=status,
            content_hash=content_hash,
        )
        return Revision(assessment_id, number, author, at, json.loads(text), content_hash, previous, chain, status)

    # ------------------------------------------------------------------ agencies, users, tokens

    def create_agency(self, agency_id: str, name: str) -> Agency:
        with self._lock:
            if agency_id in self._agencies:
                raise _duplicate(f"agency {agency_id}")
            self._agencies[agency_id] = agency = Agency(agency_id, name)
            return agency

    def create_user(self, *, username: str, display_name: str, role: Role, agency_id: str, password_hash: str) -> User:
        with self._lock:
            self._require_agency(agency_id)
            if any(u.username == username for u in self._users.values()):
                raise _duplicate(f"user {username}")
            user = User(uuid.uuid4().hex, username, display_name, role, agency_id, password_hash)
            self._users[user.id] = user
            return user

    def get_user(self, user_id: str) -> User | None:
        with self._lock:
            return self._users.get(user_id)

    def get_user_by_username(self, username: str) -> User | None:
        with self._lock:
            return next((u for u in self._users.values() if u.username == username), None)

    def count_users(self, *, role: Role | None = None) -> int:
        with self._lock:
            return sum(1 for u in self._users.values() if role is None or u.role == role)

    def create_token(
        self,
        *,
        agency_id: str,
        name: str,
        token_sha256: str,
        scope: TokenScope = "write",
        expires_at: dt.datetime | None = None,
    ) -> ApiToken:
        with self._lock:
            self._require_agency(agency_id)
            if token_sha256 in self._tokens:
                raise _duplicate("a token with this hash")
            token = ApiToken(
                uuid.uuid4().hex, agency_id, name, token_sha256, utc_now(), scope=scope, expires_at=expires_at
            )
            self._tokens[token_sha256] = token
            return token

    def list_tokens(self, agency_id: str | None = None) -> list[ApiToken]:
        with self._lock:
            found = [t for t in self._tokens.values() if agency_id is None or t.agency_id == agency_id]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    def find_token(self, token_sha256: str) -> ApiToken | None:
        with self._lock:
            token = self._tokens.get(token_sha256)
            return None if token is None or token.revoked_at is not None else token

    def revoke_token(self, token_id: str) -> ApiToken | None:
        with self._lock:
            token = next((t for t in self._tokens.values() if t.id == token_id), None)
            if token is None:
                return None
            if token.revoked_at is None:
                token = dataclasses.replace(token, revoked_at=utc_now())
                self._tokens[token.token_sha256] = token
            return token

    def bump_session_epoch(self, user_id: str) -> int:
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                raise NotFoundError(f"user {user_id}")
            user = dataclasses.replace(user, session_epoch=user.session_epoch + 1)
            self._users[user_id] = user
            return user.session_epoch

    # ------------------------------------------------------------------ cases

    def create_case(
        self,
        agency_id: str,
        case_id: str,
        *,
        actor: str,
        external_ref: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Case:
        with self._lock:
            self._require_agency(agency_id)
            if (agency_id, case_id) in self._cases:
                raise _duplicate(f"case {case_id}")
            self._require_free_ref(agency_id, case_id, external_ref)
            case = Case(case_id, agency_id, utc_now(), actor, external_ref, copy.deepcopy(metadata or {}))
            self._cases[agency_id, case_id] = case
            self._add_audit(
                agency_id, actor, "create-case", None, None, f"case {case_id}", case.created_at, case_id=case_id
            )
            return copy.deepcopy(case)

    def _require_free_ref(self, agency_id: str, case_id: str, external_ref: str | None) -> None:
        if external_ref is None:
            return
        if any(
            c.agency_id == agency_id and c.external_ref == external_ref and c.id != case_id
            for c in self._cases.values()
        ):
            raise duplicate_external_ref(external_ref)

    def get_case(self, agency_id: str, case_id: str) -> Case:
        with self._lock:
            case = self._cases.get((agency_id, case_id))
            if case is None:
                raise NotFoundError(f"case {case_id}")
            return copy.deepcopy(case)

    def list_cases(self, agency_id: str, *, external_ref: str | None = None) -> list[Case]:
        with self._lock:
            return copy.deepcopy(
                sorted(
                    (
                        c
                        for c in self._cases.values()
                        if c.agency_id == agency_id and (external_ref is None or c.external_ref == external_ref)
                    ),
                    key=lambda c: (c.created_at, c.id),
                )
            )

    def update_case(
        self, agency_id: str, case_id: str, *, actor: str, external_ref: str | None, metadata: dict[str, Any]
    ) -> Case:
        with self._lock:
            case = self._cases.get((agency_id, case_id))
            if case is None:
                raise NotFoundError(f"case {case_id}")
            self._require_free_ref(agency_id, case_id, external_ref)
            case = dataclasses.replace(case, external_ref=external_ref, metadata=copy.deepcopy(metadata))
            self._cases[agency_id, case_id] = case
            self._add_audit(agency_id, actor, "update-case", None, None, f"case {case_id}", case_id=case_id)
            return copy.deepcopy(case)

    # ------------------------------------------------------------------ assessments

    def create_assessment(
        self,
        agency_id: str,
        *,
        assessment_id: str,
        case_id: str,
        instrument_id: str,
        instrument_version: str,
        content: dict[str, Any],
        actor: str,
        previous_id: str | None = None,
        amends_id: str | None = None,
    ) -> tuple[AssessmentRecord, Revision]:
        text = canonical_json(content)
        with self._lock:
            if (agency_id, case_id) not in self._cases:
                raise NotFoundError(f"case {case_id}")
            for link in (previous_id, amends_id):
                if link is not None:
                    self._assessment(agency_id, link)  # it exists, in this agency
            if assessment_id in self._assessments:
                raise id_clash()
            now = utc_now()
            record = AssessmentRecord(
                id=assessment_id,
                case_id=case_id,
                agency_id=agency_id,
                instrument_id=instrument_id,
                instrument_version=instrument_version,
                status="draft",
                head=1,
                previous_id=previous_id,
                amends_id=amends_id,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            revision = self._new_revision(assessment_id, 1, actor, now, "draft", text, None)
            self._assessments[assessment_id] = record
            self._revisions[assessment_id] = [revision]
            seq = self._add_audit(
                agency_id,
                actor,
                "create",
                assessment_id,
                1,
                f"{instrument_id} {instrument_version}",
                now,
                revision.chain_sha256,
            )
            return self._seal(assessment_id, seq), copy.deepcopy(revision)

    def get_assessment(self, agency_id: str, assessment_id: str) -> AssessmentRecord:
        with self._lock:
            return self._assessment(agency_id, assessment_id)

    def list_assessments(
        self, agency_id: str, *, case_id: str | None = None, where: AssessmentFilter | None = None
    ) -> list[AssessmentRecord]:
        where = where or AssessmentFilter()
        with self._lock:
            found = [
                a
                for a in self._assessments.values()
                if a.agency_id == agency_id and (case_id is None or a.case_id == case_id) and where.admits(a)
            ]
        return sorted(found, key=lambda a: (a.created_at, a.id))[: where.limit]

    def save_revision(
        self, agency_id: str, assessment_id: str, *, base: int, content: dict[str, Any], actor: str
    ) -> Revision:
        return self._append(agency_id, assessment_id, base=base, content=content, actor=actor, status="draft")

    def finalise(
        self,
        agency_id: str,
        assessment_id: str,
        *,
        base: int,
        content: dict[str, Any],
        actor: str,
        referred_to: Sequence[str] = (),
    ) -> Revision:
        return self._append(
            agency_id, assessment_id, base=base, content=content, actor=actor, status="final", referred_to=referred_to
        )

    def _append(
        self,
        agency_id: str,
        assessment_id: str,
        *,
        base: int,
        content: dict[str, Any],
        actor: str,
        status: Status,
        referred_to: Sequence[str] = (),
    ) -> Revision:
        text = canonical_json(content)
        with self._lock:
            record = self._assessment(agency_id, assessment_id)
            if record.head != base:
                raise ConflictError(assessment_id, base, record.head)
            now = utc_now()
            chain = self._revisions[assessment_id]
            revision = self._new_revision(
                assessment_id, base + 1, actor, now, status, text, chain[base - 1].chain_sha256
            )
            changes: dict[str, Any] = {"head": base + 1, "updated_at": now, "status": status}
            if status == "final":
                changes["finalised_at"] = now
            chain.append(revision)
            self._assessments[assessment_id] = dataclasses.replace(record, **changes)
            action = "finalise" if status == "final" else "save"
            seq = self._add_audit(agency_id, actor, action, assessment_id, base + 1, "", now, revision.chain_sha256)
            if referred_to:
                referred = NewEvent(
                    agency_id, REFERRED, record.case_id, assessment_id, base + 1, partners=tuple(sorted(referred_to))
                )
                self.events.append(referred, now)
            self._seal(assessment_id, seq)
            return copy.deepcopy(revision)

    def countersign(
        self, agency_id: str, assessment_id: str, *, actor: str, comment: str | None = None
    ) -> AssessmentRecord:
        with self._lock:
            record = self._assessment(agency_id, assessment_id)
            if record.countersigned_by is not None:  # recorded once: a second signature never replaces the first
                raise StoreError(Problem(Code.CONFLICT, f"assessment {assessment_id} is already countersigned"))
            now = utc_now()
            record = dataclasses.replace(
                record, countersigned_by=actor, countersigned_at=now, countersign_comment=comment
            )
            self._assessments[assessment_id] = record
            seq = self._add_audit(agency_id, actor, "countersign", assessment_id, record.head, comment or "", now)
            return self._seal(assessment_id, seq)

    def get_revision(self, agency_id: str, assessment_id: str, number: int | None = None) -> Revision:
        with self._lock:
            record = self._assessment(agency_id, assessment_id)
            wanted = record.head if number is None else number
            found = [r for r in self._revisions[assessment_id] if r.number == wanted]
            if not found:
                raise NotFoundError(f"revision {wanted} of assessment {assessment_id}")
            return copy.deepcopy(found[0])

    def list_revisions(self, agency_id: str, assessment_id: str) -> list[Revision]:
        with self._lock:
            self._assessment(agency_id, assessment_id)
            return copy.deepcopy(self._revisions[assessment_id])

    # ------------------------------------------------------------------ audit

    def record(
        self, agency_id: str, *, actor: str, action: str, assessment_id: str | None, revision: int | None, detail: str
    ) -> None:
        with self._lock:
            self._require_agency(agency_id)
            if assessment_id is not None:
                self._assessment(agency_id, assessment_id)
            self._add_audit(agency_id, actor, action, assessment_id, revision, detail)

    def audit_events(self, agency_id: str, *, assessment_id: str | None = None) -> list[AuditEvent]:
        with self._lock:
            if assessment_id is not None:
                self._assessment(agency_id, assessment_id)
            return [
                e
                for e in self._audit
                if e.agency_id == agency_id and (assessment_id is None or e.assessment_id == assessment_id)
            ]

    # ------------------------------------------------------------------ integrity

    def verify(self, *, against: tuple[int, str] | None = None) -> list[Finding]:
        """Every inconsistency in the history (see `SqlStore.verify`)."""
        with self._lock:
            return verify_history(
                self.keyring,
                entries=[_entry(e) for e in self._audit],
                states={a.id: _state(a) for a in self._assessments.values()},
                revisions=[
                    (assessment_id, [_stored(r) for r in self._revisions[assessment_id]])
                    for assessment_id in sorted(self._revisions)
                ],
                against=against,
            )

    def audit_head(self) -> tuple[int, str]:
        """The (seq, seal) of the newest audit entry; (0, GENESIS) when there is none."""
        with self._lock:
            last = self._audit[-1] if self._audit else None
            return (last.seq or 0, last.mac or GENESIS) if last else (0, GENESIS)

    def stats(self) -> dict[str, int]:
        """How many agencies, cases, assessments, revisions and audit events the store holds."""
        with self._lock:
            return {
                "agencies": len(self._agencies),
                "cases": len(self._cases),
                "assessments": len(self._assessments),
                "revisions": sum(len(v) for v in self._revisions.values()),
                "audit_events": len(self._audit),
            }

    # ------------------------------------------------------------------ delivery updates on a final assessment

    def append_status_update(
        self, agency_id: str, assessment_id: str, *, base: int, content: dict[str, Any], actor: str
    ) -> Revision:
        """Append a final revision to a final assessment: where the delivery of a plan step stands.

        The service checks that nothing else changed (`spj.assessment.final_changes`).
        """
        text = canonical_json(content)
        with self._lock:
            record = self._assessment(agency_id, assessment_id)
            if record.status != "final":
                raise not_final(assessment_id)
            if record.head != base:
                raise ConflictError(assessment_id, base, record.head)
            now = utc_now()
            chain = self._revisions[assessment_id]
            revision = self._new_revision(
                assessment_id, base + 1, actor, now, "final", text, chain[base - 1].chain_sha256
            )
            chain.append(revision)
            self._assessments[assessment_id] = dataclasses.replace(record, head=base + 1, updated_at=now)
            seq = self._add_audit(
                agency_id, actor, "update-status", assessment_id, base + 1, "", now, revision.chain_sha256
            )
            self._seal(assessment_id, seq)
            return copy.deepcopy(revision)


def _state(record: AssessmentRecord) -> StoredState:
    return StoredState(**{name: getattr(record, name) for name in StoredState.__dataclass_fields__})


def _entry(event: AuditEvent) -> StoredEntry:
    return StoredEntry(
        id=event.id,
        seq=event.seq,
        assessment_seq=event.assessment_seq,
        at=event.at,
        actor_id=event.actor_id,
        agency_id=event.agency_id,
        action=event.action,
        assessment_id=event.assessment_id,
        revision=event.revision,
        detail=event.detail,
        revision_sha256=event.revision_sha256,
        key_id=event.key_id,
        prev_mac=event.prev_mac,
        mac=event.mac,
    )


def _stored(r: Revision) -> StoredRevision:
    return StoredRevision(
        assessment_id=r.assessment_id,
        number=r.number,
        author_id=r.author_id,
        created_at=r.created_at,
        status=r.status,
        content_json=canonical_json(r.content),
        content_sha256=r.content_sha256,
        previous_chain_sha256=r.previous_chain_sha256,
        chain_sha256=r.chain_sha256,
    )
