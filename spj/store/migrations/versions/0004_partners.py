"""Partners (issue 8): the `partner` role, the referral index and the disclosure log in the store.

Revision ID: 0004
Revises: 0003
Create Date: 2026-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from spj.store.tables import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None

ID = 200
HASH = 64


def upgrade() -> None:
    # 0001 named it "ck_users_role" under the naming convention, which made it ck_users_ck_users_role
    role = op.f("ck_users_ck_users_role")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(role, type_="check")
        batch.create_check_constraint(role, "role IN ('assessor', 'reviewer', 'administrator', 'partner')")
    op.create_table(
        "referral_index",
        sa.Column("partner_agency_id", sa.String(ID), nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("assessment_id", sa.String(ID), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("partner_agency_id", "agency_id", "assessment_id", name="pk_referral_index"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name="fk_referral_index_assessment_id_assessments"
        ),
    )
    op.create_table(
        "disclosures",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("from_agency_id", sa.String(ID), nullable=False),
        sa.Column("case_id", sa.String(ID), nullable=False),
        sa.Column("assessment_id", sa.String(ID), nullable=False),
        sa.Column("sections", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("prev_hash", sa.String(HASH), nullable=False),
        sa.Column("hash", sa.String(HASH), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_disclosures"),
    )
    op.create_index("ix_disclosures_from_case", "disclosures", ["from_agency_id", "case_id"])
    _append_only("disclosures")


def _append_only(table: str) -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), like the revisions and audit events (0001)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION spj_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION spj_refuse_change()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'spj: {table} is append-only: {event} refused'); END"
        )


def downgrade() -> None:
    raise NotImplementedError("the store's history is append-only; restore a backup instead of downgrading")
