"""A status update on a final assessment, on every store: a new final revision in the hash chain, optimistic
locking, and `verify` accepting delivery updates but nothing else after the final revision."""

from __future__ import annotations

import json
from typing import Any

import pytest

from spj.errors import StoreError
from spj.store import ConflictError, MemoryStore, NotFoundError, SqlStore
from spj.store.hashing import canonical_json, chain_sha256, sha256_hex, utc_now

Store = MemoryStore | SqlStore

FINAL: dict[str, Any] = {
    "format": "spj-assessment/2",
    "status": "final",
    "formulation": "Synthetic.",
    "plan": {"decisions": {"guidance": {"decision": "accept", "partner": {"agency": "care-example"}}}},
}


def _with_status(status: str) -> dict[str, Any]:
    return {**FINAL, "plan": {"decisions": {"guidance": {**FINAL["plan"]["decisions"]["guidance"], "status": status}}}}


def _final(store: Store) -> None:
    store.create_agency("north", "North")
    store.create_agency("south", "South")
    store.create_case("north", "case-1", actor="u")
    store.create_assessment(
        "north",
        assessment_id="as-1",
        case_id="case-1",
        instrument_id="example",
        instrument_version="1.0.0",
        content={**FINAL, "status": "draft"},
        actor="u",
    )
    store.finalise("north", "as-1", base=1, content=FINAL, actor="u")


def test_a_status_update_appends_a_final_revision_to_the_chain(store: Store) -> None:
    _final(store)
    revision = store.append_status_update("north", "as-1", base=2, content=_with_status("referred"), actor="v")
    assert (revision.number, revision.status, revision.author_id) == (3, "final", "v")
    previous = store.get_revision("north", "as-1", 2)
    assert revision.previous_chain_sha256 == previous.chain_sha256
    record = store.get_assessment("north", "as-1")
    assert (record.status, record.head) == ("final", 3)
    assert record.finalised_at == previous.created_at  # finalised once; updated since
    assert store.get_revision("north", "as-1").content == _with_status("referred")
    assert [e.action for e in store.audit_events("north", assessment_id="as-1")][-1] == "update-status"
    store.append_status_update("north", "as-1", base=3, content=_with_status("running"), actor="v")
    assert store.verify() == []


def test_a_status_update_states_the_revision_it_updates(store: Store) -> None:
    _final(store)
    store.append_status_update("north", "as-1", base=2, content=_with_status("referred"), actor="v")
    with pytest.raises(ConflictError) as caught:
        store.append_status_update("north", "as-1", base=2, content=_with_status("running"), actor="w")
    assert (caught.value.base, caught.value.current) == (2, 3)
    assert store.get_assessment("north", "as-1").head == 3


def test_a_status_update_needs_a_final_assessment_of_the_agency(store: Store) -> None:
    _final(store)
    with pytest.raises(NotFoundError):
        store.append_status_update("south", "as-1", base=2, content=_with_status("referred"), actor="v")
    store.create_case("north", "case-2", actor="u")
    store.create_assessment(
        "north",
        assessment_id="as-2",
        case_id="case-2",
        instrument_id="example",
        instrument_version="1.0.0",
        content=FINAL,
        actor="u",
    )
    with pytest.raises(StoreError) as caught:
        store.append_status_update("north", "as-2", base=1, content=_with_status("referred"), actor="v")
    assert caught.value.codes == ["conflict"]
    assert store.get_assessment("north", "as-2").head == 1


def _append_behind_the_stores_back(store: Store, content: dict[str, Any]) -> None:
    """A final revision with valid hashes but other content: what someone with database access could write."""
    previous = store.get_revision("north", "as-1")
    at = utc_now()
    text = canonical_json(content)
    chain = chain_sha256(
        previous=previous.chain_sha256,
        assessment_id="as-1",
        number=previous.number + 1,
        author_id="x",
        created_at=at,
        status="final",
        content_hash=sha256_hex(text),
    )
    if isinstance(store, MemoryStore):
        from spj.store.interface import Revision

        store._revisions["as-1"].append(
            Revision(
                "as-1",
                previous.number + 1,
                "x",
                at,
                json.loads(text),
                sha256_hex(text),
                previous.chain_sha256,
                chain,
                "final",
            )
        )
        store._assessments["as-1"] = __import__("dataclasses").replace(
            store._assessments["as-1"], head=previous.number + 1
        )
        return
    import sqlalchemy as sa

    with store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO revisions (assessment_id, number, author_id, created_at, status, content, content_sha256,"
                " previous_chain_sha256, chain_sha256) VALUES ('as-1', :n, 'x', :at, 'final', :text, :digest, :prev,"
                " :chain)"
            ),
            {
                "n": previous.number + 1,
                "at": at.replace(tzinfo=None),
                "text": text,
                "digest": sha256_hex(text),
                "prev": previous.chain_sha256,
                "chain": chain,
            },
        )
        conn.execute(sa.text("UPDATE assessments SET head = :n WHERE id = 'as-1'"), {"n": previous.number + 1})


def test_verify_accepts_delivery_updates_and_names_anything_else_changed_after_final(store: Store) -> None:
    _final(store)
    _append_behind_the_stores_back(store, _with_status("completed"))

    def after_final() -> list[str]:
        return [f.message for f in store.verify() if f.code == "revision-after-final"]

    assert after_final() == []
    # written behind the store's back, the revision is not attested by the sealed audit trail (issue 13)
    assert "revision-unattested" in {f.code.value for f in store.verify() if f.where.startswith("assessment as-1 ")}
    _append_behind_the_stores_back(store, {**_with_status("completed"), "formulation": "Rewritten after final."})
    assert after_final() == [
        "changed formulation after the final revision 3 "
        "(only the delivery of a plan step may change; amend the assessment instead)"
    ]
