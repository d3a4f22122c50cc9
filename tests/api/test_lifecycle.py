"""The assessment lifecycle, decided by the workspace, on every store (memory, SQLite, PostgreSQL).

The stores persist; `spj.service.lifecycle` decides: a final assessment is
locked, only a final one is countersigned (once, by a reviewer or an
administrator who did not make it), amended or reassessed. These tests drive
the workspace over each store so that no store needs rules of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, PASSWORD, VERSION, People, completed
from databases import STORE_KINDS, database_url

from spj.errors import StoreError
from spj.service import ForbiddenError, InstrumentRegistry, SaveConflictError, StateError, Workspace
from spj.service.lifecycle import countersign_refusal
from spj.store import LockedError, MemoryStore, SqlStore


@pytest.fixture(params=STORE_KINDS)
def workspace(request: pytest.FixtureRequest, registry: InstrumentRegistry) -> Iterator[Workspace]:
    """A workspace over each store in turn (overrides the memory-only one of conftest.py)."""
    store = MemoryStore() if request.param == "memory" else SqlStore(database_url(request.param, request))
    try:
        yield Workspace(store, registry, hasher=FAST_HASHER)
    finally:
        if isinstance(store, SqlStore):
            store.close()


@pytest.fixture
def people(workspace: Workspace) -> People:
    workspace.store.create_agency("agency-a", "House of Justice A")
    workspace.store.create_agency("agency-b", "House of Justice B")

    def user(name: str, role: Any, agency: str) -> Any:
        return workspace.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)

    return People(
        alice=user("alice", "assessor", "agency-a"),
        rita=user("rita", "reviewer", "agency-a"),
        adam=user("adam", "administrator", "agency-a"),
        bob=user("bob", "assessor", "agency-b"),
    )


def finalised(workspace: Workspace, people: People, example: dict[str, Any]) -> str:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    return workspace.finalise(people.alice, view.id, 1, completed(view, example)).id


def test_a_final_assessment_is_locked(workspace: Workspace, people: People, example: dict[str, Any]) -> None:
    final_id = finalised(workspace, people, example)
    content = workspace.get(people.alice, final_id).content
    for write in (workspace.save, workspace.finalise):
        with pytest.raises(LockedError) as locked:
            write(people.alice, final_id, 2, content)
        assert locked.value.codes == ["locked"]
    assert workspace.get(people.alice, final_id).head == 2
    assert workspace.store.verify() == []


def test_a_stale_save_on_an_assessment_finalised_meanwhile_is_locked_not_a_conflict(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    workspace.finalise(people.rita, view.id, 1, completed(view, example))
    with pytest.raises(LockedError):
        workspace.save(people.alice, view.id, 1, view.content)  # alice still edits revision 1
    assert workspace.store.verify() == []


def test_a_stale_save_on_a_draft_is_a_conflict(workspace: Workspace, people: People) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    workspace.save(people.rita, view.id, 1, view.content)
    with pytest.raises(SaveConflictError) as conflict:
        workspace.save(people.alice, view.id, 1, view.content)
    assert (conflict.value.base, conflict.value.current) == (1, 2)


def test_countersigning(workspace: Workspace, people: People, example: dict[str, Any]) -> None:
    draft = workspace.create(people.alice, "CASE-2", INSTRUMENT_ID, VERSION)
    with pytest.raises(StateError):
        workspace.countersign(people.rita, draft.id)  # a draft
    final_id = finalised(workspace, people, example)
    with pytest.raises(ForbiddenError):
        workspace.countersign(people.alice, final_id)  # an assessor, and its author
    signed = workspace.countersign(people.rita, final_id)
    assert signed.countersigned_by == people.rita.id and signed.countersigned_at is not None
    with pytest.raises(StateError):
        workspace.countersign(people.adam, final_id)  # once only
    assert workspace.get(people.alice, final_id).record.countersigned_by == people.rita.id
    actions = [e.action for e in workspace.store.audit_events("agency-a", assessment_id=final_id)]
    assert actions == ["create", "finalise", "countersign"]


def test_the_author_of_the_final_revision_does_not_countersign(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    workspace.finalise(people.rita, view.id, 1, completed(view, example))  # rita wrote the final revision
    with pytest.raises(ForbiddenError):
        workspace.countersign(people.rita, view.id)
    assert workspace.countersign(people.adam, view.id).countersigned_by == people.adam.id


def test_only_a_final_assessment_is_amended_or_reassessed(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    draft = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    for start in (workspace.amend, workspace.reassess):
        with pytest.raises(StateError):
            start(people.alice, draft.id)
    final_id = finalised(workspace, people, example)
    amendment = workspace.amend(people.alice, final_id)
    later = workspace.reassess(people.alice, final_id)
    assert (amendment.record.amends_id, amendment.record.previous_id, amendment.record.case_id) == (
        final_id,
        None,
        "CASE-1",
    )
    assert (later.record.previous_id, later.record.amends_id, later.record.case_id) == (final_id, None, "CASE-1")
    assert [a.id for a in workspace.list_assessments(people.alice, "CASE-1")] == [
        draft.id,
        final_id,
        amendment.id,
        later.id,
    ]


def test_the_page_and_the_service_agree_on_who_may_countersign(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    final = workspace.get(people.alice, finalised(workspace, people, example))
    may = {
        name: countersign_refusal(user, final.record, {people.alice.id}) is None
        for name, user in (("alice", people.alice), ("rita", people.rita), ("adam", people.adam))
    }
    assert may == {"alice": False, "rita": True, "adam": True}
    assert workspace.may_countersign(people.rita, final) and not workspace.may_countersign(people.alice, final)


def test_the_author_of_an_intermediate_revision_does_not_countersign(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    """Four eyes (issue 13, point 4): not only the creator and the final revision's author are excluded."""
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    workspace.save(people.rita, view.id, 1, view.content)  # rita wrote revision 2
    workspace.finalise(people.alice, view.id, 2, completed(view, example))
    final = workspace.get(people.alice, view.id)
    assert not workspace.may_countersign(people.rita, final)
    with pytest.raises(ForbiddenError) as refused:
        workspace.countersign(people.rita, view.id)
    assert refused.value.codes == ["forbidden"]
    assert workspace.store.get_assessment("agency-a", view.id).countersigned_by is None
    assert workspace.may_countersign(people.adam, final)
    assert workspace.countersign(people.adam, view.id).countersigned_by == people.adam.id


