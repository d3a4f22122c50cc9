"""FHIR R4 export and import of one assessment, as a Bundle of type `collection`, checked by the FHIR models.

Export: the Questionnaire (the instrument), the QuestionnaireResponse (the
assessment), the PlanDefinition (the engine's proposal), the CarePlan (the
expert's agreed plan, for a version-2 assessment) and, for a final
assessment, the Provenance of its sign-off. Every resource is validated with
the `fhir.resources` R4B models (R4B is R4 for these resources) before it is
returned. Import: a bundle, validated the same way, back to an `Assessment`
validated against its instrument: evaluating it gives what the original gave.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from spj.assessment import Assessment
from spj.assessment.loader import assessment_from_data
from spj.errors import Code, ExportError, Location, Problem
from spj.evaluation.results import Evaluation
from spj.instrument import Instrument
from spj.interop.fhir.careplan import care_plan, plan_data, plan_definition, provenance
from spj.interop.fhir.questionnaire import questionnaire
from spj.interop.fhir.reading import assessment_data
from spj.interop.fhir.response import questionnaire_response
from spj.interop.loading import InstrumentFinder

MAX_BYTES = 8 * 1024 * 1024


def export_bundle(
    instrument: Instrument,
    assessment: Assessment,
    evaluation: Evaluation,
    *,
    lang: str | None = None,
    countersigned_by: str | None = None,
) -> dict[str, Any]:
    """The bundle of `assessment` as JSON data, every resource validated by the FHIR R4(B) models."""
    response = questionnaire_response(instrument, assessment)
    resources = [
        questionnaire(instrument, lang=lang),
        response,
        plan_definition(instrument, evaluation, lang=lang),
    ]
    if assessment.plan is not None:
        resources.append(care_plan(instrument, assessment, assessment.plan))
    if assessment.status == "final":
        target = f"QuestionnaireResponse/{response['id']}"
        resources.append(provenance(assessment, target=target, countersigned_by=countersigned_by))
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:spj:{r['resourceType']}:{r['id']}", "resource": r} for r in resources],
    }
    validated(bundle, file=None)
    return bundle


def import_bundle(text: str | bytes, finder: InstrumentFinder, *, file: str | None = None) -> Assessment:
    """The assessment in a bundle (JSON text): `ExportError` (`fhir-invalid`) for a bundle the FHIR models refuse
    or that holds no QuestionnaireResponse; `AssessmentError` when the assessment is not valid for its instrument."""
    if len(text) > MAX_BYTES:
        raise ExportError(Problem(Code.FILE_TOO_LARGE, "the bundle is larger than 8 MiB", Location(file)))
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ExportError(Problem(Code.FHIR_INVALID, f"not JSON: {exc}", Location(file))) from None
    bundle = validated(data, file=file)
    resources = [entry.get("resource", {}) for entry in bundle.get("entry", [])]
    responses = [r for r in resources if r.get("resourceType") == "QuestionnaireResponse"]
    if len(responses) != 1:
        raise ExportError(
            Problem(
                Code.FHIR_INVALID,
                f"a bundle for spj holds one QuestionnaireResponse, not {len(responses)}",
                Location(file, path=("entry",)),
            )
        )
    content = assessment_data(responses[0])
    plans = [r for r in resources if r.get("resourceType") == "CarePlan"]
    if plans:
        content["plan"] = plan_data(plans[0])
    from spj.files.yamlsource import Document

    instrument = finder.for_document(Document(content, file))
    return assessment_from_data(content, instrument, file=file)


KNOWN = ("Questionnaire", "QuestionnaireResponse", "PlanDefinition", "CarePlan", "Provenance")
"""The resource types of a bundle for spj; the FHIR library fails badly on an unknown or non-text type."""


def _check_resource_types(data: dict[str, Any], file: str | None) -> None:
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        return  # the Bundle model reports it
    problems = []
    for n, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if kind not in KNOWN:
            problems.append(
                Problem(
                    Code.FHIR_INVALID,
                    f"resourceType {kind!r} is not one spj reads ({', '.join(KNOWN)})",
                    Location(file, path=("entry", n, "resource", "resourceType")),
                )
            )
    if problems:
        raise ExportError(problems)


def validated(data: Any, *, file: str | None) -> dict[str, Any]:
    """`data` checked as an R4 Bundle (every entry's resource by its own model); its problems located by path."""
    from fhir.resources.R4B.bundle import Bundle  # the FHIR models load only when FHIR is used

    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise ExportError(Problem(Code.FHIR_INVALID, "expected a FHIR Bundle (resourceType: Bundle)", Location(file)))
    _check_resource_types(data, file)
    try:
        bundle = Bundle.model_validate(data)
    except ValidationError as exc:
        raise ExportError(
            [
                Problem(Code.FHIR_INVALID, f"{error['msg']}", Location(file, path=tuple(error["loc"])))
                for error in exc.errors()[:50]
            ]
        ) from None
    result: dict[str, Any] = bundle.model_dump(mode="json", by_alias=True, exclude_none=True)
    return result
