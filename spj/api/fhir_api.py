"""FHIR R4 over the JSON API: `GET /api/v1/assessments/{id}/fhir`, the assessment's Bundle.

Thin over `spj.interop.fhir.export_bundle`: the head revision, read (and the
read audited) as the token's user may read it; the same Bundle `spj fhir
export` writes, validated by the FHIR models.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.idempotency import IdempotentRoute
from spj.api.json_api import ERRORS
from spj.errors import AssessmentError
from spj.interop.fhir import export_bundle

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["fhir"], route_class=IdempotentRoute)
FHIR_JSON = "application/fhir+json"


@router.get(
    "/assessments/{assessment_id}/fhir",
    response_class=Response,
    responses={200: {"content": {FHIR_JSON: {}}, "description": "a FHIR R4 Bundle (collection)"}},
    operation_id="get_assessment_fhir_bundle",
)
def fhir_bundle(
    assessment_id: str,
    user: TokenUser,
    workspace: WorkspaceDep,
    lang: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The head revision as a FHIR R4 Bundle: Questionnaire, QuestionnaireResponse, PlanDefinition, CarePlan
    (an agreed plan) and Provenance (a final assessment's sign-off). The read is audited."""
    import json

    view = workspace.read(user, assessment_id)
    if view.assessment is None:
        raise AssessmentError(view.problems)
    bundle = export_bundle(
        view.instrument,
        view.assessment,
        workspace.evaluation_of(view),
        lang=lang,
        countersigned_by=view.record.countersigned_by,
    )
    return Response(json.dumps(bundle, ensure_ascii=False), media_type=FHIR_JSON)
