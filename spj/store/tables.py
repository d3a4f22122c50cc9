"""The database schema, as SQLAlchemy 2 declarative models (migrations in `migrations/` create it).

Revisions and audit events are append-only: triggers installed by the
migrations refuse UPDATE and DELETE on them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = 200  # length of ids (agency, user, case, assessment): pseudonyms and uuids fit
HASH = 64
KEY_ID = 100  # an audit key's id (spj.store.keys)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC time, kept as a naive UTC timestamp (same on SQLite and PostgreSQL)."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("times stored must be timezone-aware")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AgencyRow(Base):
    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(400))


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(400))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(400))
    # bumped on sign-out and password change: a session signed with an older epoch is over
    session_epoch: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    __table_args__ = (CheckConstraint("role IN ('assessor', 'reviewer', 'administrator', 'partner')", name="role"),)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(400))
    token_sha256: Mapped[str] = mapped_column(String(HASH), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # NULL while the token is valid
    # "read" (GET only) or "write"; tokens made before 0013 keep what they could do: write
    scope: Mapped[str] = mapped_column(String(10), server_default=text("'write'"))
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # NULL: valid until revoked

    __table_args__ = (CheckConstraint("scope IN ('read', 'write')", name="scope"),)


class CaseRow(Base):
    """A case; its id (a pseudonym) is unique within its agency only."""

    __tablename__ = "cases"

    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(ID))
    # what the agency's case system calls the case (unique in the agency), and its own metadata (0011)
    external_ref: Mapped[str | None] = mapped_column(String(ID))
    metadata_json: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ux_cases_agency_external_ref", "agency_id", "external_ref", unique=True),)


class AssessmentRow(Base):
    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(ID))
    case_id: Mapped[str] = mapped_column(String(ID))
    instrument_id: Mapped[str] = mapped_column(String(200))
    instrument_version: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10))
    head: Mapped[int] = mapped_column(Integer)
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("assessments.id"))
    amends_id: Mapped[str | None] = mapped_column(ForeignKey("assessments.id"))
    created_by: Mapped[str] = mapped_column(String(ID))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    finalised_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    countersigned_by: Mapped[str | None] = mapped_column(String(ID))
    countersigned_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    countersign_comment: Mapped[str | None] = mapped_column(Text())
    # the seal of the state above (spj.store.ledger); NULL only in a database not yet sealed
    state_seq: Mapped[int | None] = mapped_column(Integer)
    state_key_id: Mapped[str | None] = mapped_column(String(KEY_ID))
    state_mac: Mapped[str | None] = mapped_column(String(HASH))

    __table_args__ = (
        ForeignKeyConstraint(
            ["agency_id", "case_id"], ["cases.agency_id", "cases.id"], name="fk_assessments_case_cases"
        ),
        Index("ix_assessments_agency_case", "agency_id", "case_id"),
        CheckConstraint("status IN ('draft', 'final')", name="status"),
        CheckConstraint("head >= 1", name="head"),
    )


class RevisionRow(Base):
    """One saved state of an assessment; never updated or deleted."""

    __tablename__ = "revisions"

    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[str] = mapped_column(String(ID))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)  # canonical JSON: exactly what content_sha256 covers
    content_sha256: Mapped[str] = mapped_column(String(HASH))
    previous_chain_sha256: Mapped[str | None] = mapped_column(String(HASH))
    chain_sha256: Mapped[str] = mapped_column(String(HASH))

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'final')", name="status"),
        CheckConstraint("number >= 1", name="number"),
    )


class AuditRow(Base):
    """Who did what, when; never updated or deleted. Holds no case content."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor_id: Mapped[str] = mapped_column(String(ID))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    action: Mapped[str] = mapped_column(String(100))
    assessment_id: Mapped[str | None] = mapped_column(String(ID))
    revision: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text)
    # the sealed chain (spj.store.ledger); NULL only in a database not yet sealed
    seq: Mapped[int | None] = mapped_column(Integer)
    assessment_seq: Mapped[int | None] = mapped_column(Integer)
    revision_sha256: Mapped[str | None] = mapped_column(String(HASH))
    key_id: Mapped[str | None] = mapped_column(String(KEY_ID))
    prev_mac: Mapped[str | None] = mapped_column(String(HASH))
    mac: Mapped[str | None] = mapped_column(String(HASH))

    __table_args__ = (
        Index("ix_audit_events_agency_assessment", "agency_id", "assessment_id"),
        Index("ix_audit_events_seq", "seq", unique=True),
    )


