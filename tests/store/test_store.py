"""The store's contract, on every implementation: scoping, the revision chain, locking, append-only."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from typer.testing import CliRunner

from spj.cli.app import app
from spj.errors import StoreError
from spj.store import (
    ConflictError,
    MemoryStore,
    NotFoundError,
    SqlStore,
    open_store,
)
from spj.store.hashing import canonical_json, content_sha256
from spj.store.migrate import HEAD
from spj.store.tables import Base

Store = MemoryStore | SqlStore
CONTENT = {"format": "spj-assessment/1", "ratings": {"SO1": {"presence": "Y"}}, "note": "synthetic – ëxample"}


def doc(n: int) -> dict[str, Any]:
    return {**CONTENT, "n": n}


def seed(store: Store) -> None:
    """Two agencies, each with a case and a draft assessment."""
    for agency in ("north", "south"):
        store.create_agency(agency, f"Agency {agency}")
        store.create_case(agency, f"case-{agency}", actor=f"u-{agency}")
        store.create_assessment(
            agency,
            assessment_id=f"as-{agency}",
            case_id=f"case-{agency}",
            instrument_id="example",
            instrument_version="1.0.0",
            content=doc(1),
            actor=f"u-{agency}",
        )


def raw(store: SqlStore, statement: str) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(statement)


def without_triggers(store: SqlStore, statement: str) -> None:
    """Run `statement` with the append-only triggers out of the way (what an attacker with DB access does)."""
    if store.engine.dialect.name == "postgresql":
        raw(
            store, f"ALTER TABLE revisions DISABLE TRIGGER USER; {statement}; ALTER TABLE revisions ENABLE TRIGGER USER"
        )
    else:
        raw(store, "DROP TRIGGER revisions_no_update")
        raw(store, "DROP TRIGGER revisions_no_delete")
        raw(store, statement)


# ---------------------------------------------------------------------- records and scoping


def test_create_get_list_scoped_by_agency(store: Store) -> None:
    seed(store)
    store.create_case("north", "case-2", actor="u-north")
    assert [c.id for c in store.list_cases("north")] == ["case-north", "case-2"]
    assert [c.id for c in store.list_cases("south")] == ["case-south"]
    assert store.get_case("north", "case-2").agency_id == "north"
    assert [a.id for a in store.list_assessments("north")] == ["as-north"]
    assert store.list_assessments("north", case_id="case-2") == []
    record = store.get_assessment("south", "as-south")
    assert (record.status, record.head, record.case_id, record.created_by) == ("draft", 1, "case-south", "u-south")
    assert record.created_at.tzinfo is not None


def test_same_case_pseudonym_in_two_agencies(store: Store) -> None:
    seed(store)
    store.create_case("north", "shared-pseudonym", actor="u")
    store.create_case("south", "shared-pseudonym", actor="u")  # does not reveal the other agency's case
    assert store.get_case("south", "shared-pseudonym").agency_id == "south"


def test_users_and_tokens(store: Store) -> None:
    seed(store)
    user = store.create_user(
        username="assessor1", display_name="A. Ssessor", role="assessor", agency_id="north", password_hash="h"
    )
    assert store.get_user(user.id) == user
    assert store.get_user_by_username("assessor1") == user
    assert store.get_user("nobody") is None
    assert store.get_user_by_username("nobody") is None
    token = store.create_token(agency_id="north", name="case system", token_sha256="ab" * 32)
    assert store.find_token("ab" * 32) == token
    assert store.find_token("cd" * 32) is None
    with pytest.raises(NotFoundError):
        store.create_user(username="x", display_name="X", role="assessor", agency_id="nowhere", password_hash="h")
    with pytest.raises(NotFoundError):
        store.create_token(agency_id="nowhere", name="t", token_sha256="ef" * 32)


@pytest.mark.parametrize(
    "create",
    [
        pytest.param(lambda s: s.create_agency("north", "again"), id="agency"),
        pytest.param(
            lambda s: s.create_user(
                username="dup", display_name="D", role="reviewer", agency_id="south", password_hash="h"
            ),
            id="username",
        ),
        pytest.param(lambda s: s.create_token(agency_id="south", name="t", token_sha256="00" * 32), id="token"),
        pytest.param(lambda s: s.create_case("north", "case-north", actor="u"), id="case"),
        pytest.param(
            lambda s: s.create_assessment(
                "north",
                assessment_id="as-north",
                case_id="case-north",
                instrument_id="i",
                instrument_version="1",
                content={},
                actor="u",
            ),
            id="assessment",
        ),
    ],
)
def test_duplicates_are_conflicts(store: Store, create: Callable[[Store], object]) -> None:
    seed(store)
    store.create_user(username="dup", display_name="D", role="assessor", agency_id="north", password_hash="h")
    store.create_token(agency_id="north", name="t", token_sha256="00" * 32)
    with pytest.raises(StoreError) as caught:
        create(store)
    assert caught.value.codes == ["conflict"]
    assert store.verify() == []


CROSS_AGENCY: list[Any] = [
    pytest.param(lambda s: s.get_case("south", "case-north"), id="get_case"),
    pytest.param(lambda s: s.get_assessment("south", "as-north"), id="get_assessment"),
    pytest.param(
        lambda s: s.create_assessment(
            "south",
            assessment_id="new",
            case_id="case-north",
            instrument_id="i",
            instrument_version="1",
            content={},
            actor="u",
        ),
        id="create_assessment-case",
    ),
    pytest.param(
        lambda s: s.create_assessment(
            "south",
            assessment_id="new",
            case_id="case-south",
            instrument_id="i",
            instrument_version="1",
            content={},
            actor="u",
            previous_id="as-north",
        ),
        id="create_assessment-previous",
    ),
    pytest.param(
        lambda s: s.create_assessment(
            "south",
            assessment_id="new",
            case_id="case-south",
            instrument_id="i",
            instrument_version="1",
            content={},
            actor="u",
            amends_id="as-north",
        ),
        id="create_assessment-amends",
    ),
    pytest.param(lambda s: s.save_revision("south", "as-north", base=1, content={}, actor="u"), id="save_revision"),
    pytest.param(lambda s: s.finalise("south", "as-north", base=1, content={}, actor="u"), id="finalise"),
    pytest.param(lambda s: s.countersign("south", "as-north", actor="u"), id="countersign"),
    pytest.param(lambda s: s.get_revision("south", "as-north"), id="get_revision-head"),
    pytest.param(lambda s: s.get_revision("south", "as-north", 1), id="get_revision-1"),
    pytest.param(lambda s: s.list_revisions("south", "as-north"), id="list_revisions"),
    pytest.param(
        lambda s: s.record("south", actor="u", action="read-report", assessment_id="as-north", revision=1, detail=""),
        id="record",
    ),
    pytest.param(lambda s: s.audit_events("south", assessment_id="as-north"), id="audit_events"),
]


@pytest.mark.parametrize("call", CROSS_AGENCY)
def test_other_agency_is_not_found(store: Store, call: Callable[[Store], object]) -> None:
    seed(store)
    before = store.stats()
    with pytest.raises(NotFoundError) as across:
        call(store)
    assert across.value.codes == ["not-found"]
    # the same message as for a record that does not exist at all
    assert "north" in str(across.value)
    assert store.stats() == before
    assert store.get_assessment("north", "as-north").head == 1


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.get_case("north", "absent"), id="case"),
        pytest.param(lambda s: s.get_assessment("north", "absent"), id="assessment"),
        pytest.param(lambda s: s.get_revision("north", "as-north", 9), id="revision"),
        pytest.param(lambda s: s.create_case("nowhere", "c", actor="u"), id="agency"),
    ],
)
def test_absent_is_not_found(store: Store, call: Callable[[Store], object]) -> None:
    seed(store)
    with pytest.raises(NotFoundError):
        call(store)


def test_lists_of_other_agencies_are_empty(store: Store) -> None:
    seed(store)
    assert store.list_assessments("south", case_id="case-north") == []
    assert all(e.agency_id == "south" for e in store.audit_events("south"))
    assert store.list_cases("nowhere") == []


# ---------------------------------------------------------------------- revisions and the chain


def test_revisions_form_a_chain(store: Store) -> None:
    seed(store)
    for n in range(1, 4):
        rev = store.save_revision("north", "as-north", base=n, content=doc(n + 1), actor=f"author{n}")
        assert rev.number == n + 1
    revisions = store.list_revisions("north", "as-north")
    assert [r.number for r in revisions] == [1, 2, 3, 4]
    assert revisions[0].previous_chain_sha256 is None
    for earlier, later in itertools.pairwise(revisions):
        assert later.previous_chain_sha256 == earlier.chain_sha256
    for r in revisions:
        assert r.content_sha256 == content_sha256(r.content)
        assert r.content == doc(r.number)
    assert store.get_revision("north", "as-north") == revisions[-1]
    assert store.get_revision("north", "as-north", 2) == revisions[1]
    assert store.get_assessment("north", "as-north").head == 4
    assert store.verify() == []


def test_content_round_trips_exactly(store: Store) -> None:
    seed(store)
    content = {"text": "Évaluation – ‘quoted’ \u2028 日本", "n": 1.5, "nested": [{"b": None, "a": True}]}
    rev = store.save_revision("north", "as-north", base=1, content=content, actor="u")
    assert store.get_revision("north", "as-north", 2).content == content == rev.content
    content["text"] = "changed by the caller"  # the store kept its own copy
    assert store.get_revision("north", "as-north", 2).content["text"].startswith("Évaluation")


def test_unstorable_content_is_refused(store: Store) -> None:
    seed(store)
    with pytest.raises(StoreError) as caught:
        store.save_revision("north", "as-north", base=1, content={"x": float("nan")}, actor="u")
    assert caught.value.codes == ["invalid-request"]
    assert store.get_assessment("north", "as-north").head == 1


def _tamper(store: Store, change: str) -> None:
    """Change revision 2 of as-north behind the store's back."""
    if isinstance(store, MemoryStore):
        chain = store._revisions["as-north"]
        if change == "content":
            chain[1].content["note"] = "rewritten"
        elif change == "author":
            chain[1] = dataclasses.replace(chain[1], author_id="someone-else")
        else:
            del chain[1]
        return
    statement = {
        "content": "UPDATE revisions SET content = '{}' WHERE assessment_id = 'as-north' AND number = 2",
        "author": "UPDATE revisions SET author_id = 'someone-else' WHERE assessment_id = 'as-north' AND number = 2",
        "delete": "DELETE FROM revisions WHERE assessment_id = 'as-north' AND number = 2",
    }[change]
    without_triggers(store, statement)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("content", "revision 2: content hash mismatch"),
        ("author", "revision 2: chain hash mismatch"),
        ("delete", "expected revision 2"),
    ],
)
def test_tampering_is_detected(store: Store, change: str, expected: str) -> None:
    seed(store)
    for n in (1, 2):
        store.save_revision("north", "as-north", base=n, content=doc(n + 1), actor="u")
    assert store.verify() == []
    _tamper(store, change)
    problems = store.verify()
    assert problems
    assert any(str(p).startswith("assessment as-north ") and expected in str(p) for p in problems), problems
    assert not any("as-south" in str(p) for p in problems)


