"""The identifiers spj uses in FHIR resources: systems, extension URLs, canonical URLs, resource ids."""

from __future__ import annotations

import hashlib
import re

INSTRUMENT = "urn:spj:instrument"
ASSESSMENT = "urn:spj:assessment"
CASE = "urn:spj:case"
USER = "urn:spj:user"
AGENCY = "urn:spj:agency"
INTERVENTION = "urn:spj:intervention"
EXT_FORMAT = "urn:spj:fhir:assessment-format"
EXT_AGENCY = "urn:spj:fhir:agency"
EXT_STEP = "urn:spj:fhir:plan-step"
EXT_ASSESSMENT_FIELDS = "urn:spj:fhir:assessment-fields"

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def scale_system(instrument_id: str, scale: str) -> str:
    """The code system of one scale of an instrument."""
    return f"{INSTRUMENT}:{instrument_id}:scale:{scale}"


def canonical(instrument_id: str, version: str) -> str:
    """The Questionnaire's canonical URL with its version, as a QuestionnaireResponse cites it."""
    return f"{INSTRUMENT}:{instrument_id}|{version}"


def fhir_id(ident: str) -> str:
    """`ident` as a FHIR resource id: itself when it fits, else a digest of it (the identifier keeps it whole)."""
    return ident if _FHIR_ID.match(ident) else "h-" + hashlib.sha256(ident.encode()).hexdigest()[:40]
