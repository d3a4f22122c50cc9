"""Sign-off (issue 9, point 5): the countersign comment, a return to the assessor, the report's sign-off block.

Driven through the workspace over each store (memory, SQLite, PostgreSQL when configured).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, PASSWORD, VERSION, People, completed
from databases import STORE_KINDS, database_url

from spj.service import ForbiddenError, InstrumentRegistry, StateError, Workspace
from spj.service.errors import InvalidRequestError
from spj.service.signoff import MAX_COMMENT, RETURN_ACTION
from spj.store import MemoryStore, SqlStore

COMMENT = "Formulation checked against the file. <b>Agreed</b> & signed."


@pytest.fixture(params=STORE_KINDS)
def workspace(request: pytest.FixtureRequest, registry: InstrumentRegistry) -> Iterator[Workspace]:
    store = MemoryStore() if request.param == "memory" else SqlStore(database_url(request.param, request))
    try:
        yield Workspace(store, registry, hasher=FAST_HASHER)
    finally:
        if isinstance(store, SqlStore):
            store.close()


@pytest.fixture
def people(workspace: Workspace) -> People:
    return make_people(workspace)


def make_people(workspace: Workspace) -> People:
    workspace.store.create_agency("agency-a", "House of Justice A")
    workspace.store.create_agency("agency-b", "House of Justice B")

    def user(name: str, role: Any, agency: str) -> Any:
        return workspace.create_user(
            username=name, display_name=f"{name.title()} Example", password=PASSWORD, role=role, agency_id=agency
        )

    return People(
        alice=user("alice", "assessor", "agency-a"),
        rita=user("rita", "reviewer", "agency-a"),
        adam=user("adam", "administrator", "agency-a"),
        bob=user("bob", "assessor", "agency-b"),
    )


def finalised(workspace: Workspace, people: People, example: dict[str, Any]) -> str:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    return workspace.finalise(people.alice, view.id, 1, completed(view, example)).id


def test_the_countersign_comment_is_kept_audited_and_sealed(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    final_id = finalised(workspace, people, example)
    signed = workspace.countersign(people.rita, final_id, comment=f"  {COMMENT}\n")
    assert signed.countersign_comment == COMMENT
    assert workspace.get(people.alice, final_id).record.countersign_comment == COMMENT
    event = workspace.store.audit_events("agency-a", assessment_id=final_id)[-1]
    assert (event.action, event.detail) == ("countersign", COMMENT)
    assert workspace.store.verify() == []


def test_a_countersignature_without_comment_keeps_none(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    final_id = finalised(workspace, people, example)
    assert workspace.countersign(people.rita, final_id, comment="   ").countersign_comment is None
    assert workspace.store.verify() == []


def test_a_too_long_comment_is_refused_and_nothing_is_signed(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    final_id = finalised(workspace, people, example)
    with pytest.raises(InvalidRequestError) as refused:
        workspace.countersign(people.rita, final_id, comment="x" * (MAX_COMMENT + 1))
    assert refused.value.codes == ["invalid-request"]
    assert refused.value.problems[0].location.path == ("comment",)
    assert workspace.get(people.alice, final_id).record.countersigned_by is None
    assert workspace.countersign(people.rita, final_id, comment="x" * MAX_COMMENT).countersign_comment


def test_a_changed_comment_breaks_the_state_seal(registry: InstrumentRegistry, example: dict[str, Any]) -> None:
    store = MemoryStore()  # the tamper is written into the memory store's state; SQL stores seal the same facts
    workspace = Workspace(store, registry, hasher=FAST_HASHER)
    people = make_people(workspace)
    final_id = finalised(workspace, people, example)
    workspace.countersign(people.rita, final_id, comment=COMMENT)
    assert store.verify() == []
    store._assessments[final_id] = dataclasses.replace(store._assessments[final_id], countersign_comment="forged")
    assert "state-seal" in [f.code for f in store.verify()]


def test_a_return_to_the_assessor_is_audited_and_leaves_the_final_locked(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    final_id = finalised(workspace, people, example)
    returned = workspace.return_to_assessor(people.rita, final_id, "Please give a rationale for MH1.")
    assert (returned.by, returned.comment) == (people.rita.id, "Please give a rationale for MH1.")
    view = workspace.get(people.alice, final_id)
    assert view.record.status == "final" and view.record.countersigned_by is None
    assert [r.comment for r in workspace.returns(people.alice, final_id)] == ["Please give a rationale for MH1."]
    assert workspace.store.audit_events("agency-a", assessment_id=final_id)[-1].action == RETURN_ACTION
    assert workspace.store.verify() == []
    workspace.countersign(people.adam, final_id)  # a return does not stop a later countersignature


def test_a_return_needs_a_comment_a_reviewer_and_a_final(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    final_id = finalised(workspace, people, example)
    with pytest.raises(InvalidRequestError):
        workspace.return_to_assessor(people.rita, final_id, "  ")
    with pytest.raises(ForbiddenError):
        workspace.return_to_assessor(people.alice, final_id, "my own")
    draft = workspace.create(people.alice, "CASE-2", INSTRUMENT_ID, VERSION)
    with pytest.raises(StateError):
        workspace.return_to_assessor(people.rita, draft.id, "a draft")
    workspace.countersign(people.rita, final_id)
    with pytest.raises(StateError):
        workspace.return_to_assessor(people.adam, final_id, "after the countersignature")
    assert workspace.returns(people.alice, final_id) == []


def test_the_report_prints_the_sign_off_by_name_with_the_comment(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    final_id = finalised(workspace, people, example)
    workspace.countersign(people.rita, final_id, comment=COMMENT)
    html = workspace.report(people.alice, final_id, "html", lang="en")
    assert isinstance(html, str)
    block = html[html.index('id="signoff"') :]
    assert "Alice Example" in block and "Rita Example" in block
    assert people.alice.id not in block and people.rita.id not in block
    assert "&lt;b&gt;Agreed&lt;/b&gt; &amp; signed." in block and "<b>Agreed" not in html
    md = workspace.report(people.alice, final_id, "md", lang="nl")
    assert isinstance(md, str)
    assert "## Ondertekening" in md and "Rita Example" in md and "Agreed" in md


def test_the_countersignature_and_its_comment_are_in_the_pdf_text(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    from pypdf import PdfReader

    final_id = finalised(workspace, people, example)
    workspace.countersign(people.rita, final_id, comment="Checked with the case manager.")
    pdf = workspace.report(people.alice, final_id, "pdf", lang="fr")
    assert isinstance(pdf, bytes)
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Contresignée par" in text and "Rita Example" in text and "Alice Example" in text
    assert "Checked with the case manager." in text


def test_a_draft_report_names_its_assessor_and_no_countersigner(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    view = workspace.create(people.alice, "CASE-3", INSTRUMENT_ID, VERSION)
    html = workspace.report(people.alice, view.id, "html", lang="en")
    assert isinstance(html, str)
    assert "Alice Example" in html and "Not countersigned yet." in html