def test_head_mismatch_is_detected(sql_store: SqlStore) -> None:
    seed(sql_store)
    raw(sql_store, "UPDATE assessments SET head = 5 WHERE id = 'as-north'")
    assert [(f.where, f.code.value, f.message) for f in sql_store.verify()] == [
        ("assessment as-north", "head-mismatch", "head is revision 5 but the last revision is 1"),
        (
            "assessment as-north",
            "state-seal",
            "agency, case, status, head, links or countersignature changed outside spj (the state seal differs)",
        ),
    ]


def test_stored_content_is_canonical_json(sql_store: SqlStore) -> None:
    seed(sql_store)
    with sql_store.engine.connect() as conn:
        text, digest = conn.execute(
            sa.text("SELECT content, content_sha256 FROM revisions WHERE assessment_id = 'as-north'")
        ).one()
    assert text == canonical_json(doc(1))
    assert digest == content_sha256(doc(1))


# ---------------------------------------------------------------------- optimistic locking, final, countersign


def test_conflicting_save_is_refused_and_nothing_is_lost(store: Store) -> None:
    seed(store)
    first = store.save_revision("north", "as-north", base=1, content=doc(2), actor="alice")
    with pytest.raises(ConflictError) as conflict:
        store.save_revision("north", "as-north", base=1, content=doc(99), actor="bob")
    assert (conflict.value.base, conflict.value.current, conflict.value.codes) == (1, 2, ["conflict"])
    assert store.get_assessment("north", "as-north").head == 2
    assert store.get_revision("north", "as-north") == first
    # bob merges and saves on the new head
    assert store.save_revision("north", "as-north", base=2, content=doc(99), actor="bob").number == 3
    assert store.verify() == []


