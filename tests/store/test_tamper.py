"""Tamper evidence (issue 13, item 3): each change made directly in the database is found and named.

The six tamperings a probe made unseen by the unkeyed chain, done here with SQL
on SQLite and PostgreSQL (the append-only triggers out of the way, as someone
with database access does): each must give findings with the expected codes,
located at the assessment or audit entry touched. Then the checkpoint, key
rotation and the migration of a database written before the seals.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from spj.cli.app import app
from spj.errors import StoreError
from spj.store import SqlStore
from spj.store.checkpoint import make_checkpoint, read_checkpoint_text
from spj.store.hashing import canonical_json, chain_sha256, sha256_hex
from spj.store.keys import Keyring
from spj.store.verification import Finding

DOC = {"format": "spj-assessment/1", "note": "synthetic"}


def doc(n: int) -> dict[str, Any]:
    return {**DOC, "n": n}


def seed(store: SqlStore) -> None:
    """Agency north: a draft with 3 revisions (d-1), a final countersigned by nobody yet (f-1); agency south."""
    store.create_agency("north", "North")
    store.create_agency("south", "South")
    store.create_case("north", "case-n", actor="u1")
    store.create_case("south", "case-s", actor="u9")
    for assessment_id in ("d-1", "f-1"):
        store.create_assessment(
            "north",
            assessment_id=assessment_id,
            case_id="case-n",
            instrument_id="example",
            instrument_version="1.0.0",
            content=doc(1),
            actor="u1",
        )
        store.save_revision("north", assessment_id, base=1, content=doc(2), actor="u1")
    store.save_revision("north", "d-1", base=2, content=doc(3), actor="u2")
    store.finalise("north", "f-1", base=2, content=doc(3), actor="u1")
    store.record("north", actor="u3", action="read", assessment_id="d-1", revision=3, detail="")
    store.record("north", actor="u3", action="read", assessment_id="f-1", revision=3, detail="")


def tamper(store: SqlStore, *statements: str, **params: Any) -> None:
    """Run `statements` in one transaction with the append-only triggers out of the way."""
    with store.engine.begin() as conn:
        postgresql = conn.dialect.name == "postgresql"
        for table in ("revisions", "audit_events"):
            if postgresql:
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_update")
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        for statement in statements:
            conn.execute(sa.text(statement), params)
        if postgresql:
            for table in ("revisions", "audit_events"):
                conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def found(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.where, f.code.value) for f in findings}


@pytest.fixture
def seeded(sql_store: SqlStore) -> SqlStore:
    seed(sql_store)
    assert sql_store.verify() == []
    return sql_store


def test_deleting_a_drafts_newest_revision_and_moving_the_head_back(seeded: SqlStore) -> None:
    tamper(
        seeded,
        "DELETE FROM revisions WHERE assessment_id = 'd-1' AND number = 3",
        "UPDATE assessments SET head = 2 WHERE id = 'd-1'",
    )
    assert found(seeded.verify()) == {
        ("assessment d-1 revision 3", "revision-missing"),
        ("assessment d-1", "state-seal"),
    }


def test_rewriting_a_revision_and_recomputing_every_later_hash(seeded: SqlStore) -> None:
    revisions = _revisions(seeded, "d-1")
    previous = revisions[0]["chain_sha256"]
    statements, params = [], {}
    for rev in revisions[1:]:
        text = canonical_json({**json.loads(rev["content"]), "note": "rewritten"})
        chain = chain_sha256(
            previous=previous,
            assessment_id="d-1",
            number=rev["number"],
            author_id=rev["author_id"],
            created_at=rev["created_at"],
            status=rev["status"],
            content_hash=sha256_hex(text),
        )
        n = rev["number"]
        statements.append(
            f"UPDATE revisions SET content = :text{n}, content_sha256 = :digest{n}, previous_chain_sha256 = :prev{n}, "
            f"chain_sha256 = :chain{n} WHERE assessment_id = 'd-1' AND number = {n}"
        )
        params |= {f"text{n}": text, f"digest{n}": sha256_hex(text), f"prev{n}": previous, f"chain{n}": chain}
        previous = chain
    tamper(seeded, *statements, **params)
    assert found(seeded.verify()) == {
        ("assessment d-1 revision 2", "revision-unattested"),
        ("assessment d-1 revision 3", "revision-unattested"),
        ("assessment d-1", "state-seal"),
    }


def test_moving_an_assessment_to_another_agency(seeded: SqlStore) -> None:
    tamper(seeded, "UPDATE assessments SET agency_id = 'south', case_id = 'case-s' WHERE id = 'f-1'")
    findings = seeded.verify()
    assert found(findings) == {("assessment f-1", "state-seal"), ("assessment f-1", "agency-mismatch")}
    assert "belongs to south but its audit entries name north" in {f.message for f in findings}


def test_a_forged_countersignature(seeded: SqlStore) -> None:
    tamper(
        seeded,
        "UPDATE assessments SET countersigned_by = 'forger', countersigned_at = :at WHERE id = 'f-1'",
        at=dt.datetime(2026, 1, 1),
    )
    findings = seeded.verify()
    assert found(findings) == {("assessment f-1", "state-seal"), ("assessment f-1", "countersign-unattested")}
    assert "countersigned by forger without an audit entry" in {f.message for f in findings}


def test_a_countersignature_by_spj_is_sound_and_changing_its_signer_is_not(seeded: SqlStore) -> None:
    seeded.countersign("north", "f-1", actor="reviewer-1")
    assert seeded.verify() == []
    tamper(seeded, "UPDATE assessments SET countersigned_by = 'someone-else' WHERE id = 'f-1'")
    assert found(seeded.verify()) == {("assessment f-1", "state-seal"), ("assessment f-1", "countersign-unattested")}


def test_deleting_a_finals_last_revision_turns_it_back_into_a_draft(seeded: SqlStore) -> None:
    tamper(
        seeded,
        "DELETE FROM revisions WHERE assessment_id = 'f-1' AND number = 3",
        "UPDATE assessments SET head = 2, status = 'draft', finalised_at = NULL WHERE id = 'f-1'",
    )
    assert found(seeded.verify()) == {
        ("assessment f-1 revision 3", "revision-missing"),
        ("assessment f-1", "state-seal"),
    }


def test_editing_an_audit_row(seeded: SqlStore) -> None:
    seq = _seq(seeded, "u3", "d-1")
    tamper(seeded, "UPDATE audit_events SET actor_id = 'nobody' WHERE seq = :seq", seq=seq)
    assert found(seeded.verify()) == {(f"audit entry {seq}", "audit-seal")}


def test_deleting_an_audit_row(seeded: SqlStore) -> None:
    seq = _seq(seeded, "u3", "d-1")
    seeded.record("north", actor="u4", action="read", assessment_id="d-1", revision=3, detail="")
    later = seeded.audit_head()[0]
    tamper(seeded, "DELETE FROM audit_events WHERE seq = :seq", seq=seq)
    findings = seeded.verify()
    assert found(findings) == {
        (f"audit entry {seq + 1}", "audit-sequence"),
        (f"audit entry {later}", "audit-assessment-sequence"),
    }
    assert f"follows entry {seq - 1}: entries {seq}..{seq} are missing" in {f.message for f in findings}


def test_deleting_the_audit_row_of_a_save_with_its_revision(seeded: SqlStore) -> None:
    """Everything of the newest save removed: the revision, its audit row, the head moved back."""
    (seq,) = _scalar(
        seeded, "SELECT seq FROM audit_events WHERE assessment_id = 'd-1' AND revision = 3 AND action = 'save'"
    )
    tamper(
        seeded,
        "DELETE FROM audit_events WHERE seq = :seq",
        "DELETE FROM revisions WHERE assessment_id = 'd-1' AND number = 3",
        "UPDATE assessments SET head = 2 WHERE id = 'd-1'",
        seq=seq,
    )
    codes = {code for _, code in found(seeded.verify())}
    assert {"audit-sequence", "state-seal", "state-entry"} <= codes


def test_the_newest_audit_rows_cut_off_are_found_against_a_checkpoint(seeded: SqlStore) -> None:
    checkpoint = make_checkpoint(seeded)
    point = read_checkpoint_text(json.dumps(checkpoint), seeded.keyring)
    assert seeded.verify(against=point) == []
    seeded.record("north", actor="u3", action="read", assessment_id="d-1", revision=3, detail="")
    assert seeded.verify(against=point) == []  # what came after the checkpoint is fine
    tamper(seeded, "DELETE FROM audit_events WHERE seq >= :seq", seq=point[0])
    assert seeded.verify() == []  # cut at the end, the chain alone cannot tell
    assert found(seeded.verify(against=point)) == {(f"audit entry {point[0]}", "checkpoint-missing")}


def test_history_rewritten_with_the_key_is_found_against_a_checkpoint(seeded: SqlStore) -> None:
    """Someone with the key and the database re-seals a rewritten trail: the checkpoint still tells."""
    point = read_checkpoint_text(json.dumps(make_checkpoint(seeded)), seeded.keyring)
    tamper(seeded, "UPDATE audit_events SET detail = 'rewritten' WHERE seq = 1")
    _reseal(seeded)
    assert seeded.verify() == []
    assert found(seeded.verify(against=point)) == {(f"audit entry {point[0]}", "checkpoint-mismatch")}


def test_a_forged_or_foreign_checkpoint_is_refused(seeded: SqlStore) -> None:
    checkpoint = make_checkpoint(seeded)
    with pytest.raises(StoreError, match="signature does not match") as forged:
        read_checkpoint_text(json.dumps({**checkpoint, "seq": 1}), seeded.keyring)
    assert forged.value.codes == ["checkpoint"]
    with pytest.raises(StoreError, match="not in the keyring"):
        read_checkpoint_text(json.dumps({**checkpoint, "key_id": "other"}), seeded.keyring)
    with pytest.raises(StoreError, match="not a checkpoint"):
        read_checkpoint_text("[]", seeded.keyring)


def test_an_entry_sealed_with_another_key_is_named(sql_store: SqlStore) -> None:
    other = SqlStore(sql_store.url, keyring=Keyring.parse("intruder " + "11" * 32))
    try:
        seed(other)
    finally:
        other.close()
    findings = sql_store.verify()
    assert findings and {f.code.value for f in findings} == {"unknown-key"}


def test_keys_rotate(sql_store: SqlStore) -> None:
    old = sql_store.keyring
    seed(sql_store)
    secret = "ab" * 32
    lines = "\n".join(f"{k.id} {k.secret.hex()}" for k in old.keys.values()) + f"\nk-2027 {secret}\n"
    rotated = SqlStore(sql_store.url, keyring=Keyring.parse(lines))
    try:
        assert rotated.keyring.current.id == "k-2027"
        rotated.save_revision("north", "d-1", base=3, content=doc(4), actor="u1")
        assert rotated.verify() == []
        key_ids = _scalar(rotated, "SELECT DISTINCT key_id FROM audit_events ORDER BY key_id")
        assert set(key_ids) == {old.current.id, "k-2027"}
    finally:
        rotated.close()
    assert {f.code.value for f in sql_store.verify()} == {"unknown-key"}  # the old ring does not know the new key


def test_cli_names_each_finding_with_its_code_and_checks_a_checkpoint(seeded: SqlStore, tmp_path: Path) -> None:
    runner = CliRunner()
    checkpoint = tmp_path / "checkpoint.json"
    made = runner.invoke(app, ["audit", "checkpoint", "--db", seeded.url, "-o", str(checkpoint)])
    assert made.exit_code == 0, made.output
    again = runner.invoke(app, ["audit", "checkpoint", "--db", seeded.url, "-o", str(checkpoint)])
    assert again.exit_code == 1 and "old checkpoints are evidence" in again.output
    ok = runner.invoke(app, ["audit", "verify", "--db", seeded.url, "--against", str(checkpoint)])
    assert ok.exit_code == 0, ok.output
    assert "verified against the checkpoint at entry" in ok.output
    tamper(seeded, "UPDATE assessments SET agency_id = 'south', case_id = 'case-s' WHERE id = 'f-1'")
    bad = runner.invoke(app, ["audit", "verify", "--db", seeded.url])
    assert bad.exit_code == 1
    assert "assessment f-1: belongs to south but its audit entries name north [agency-mismatch]" in bad.output
    as_json = runner.invoke(app, ["audit", "verify", "--db", seeded.url, "--json"])
    assert as_json.exit_code == 1
    codes = {f["code"] for f in json.loads(as_json.stdout)["findings"]}
    assert codes == {"agency-mismatch", "state-seal"}
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**json.loads(checkpoint.read_text()), "seq": 2}))
    refused = runner.invoke(app, ["audit", "verify", "--db", seeded.url, "--against", str(forged)])
    assert refused.exit_code == 1 and "checkpoint" in refused.output and "Traceback" not in refused.output


def test_keygen_prints_a_key_line() -> None:
    result = CliRunner().invoke(app, ["audit", "keygen", "k-2027"])
    assert result.exit_code == 0
    assert Keyring.parse(result.stdout).current.id == "k-2027"
    bad = CliRunner().invoke(app, ["audit", "keygen", "no spaces"])
    assert bad.exit_code == 1 and "audit-key" in bad.output


# ---------------------------------------------------------------------- helpers


def _revisions(store: SqlStore, assessment_id: str) -> list[dict[str, Any]]:
    from spj.store.sql import revisions

    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(revisions).where(revisions.c.assessment_id == assessment_id).order_by(revisions.c.number)
        )
        return [dict(r._mapping) for r in rows]


def _scalar(store: SqlStore, statement: str) -> list[Any]:
    with store.engine.connect() as conn:
        return [row[0] for row in conn.execute(sa.text(statement))]


def _seq(store: SqlStore, actor: str, assessment_id: str) -> int:
    (seq,) = _scalar(
        store, f"SELECT seq FROM audit_events WHERE actor_id = '{actor}' AND assessment_id = '{assessment_id}'"
    )
    return int(seq)


def _reseal(store: SqlStore) -> None:
    """What someone holding the key can do: seal the whole trail again, from the first entry."""
    from spj.store.ledger import GENESIS
    from spj.store.sql import audit
    from spj.store.verification import StoredEntry

    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(audit).order_by(audit.c.seq)).all()
    prev, statements, params = GENESIS, [], {}
    for row in rows:
        entry = StoredEntry(**{name: getattr(row, name) for name in StoredEntry.__dataclass_fields__})
        facts = entry.facts()
        facts = type(facts)(**{**facts.__dict__, "prev_mac": prev})
        _, mac = store.keyring.sign(facts.canonical())
        statements.append(f"UPDATE audit_events SET prev_mac = :p{row.seq}, mac = :m{row.seq} WHERE seq = {row.seq}")
        params |= {f"p{row.seq}": prev, f"m{row.seq}": mac}
        prev = mac
    tamper(store, *statements, **params)


# ---------------------------------------------------------------------- migrating a database written before the seals


def _database_at_0006(url: str) -> None:
    """A database as spj wrote it before issue 13: schema 0006, an assessment with two revisions, a countersign."""
    from alembic import command

    from spj.store.engine import make_engine
    from spj.store.migrate import alembic_config

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0006")
        at = [dt.datetime(2025, 3, day, 9, 30, 0, 123456, tzinfo=dt.UTC) for day in (1, 2, 3)]
        texts = [canonical_json(doc(1)), canonical_json(doc(2))]
        chains: list[str] = []
        for number, text in enumerate(texts, start=1):
            chains.append(
                chain_sha256(
                    previous=chains[-1] if chains else None,
                    assessment_id="old-1",
                    number=number,
                    author_id="u1",
                    created_at=at[number - 1],
                    status="final" if number == 2 else "draft",
                    content_hash=sha256_hex(text),
                )
            )
        naive = [a.replace(tzinfo=None) for a in at]
        with engine.begin() as conn:
            run = conn.exec_driver_sql
            run("INSERT INTO agencies (id, name) VALUES ('north', 'North')")
            conn.execute(
                sa.text(
                    "INSERT INTO cases (agency_id, id, created_at, created_by) VALUES ('north', 'case-n', :at, 'u1')"
                ),
                {"at": naive[0]},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO assessments (id, agency_id, case_id, instrument_id, instrument_version, status, head, "
                    "created_by, created_at, updated_at, finalised_at, countersigned_by, countersigned_at) VALUES "
                    "('old-1', 'north', 'case-n', 'example', '1.0.0', 'final', 2, 'u1', :a0, :a1, :a1, 'r1', :a2)"
                ),
                {"a0": naive[0], "a1": naive[1], "a2": naive[2]},
            )
            for number, text in enumerate(texts, start=1):
                conn.execute(
                    sa.text(
                        "INSERT INTO revisions (assessment_id, number, author_id, created_at, status, content, "
                        "content_sha256, previous_chain_sha256, chain_sha256) VALUES ('old-1', :n, 'u1', :at, :status, "
                        ":text, :digest, :prev, :chain)"
                    ),
                    {
                        "n": number,
                        "at": naive[number - 1],
                        "status": "final" if number == 2 else "draft",
                        "text": text,
                        "digest": sha256_hex(text),
                        "prev": chains[number - 2] if number > 1 else None,
                        "chain": chains[number - 1],
                    },
                )
            for action, actor, revision, when in (
                ("create", "u1", 1, naive[0]),
                ("finalise", "u1", 2, naive[1]),
                ("read", "u2", 2, naive[1]),
                ("countersign", "r1", 2, naive[2]),
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO audit_events (at, actor_id, agency_id, action, assessment_id, revision, detail) "
                        "VALUES (:at, :actor, 'north', :action, 'old-1', :revision, '')"
                    ),
                    {"at": when, "actor": actor, "action": action, "revision": revision},
                )
    finally:
        engine.dispose()


def test_a_database_written_before_the_seals_migrates_sealed(sql_url: str) -> None:
    _database_at_0006(sql_url)
    store = SqlStore(sql_url)
    try:
        assert store.verify() == []
        events = store.audit_events("north", assessment_id="old-1")
        assert [(e.seq, e.assessment_seq, e.action) for e in events] == [
            (1, 1, "create"),
            (2, 2, "finalise"),
            (3, 3, "read"),
            (4, 4, "countersign"),
        ]
        assert events[1].revision_sha256 == store.get_revision("north", "old-1", 2).chain_sha256
        assert store.get_assessment("north", "old-1").state_seq == 4
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE audit_events SET detail = 'x'")  # the trigger is back after the sealing
        # sealed: the trail now notices what it did not before
        tamper(store, "UPDATE assessments SET countersigned_by = 'forger' WHERE id = 'old-1'")
        assert found(store.verify()) == {
            ("assessment old-1", "state-seal"),
            ("assessment old-1", "countersign-unattested"),
        }
    finally:
        store.close()


def test_a_disclosure_log_rewritten_with_every_hash_recomputed(seeded: SqlStore) -> None:
    from spj.disclosure.log import GENESIS as LOG_GENESIS
    from spj.disclosure.log import entry_hash
    from spj.store.disclosures import Disclosure

    for sections in (("case",), ("case", "flags")):
        seeded.disclosures.append(
            Disclosure(
                by="partner-1",
                agency="south",
                from_agency="north",
                case="case-n",
                assessment="f-1",
                sections=sections,
                basis="synthetic basis",
                channel="web",
            )
        )
    assert seeded.disclosures.verify() == []
    entries = seeded.disclosures.entries()
    entries[0]["sections"] = ["flags"]  # what was shown, rewritten
    prev, statements, params = LOG_GENESIS, [], {}
    for entry in entries:
        entry["prev"] = prev
        entry["hash"] = entry_hash(entry, prev)
        n = entry["seq"]
        statements.append(f"UPDATE disclosures SET sections = :s{n}, prev_hash = :p{n}, hash = :h{n} WHERE seq = {n}")
        params |= {f"s{n}": json.dumps(entry["sections"]), f"p{n}": prev, f"h{n}": entry["hash"]}
        prev = entry["hash"]
    with seeded.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE disclosures DISABLE TRIGGER USER")
        else:
            conn.exec_driver_sql("DROP TRIGGER disclosures_no_update")
        for statement in statements:
            conn.execute(sa.text(statement), params)
    assert seeded.disclosures.verify() == [
        "disclosure 1: its seal differs (rewritten outside spj)",
        "disclosure 2: its seal differs (rewritten outside spj)",
    ]
