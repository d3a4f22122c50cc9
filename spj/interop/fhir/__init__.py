"""FHIR R4: instrument → Questionnaire, assessment → QuestionnaireResponse, proposal → PlanDefinition,
agreed plan → CarePlan, sign-off → Provenance; a Bundle exported and imported, checked by `fhir.resources`."""

from __future__ import annotations

from spj.interop.fhir.bundle import export_bundle as export_bundle
from spj.interop.fhir.bundle import import_bundle as import_bundle

__all__ = ["export_bundle", "import_bundle"]