def test_concurrent_saves_on_the_same_base(store: Store) -> None:
    """Eight threads save on base 1 at once: exactly one wins, the others get a conflict (no other error)."""
    seed(store)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def save(i: int) -> None:
        barrier.wait()
        try:
            store.save_revision("north", "as-north", base=1, content=doc(100 + i), actor=f"u{i}")
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")
        except Exception as exc:  # pragma: no cover - reported by the assertion
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["saved"]
    assert store.get_assessment("north", "as-north").head == 2
    assert store.verify() == []


# Whether a write is allowed (a final assessment is locked, who countersigns, what an amendment points at) is
# the service's decision, tested on every store in tests/api/test_lifecycle.py; here, what the store records.


def test_finalise_records_the_status_and_time(store: Store) -> None:
    seed(store)
    final = store.finalise("north", "as-north", base=1, content=doc(2), actor="u")
    assert (final.number, final.status) == (2, "final")
    record = store.get_assessment("north", "as-north")
    assert (record.status, record.head, record.finalised_at) == ("final", 2, final.created_at)
    with pytest.raises(ConflictError) as stale:  # the service reports this one as "locked"
        store.save_revision("north", "as-north", base=1, content=doc(3), actor="u")
    assert (stale.value.base, stale.value.current) == (1, 2)
    assert store.get_assessment("north", "as-north").head == 2
    assert store.verify() == []


