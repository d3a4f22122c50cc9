"""The background step, scenario details and review triggers in the workspace form (issue 14, point 2).

Synthetic data only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import TestClient, form_fields, post_form, start_assessment


def _content(app: Any, assessment_id: str) -> dict[str, Any]:
    workspace = app.state.workspace
    alice = workspace.store.get_user_by_username("alice")
    return dict(workspace.get(alice, assessment_id).content)


def test_the_form_records_background_scenario_details_and_review_triggers(
    app: Any, login: Callable[[str], TestClient]
) -> None:
    client = login("alice")
    assessment_id = start_assessment(client)
    page = client.get(f"/assessments/{assessment_id}")
    assert 'id="background"' in page.text and "Path into extremism" in page.text
    response = post_form(
        client,
        assessment_id,
        form_fields(page.text),
        bg__extremist_history="Drawn in online during a lonely period.",
        bg__prior_violence="threats_only",
        sc__0__kind="escalation",
        sc__0__text="A violent act after a perceived humiliation.",
        sc__0__d__severity="high",
        sc__0__d__imminence="months",
        sc__0__d__warning_signs="Breaks off contact.",
        sc__0__management=["psychosocial_guidance"],
        review_triggers="A new conviction in the family.",
    )
    assert response.status_code == 303, response.text
    content = _content(app, assessment_id)
    assert content["background"] == {
        "extremist_history": "Drawn in online during a lonely period.",
        "prior_violence": "threats_only",
    }
    scenario = content["scenarios"][0]
    assert scenario["details"] == {"severity": "high", "imminence": "months", "warning_signs": "Breaks off contact."}
    assert scenario["management"] == ["psychosocial_guidance"]
    assert content["review_triggers"] == "A new conviction in the family."

    # What was saved is shown again, and a second save of the unchanged form loses nothing.
    again = client.get(f"/assessments/{assessment_id}")
    fields = form_fields(again.text)
    assert fields["bg.prior_violence"] == ["threats_only"]
    assert fields["sc.0.d.imminence"] == ["months"]
    assert fields["sc.0.management"] == ["psychosocial_guidance"]
    assert fields["review_triggers"] == ["A new conviction in the family."]
    assert post_form(client, assessment_id, fields).status_code == 303
    assert _content(app, assessment_id) | {"date": content["date"]} == content | {"date": content["date"]}


def test_a_wrong_detail_is_shown_at_its_field_and_nothing_is_lost(app: Any, login: Callable[[str], TestClient]) -> None:
    client = login("alice")
    assessment_id = start_assessment(client)
    page = client.get(f"/assessments/{assessment_id}")
    response = post_form(
        client,
        assessment_id,
        form_fields(page.text),
        sc__0__text="Something happens.",
        sc__0__d__severity="catastrophic",
        bg__personal_history="Grew up in a small town.",
    )
    assert response.status_code in (200, 422), response.text
    assert 'id="f-sc-0-d-severity-error"' in response.text
    assert "Grew up in a small town." in response.text  # the typed text stays in the form