class ReferralIndexRow(Base):
    """Which final assessments may refer a case to a partner agency: where to look, not the referral itself.

    A referral is derived from the agreed plan of a case's current final
    assessment (`spj.service.referrals`); this index, written before each
    final revision, spares a partner's list from reading every assessment.
    A row left by a revision that then failed is harmless: the plan decides.
    """

    __tablename__ = "referral_index"

    partner_agency_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DisclosureRow(Base):
    """Every extract shown to another agency (DESIGN 4.7): appended, hash-chained, never updated or deleted."""

    __tablename__ = "disclosures"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    by: Mapped[str] = mapped_column(String(200))  # the username of who opened it
    agency_id: Mapped[str] = mapped_column(String(ID))  # the agency it was shown to
    from_agency_id: Mapped[str] = mapped_column(String(ID))  # the agency that made the assessment
    case_id: Mapped[str] = mapped_column(String(ID))
    assessment_id: Mapped[str] = mapped_column(String(ID))
    sections: Mapped[str] = mapped_column(Text)  # a JSON list
    basis: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(50))
    prev_hash: Mapped[str] = mapped_column(String(HASH))
    hash: Mapped[str] = mapped_column(String(HASH))
    # the entry's chain hash sealed with the audit key (spj.store.disclosures); NULL only before sealing
    key_id: Mapped[str | None] = mapped_column(String(KEY_ID))
    mac: Mapped[str | None] = mapped_column(String(HASH))

    __table_args__ = (Index("ix_disclosures_from_case", "from_agency_id", "case_id"),)


class ReferralEventRow(Base):
    """What a partner records about a referral: its response, the start, each session, the end, a note.

    Appended, never updated or deleted; the referral's delivery is read from
    them in order (`spj.service.delivery`). A note marked secret stays with
    the partner: it is never shown to the assessing agency.
    """

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(String(ID))
    partner_agency_id: Mapped[str] = mapped_column(String(ID))
    agency_id: Mapped[str] = mapped_column(String(ID))  # the agency that made the assessment
    case_id: Mapped[str] = mapped_column(String(ID))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor_id: Mapped[str] = mapped_column(String(ID))
    by: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    data: Mapped[str] = mapped_column(Text)  # JSON

    __table_args__ = (Index("ix_referral_events_referral", "referral_id"),)


class ConsultationApprovalRow(Base):
    """A participating agency's approval of a consultation's feedback note, given in the workspace (append-only)."""

    __tablename__ = "consultation_approvals"

    consultation_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    actor_id: Mapped[str] = mapped_column(String(ID))
    username: Mapped[str] = mapped_column(String(ID))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DoubleRatingRow(Base):
    """A second, blind rating of an assessment (spj.store.double_ratings): append-only, one per first rating."""

    __tablename__ = "double_ratings"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(ID))
    case_id: Mapped[str] = mapped_column(String(ID))
    first_id: Mapped[str] = mapped_column(String(ID), unique=True)
    second_id: Mapped[str] = mapped_column(String(ID), unique=True)
    second_rater: Mapped[str] = mapped_column(String(ID))
    requested_by: Mapped[str] = mapped_column(String(ID))
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_double_ratings_case", "agency_id", "case_id"),)


class ConsensusRow(Base):
    """The consensus of a double rating, recorded once (append-only)."""

    __tablename__ = "double_rating_consensus"

    double_rating_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(ID))
    assessment_id: Mapped[str] = mapped_column(String(ID))
    actor_id: Mapped[str] = mapped_column(String(ID))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    items: Mapped[str] = mapped_column(Text)  # JSON: [{item, first, second, value, note}]


APPEND_ONLY_TABLES = (
    "revisions",
    "audit_events",
    "disclosures",
    "referral_events",
    "consultation_approvals",
    "events",
    "double_ratings",
    "double_rating_consensus",
)


class DraftBufferRow(Base):
    """Unsaved work the workspace autosaved (spj.store.drafts): one row per person and draft, replaced freely."""

    __tablename__ = "draft_buffers"

    agency_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    base: Mapped[int] = mapped_column(Integer)
    fields: Mapped[str] = mapped_column(Text)  # the form fields as JSON: {name: [values]}
    saved_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class EventRow(Base):
    """The outbox (spj.store.outbox): one row per change, written in the change's own transaction.

    Ids only, never case text: what changed (kind), where (agency, case, assessment, revision), when.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(String(ID))
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    case_id: Mapped[str | None] = mapped_column(String(ID))
    assessment_id: Mapped[str | None] = mapped_column(String(ID))
    revision: Mapped[int | None] = mapped_column(Integer)
    referral_id: Mapped[str | None] = mapped_column(String(ID))
    partners: Mapped[str | None] = mapped_column(Text)  # a JSON list of agency ids (kind `referred`)

    __table_args__ = (Index("ix_events_agency_id", "agency_id", "id"),)


class IdempotencyKeyRow(Base):
    """A POST's `Idempotency-Key` (spj.store.idempotency): per agency, with the first response, until it expires."""

    __tablename__ = "idempotency_keys"

    agency_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    key: Mapped[str] = mapped_column(String(ID), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(HASH))  # sha256 of method, path and body
    status: Mapped[int | None] = mapped_column(Integer)  # NULL while the first request is still running
    headers: Mapped[str | None] = mapped_column(Text)  # JSON
    body: Mapped[str | None] = mapped_column(Text)  # base64 of the response body
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class HookDeliveryRow(Base):
    """The delivery of one event to one web hook subscription (spj.store.hooks): pending, delivered or dead."""

    __tablename__ = "hook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(String(ID))
    agency_id: Mapped[str] = mapped_column(String(ID))
    event_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(String(400))
    last_status: Mapped[int | None] = mapped_column(Integer)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ux_hook_deliveries_subscription_event", "subscription_id", "event_id", unique=True),
        Index("ix_hook_deliveries_due", "state", "next_attempt_at"),
    )