def test_countersign(store: Store) -> None:
    seed(store)
    store.finalise("north", "as-north", base=1, content=doc(2), actor="u")
    signed = store.countersign("north", "as-north", actor="reviewer")
    assert signed.countersigned_by == "reviewer"
    assert signed.countersigned_at is not None
    assert store.get_assessment("north", "as-north") == signed
    with pytest.raises(StoreError) as twice:
        store.countersign("north", "as-north", actor="reviewer2")
    assert twice.value.codes == ["conflict"]
    actions = [e.action for e in store.audit_events("north", assessment_id="as-north")]
    assert actions == ["create", "finalise", "countersign"]


def test_amendment_and_reassessment_links(store: Store) -> None:
    seed(store)
    store.finalise("north", "as-north", base=1, content=doc(2), actor="u")
    fix, rev = store.create_assessment(
        "north",
        assessment_id="fix",
        case_id="case-north",
        instrument_id="example",
        instrument_version="1.0.0",
        content=doc(2),
        actor="u",
        amends_id="as-north",
    )
    assert (fix.amends_id, fix.previous_id, fix.status, rev.number) == ("as-north", None, "draft", 1)
    later, _ = store.create_assessment(
        "north",
        assessment_id="later",
        case_id="case-north",
        instrument_id="example",
        instrument_version="1.0.0",
        content=doc(1),
        actor="u",
        previous_id="as-north",
    )
    assert store.get_assessment("north", "later").previous_id == "as-north" == later.previous_id
    assert [a.id for a in store.list_assessments("north", case_id="case-north")] == ["as-north", "fix", "later"]


def test_audit_trail(store: Store) -> None:
    seed(store)
    store.save_revision("north", "as-north", base=1, content=doc(2), actor="alice")
    store.record("north", actor="alice", action="read-report", assessment_id="as-north", revision=2, detail="html")
    store.record("north", actor="admin", action="login", assessment_id=None, revision=None, detail="")
    events = store.audit_events("north", assessment_id="as-north")
    assert [(e.action, e.actor_id, e.revision) for e in events] == [
        ("create", "u-north", 1),
        ("save", "alice", 2),
        ("read-report", "alice", 2),
    ]
    assert [e.action for e in store.audit_events("north")][-1] == "login"
    assert all("synthetic" not in e.detail for e in store.audit_events("north"))  # no case content


