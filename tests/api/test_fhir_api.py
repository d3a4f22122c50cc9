"""`GET /api/v1/assessments/{id}/fhir`: the Bundle over HTTP, agency-scoped, the read audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, VERSION, People, TestClient, completed
from fhir.resources.R4B.bundle import Bundle

from spj.api import create_app
from spj.interop.fhir import import_bundle
from spj.interop.loading import InstrumentFinder
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore

API = "/api/v1"


@pytest.fixture
def app_workspace(registry: InstrumentRegistry) -> Iterator[tuple[TestClient, Workspace]]:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app.state.workspace


@pytest.fixture
def workspace(app_workspace: tuple[TestClient, Workspace]) -> Workspace:
    return app_workspace[1]  # `people` are made in the app's workspace


def test_the_bundle_of_a_final_assessment(
    app_workspace: tuple[TestClient, Workspace], people: People, example: dict[str, Any]
) -> None:
    client, workspace = app_workspace
    alice = {"Authorization": f"Bearer {workspace.create_token(people.alice)[1]}"}
    bob = {"Authorization": f"Bearer {workspace.create_token(people.bob)[1]}"}
    body = {"case_id": "CASE-1", "instrument_id": INSTRUMENT_ID, "instrument_version": VERSION}
    created = client.post(f"{API}/assessments", json=body, headers=alice).json()
    view = workspace.get(people.alice, created["id"])
    final = {"base_revision": 1, "content": completed(view, example)}
    assert client.post(f"{API}/assessments/{view.id}/finalise", json=final, headers=alice).status_code == 200

    response = client.get(f"{API}/assessments/{view.id}/fhir?lang=nl", headers=alice)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate_json(response.text)
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds == ["Questionnaire", "QuestionnaireResponse", "PlanDefinition", "CarePlan", "Provenance"]
    back = import_bundle(response.text, InstrumentFinder([view.instrument]))
    assert back == workspace.get(people.alice, view.id).assessment
    assert [e.action for e in workspace.store.audit_events("agency-a", assessment_id=view.id)][-1] == "read"

    assert client.get(f"{API}/assessments/{view.id}/fhir", headers=bob).status_code == 404  # another agency
    assert client.get(f"{API}/assessments/{view.id}/fhir").status_code == 401
