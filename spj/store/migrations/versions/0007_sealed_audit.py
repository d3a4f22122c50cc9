"""The sealed audit trail (issue 13): a global and a per-assessment sequence, HMAC seals on the audit chain and
on each assessment's state.

Existing rows are sealed as they stand, in the order they were written, with
the key of the migrating process (`spj.store.keys`): the trail proves from then
on that nothing was changed, not that nothing was changed before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from spj.store.disclosures import seal_disclosure
from spj.store.hashing import iso_time
from spj.store.keys import Keyring
from spj.store.ledger import GENESIS, REVISION_ACTIONS, STATE_ACTIONS, EntryFacts
from spj.store.tables import UtcDateTime
from spj.store.verification import StoredState, state_facts

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None

HASH = 64
KEY_ID = 100
ID = 200
BATCH = 1000

_audit = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("at", UtcDateTime()),
    sa.column("actor_id", sa.String()),
    sa.column("agency_id", sa.String()),
    sa.column("action", sa.String()),
    sa.column("assessment_id", sa.String()),
    sa.column("revision", sa.Integer()),
    sa.column("detail", sa.Text()),
    sa.column("seq", sa.Integer()),
    sa.column("assessment_seq", sa.Integer()),
    sa.column("revision_sha256", sa.String()),
    sa.column("key_id", sa.String()),
    sa.column("prev_mac", sa.String()),
    sa.column("mac", sa.String()),
)
_revisions = sa.table(
    "revisions", sa.column("assessment_id", sa.String()), sa.column("number", sa.Integer()), sa.column("chain_sha256")
)
_assessments = sa.table(
    "assessments",
    *(
        sa.column(name, sa.String())
        for name in (
            "id",
            "agency_id",
            "case_id",
            "instrument_id",
            "instrument_version",
            "status",
            "previous_id",
            "amends_id",
            "created_by",
            "countersigned_by",
            "state_key_id",
            "state_mac",
        )
    ),
    sa.column("head", sa.Integer()),
    sa.column("state_seq", sa.Integer()),
    *(sa.column(name, UtcDateTime()) for name in ("created_at", "finalised_at", "countersigned_at")),
)


def upgrade() -> None:
    with op.batch_alter_table("audit_events", recreate="never") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("assessment_seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("revision_sha256", sa.String(HASH), nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(KEY_ID), nullable=True))
        batch.add_column(sa.Column("prev_mac", sa.String(HASH), nullable=True))
        batch.add_column(sa.Column("mac", sa.String(HASH), nullable=True))
    op.create_index("ix_audit_events_seq", "audit_events", ["seq"], unique=True)
    with op.batch_alter_table("assessments", recreate="never") as batch:
        batch.add_column(sa.Column("state_seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("state_key_id", sa.String(KEY_ID), nullable=True))
        batch.add_column(sa.Column("state_mac", sa.String(HASH), nullable=True))
    with op.batch_alter_table("disclosures", recreate="never") as batch:
        batch.add_column(sa.Column("key_id", sa.String(KEY_ID), nullable=True))
        batch.add_column(sa.Column("mac", sa.String(HASH), nullable=True))
    keyring = context.config.attributes.get("keyring")
    if isinstance(keyring, Keyring):
        with _writable("audit_events"):
            state_seqs = _seal_entries(keyring)
        _seal_states(keyring, state_seqs)
        with _writable("disclosures"):
            _seal_disclosures(keyring)


@contextmanager
def _writable(table: str) -> Iterator[None]:
    """The append-only trigger on UPDATE of `table` out of the way while the existing rows get their seals."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    else:
        op.execute(f"DROP TRIGGER {table}_no_update")
    yield
    if postgresql:
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    else:
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'spj: {table} is append-only: UPDATE refused'); END"
        )


def _seal_disclosures(keyring: Keyring) -> None:
    conn = op.get_bind()
    table = sa.table(
        "disclosures", sa.column("seq", sa.Integer()), sa.column("hash"), sa.column("key_id"), sa.column("mac")
    )
    for row in conn.execute(sa.select(table.c.seq, table.c.hash)).all():
        key_id, mac = seal_disclosure(keyring, row.hash)
        conn.execute(sa.update(table).where(table.c.seq == row.seq).values(key_id=key_id, mac=mac))


def _seal_entries(keyring: Keyring) -> dict[str, int]:
    """Seal every audit row in the order written; the seq of each assessment's last state change."""
    conn = op.get_bind()
    chains = {
        (r.assessment_id, r.number): r.chain_sha256
        for r in conn.execute(sa.select(_revisions.c.assessment_id, _revisions.c.number, _revisions.c.chain_sha256))
    }
    seq, prev, last_id = 0, GENESIS, -1
    per_assessment: dict[str, int] = {}
    state_seqs: dict[str, int] = {}
    while True:
        rows = conn.execute(sa.select(_audit).where(_audit.c.id > last_id).order_by(_audit.c.id).limit(BATCH)).all()
        if not rows:
            return state_seqs
        for row in rows:
            seq += 1
            values = _entry_values(row, seq, prev, per_assessment, chains, keyring)
            conn.execute(sa.update(_audit).where(_audit.c.id == row.id).values(**values))
            if row.assessment_id is not None and row.action in STATE_ACTIONS:
                state_seqs[row.assessment_id] = seq
            prev, last_id = values["mac"], row.id


def _entry_values(
    row: Any,
    seq: int,
    prev: str,
    per_assessment: dict[str, int],
    chains: dict[tuple[str, int], str],
    keyring: Keyring,
) -> dict[str, Any]:
    assessment_seq = None
    if row.assessment_id is not None:
        assessment_seq = per_assessment[row.assessment_id] = per_assessment.get(row.assessment_id, 0) + 1
    revision_sha256 = chains.get((row.assessment_id, row.revision)) if row.action in REVISION_ACTIONS else None
    facts = EntryFacts(
        seq=seq,
        assessment_seq=assessment_seq,
        at=iso_time(row.at),
        actor_id=row.actor_id,
        agency_id=row.agency_id,
        action=row.action,
        assessment_id=row.assessment_id,
        revision=row.revision,
        detail=row.detail,
        revision_sha256=revision_sha256,
        prev_mac=prev,
    )
    key_id, mac = keyring.sign(facts.canonical())
    return {
        "seq": seq,
        "assessment_seq": assessment_seq,
        "revision_sha256": revision_sha256,
        "key_id": key_id,
        "prev_mac": prev,
        "mac": mac,
    }


def _seal_states(keyring: Keyring, state_seqs: dict[str, int]) -> None:
    conn = op.get_bind()
    for row in conn.execute(sa.select(_assessments)).all():
        head_sha256 = conn.execute(
            sa.select(_revisions.c.chain_sha256).where(
                _revisions.c.assessment_id == row.id, _revisions.c.number == row.head
            )
        ).scalar()
        # the columns of this revision of the schema (later ones, such as 0008's comment, keep their default)
        fields = [name for name in StoredState.__dataclass_fields__ if name in row._fields]
        state = StoredState(**{name: getattr(row, name) for name in fields})
        seq = state_seqs.get(row.id, 0)
        key_id, mac = keyring.sign(state_facts(state, head_sha256 or "", seq).canonical())
        conn.execute(
            sa.update(_assessments)
            .where(_assessments.c.id == row.id)
            .values(state_seq=seq, state_key_id=key_id, state_mac=mac)
        )


def downgrade() -> None:
    raise NotImplementedError("the store's history is append-only; restore a backup instead of downgrading")
