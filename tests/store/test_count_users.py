"""`count_users`, on every store: what `spj serve` asks before it creates demo accounts. Synthetic data only."""

from __future__ import annotations

from spj.store import MemoryStore, SqlStore


def test_count_users_by_role(store: MemoryStore | SqlStore) -> None:
    store.create_agency("north", "Agency north")
    assert store.count_users() == 0 and store.count_users(role="administrator") == 0
    for name, role in (("ann", "assessor"), ("ada", "administrator"), ("al", "assessor")):
        store.create_user(username=name, display_name=name, role=role, agency_id="north", password_hash="x")
    assert store.count_users() == 3
    assert store.count_users(role="administrator") == 1 and store.count_users(role="assessor") == 2
    assert store.count_users(role="partner") == 0
