"""Initial schema: agencies, users, API tokens, cases, assessments, append-only revisions and audit events.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from spj.store.tables import UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

ID = 200
HASH = 64
APPEND_ONLY = ("revisions", "audit_events")


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("name", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agencies"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(400), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("password_hash", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name="fk_users_agency_id_agencies"),
        sa.CheckConstraint("role IN ('assessor', 'reviewer', 'administrator')", name="ck_users_role"),
    )
    op.create_index("ix_users_agency_id", "users", ["agency_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("token_sha256", sa.String(HASH), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_sha256", name="uq_api_tokens_token_sha256"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name="fk_api_tokens_agency_id_agencies"),
    )
    op.create_index("ix_api_tokens_agency_id", "api_tokens", ["agency_id"])
    op.create_table(
        "cases",
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(ID), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "id", name="pk_cases"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name="fk_cases_agency_id_agencies"),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("case_id", sa.String(ID), nullable=False),
        sa.Column("instrument_id", sa.String(200), nullable=False),
        sa.Column("instrument_version", sa.String(100), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("head", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.String(ID), nullable=True),
        sa.Column("amends_id", sa.String(ID), nullable=True),
        sa.Column("created_by", sa.String(ID), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("finalised_at", UtcDateTime(), nullable=True),
        sa.Column("countersigned_by", sa.String(ID), nullable=True),
        sa.Column("countersigned_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_assessments"),
        sa.ForeignKeyConstraint(
            ["agency_id", "case_id"], ["cases.agency_id", "cases.id"], name="fk_assessments_case_cases"
        ),
        sa.ForeignKeyConstraint(["previous_id"], ["assessments.id"], name="fk_assessments_previous_id_assessments"),
        sa.ForeignKeyConstraint(["amends_id"], ["assessments.id"], name="fk_assessments_amends_id_assessments"),
        sa.CheckConstraint("status IN ('draft', 'final')", name="ck_assessments_status"),
        sa.CheckConstraint("head >= 1", name="ck_assessments_head"),
    )
    op.create_index("ix_assessments_agency_case", "assessments", ["agency_id", "case_id"])
    op.create_table(
        "revisions",
        sa.Column("assessment_id", sa.String(ID), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(ID), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(HASH), nullable=False),
        sa.Column("previous_chain_sha256", sa.String(HASH), nullable=True),
        sa.Column("chain_sha256", sa.String(HASH), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id", "number", name="pk_revisions"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], name="fk_revisions_assessment_id_assessments"),
        sa.CheckConstraint("status IN ('draft', 'final')", name="ck_revisions_status"),
        sa.CheckConstraint("number >= 1", name="ck_revisions_number"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.String(ID), nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("assessment_id", sa.String(ID), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name="fk_audit_events_agency_id_agencies"),
    )
    op.create_index("ix_audit_events_agency_assessment", "audit_events", ["agency_id", "assessment_id"])
    _append_only_triggers()


def _append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on revisions and audit events, whoever connects."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION spj_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'spj: % is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'integrity_constraint_violation';
            END
            $$
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION spj_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION spj_refuse_change()"
            )
    else:
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'spj: {table} is append-only: {event} refused'); END"
                )


def downgrade() -> None:
    raise NotImplementedError("the store's history is append-only; restore a backup instead of downgrading")
