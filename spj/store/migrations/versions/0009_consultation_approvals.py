"""Consultation approvals (issue 8): a participating agency approves a feedback note in the workspace.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from spj.store.tables import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels = None
depends_on = None

ID = 200
TABLE = "consultation_approvals"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("consultation_id", sa.String(ID), nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("actor_id", sa.String(ID), nullable=False),
        sa.Column("username", sa.String(ID), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("consultation_id", "agency_id", name="pk_consultation_approvals"),
    )
    _append_only(TABLE)


def _append_only(table: str) -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), as 0005 does (a migration stands alone)."""
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
    raise NotImplementedError("approvals are append-only; restore a backup instead of downgrading")
