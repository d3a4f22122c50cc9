"""The store: what the workspace keeps, as plain records, behind a small interface.

Every read and write is scoped to an agency: a record of another agency is
*not found*, never "forbidden" (its existence is not disclosed).

Revisions are append-only. Each save appends a revision whose `chain_sha256`
covers the previous revision's chain hash, so the history of an assessment can
be verified (`Store.verify`). The revision, the move of the head and the audit
row are written in one transaction. The audit rows form one chain sealed with
a key kept outside the database, and each assessment's state is sealed too
(`spj.store.ledger`): `verify` finds a revision or an audit row removed,
rewritten or added, and a head, agency, status or countersignature changed
outside spj.

A store persists; it takes no lifecycle decision. Whether a write is allowed
(a final assessment is locked, who countersigns, what an amendment may point
at) is decided once, by `spj.service.lifecycle`, before the write. The store
makes those decisions safe under concurrency with optimistic locking: a
revision is appended only on the head it states (`ConflictError` otherwise),
the record's status is its head revision's, and a countersignature is
recorded only where there is none yet.

Implementations: `spj.store.sql.SqlStore` (SQLAlchemy 2: SQLite by default,
PostgreSQL by URL) and `spj.store.memory.MemoryStore` (tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from spj.errors import Code, Location, Problem, StoreError

if TYPE_CHECKING:
    from spj.store.approvals import NoteApprovals
    from spj.store.disclosures import DisclosureLog
    from spj.store.double_ratings import DoubleRatings
    from spj.store.drafts import Drafts
    from spj.store.hooks import HookDeliveries
    from spj.store.idempotency import IdempotencyKeys
    from spj.store.keys import Keyring
    from spj.store.outbox import EventFeed
    from spj.store.referrals import ReferralStore
    from spj.store.verification import Finding

Role = Literal["assessor", "reviewer", "administrator", "partner"]
Status = Literal["draft", "final"]
TokenScope = Literal["read", "write"]  # "read": the token may only read (GET); "write": read and change


class NotFoundError(StoreError, LookupError):
    """No such record in this agency (or none at all: the two are not told apart)."""

    def __init__(self, what: str) -> None:
        super().__init__(Problem(Code.NOT_FOUND, f"{what} not found", Location()))
        self.what = what


class ConflictError(StoreError):
    """Someone saved in between: the save stated a revision that is no longer the head.

    `current` is the head revision now; the caller keeps the refused content for
    the user to merge.
    """

    def __init__(self, assessment_id: str, base: int, current: int) -> None:
        super().__init__(
            Problem(
                Code.CONFLICT,
                f"assessment {assessment_id} was saved by someone else (revision {current}) after revision {base} "
                "that you edited; your changes are kept: compare and save again",
                Location(),
            )
        )
        self.assessment_id, self.base, self.current = assessment_id, base, current


class LockedError(StoreError):
    """The assessment is final: it cannot change; amend it with a new assessment."""

    def __init__(self, assessment_id: str) -> None:
        super().__init__(
            Problem(
                Code.LOCKED,
                f"assessment {assessment_id} is final and locked; start an amendment to correct it",
                Location(),
            )
        )
        self.assessment_id = assessment_id


def id_clash() -> StoreError:
    """An assessment id already taken, in this agency or another: a conflict that says nothing of where."""
    return StoreError(
        Problem(Code.CONFLICT, "the assessment could not be created (id conflict); try again", Location())
    )


def not_final(assessment_id: str) -> StoreError:
    """A status update on a draft: its plan is edited by saving the draft."""
    return StoreError(
        Problem(
            Code.CONFLICT,
            f"assessment {assessment_id} is a draft; update its plan by saving the draft (status updates are for "
            "final assessments)",
            Location(),
        )
    )


@dataclass(frozen=True)
class Agency:
    id: str
    name: str


@dataclass(frozen=True)
class User:
    id: str
    username: str
    display_name: str
    role: Role
    agency_id: str
    password_hash: str
    session_epoch: int = 0  # bumped on sign-out: sessions signed at an older epoch are over


@dataclass(frozen=True)
class ApiToken:
    id: str
    agency_id: str
    name: str
    token_sha256: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    scope: TokenScope = "write"  # "read": GET only (a case system that only reads)
    expires_at: dt.datetime | None = None  # None: valid until revoked


@dataclass(frozen=True)
class Case:
    id: str  # a pseudonym
    agency_id: str
    created_at: dt.datetime
    created_by: str
    external_ref: str | None = None  # what the agency's case system calls it (unique in the agency)
    metadata: dict[str, Any] = field(default_factory=dict)  # the case system's own keys and values


def duplicate_external_ref(external_ref: str) -> StoreError:
    """An external reference that already names another case of the agency."""
    return StoreError(
        Problem(
            Code.CONFLICT,
            f"external_ref {external_ref!r} already names another case of your agency",
            Location(path=("external_ref",)),
        )
    )


@dataclass(frozen=True)
class AssessmentRecord:
    id: str
    case_id: str
    agency_id: str
    instrument_id: str
    instrument_version: str
    status: Status
    head: int  # number of the head revision, from 1
    previous_id: str | None  # the earlier assessment of the same case this reassesses
    amends_id: str | None  # the final assessment this one corrects
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    finalised_at: dt.datetime | None = None
    countersigned_by: str | None = None
    countersigned_at: dt.datetime | None = None
    countersign_comment: str | None = None  # the countersigner's words, sealed with the countersignature
    # the seal of this state (spj.store.ledger): the audit entry that last changed it, the key id, the HMAC
    state_seq: int | None = None
    state_key_id: str | None = None
    state_mac: str | None = None


@dataclass(frozen=True)
class AssessmentFilter:
    """Which of an agency's assessments to list, in (created_at, id) order: a status, updated at or after a
    time, after a position (the (created_at, id) of the last one seen), at most `limit` of them."""

    status: Status | None = None
    updated_since: dt.datetime | None = None
    after: tuple[dt.datetime, str] | None = None
    limit: int | None = None

    def admits(self, record: AssessmentRecord) -> bool:
        """Whether `record` passes the filter (the limit aside)."""
        return (
            (self.status is None or record.status == self.status)
            and (self.updated_since is None or record.updated_at >= self.updated_since)
            and (self.after is None or (record.created_at, record.id) > self.after)
        )


@dataclass(frozen=True)
class Revision:
    assessment_id: str
    number: int
    author_id: str
    created_at: dt.datetime
    content: dict[str, Any]  # the assessment document (format spj-assessment/1) as JSON data
    content_sha256: str  # sha256 of the canonical JSON of `content`
    previous_chain_sha256: str | None
    chain_sha256: str  # sha256 over previous chain hash, number, author, time and content hash
    status: Status


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: dt.datetime
    actor_id: str
    agency_id: str
    action: str  # "create", "save", "finalise", "countersign", "read-report", ...
    assessment_id: str | None
    revision: int | None
    detail: str
    # its place in the sealed audit chain (spj.store.ledger)
    seq: int | None = None  # global, from 1 without gaps
    assessment_seq: int | None = None  # per assessment, from 1 without gaps
    revision_sha256: str | None = None  # the chain hash of the revision this event wrote
    key_id: str | None = None
    prev_mac: str | None = None
    mac: str | None = None


class Store(Protocol):
    """Persistence for the workspace. Every method scoped by agency raises NotFoundError across agencies.

    `referrals` indexes where partners' referrals may be; `disclosures` is the
    hash-chained log of every extract shown to another agency.
    """

    @property
    def referrals(self) -> ReferralStore: ...
    @property
    def disclosures(self) -> DisclosureLog: ...
    @property
    def drafts(self) -> Drafts: ...
    @property
    def approvals(self) -> NoteApprovals: ...
    @property
    def events(self) -> EventFeed: ...
    @property
    def idempotency(self) -> IdempotencyKeys: ...
    @property
    def hooks(self) -> HookDeliveries: ...
    @property
    def double_ratings(self) -> DoubleRatings: ...

    # agencies, users, tokens
    def create_agency(self, agency_id: str, name: str) -> Agency: ...
    def create_user(
        self, *, username: str, display_name: str, role: Role, agency_id: str, password_hash: str
    ) -> User: ...
    def get_user(self, user_id: str) -> User | None: ...
    def get_user_by_username(self, username: str) -> User | None: ...
    def count_users(self, *, role: Role | None = None) -> int: ...
    def create_token(
        self,
        *,
        agency_id: str,
        name: str,
        token_sha256: str,
        scope: TokenScope = "write",
        expires_at: dt.datetime | None = None,
    ) -> ApiToken: ...
    def find_token(self, token_sha256: str) -> ApiToken | None: ...
    def list_tokens(self, agency_id: str | None = None) -> list[ApiToken]: ...
    def revoke_token(self, token_id: str) -> ApiToken | None: ...
    def bump_session_epoch(self, user_id: str) -> int: ...

    # cases and assessments
    def create_case(
        self,
        agency_id: str,
        case_id: str,
        *,
        actor: str,
        external_ref: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Case: ...
    def get_case(self, agency_id: str, case_id: str) -> Case: ...
    def list_cases(self, agency_id: str, *, external_ref: str | None = None) -> list[Case]: ...
    def update_case(
        self, agency_id: str, case_id: str, *, actor: str, external_ref: str | None, metadata: dict[str, Any]
    ) -> Case: ...
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
    ) -> tuple[AssessmentRecord, Revision]: ...
    def get_assessment(self, agency_id: str, assessment_id: str) -> AssessmentRecord: ...
    def list_assessments(
        self, agency_id: str, *, case_id: str | None = None, where: AssessmentFilter | None = None
    ) -> list[AssessmentRecord]: ...
    def save_revision(
        self, agency_id: str, assessment_id: str, *, base: int, content: dict[str, Any], actor: str
    ) -> Revision: ...
    def finalise(
        self,
        agency_id: str,
        assessment_id: str,
        *,
        base: int,
        content: dict[str, Any],
        actor: str,
        referred_to: Sequence[str] = (),
    ) -> Revision: ...
    def countersign(
        self, agency_id: str, assessment_id: str, *, actor: str, comment: str | None = None
    ) -> AssessmentRecord: ...
    def append_status_update(
        self, agency_id: str, assessment_id: str, *, base: int, content: dict[str, Any], actor: str
    ) -> Revision: ...
    def get_revision(self, agency_id: str, assessment_id: str, number: int | None = None) -> Revision: ...
    def list_revisions(self, agency_id: str, assessment_id: str) -> list[Revision]: ...
    def record(
        self, agency_id: str, *, actor: str, action: str, assessment_id: str | None, revision: int | None, detail: str
    ) -> None: ...
    def audit_events(self, agency_id: str, *, assessment_id: str | None = None) -> list[AuditEvent]: ...

    # integrity
    @property
    def keyring(self) -> Keyring: ...
    def verify(self, *, against: tuple[int, str] | None = None) -> list[Finding]: ...
    def audit_head(self) -> tuple[int, str]: ...
