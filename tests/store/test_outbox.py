"""The outbox on every store: each change writes its event in the same transaction, in order, per agency; the
delivery rows of web hooks; idempotency keys; cases with an external reference (issue 12)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from spj.disclosure.hooks import EVENT_KINDS
from spj.errors import StoreError
from spj.store import ConflictError, MemoryStore, NotFoundError, SqlStore
from spj.store.hashing import utc_now
from spj.store.idempotency import StoredResponse
from spj.store.outbox import KINDS

Store = MemoryStore | SqlStore
DRAFT: dict[str, Any] = {"format": "spj-assessment/2", "status": "draft", "formulation": "Synthetic words."}
FINAL: dict[str, Any] = {
    **DRAFT,
    "status": "final",
    "plan": {"decisions": {"guidance": {"decision": "accept", "partner": {"agency": "care-example"}}}},
}


def _draft(store: Store, agency: str = "north", assessment_id: str = "as-1", case_id: str = "case-1") -> None:
    store.create_case(agency, case_id, actor="u")
    store.create_assessment(
        agency,
        assessment_id=assessment_id,
        case_id=case_id,
        instrument_id="example",
        instrument_version="1.0.0",
        content=DRAFT,
        actor="u",
    )


@pytest.fixture
def agencies(store: Store) -> Store:
    store.create_agency("north", "North")
    store.create_agency("south", "South")
    return store


def _kinds(store: Store, agency: str = "north") -> list[tuple[str, str | None, int | None]]:
    return [(e.kind, e.assessment_id, e.revision) for e in store.events.after(agency, 0, limit=100)]


def test_the_kinds_of_the_feed_are_the_kinds_a_hook_may_name() -> None:
    assert set(KINDS) == set(EVENT_KINDS)


def test_every_change_writes_its_event_in_order(agencies: Store) -> None:
    store = agencies
    _draft(store)
    store.save_revision("north", "as-1", base=1, content=DRAFT, actor="u")
    store.finalise("north", "as-1", base=2, content=FINAL, actor="u", referred_to=["care-example"])
    store.countersign("north", "as-1", actor="r")
    store.record("north", actor="r", action="return-to-assessor", assessment_id="as-1", revision=3, detail="why")
    store.append_status_update("north", "as-1", base=3, content=FINAL, actor="u")
    store.record("north", actor="u", action="read", assessment_id="as-1", revision=4, detail="")  # no event
    assert _kinds(store) == [
        ("case-created", None, None),
        ("created", "as-1", 1),
        ("saved", "as-1", 2),
        ("finalised", "as-1", 3),
        ("referred", "as-1", 3),
        ("countersigned", "as-1", 3),
        ("returned", "as-1", 3),
        ("delivery-updated", "as-1", 4),
    ]
    events = store.events.after("north", 0, limit=100)
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert {e.case_id for e in events} == {"case-1"}
    assert events[4].partners == ("care-example",)
    # ids, kinds, revisions, times: no text of the case, not even the return's comment
    assert "why" not in repr(events) and "Synthetic" not in repr(events)


def test_another_agencys_events_never_appear(agencies: Store) -> None:
    store = agencies
    _draft(store, "north")
    _draft(store, "south", "as-2", "case-2")
    assert {e.agency_id for e in store.events.after("north", 0, limit=100)} == {"north"}
    assert [e.assessment_id for e in store.events.after("south", 0, limit=100) if e.assessment_id] == ["as-2"]


def test_the_feed_goes_on_after_a_position(agencies: Store) -> None:
    store = agencies
    _draft(store)
    first = store.events.after("north", 0, limit=1)
    assert [e.kind for e in first] == ["case-created"]
    rest = store.events.after("north", first[-1].id, limit=10)
    assert [e.kind for e in rest] == ["created"]
    assert store.events.after("north", rest[-1].id, limit=10) == []
    assert store.events.last_id() == rest[-1].id
    assert [e.kind for e in store.events.after("north", 0, limit=10, kinds=["created"])] == ["created"]


def test_a_refused_save_writes_no_event(agencies: Store) -> None:
    store = agencies
    _draft(store)
    before = _kinds(store)
    with pytest.raises(ConflictError):
        store.save_revision("north", "as-1", base=7, content=DRAFT, actor="u")
    with pytest.raises(NotFoundError):
        store.save_revision("south", "as-1", base=1, content=DRAFT, actor="u")
    assert _kinds(store) == before


def test_a_change_that_fails_late_leaves_no_event(sql_store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The event and the change commit together: a failure after the event row rolls both back."""
    store = sql_store
    store.create_agency("north", "North")
    _draft(store)
    before = _kinds(store)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise StoreError("the seal failed")

    monkeypatch.setattr(store, "_seal", broken)
    with pytest.raises(StoreError):
        store.finalise("north", "as-1", base=1, content=FINAL, actor="u", referred_to=["care-example"])
    assert _kinds(store) == before
    assert store.get_assessment("north", "as-1").head == 1


