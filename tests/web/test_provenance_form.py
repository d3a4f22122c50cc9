"""The workspace form cannot set provenance either (issue 13, point 1): fields it does not show are not read.

Synthetic data only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import TestClient, form_fields, post_form, start_assessment


def test_posted_provenance_fields_are_not_read(app: Any, login: Callable[[str], TestClient]) -> None:
    client = login("alice")
    assessment_id = start_assessment(client)
    page = client.get(f"/assessments/{assessment_id}")
    response = post_form(
        client,
        assessment_id,
        form_fields(page.text),
        assessor="someone-else",
        assessor__id="someone-else",
        assessor__agency="hoj-brugge",
        assessor__name="Dr. Someone Else",
        previous="A-0000forged",
        amends="A-1111forged",
    )
    assert response.status_code == 303, response.text
    workspace = app.state.workspace
    alice = workspace.store.get_user_by_username("alice")
    content = workspace.get(alice, assessment_id).content
    assert content["assessor"] == {"id": alice.id, "agency": "hoj-gent", "name": alice.display_name}
    assert "previous" not in content and "amends" not in content
    report = client.get(f"/assessments/{assessment_id}/report")
    assert "Someone Else" not in report.text and "forged" not in report.text