# ---------------------------------------------------------------------- SQL specifics


@pytest.mark.parametrize("table", ["revisions", "audit_events"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET {column} = {column}", "DELETE FROM {table}"])
def test_append_only_tables_refuse_update_and_delete(sql_store: SqlStore, table: str, statement: str) -> None:
    seed(sql_store)
    column = "author_id" if table == "revisions" else "detail"
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        raw(sql_store, statement.format(table=table, column=column))
    assert sql_store.verify() == []
    assert sql_store.stats()["revisions"] == 2


def test_migrated_schema_matches_the_models(sql_store: SqlStore) -> None:
    with sql_store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == HEAD


def test_opening_again_keeps_the_data(sql_store: SqlStore) -> None:
    seed(sql_store)
    again = SqlStore(sql_store.url)
    try:
        assert again.get_assessment("north", "as-north").head == 1
        assert again.verify() == []
    finally:
        again.close()


def test_sqlite_settings(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url)
    try:
        with store.engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
        assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2, "busy_timeout": 30000}
    finally:
        store.close()


def test_full_disk_fails_the_save_and_loses_nothing(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url)
    try:
        seed(store)
        store.save_revision("north", "as-north", base=1, content=doc(2), actor="u")

        # a full disk: no page may be added to the file
        @sa.event.listens_for(store.engine, "connect")
        def cap(dbapi_connection: Any, record: Any) -> None:
            cursor = dbapi_connection.cursor()
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {pages}")
            cursor.close()

        store.engine.dispose()
        secret = "confidential-synthetic-" + "x" * 200_000
        with pytest.raises(StoreError) as full:
            store.save_revision("north", "as-north", base=2, content={"note": secret}, actor="u")
        assert full.value.codes == ["store"]
        assert "full" in str(full.value)
        assert "confidential" not in str(full.value)  # never case content in messages
        sa.event.remove(store.engine, "connect", cap)
        store.engine.dispose()
        assert store.get_assessment("north", "as-north").head == 2
        assert [r.number for r in store.list_revisions("north", "as-north")] == [1, 2]
        assert store.verify() == []
        assert store.save_revision("north", "as-north", base=2, content={"note": secret}, actor="u").number == 3
    finally:
        store.close()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+pysqlite:////nonexistent-folder/spj.sqlite3",
        "postgresql+psycopg://postgres@127.0.0.1:1/absent",
        "not a url",
    ],
)
def test_unreachable_database_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        SqlStore(url)
    assert caught.value.codes == ["store"]


def test_lost_postgresql_connection_is_a_store_error(pg_url: str) -> None:
    store = SqlStore(pg_url)
    try:
        seed(store)
        with store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            killer = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
            with killer.connect() as other:
                other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
            killer.dispose()
            with pytest.raises(sa.exc.OperationalError):
                conn.exec_driver_sql("SELECT 1")
        # the pool notices the dead connection; the store carries on
        assert store.save_revision("north", "as-north", base=1, content=doc(2), actor="u").number == 2
        assert store.verify() == []
    finally:
        store.close()


def test_open_store_default_and_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPJ_DATA_DIR", str(tmp_path / "data"))
    store = open_store(None)
    assert isinstance(store, SqlStore)
    try:
        assert (tmp_path / "data" / "spj.sqlite3").exists()
    finally:
        store.close()
    assert isinstance(open_store("memory:"), MemoryStore)


def test_cli_audit_verify(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url)
    try:
        seed(store)
        runner = CliRunner()
        ok = runner.invoke(app, ["audit", "verify", "--db", sqlite_url])
        assert ok.exit_code == 0, ok.output
        assert "OK: 2 assessment(s), 2 revision(s)" in ok.output
        without_triggers(store, "UPDATE revisions SET content = '{}' WHERE assessment_id = 'as-south'")
        bad = runner.invoke(app, ["audit", "verify", "--db", sqlite_url])
        assert bad.exit_code == 1
        assert "assessment as-south revision 1: content hash mismatch" in bad.output
    finally:
        store.close()
