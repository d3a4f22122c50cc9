"""Double ratings in every store: one per first rating, scoped by agency, audited; the consensus kept once."""

from __future__ import annotations

import datetime as dt

import pytest

from spj.errors import Code, StoreError
from spj.store import MemoryStore
from spj.store.double_ratings import CONSENSUS_ACTION, REQUEST_ACTION, Consensus, ConsensusItem, DoubleRating
from spj.store.interface import NotFoundError
from spj.store.sql import SqlStore

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _rating(rating_id: str = "DR-1", first: str = "A-1", second: str = "A-2") -> DoubleRating:
    return DoubleRating(rating_id, "hoj-gent", "CASE-1", first, second, "u-bert", "u-alice", AT)


def _setup(store: MemoryStore | SqlStore, *ids: str) -> None:
    store.create_agency("hoj-gent", "Gent")
    store.create_agency("hoj-brugge", "Brugge")
    store.create_case("hoj-gent", "CASE-1", actor="u-alice")
    for assessment_id in ids or ("A-1", "A-2", "A-3", "A-9"):
        store.create_assessment(
            "hoj-gent",
            assessment_id=assessment_id,
            case_id="CASE-1",
            instrument_id="demo",
            instrument_version="1.0.0",
            content={"id": assessment_id},
            actor="u-alice",
        )


def test_a_double_rating_is_kept_once_per_first_rating_and_audited(store: MemoryStore | SqlStore) -> None:
    _setup(store)
    kept = store.double_ratings.add(_rating())
    assert store.double_ratings.get("hoj-gent", "DR-1") == kept
    assert store.double_ratings.of_assessment("hoj-gent", "A-1") == kept
    assert store.double_ratings.of_assessment("hoj-gent", "A-2") == kept
    assert store.double_ratings.of_assessment("hoj-gent", "A-3") is None
    assert store.double_ratings.of_case("hoj-gent", "CASE-1") == [kept]
    assert store.double_ratings.of_case("hoj-gent", "CASE-2") == []
    with pytest.raises(StoreError) as caught:
        store.double_ratings.add(_rating("DR-2", second="A-3"))  # A-1 has its second rating already
    assert caught.value.problems[0].code == Code.CONFLICT
    # another agency finds nothing
    with pytest.raises(NotFoundError):
        store.double_ratings.get("hoj-brugge", "DR-1")
    assert store.double_ratings.of_agency("hoj-brugge") == []
    assert store.double_ratings.of_assessment("hoj-brugge", "A-1") is None
    audited = [(e.action, e.assessment_id, e.detail) for e in store.audit_events("hoj-gent")]
    assert audited[-1] == (REQUEST_ACTION, "A-1", "DR-1")
    assert [a for a, _, _ in audited].count(REQUEST_ACTION) == 1
    assert store.verify() == []


def test_the_consensus_is_kept_once(store: MemoryStore | SqlStore) -> None:
    _setup(store)
    store.double_ratings.add(_rating())
    items = (ConsensusItem("I1.presence", "yes", "no", "partial", "Synthetic note: both read the file."),)
    consensus = Consensus("DR-1", "hoj-gent", "A-9", "u-alice", AT, items)
    assert store.double_ratings.consensus_of("hoj-gent", "DR-1") is None
    store.double_ratings.add_consensus(consensus)
    assert store.double_ratings.consensus_of("hoj-gent", "DR-1") == consensus
    assert store.double_ratings.consensus_of("hoj-brugge", "DR-1") is None
    with pytest.raises(StoreError):
        store.double_ratings.add_consensus(consensus)
    actions = [e.action for e in store.audit_events("hoj-gent")]
    assert actions[-2:] == [REQUEST_ACTION, CONSENSUS_ACTION] and actions.count(CONSENSUS_ACTION) == 1
    assert store.verify() == []


def test_a_double_rating_for_an_unknown_agency_writes_nothing(sql_store: SqlStore) -> None:
    with pytest.raises(NotFoundError):
        sql_store.double_ratings.add(_rating())
    assert sql_store.double_ratings.of_agency("hoj-gent") == []


@pytest.mark.parametrize("table", ["double_ratings", "double_rating_consensus"])
def test_the_double_rating_tables_are_append_only(sql_store: SqlStore, table: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    _setup(sql_store)
    sql_store.double_ratings.add(_rating())
    sql_store.double_ratings.add_consensus(Consensus("DR-1", "hoj-gent", "A-9", "u-alice", AT, ()))
    with pytest.raises(DBAPIError), sql_store.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {table}"))
    assert sql_store.double_ratings.get("hoj-gent", "DR-1").second_id == "A-2"
