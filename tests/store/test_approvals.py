"""Feedback-note approvals given in the workspace, in every store: one per consultation and agency, audited once."""

from __future__ import annotations

import pytest

from spj.store import MemoryStore
from spj.store.approvals import ACTION
from spj.store.interface import NotFoundError
from spj.store.sql import SqlStore


def test_an_approval_is_kept_once_and_audited_once(store: MemoryStore | SqlStore) -> None:
    store.create_agency("cell-x", "Cell X")
    store.create_agency("care-z", "Care Z")
    assert store.approvals.of("CC-1") == []
    first, new = store.approvals.approve("CC-1", "cell-x", actor_id="u-1", username="cora")
    assert new and (first.consultation_id, first.agency_id, first.username) == ("CC-1", "cell-x", "cora")
    again, new_again = store.approvals.approve("CC-1", "cell-x", actor_id="u-2", username="carl")
    assert not new_again and again == first  # idempotent: the first approval stands
    store.approvals.approve("CC-1", "care-z", actor_id="u-3", username="zora")
    store.approvals.approve("CC-2", "cell-x", actor_id="u-1", username="cora")
    assert [a.agency_id for a in store.approvals.of("CC-1")] == ["cell-x", "care-z"]
    audited = [(e.action, e.actor_id, e.detail) for e in store.audit_events("cell-x")]
    assert audited == [(ACTION, "u-1", "CC-1"), (ACTION, "u-1", "CC-2")]
    assert store.verify() == []


def test_an_approval_for_an_agency_the_store_does_not_know_writes_nothing(store: MemoryStore | SqlStore) -> None:
    with pytest.raises(NotFoundError):
        store.approvals.approve("CC-1", "nowhere", actor_id="u-1", username="cora")
    assert store.approvals.of("CC-1") == []


def test_the_approvals_table_is_append_only(sql_store: SqlStore) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    sql_store.create_agency("cell-x", "Cell X")
    sql_store.approvals.approve("CC-1", "cell-x", actor_id="u-1", username="cora")
    with pytest.raises(DBAPIError), sql_store.engine.begin() as conn:
        conn.execute(text("DELETE FROM consultation_approvals"))
    assert len(sql_store.approvals.of("CC-1")) == 1


def test_a_racing_second_approval_returns_the_first_and_writes_nothing(
    sql_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import spj.store.approvals as approvals

    sql_store.create_agency("cell-x", "Cell X")
    first, _ = sql_store.approvals.approve("CC-1", "cell-x", actor_id="u-1", username="cora")
    real = approvals._find
    calls: list[int] = []

    def blind_once(*args: object) -> object:  # the racing request read before the first one committed
        calls.append(1)
        return None if len(calls) == 1 else real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(approvals, "_find", blind_once)
    again, new = sql_store.approvals.approve("CC-1", "cell-x", actor_id="u-2", username="carl")
    assert (again, new) == (first, False)
    assert [e.action for e in sql_store.audit_events("cell-x")] == [ACTION]
