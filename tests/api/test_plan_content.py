"""Version-2 content in the workspace (DESIGN 4.6): new assessments are `spj-assessment/2`, version-1
revisions keep loading and are upgraded on their next save, reassessments and amendments carry the plan."""

from __future__ import annotations

import copy
from typing import Any

from conftest import INSTRUMENT_ID, VERSION, People, completed

from spj.service import Workspace

V1 = "spj-assessment/1"
V2 = "spj-assessment/2"


def _v1_in_store(workspace: Workspace, people: People, example: dict[str, Any]) -> str:
    """An assessment whose only revision is version-1 content, as a store written before version 2 holds it."""
    view = workspace.create(people.alice, "CASE-OLD", INSTRUMENT_ID, VERSION)
    content = copy.deepcopy(view.content)
    content["format"] = V1
    content.pop("plan", None)
    content["ratings"] = {"EN1": copy.deepcopy(example["ratings"]["EN1"])}
    content["sources"] = copy.deepcopy(example["sources"])
    workspace.store.create_case("agency-a", "CASE-V1", actor=people.alice.id)
    workspace.store.create_assessment(
        "agency-a",
        assessment_id="A-v1-legacy",
        case_id="CASE-V1",
        instrument_id=INSTRUMENT_ID,
        instrument_version=VERSION,
        content={**content, "id": "A-v1-legacy", "case": {"id": "CASE-V1", "fields": {}}},
        actor=people.alice.id,
    )
    return "A-v1-legacy"


def test_a_new_assessment_is_version_2_with_an_empty_plan(workspace: Workspace, people: People) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    assert view.content["format"] == V2
    assert view.content["plan"] == {"decisions": {}, "added": []}
    assert view.assessment is not None and view.assessment.version == 2


def test_a_version_1_revision_loads_and_is_upgraded_on_its_next_save(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    assessment_id = _v1_in_store(workspace, people, example)
    view = workspace.get(people.alice, assessment_id)
    assert view.content["format"] == V1
    assert view.assessment is not None and view.assessment.version == 1 and view.problems == []
    assert workspace.evaluate(people.alice, assessment_id).agreed_plan is None
    assert "agreed_plan" not in workspace.evaluate(people.alice, assessment_id).to_dict()

    saved = workspace.save(people.alice, assessment_id, view.head, {**view.content, "formulation": "Synthetic."})
    assert saved.content["format"] == V2 and saved.assessment is not None and saved.assessment.version == 2
    assert saved.content["ratings"] == view.content["ratings"]
    assert workspace.evaluate(people.alice, assessment_id).agreed_plan is not None
    assert workspace.history(people.alice, assessment_id)[0].content["format"] == V1  # history is never rewritten


def test_a_plan_sent_with_version_1_content_is_kept_as_version_2(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    assessment_id = _v1_in_store(workspace, people, example)
    view = workspace.get(people.alice, assessment_id)
    plan = {"decisions": {"motivational_work": {"decision": "accept"}}}
    saved = workspace.save(people.alice, assessment_id, view.head, {**view.content, "plan": plan})
    assert saved.content["format"] == V2 and saved.content["plan"] == plan


def _decided(view_content: dict[str, Any], workspace: Workspace, people: People, assessment_id: str) -> dict[str, Any]:
    """`view_content` with every proposed step accepted (the first one running at a partner) and a review date."""
    content = copy.deepcopy(view_content)
    evaluation, problems = workspace.preview(people.alice, assessment_id, content)
    assert evaluation is not None, problems
    steps = [s.id for s in evaluation.plan.ordered_steps]
    decisions: dict[str, Any] = {step: {"decision": "accept"} for step in steps}
    decisions[steps[0]] |= {"status": "running", "partner": {"agency": "agency-care"}}
    content["plan"] = {"review_date": "2027-01-15", "decisions": decisions, "added": []}
    return content


def test_a_reassessment_carries_the_decisions_and_statuses_but_not_the_review_date(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    final = workspace.finalise(people.alice, view.id, 1, _decided(completed(view, example), workspace, people, view.id))
    again = workspace.reassess(people.alice, final.id)
    assert again.content["format"] == V2
    assert again.content["plan"]["decisions"] == final.content["plan"]["decisions"]
    assert "review_date" not in again.content["plan"]
    amendment = workspace.amend(people.alice, final.id)
    assert amendment.content["plan"] == final.content["plan"]


def test_a_reassessment_starts_its_plan_afresh_an_amendment_keeps_the_start_date(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    content = _decided(completed(view, example), workspace, people, view.id)
    content["plan"]["start_date"] = "2027-02-01"
    final = workspace.finalise(people.alice, view.id, 1, content)
    assert final.content["plan"]["start_date"] == "2027-02-01"
    assert "start_date" not in workspace.reassess(people.alice, final.id).content["plan"]
    assert workspace.amend(people.alice, final.id).content["plan"]["start_date"] == "2027-02-01"
