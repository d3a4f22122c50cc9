"""Idempotency keys of POST requests, and the delivery of events to web hooks (issue 12).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from spj.store.tables import UtcDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels = None
depends_on = None

ID = 200
HASH = 64


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("key", sa.String(ID), nullable=False),
        sa.Column("fingerprint", sa.String(HASH), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "key", name="pk_idempotency_keys"),
    )
    op.create_table(
        "hook_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(ID), nullable=False),
        sa.Column("agency_id", sa.String(ID), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.String(400), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_hook_deliveries"),
    )
    op.create_index(
        "ux_hook_deliveries_subscription_event", "hook_deliveries", ["subscription_id", "event_id"], unique=True
    )
    op.create_index("ix_hook_deliveries_due", "hook_deliveries", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("hook_deliveries")
    op.drop_table("idempotency_keys")