def test_the_author_of_the_amended_assessment_does_not_countersign_its_amendment(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    """A reviewer's final, amended unchanged by an assessor, is still the reviewer's work."""
    view = workspace.create(people.rita, "CASE-1", INSTRUMENT_ID, VERSION)
    workspace.finalise(people.rita, view.id, 1, completed(view, example))
    amendment = workspace.amend(people.alice, view.id)
    workspace.finalise(people.alice, amendment.id, 1, amendment.content)
    again = workspace.amend(people.alice, amendment.id)  # an amendment of the amendment: the chain counts
    workspace.finalise(people.alice, again.id, 1, again.content)
    for final_id in (amendment.id, again.id):
        assert not workspace.may_countersign(people.rita, workspace.get(people.alice, final_id))
        with pytest.raises(ForbiddenError):
            workspace.countersign(people.rita, final_id)
    assert workspace.countersign(people.adam, again.id).countersigned_by == people.adam.id


def test_countersigning_twice_is_a_conflict(workspace: Workspace, people: People, example: dict[str, Any]) -> None:
    final_id = finalised(workspace, people, example)
    workspace.countersign(people.rita, final_id)
    with pytest.raises(StateError) as twice:
        workspace.countersign(people.adam, final_id)
    assert twice.value.codes == ["conflict"]


# ---- races: the store's optimistic locking keeps the decision safe --------------------------------------


def test_a_save_that_loses_the_race_to_a_finalise_is_locked(
    workspace: Workspace, people: People, example: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    save = workspace.store.save_revision

    def finalised_in_between(agency_id: str, assessment_id: str, **kwargs: Any) -> Any:
        # rita finalises after the workspace has checked alice's save, before alice's save is written
        workspace.store.finalise(agency_id, assessment_id, base=1, content=completed(view, example), actor="rita")
        return save(agency_id, assessment_id, **kwargs)

    monkeypatch.setattr(workspace.store, "save_revision", finalised_in_between)
    with pytest.raises(LockedError):
        workspace.save(people.alice, view.id, 1, view.content)
    record = workspace.store.get_assessment("agency-a", view.id)
    assert (record.status, record.head) == ("final", 2)
    assert workspace.store.verify() == []


def test_a_countersignature_that_loses_the_race_is_refused(
    workspace: Workspace, people: People, example: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    final_id = finalised(workspace, people, example)
    countersign = workspace.store.countersign

    def signed_in_between(agency_id: str, assessment_id: str, *, actor: str, comment: str | None = None) -> Any:
        countersign(agency_id, assessment_id, actor=people.adam.id)
        return countersign(agency_id, assessment_id, actor=actor, comment=comment)

    monkeypatch.setattr(workspace.store, "countersign", signed_in_between)
    with pytest.raises(StoreError) as refused:
        workspace.countersign(people.rita, final_id)
    assert refused.value.codes == ["conflict"]
    assert workspace.get(people.alice, final_id).record.countersigned_by == people.adam.id
