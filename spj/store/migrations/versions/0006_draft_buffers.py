"""Autosave (issue 9): unsaved work kept per person and draft, apart from the revisions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from spj.store.tables import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None

ID = 200


def upgrade() -> None:
    op.create_table(
        "draft_buffers",
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("assessment_id", sa.String(ID), nullable=False),
        sa.Column("user_id", sa.String(ID), nullable=False),
        sa.Column("base", sa.Integer(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("saved_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "assessment_id", "user_id", name="pk_draft_buffers"),
    )


def downgrade() -> None:
    op.drop_table("draft_buffers")
