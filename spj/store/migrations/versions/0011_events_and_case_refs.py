"""The event feed's outbox, and what a case system calls a case (issue 12).

`events`: one row per change, written in the change's transaction (append-only).
`cases.external_ref` (unique per agency) and `cases.metadata_json`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from spj.store.tables import UtcDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels = None
depends_on = None

ID = 200
TABLE = "events"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("case_id", sa.String(ID), nullable=True),
        sa.Column("assessment_id", sa.String(ID), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("referral_id", sa.String(ID), nullable=True),
        sa.Column("partners", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    op.create_index("ix_events_agency_id", TABLE, ["agency_id", "id"])
    _append_only(TABLE)
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("external_ref", sa.String(ID), nullable=True))
        batch.add_column(sa.Column("metadata_json", sa.Text(), nullable=True))
    op.create_index("ux_cases_agency_external_ref", "cases", ["agency_id", "external_ref"], unique=True)


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
    raise NotImplementedError("the event feed is append-only; restore a backup instead of downgrading")
