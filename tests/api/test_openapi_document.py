"""The OpenAPI document fit for client generators (issue 12, point 4): a valid OpenAPI 3.1 document, a bearer
security scheme on every token route, and explicit, stable operation ids (`listAssessments`)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import FAST_HASHER, TestClient

from spj.api import create_app
from spj.api.operation_ids import OPERATION_IDS
from spj.service import InstrumentRegistry
from spj.store import MemoryStore

OPEN_ROUTES = {"/healthz", "/readyz"}  # answered without a token


@pytest.fixture(scope="module")
def document(registry: InstrumentRegistry) -> dict[str, Any]:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False)
    data: dict[str, Any] = TestClient(app).get("/openapi.json").json()
    return data


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", "put", "post", "patch", "delete")
    ]


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)


def test_bearer_scheme(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "an API token from `spj token add`",
    }
    for path, method, op in _operations(document):
        expected = [] if path in OPEN_ROUTES else [{"bearerAuth": []}]
        assert op.get("security", []) == expected, (method, path)


def test_explicit_operation_ids(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9_]*", i) for i in ids), ids
    written = set(OPERATION_IDS.values()) | {"get_assessment_fhir_bundle"}  # the FHIR route sets its own
    assert set(ids) == written  # every route has its id written down, none left over
    by_route = {(m, p): op["operationId"] for p, m, op in _operations(document)}
    assert by_route[("get", "/api/v1/assessments")] == "listAssessments"
    assert by_route[("post", "/api/v1/assessments")] == "createAssessment"
    assert by_route[("put", "/api/v1/assessments/{assessment_id}")] == "saveAssessment"
    assert by_route[("get", "/api/v1/assessments/{assessment_id}/evaluation")] == "getEvaluation"
    assert by_route[("get", "/healthz")] == "getHealth"
