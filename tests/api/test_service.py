"""The service layer: agency scoping, conflicts that keep content, finalise with reasons, countersign, reassess."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import INSTRUMENT_ID, PASSWORD, VERSION, People, completed, partial

from spj.errors import AssessmentError
from spj.service import (
    FinaliseRefusedError,
    ForbiddenError,
    InvalidContentError,
    InvalidRequestError,
    SaveConflictError,
    StateError,
    Workspace,
)
from spj.store import LockedError, NotFoundError


def _final(workspace: Workspace, people: People, example: dict[str, Any], case: str = "CASE-1") -> str:
    view = workspace.create(people.alice, case, INSTRUMENT_ID, VERSION)
    workspace.finalise(people.alice, view.id, view.head, completed(view, example))
    return view.id


def test_create_starts_a_valid_blank_draft_and_the_case(workspace: Workspace, people: People) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    assert view.id.startswith("A-") and (view.head, view.record.status) == (1, "draft")
    assert view.assessment is not None and view.problems == []
    assert view.content["case"]["id"] == "CASE-1" and view.content["ratings"] == {}
    assert [c.id for c in workspace.list_cases(people.alice)] == ["CASE-1"]
    assert [a.id for a in workspace.list_assessments(people.alice, "CASE-1")] == [view.id]


@pytest.mark.parametrize("case_id", ["", "John Doe", "../x", "a" * 101])
def test_case_ids_are_pseudonyms(workspace: Workspace, people: People, case_id: str) -> None:
    with pytest.raises(AssessmentError) as caught:
        workspace.create(people.alice, case_id, INSTRUMENT_ID, VERSION)
    assert caught.value.codes == ["invalid-request"]


def test_unknown_instrument_is_not_found(workspace: Workspace, people: People) -> None:
    with pytest.raises(NotFoundError):
        workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, "9.9.9")


def test_another_agency_sees_nothing(workspace: Workspace, people: People, example: dict[str, Any]) -> None:
    final_id = _final(workspace, people, example)
    bob = people.bob
    calls = [
        lambda: workspace.get(bob, final_id),
        lambda: workspace.save(bob, final_id, 1, {}),
        lambda: workspace.finalise(bob, final_id, 1, {}),
        lambda: workspace.preview(bob, final_id, {}),
        lambda: workspace.evaluate(bob, final_id),
        lambda: workspace.report(bob, final_id, "md"),
        lambda: workspace.history(bob, final_id),
        lambda: workspace.reassess(bob, final_id),
        lambda: workspace.amend(bob, final_id),
        lambda: workspace.countersign(
            workspace.create_user(username="bea", password=PASSWORD, role="reviewer", agency_id="agency-b"), final_id
        ),
        lambda: workspace.list_assessments(bob, "CASE-1"),
        lambda: workspace.get_case(bob, "CASE-1"),
    ]
    for call in calls:
        with pytest.raises(NotFoundError):
            call()
    assert workspace.list_cases(bob) == [] and workspace.list_assessments(bob) == []


def test_a_case_of_the_same_name_in_another_agency_is_another_case(workspace: Workspace, people: People) -> None:
    workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    workspace.create(people.bob, "CASE-1", INSTRUMENT_ID, VERSION)
    assert len(workspace.list_assessments(people.alice)) == len(workspace.list_assessments(people.bob)) == 1


def test_conflict_keeps_the_submitted_content_and_gives_the_head(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    first = workspace.save(people.rita, view.id, 1, {**view.content, "formulation": "saved first"})
    assert first.head == 2
    mine = {**partial(view, example), "formulation": "my careful work"}
    with pytest.raises(SaveConflictError) as caught:
        workspace.save(people.alice, view.id, 1, mine)
    conflict = caught.value
    assert conflict.codes == ["conflict"]
    assert (conflict.base, conflict.current, conflict.head.number) == (1, 2, 2)
    assert conflict.content["formulation"] == "my careful work"
    assert conflict.content["ratings"] == mine["ratings"]
    assert conflict.head.content["formulation"] == "saved first"
    assert workspace.get(people.alice, view.id).content["formulation"] == "saved first"


def test_invalid_content_is_refused_with_field_paths(workspace: Workspace, people: People) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    content = {**view.content, "ratings": {"EN1": {"presence": "maybe"}, "XX9": {"omitted": True}}}
    with pytest.raises(InvalidContentError) as caught:
        workspace.save(people.alice, view.id, 1, content)
    paths = {(p.code.value, p.location.dotted_path) for p in caught.value.problems}
    assert ("unknown-code", "ratings.EN1.presence") in paths
    assert ("unknown-indicator", "ratings.XX9") in paths
    assert caught.value.content["ratings"]["EN1"] == {"presence": "maybe"}
    assert workspace.get(people.alice, view.id).head == 1


@pytest.mark.parametrize(
    ("path", "value"),
    [(("id",), "A-other"), (("case", "id"), "CASE-2"), (("instrument", "version"), "9.0.0")],
)
def test_content_cannot_move_to_another_record(
    workspace: Workspace, people: People, path: tuple[str, ...], value: str
) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    content: dict[str, Any] = {
        **view.content,
        "case": dict(view.content["case"]),
        "instrument": dict(view.content["instrument"]),
    }
    target = content
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(AssessmentError) as caught:
        workspace.save(people.alice, view.id, 1, content)
    assert caught.value.problems[0].location.path == path


def test_identity_fields_are_filled_in(workspace: Workspace, people: People) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    content = {k: v for k, v in view.content.items() if k not in ("id", "format", "instrument", "status")}
    saved = workspace.save(people.alice, view.id, 1, content)
    assert saved.content["id"] == view.id and saved.content["status"] == "draft"


def test_finalise_is_refused_with_every_reason_while_incomplete(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    with pytest.raises(FinaliseRefusedError) as caught:
        workspace.finalise(people.alice, view.id, 1, partial(view, example))
    codes = set(caught.value.codes)
    assert {"incomplete", "missing-judgement", "missing-rationale"} <= codes
    assert workspace.get(people.alice, view.id).record.status == "draft"
    final = workspace.finalise(people.alice, view.id, 1, completed(view, example))
    assert final.final and final.head == 2 and final.assessment is not None
    with pytest.raises(LockedError):
        workspace.save(people.alice, view.id, 2, final.content)


def test_countersign_rules(workspace: Workspace, people: People, example: dict[str, Any]) -> None:
    draft = workspace.create(people.alice, "CASE-2", INSTRUMENT_ID, VERSION)
    with pytest.raises(StateError):
        workspace.countersign(people.rita, draft.id)
    final_id = _final(workspace, people, example)
    with pytest.raises(ForbiddenError):
        workspace.countersign(people.alice, final_id)  # an assessor
    record = workspace.countersign(people.rita, final_id)
    assert record.countersigned_by == people.rita.id
    with pytest.raises(StateError):
        workspace.countersign(people.adam, final_id)  # already countersigned


def test_the_assessor_cannot_countersign_their_own(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    view = workspace.create(people.rita, "CASE-1", INSTRUMENT_ID, VERSION)
    workspace.finalise(people.rita, view.id, 1, completed(view, example))
    with pytest.raises(ForbiddenError):
        workspace.countersign(people.rita, view.id)
    assert workspace.countersign(people.adam, view.id).countersigned_by == people.adam.id


def test_reassess_carries_ratings_over_but_not_judgements(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    final_id = _final(workspace, people, example)
    draft = workspace.create(people.alice, "CASE-2", INSTRUMENT_ID, VERSION)
    with pytest.raises(StateError):
        workspace.reassess(people.alice, draft.id)
    again = workspace.reassess(people.rita, final_id)
    assert again.record.previous_id == final_id and again.content["previous"] == final_id
    assert again.record.case_id == "CASE-1" and again.record.status == "draft"
    assert again.content["ratings"] == example["ratings"]
    assert again.content["sources"] == example["sources"]
    assert again.content["judgements"] == {}
    assert again.content["assessor"]["id"] == people.rita.id
    assert again.assessment is not None  # a valid draft


def test_amend_keeps_everything_and_points_at_the_final(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    final_id = _final(workspace, people, example)
    amendment = workspace.amend(people.alice, final_id)
    assert amendment.record.amends_id == final_id and amendment.content["amends"] == final_id
    assert amendment.content["judgements"] == example["judgements"]
    assert workspace.get(people.alice, final_id).final


def test_evaluate_report_and_history(workspace: Workspace, people: People, example: dict[str, Any]) -> None:
    final_id = _final(workspace, people, example)
    evaluation = workspace.evaluate(people.alice, final_id).to_dict()
    assert evaluation["instrument"]["id"] == INSTRUMENT_ID and "plan" in evaluation
    report = workspace.report(people.alice, final_id, "md", "nl")
    assert isinstance(report, str) and report
    actions = [e.action for e in workspace.store.audit_events("agency-a", assessment_id=final_id)]
    assert "read-report" in actions
    assert [r.number for r in workspace.history(people.alice, final_id)] == [1, 2]
    with pytest.raises(AssessmentError):
        workspace.report(people.alice, final_id, "docx")


def test_preview_evaluates_unsaved_content(workspace: Workspace, people: People, example: dict[str, Any]) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    evaluation, problems = workspace.preview(people.alice, view.id, partial(view, example))
    assert problems == [] and evaluation is not None and evaluation.completeness.rated == 2
    evaluation, problems = workspace.preview(people.alice, view.id, {"ratings": {"EN1": {"presence": "?"}}})
    assert evaluation is None and problems
    assert workspace.get(people.alice, view.id).head == 1


def test_authentication(workspace: Workspace, people: People) -> None:
    assert workspace.authenticate("alice", PASSWORD) == people.alice
    assert workspace.authenticate("ALICE ", PASSWORD) == people.alice
    assert workspace.authenticate("alice", "wrong password") is None
    assert workspace.authenticate("nobody", PASSWORD) is None


def test_tokens_act_for_their_account(workspace: Workspace, people: People) -> None:
    record, token = workspace.create_token(people.alice, label="case system", by=people.adam)
    assert record.agency_id == "agency-a" and token not in record.token_sha256
    assert workspace.user_from_token(token) == people.alice
    assert workspace.user_from_token(token + "x") is None
    assert workspace.user_from_token("") is None
    with pytest.raises(ForbiddenError):
        workspace.create_token(people.alice, by=people.rita)
    with pytest.raises(ForbiddenError):
        workspace.create_token(people.bob, by=people.adam)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "Bad Name"}, "username"),
        ({"password": "short"}, "password"),
        ({"username": "alice"}, "username"),
        ({"role": "boss"}, "role"),
    ],
)
def test_create_user_refuses(workspace: Workspace, people: People, changes: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {"username": "carol", "password": PASSWORD, "role": "assessor", "agency_id": "agency-a"}
    with pytest.raises(InvalidRequestError) as caught:
        workspace.create_user(**{**args, **changes})
    assert caught.value.problems[0].location.path == (field,)


def test_only_an_administrator_of_the_agency_creates_accounts(workspace: Workspace, people: People) -> None:
    args: dict[str, Any] = {"username": "carol", "password": PASSWORD, "role": "assessor", "agency_id": "agency-a"}
    with pytest.raises(ForbiddenError):
        workspace.create_user(**args, by=people.rita)
    with pytest.raises(ForbiddenError):
        workspace.create_user(**{**args, "agency_id": "agency-b"}, by=people.adam)
    assert workspace.create_user(**args, by=people.adam).agency_id == "agency-a"
