"""API tokens carry a scope and an expiry, and can be listed (issue 12, point 8), on every store alike."""

from __future__ import annotations

import datetime as dt

from spj.store.interface import Store


def _seed(store: Store) -> None:
    store.create_agency("north", "North (synthetic)")
    store.create_agency("south", "South (synthetic)")


def test_scope_and_expiry_are_kept(store: Store) -> None:
    _seed(store)
    expires = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    token = store.create_token(
        agency_id="north", name="cms1 reader", token_sha256="ab" * 32, scope="read", expires_at=expires
    )
    found = store.find_token("ab" * 32)
    assert found == token
    assert found is not None and found.scope == "read" and found.expires_at == expires


def test_default_scope_is_write_without_expiry(store: Store) -> None:
    _seed(store)
    store.create_token(agency_id="north", name="cms1 api", token_sha256="cd" * 32)
    found = store.find_token("cd" * 32)
    assert found is not None and found.scope == "write" and found.expires_at is None


def test_list_tokens_by_agency_keeps_revoked_ones(store: Store) -> None:
    _seed(store)
    a = store.create_token(agency_id="north", name="a api", token_sha256="01" * 32)
    b = store.create_token(agency_id="north", name="b api", token_sha256="02" * 32, scope="read")
    c = store.create_token(agency_id="south", name="c api", token_sha256="03" * 32)
    store.revoke_token(a.id)
    north = store.list_tokens("north")
    assert {t.id for t in north} == {a.id, b.id}
    assert [t.created_at for t in north] == sorted(t.created_at for t in north)  # oldest first
    by_id = {t.id: t for t in north}
    assert by_id[a.id].revoked_at is not None and by_id[b.id].revoked_at is None
    assert {t.id for t in store.list_tokens()} == {a.id, b.id, c.id}
    assert store.list_tokens("nowhere") == []
