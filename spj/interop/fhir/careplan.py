"""The trajectory in FHIR R4: the engine's proposal as a PlanDefinition, the expert's agreed plan as a CarePlan,
the sign-off as a Provenance.

A CarePlan activity shows each decided step the FHIR way (status, performer,
description); the spj step itself (decision, reason, weeks, what it
addresses) rides along in the `plan-step` extension, so an import gets back
exactly the decisions that were exported.
"""

from __future__ import annotations

import json
from typing import Any

from spj.assessment import Assessment
from spj.assessment.plan_model import AddedStep, AgreedPlanInput, Decision
from spj.evaluation.results import Evaluation
from spj.instrument import Instrument
from spj.instrument.text import localize
from spj.interop.fhir.names import AGENCY, ASSESSMENT, CASE, EXT_STEP, INTERVENTION, USER, canonical, fhir_id
from spj.report.i18n import translations_for

_STATUS = {
    "proposed": "not-started",
    "referred": "scheduled",
    "running": "in-progress",
    "completed": "completed",
    "stopped": "stopped",
}


def _weeks(count: int) -> dict[str, Any]:
    return {"value": count, "system": "http://unitsofmeasure.org", "code": "wk", "unit": "weeks"}


def plan_definition(instrument: Instrument, evaluation: Evaluation, *, lang: str | None = None) -> dict[str, Any]:
    """The engine's proposal: one action per step in phase order, ordered by `relatedAction` (after-end)."""
    actions = [
        {
            "id": _action_id(step.id),
            "title": localize(step.intervention.title, lang, instrument),
            "code": [{"coding": [{"system": f"{INTERVENTION}:{instrument.id}", "code": step.id}]}],
            "reason": [{"text": step.reason}],
            "timingDuration": _weeks(step.intervention.duration_weeks),
            "participant": [{"type": "related-person", "role": {"text": step.intervention.provider}}],
            "relatedAction": [
                {"actionId": _action_id(before), "relationship": "after-end"} for before in step.predecessors
            ],
        }
        for step in evaluation.plan.ordered_steps
    ]
    return {
        "resourceType": "PlanDefinition",
        "id": fhir_id(f"proposal-{evaluation.assessment_id}"),
        "status": "draft",
        "title": translations_for(lang or instrument.default_language).gettext(
            "Proposed trajectory (the engine's proposal; the expert decides)"
        ),
        "identifier": [{"system": ASSESSMENT, "value": evaluation.assessment_id}],
        "relatedArtifact": [{"type": "depends-on", "resource": canonical(instrument.id, instrument.version)}],
        **({"action": actions} if actions else {}),
    }


def _action_id(step_id: str) -> str:
    # A FHIR id has no underscore and an spj name no dash: the swap is one-to-one.
    return step_id.replace("_", "-")


def care_plan(instrument: Instrument, assessment: Assessment, plan: AgreedPlanInput) -> dict[str, Any]:
    """The agreed plan: one activity per decision and per added step, in file order."""
    activities = [_activity(instrument, step_id, decision) for step_id, decision in plan.decisions.items()]
    activities += [_activity(instrument, added.id, added) for added in plan.added]
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": fhir_id(f"plan-{assessment.id}"),
        "identifier": [{"system": ASSESSMENT, "value": assessment.id}],
        "status": "active" if assessment.status == "final" else "draft",
        "intent": "plan",
        "subject": {"identifier": {"system": CASE, "value": assessment.case.id}},
        "supportingInfo": [{"identifier": {"system": ASSESSMENT, "value": assessment.id}}],
    }
    if plan.review_date is not None:
        resource["period"] = {"end": plan.review_date.isoformat()}
    if activities:
        resource["activity"] = activities
    return resource


def _activity(instrument: Instrument, step_id: str, step: Decision | AddedStep) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "code": {"coding": [{"system": f"{INTERVENTION}:{instrument.id}", "code": step_id}]},
        "status": _STATUS[step.status],
    }
    if step.objective:
        detail["description"] = step.objective
    if step.partner is not None:
        detail["performer"] = [{"identifier": {"system": AGENCY, "value": step.partner.agency}}]
    if step.status_reason:
        detail["statusReason"] = {"text": step.status_reason}
    data = step.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    kind = "added" if isinstance(step, AddedStep) else "decision"
    value = json.dumps({"kind": kind, "id": step_id, "step": data}, sort_keys=True, ensure_ascii=False)
    return {"extension": [{"url": EXT_STEP, "valueString": value}], "detail": detail}


def plan_data(resource: dict[str, Any]) -> dict[str, Any]:
    """The `plan:` of an assessment (DESIGN 4.6), read back from a CarePlan that `care_plan` wrote."""
    plan: dict[str, Any] = {"decisions": {}, "added": []}
    end = resource.get("period", {}).get("end")
    if end is not None:
        plan["review_date"] = end
    for activity in resource.get("activity", []):
        for extension in activity.get("extension", []):
            if extension.get("url") == EXT_STEP:
                carried = json.loads(extension["valueString"])
                if carried["kind"] == "added":
                    plan["added"].append(carried["step"])
                else:
                    plan["decisions"][carried["id"]] = carried["step"]
    return plan


def provenance(assessment: Assessment, *, target: str, countersigned_by: str | None = None) -> dict[str, Any]:
    """The sign-off of a final assessment: its assessor signed it (and a countersigner verified it)."""
    agents = [_agent("author", assessment.assessor.id, assessment.assessor.agency)]
    if countersigned_by is not None:
        agents.append(_agent("verifier", countersigned_by, None))
    return {
        "resourceType": "Provenance",
        "id": fhir_id(f"signed-{assessment.id}"),
        "target": [{"reference": target}],
        "recorded": f"{assessment.date.isoformat()}T00:00:00Z",
        "activity": {"text": "sign-off of a final assessment"},
        "agent": agents,
    }


def _agent(role: str, user: str, agency: str | None) -> dict[str, Any]:
    agent: dict[str, Any] = {
        "type": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type", "code": role}]
        },
        "who": {"identifier": {"system": USER, "value": user}},
    }
    if agency is not None:
        agent["onBehalfOf"] = {"identifier": {"system": AGENCY, "value": agency}}
    return agent
