"""The operation id of every JSON API route, written down once: what generated clients name their methods.

Stable: a route's id never changes once published (a client's code calls it by that name). A new route gets
its id here (tests/api/test_openapi_document.py fails until it has one); a route that sets `operation_id`
itself keeps it. Used as the app's `generate_unique_id_function`.
"""

from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.utils import generate_unique_id

_ASSESSMENT = "/api/v1/assessments/{assessment_id}"
OPERATION_IDS: dict[str, str] = {
    "GET /api/v1/instruments": "listInstruments",
    "GET /api/v1/instruments/{instrument_id}/{version}": "getInstrument",
    "GET /api/v1/cases": "listCases",
    "GET /api/v1/assessments": "listAssessments",
    "POST /api/v1/assessments": "createAssessment",
    f"GET {_ASSESSMENT}": "getAssessment",
    f"PUT {_ASSESSMENT}": "saveAssessment",
    f"POST {_ASSESSMENT}/finalise": "finaliseAssessment",
    f"POST {_ASSESSMENT}/reassess": "reassessAssessment",
    f"POST {_ASSESSMENT}/amend": "amendAssessment",
    f"POST {_ASSESSMENT}/status": "updateStepStatus",
    f"GET {_ASSESSMENT}/evaluation": "getEvaluation",
    f"GET {_ASSESSMENT}/report": "getReport",
    f"GET {_ASSESSMENT}/history": "getHistory",
    f"POST {_ASSESSMENT}/countersign": "countersignAssessment",
    f"GET {_ASSESSMENT}/delivery": "getPlanDelivery",
    "GET /api/v1/referrals": "listReferrals",
    "GET /api/v1/referrals/{referral_id}": "getReferral",
    "POST /api/v1/referrals/{referral_id}/delivery": "recordReferralDelivery",
    "GET /api/v1/referrals/{referral_id}/extract": "getReferralExtract",
    "GET /api/v1/stats/interventions": "getInterventionStats",
    "GET /api/v1/stats/capacity": "getCapacityStats",
    f"POST {_ASSESSMENT}/second-rating": "requestSecondRating",
    "GET /api/v1/double-ratings": "listDoubleRatings",
    "GET /api/v1/double-ratings/{rating_id}": "getDoubleRating",
    "GET /api/v1/double-ratings/{rating_id}/comparison": "getDoubleRatingComparison",
    "POST /api/v1/double-ratings/{rating_id}/consensus": "recordConsensus",
    "GET /api/v1/stats/agreement": "getAgreementStats",
    "GET /api/v1/consultations": "listConsultations",
    "GET /api/v1/consultations/{consultation_id}": "getConsultation",
    "POST /api/v1/consultations/{consultation_id}/approval": "approveConsultationFeedback",
    "GET /api/v1/tokens": "listTokens",
    "POST /api/v1/tokens/{token_id}/revoke": "revokeToken",
    "POST /api/v1/cases": "createCase",
    "GET /api/v1/cases/{case_id}": "getCase",
    "PATCH /api/v1/cases/{case_id}": "updateCase",
    f"PATCH {_ASSESSMENT}": "patchAssessment",
    f"GET {_ASSESSMENT}/revisions/{{number}}": "getRevision",
    "GET /api/v1/events": "listEvents",
    "GET /api/v1/hooks/deliveries": "listHookDeliveries",
    "POST /api/v1/hooks/deliveries/{delivery_id}/retry": "retryHookDelivery",
    "GET /healthz": "getHealth",
    "GET /readyz": "getReadiness",
}


def operation_id(route: APIRoute) -> str:
    """The route's id from `OPERATION_IDS` (by method and path); FastAPI's own when it has none written down."""
    for method in sorted(route.methods or ()):
        if (found := OPERATION_IDS.get(f"{method} {route.path_format}")) is not None:
            return found
    return generate_unique_id(route)
