"""Double ratings (issue 10): a blind second rating of an assessment, and the consensus recorded after it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from spj.store.tables import UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels = None
depends_on = None

ID = 200
RATINGS = "double_ratings"
CONSENSUS = "double_rating_consensus"


def upgrade() -> None:
    op.create_table(
        RATINGS,
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("case_id", sa.String(ID), nullable=False),
        sa.Column("first_id", sa.String(ID), nullable=False),
        sa.Column("second_id", sa.String(ID), nullable=False),
        sa.Column("second_rater", sa.String(ID), nullable=False),
        sa.Column("requested_by", sa.String(ID), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_double_ratings"),
        sa.UniqueConstraint("first_id", name="uq_double_ratings_first_id"),
        sa.UniqueConstraint("second_id", name="uq_double_ratings_second_id"),
    )
    op.create_index("ix_double_ratings_case", RATINGS, ["agency_id", "case_id"])
    op.create_table(
        CONSENSUS,
        sa.Column("double_rating_id", sa.String(ID), nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("assessment_id", sa.String(ID), nullable=False),
        sa.Column("actor_id", sa.String(ID), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("double_rating_id", name="pk_double_rating_consensus"),
    )
    _append_only(RATINGS)
    _append_only(CONSENSUS)


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
    raise NotImplementedError("double ratings are append-only; restore a backup instead of downgrading")
