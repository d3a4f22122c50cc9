"""API tokens get a scope and an expiry (issue 12, point 8): `scope` ("read" or "write") and `expires_at`.

Tokens made before this migration keep what they could do: scope "write", no expiry.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from spj.store.tables import UtcDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scope", sa.String(10), server_default=sa.text("'write'"), nullable=False))
        batch.add_column(sa.Column("expires_at", UtcDateTime(), nullable=True))
        batch.create_check_constraint(op.f("ck_api_tokens_scope"), "scope IN ('read', 'write')")


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_scope"), type_="check")
        batch.drop_column("expires_at")
        batch.drop_column("scope")
