"""The agreed plan in the service: finalise refuses a plan with findings, a malformed decision is never saved,
partners come from the deployment's register (DESIGN 4.6, 4.7)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, agreed_plan, completed

from spj.disclosure import parse_deployment
from spj.service import FinaliseRefusedError, InstrumentRegistry, InvalidContentError, Workspace
from spj.store import MemoryStore

DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: agency-a, kind: probation}
  - {id: care-example, kind: care, title: {en: Care centre (synthetic)}}
profiles:
  care: {basis: {en: Consent of the client}, sees: [case, plan.own]}
"""


def _draft(workspace: Workspace, people: People, example: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    return view.id, completed(view, example)


def _proposed(workspace: Workspace, people: People, assessment_id: str, content: dict[str, Any]) -> list[str]:
    evaluation, problems = workspace.preview(people.alice, assessment_id, content)
    assert evaluation is not None, problems
    return [s.id for s in evaluation.plan.ordered_steps]


def test_finalise_refuses_an_undecided_plan_with_located_findings(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    assessment_id, content = _draft(workspace, people, example)
    content["plan"] = {"decisions": {}, "added": []}
    with pytest.raises(FinaliseRefusedError) as caught:
        workspace.finalise(people.alice, assessment_id, 1, content)
    codes = caught.value.codes
    assert "undecided-intervention" in codes and "missing-review-date" in codes
    proposed = _proposed(workspace, people, assessment_id, content)
    assert codes.count("undecided-intervention") == len(proposed) > 0
    assert workspace.get(people.alice, assessment_id).record.status == "draft"  # nothing written
    assert workspace.get(people.alice, assessment_id).head == 1


def test_a_draft_keeps_an_undecided_plan_and_shows_what_is_missing(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    assessment_id, content = _draft(workspace, people, example)
    content["plan"] = {"decisions": {}, "added": []}
    saved = workspace.save(people.alice, assessment_id, 1, content)
    agreed = workspace.evaluate(people.alice, saved.id).agreed_plan
    assert agreed is not None and agreed.undecided and not agreed.decided
    assert {f.code for f in agreed.findings} == {"undecided-intervention"}


def test_a_decided_plan_finalises(workspace: Workspace, people: People, example: dict[str, Any]) -> None:
    assessment_id, content = _draft(workspace, people, example)
    final = workspace.finalise(people.alice, assessment_id, 1, content)  # `completed` decides every step
    agreed = workspace.evaluate(people.alice, final.id).agreed_plan
    assert final.final and agreed is not None and agreed.decided and agreed.review_date


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        (lambda plan, first: plan["decisions"].update(no_such_step={"decision": "accept"}),
         "unknown-intervention", ("plan", "decisions", "no_such_step")),
        (lambda plan, first: plan["decisions"].update({first: {"decision": "decline"}}),
         "decision-needs-reason", ("plan", "decisions", "<first>")),
        (lambda plan, first: plan["decisions"].update({first: {"decision": "amend", "start_week": 3}}),
         "decision-needs-reason", ("plan", "decisions", "<first>")),
        (lambda plan, first: plan["decisions"][first].update(addresses=["ZZ9"]),
         "unknown-indicator", ("plan", "decisions", "<first>", "addresses", 0)),
        (lambda plan, first: plan["decisions"][first].update(status="stopped"),
         "decision-needs-reason", ("plan", "decisions", "<first>", "status")),
        (lambda plan, first: plan["added"].append({"id": "debt_help", "title": "Debts", "duration_weeks": 4}),
         "decision-needs-reason", ("plan", "added", 0)),
        (lambda plan, first: plan["decisions"].update({first: {"decision": "maybe"}}),
         "schema", ("plan", "decisions", "<first>", "decision")),
    ],
    ids=["unknown-step", "decline-without-reason", "amend-without-reason", "unknown-indicator",
         "stopped-without-reason", "added-without-reason", "unknown-decision"],
)  # fmt: skip
@pytest.mark.parametrize("action", ["save", "finalise"])
def test_a_malformed_decision_is_a_draft_warning_and_refuses_finalising(
    workspace: Workspace,
    people: People,
    example: dict[str, Any],
    change: Any,
    code: str,
    path: tuple[Any, ...],
    action: str,
) -> None:
    """DESIGN 4.6: a draft reports the plan's findings as warnings (saved, the agreed plan carries them); finalising
    refuses them, located. Content that is not an assessment at all (`schema`) is refused on every save."""
    assessment_id, content = _draft(workspace, people, example)
    first = _proposed(workspace, people, assessment_id, content)[0]
    change(content["plan"], first)
    expected = tuple(first if part == "<first>" else part for part in path)
    if action == "save" and code != "schema":
        saved = workspace.save(people.alice, assessment_id, 1, content)
        assert saved.head == 2 and saved.content["plan"] == content["plan"]
        agreed = workspace.evaluate(people.alice, assessment_id).agreed_plan
        assert agreed is not None
        assert (code, expected) in {(f.code, f.path) for f in agreed.findings}
        return
    refused = InvalidContentError if action == "save" else FinaliseRefusedError
    with pytest.raises(refused) as caught:
        getattr(workspace, action)(people.alice, assessment_id, 1, content)
    assert (code, expected) in {(p.code.value, p.location.path) for p in caught.value.problems}
    assert caught.value.content["plan"] == content["plan"]  # the submitted plan comes back, to show again
    assert workspace.get(people.alice, assessment_id).head == 1


@pytest.fixture
def deployed(registry: InstrumentRegistry) -> Workspace:
    return Workspace(MemoryStore(), registry, hasher=FAST_HASHER, deployment=parse_deployment(DEPLOYMENT))


@pytest.mark.parametrize(
    ("agency", "refused"),
    [("care-example", False), ("agency-a", False), ("care-exmaple", True), ("agency-b", True)],
)
def test_with_a_deployment_partners_come_from_its_register(
    deployed: Workspace, example: dict[str, Any], agency: str, refused: bool
) -> None:
    deployed.store.create_agency("agency-a", "A")
    alice = deployed.create_user(
        username="alice", password="correct horse battery", role="assessor", agency_id="agency-a"
    )
    view = deployed.create(alice, "CASE-1", INSTRUMENT_ID, VERSION)
    content = completed(view, example)
    first = next(iter(content["plan"]["decisions"]))
    content["plan"]["decisions"][first]["partner"] = {"agency": agency}
    if not refused:
        assert deployed.save(alice, view.id, 1, content).head == 2
        return
    with pytest.raises(InvalidContentError) as caught:
        deployed.save(alice, view.id, 1, content)
    problem = next(p for p in caught.value.problems if p.code.value == "unknown-agency")
    assert problem.location.path == ("plan", "decisions", first, "partner", "agency")
    if agency == "care-exmaple":
        assert "did you mean 'care-example'" in problem.message


def test_without_a_deployment_a_partner_is_free_text(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    assessment_id, content = _draft(workspace, people, example)
    first = next(iter(content["plan"]["decisions"]))
    content["plan"]["decisions"][first]["partner"] = {"agency": "any-partner-we-work-with", "contact": "intake"}
    assert workspace.save(people.alice, assessment_id, 1, content).head == 2


def test_agreed_plan_helper_accepts_every_proposed_step(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    content = completed(view, example)
    plan = agreed_plan(view.instrument, copy.deepcopy(content))
    assert set(plan["decisions"]) == set(_proposed(workspace, people, view.id, content))