def test_the_events_table_is_append_only(sql_store: SqlStore) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    store = sql_store
    store.create_agency("north", "North")
    _draft(store)
    with pytest.raises(DBAPIError, match=r"append-only|refuse"), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM events"))
    assert len(_kinds(store)) == 2


# ---- cases with the case system's reference


def test_a_case_keeps_its_external_reference_and_metadata(agencies: Store) -> None:
    store = agencies
    store.create_case("north", "case-1", actor="u", external_ref="CMS/2026/7", metadata={"team": "east", "n": 3})
    case = store.get_case("north", "case-1")
    assert (case.external_ref, case.metadata) == ("CMS/2026/7", {"team": "east", "n": 3})
    assert [c.id for c in store.list_cases("north", external_ref="CMS/2026/7")] == ["case-1"]
    assert store.list_cases("south", external_ref="CMS/2026/7") == []
    updated = store.update_case("north", "case-1", actor="u", external_ref="CMS/2026/8", metadata={})
    assert (updated.external_ref, updated.metadata) == ("CMS/2026/8", {})
    assert [e.kind for e in store.events.after("north", 0, limit=10)] == ["case-created", "case-updated"]


def test_an_external_reference_is_unique_in_the_agency_only(agencies: Store) -> None:
    store = agencies
    store.create_case("north", "case-1", actor="u", external_ref="CMS/1")
    with pytest.raises(StoreError) as caught:
        store.create_case("north", "case-2", actor="u", external_ref="CMS/1")
    assert caught.value.codes == ["conflict"]
    store.create_case("north", "case-3", actor="u")
    with pytest.raises(StoreError):
        store.update_case("north", "case-3", actor="u", external_ref="CMS/1", metadata={})
    store.create_case("south", "case-1", actor="u", external_ref="CMS/1")  # another agency: its own numbers
    with pytest.raises(NotFoundError):
        store.update_case("south", "case-3", actor="u", external_ref=None, metadata={})


# ---- idempotency keys

NOW = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def test_an_idempotency_key_replays_refuses_or_expires(agencies: Store) -> None:
    keys = agencies.idempotency
    assert keys.begin("north", "k1", "f1", now=NOW, ttl=DAY).outcome == "new"
    assert keys.begin("north", "k1", "f1", now=NOW, ttl=DAY).outcome == "running"
    response = StoredResponse(201, {"location": "/x"}, b'{"id": "A-1"}')
    keys.finish("north", "k1", response)
    replay = keys.begin("north", "k1", "f1", now=NOW, ttl=DAY)
    assert (replay.outcome, replay.response) == ("replay", response)
    assert keys.begin("north", "k1", "f2", now=NOW, ttl=DAY).outcome == "mismatch"
    assert keys.begin("south", "k1", "f2", now=NOW, ttl=DAY).outcome == "new"  # per agency
    assert keys.begin("north", "k1", "f2", now=NOW + DAY, ttl=DAY).outcome == "new"  # expired: free again
    keys.abandon("north", "k1")
    assert keys.begin("north", "k1", "f3", now=NOW + DAY, ttl=DAY).outcome == "new"
    assert keys.purge(NOW + 3 * DAY) == 2


# ---- web hook deliveries


def test_deliveries_are_queued_once_claimed_once_and_dead_letters_retried(agencies: Store) -> None:
    store = agencies
    _draft(store)
    now = utc_now()
    assert store.hooks.enqueue("h1", "north", None, now=now) == 2
    assert store.hooks.enqueue("h1", "north", None, now=now) == 0  # never twice
    assert store.hooks.enqueue("h2", "north", ["created"], now=now) == 1
    due = store.hooks.due(now)
    assert [(d.subscription_id, d.event.kind) for d in due] == [
        ("h1", "case-created"),
        ("h1", "created"),
        ("h2", "created"),
    ]
    first = due[0]
    lease = now + dt.timedelta(seconds=60)
    assert store.hooks.claim(first, now=now, lease_until=lease)
    assert not store.hooks.claim(first, now=now, lease_until=lease)  # another worker: refused
    store.hooks.failed(first.id, error="timed out", status=None, next_attempt_at=now, dead=True)
    dead = store.hooks.list("north", state="dead")
    assert [(d.id, d.attempts, d.last_error) for d in dead] == [(first.id, 1, "timed out")]
    assert store.hooks.list("south", state="dead") == []
    with pytest.raises(NotFoundError):
        store.hooks.retry("south", first.id, now=now)
    again = store.hooks.retry("north", first.id, now=now)
    assert (again.state, again.attempts) == ("pending", 0)
    store.hooks.delivered(again.id, now=now, status=204)
    assert store.hooks.get(again.id).state == "delivered"
    assert first.id not in [d.id for d in store.hooks.due(now)]
