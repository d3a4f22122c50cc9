"""What the store keeps for partners, on every store: partner accounts, the referral index, and the disclosure log
(append-only, hash-chained, verified)."""

from __future__ import annotations

import dataclasses
import threading

import pytest
import sqlalchemy as sa

from spj.store import MemoryStore, SqlStore
from spj.store.disclosures import Disclosure

Store = MemoryStore | SqlStore


def _seed(store: Store) -> None:
    store.create_agency("hoj", "House of justice (synthetic)")
    store.create_agency("care", "Care centre (synthetic)")
    store.create_case("hoj", "case-1", actor="u")
    for n in (1, 2):
        store.create_assessment(
            "hoj",
            assessment_id=f"as-{n}",
            case_id="case-1",
            instrument_id="example",
            instrument_version="1.0.0",
            content={"n": n},
            actor="u",
        )


def _shown(case: str = "case-1", agency: str = "care") -> Disclosure:
    return Disclosure(
        by="carla",
        agency=agency,
        from_agency="hoj",
        case=case,
        assessment="as-1",
        sections=("case", "plan.own"),
        basis="Consent of the client",
        channel="web",
    )


def test_a_partner_account(store: Store) -> None:
    _seed(store)
    user = store.create_user(
        username="carla", display_name="Carla", role="partner", agency_id="care", password_hash="x"
    )
    assert store.get_user_by_username("carla") == user and user.role == "partner"


def test_the_referral_index_lists_where_a_partners_referrals_may_be(store: Store) -> None:
    _seed(store)
    store.referrals.index("hoj", "as-1", ["care", "school"])
    store.referrals.index("hoj", "as-2", ["care"])
    store.referrals.index("hoj", "as-1", ["care"])  # indexing again changes nothing
    assert store.referrals.candidates("care") == [("hoj", "as-1"), ("hoj", "as-2")]
    assert store.referrals.candidates("school") == [("hoj", "as-1")]
    assert store.referrals.candidates("police") == []
    store.referrals.index("hoj", "as-2", [])
    assert len(store.referrals.candidates("care")) == 2


def test_the_disclosure_log_is_hash_chained_and_verified(store: Store) -> None:
    _seed(store)
    first = store.disclosures.append(_shown())
    second = store.disclosures.append(_shown(case="case-2", agency="school"))
    assert (first["seq"], second["seq"]) == (1, 2)
    assert first["prev"] == "0" * 64 and second["prev"] == first["hash"]
    assert first["sections"] == ["case", "plan.own"] and first["by"] == "carla" and first["channel"] == "web"
    assert [e["seq"] for e in store.disclosures.entries(case="case-1")] == [1]
    assert [e["seq"] for e in store.disclosures.entries(from_agency="hoj")] == [1, 2]
    assert store.disclosures.entries(case="case-1", from_agency="other") == []
    assert store.disclosures.entries() == [first, second]  # read back exactly as written and hashed
    assert store.disclosures.verify() == [] and store.disclosures.count() == 2


def test_concurrent_appends_keep_one_chain(store: Store) -> None:
    _seed(store)
    errors: list[BaseException] = []

    def append() -> None:
        try:
            for _ in range(5):
                store.disclosures.append(_shown())
        except BaseException as exc:  # the test reports it below
            errors.append(exc)

    threads = [threading.Thread(target=append) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [e["seq"] for e in store.disclosures.entries()] == list(range(1, 21))
    assert store.disclosures.verify() == []


def _tamper(store: Store, change: str) -> None:
    if isinstance(store, MemoryStore):
        entries = store.disclosures._entries
        if change == "basis":
            entries[0] = {**entries[0], "basis": "Nothing at all"}
        else:
            del entries[0]
        return
    statement = {
        "basis": "UPDATE disclosures SET basis = 'Nothing at all' WHERE seq = 1",
        "delete": "DELETE FROM disclosures WHERE seq = 1",
    }[change]
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"ALTER TABLE disclosures DISABLE TRIGGER USER; {statement}")
        else:
            conn.exec_driver_sql("DROP TRIGGER disclosures_no_update")
            conn.exec_driver_sql("DROP TRIGGER disclosures_no_delete")
            conn.exec_driver_sql(statement)


@pytest.mark.parametrize(("change", "expected"), [("basis", "changed after"), ("delete", "missing or moved")])
def test_an_edited_or_removed_disclosure_is_detected(store: Store, change: str, expected: str) -> None:
    _seed(store)
    for _ in range(3):
        store.disclosures.append(_shown())
    _tamper(store, change)
    problems = store.disclosures.verify()
    assert problems and any(expected in p for p in problems), problems
    assert all(p.startswith("disclosure ") for p in problems)


@pytest.mark.parametrize("statement", ["UPDATE disclosures SET basis = 'x'", "DELETE FROM disclosures"])
def test_the_database_refuses_to_change_a_disclosure(sql_store: SqlStore, statement: str) -> None:
    _seed(sql_store)
    sql_store.disclosures.append(_shown())
    with pytest.raises(sa.exc.DBAPIError), sql_store.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    assert sql_store.disclosures.count() == 1 and sql_store.disclosures.verify() == []


def test_disclosure_is_a_plain_value() -> None:
    shown = _shown()
    assert dataclasses.replace(shown, channel="api").channel == "api" and shown.channel == "web"


def _event(store: Store, referral: str, kind: str, **data: object) -> object:
    return store.referrals.append_event(
        referral_id=referral,
        partner_agency_id="care",
        agency_id="hoj",
        case_id="case-1",
        actor_id="u-carla",
        by="carla",
        kind=kind,
        data=dict(data),
    )


def test_delivery_events_are_appended_and_read_back_per_referral(store: Store) -> None:
    _seed(store)
    first = _event(store, "R-1", "accept")
    _event(store, "R-2", "decline", reason="No place before spring.")
    _event(store, "R-1", "session", date="2027-02-01", attended=True)
    _event(store, "R-1", "note", text="Synthetic note, secret.", secret=True)
    events = store.referrals.events(["R-1"])
    assert [(e.kind, e.data) for e in events] == [
        ("accept", {}),
        ("session", {"date": "2027-02-01", "attended": True}),
        ("note", {"text": "Synthetic note, secret.", "secret": True}),
    ]
    assert events[0] == first and events[0].by == "carla" and events[0].partner_agency_id == "care"
    assert [e.referral_id for e in store.referrals.events(["R-1", "R-2"])] == ["R-1", "R-2", "R-1", "R-1"]
    assert store.referrals.events([]) == [] and store.referrals.events(["R-9"]) == []


@pytest.mark.parametrize("statement", ["UPDATE referral_events SET kind = 'x'", "DELETE FROM referral_events"])
def test_the_database_refuses_to_change_a_delivery_event(sql_store: SqlStore, statement: str) -> None:
    _seed(sql_store)
    _event(sql_store, "R-1", "accept")
    with pytest.raises(sa.exc.DBAPIError), sql_store.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    assert len(sql_store.referrals.events(["R-1"])) == 1
