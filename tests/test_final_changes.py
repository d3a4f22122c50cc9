"""What a final assessment may still change: the delivery of its plan's steps, nothing else.

`spj.assessment.final_changes`: the rule the service applies and `spj audit verify` checks.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from spj.assessment.final_changes import changes_after_final, with_step_delivery

FINAL: dict[str, Any] = {
    "format": "spj-assessment/2",
    "id": "A-1",
    "status": "final",
    "formulation": "Synthetic formulation.",
    "ratings": {"SO1": {"presence": "P"}},
    "plan": {
        "review_date": "2027-01-01",
        "decisions": {
            "guidance": {"decision": "accept", "partner": {"agency": "care-example"}},
            "trauma_care": {"decision": "decline", "reason": "Not now."},
        },
        "added": [{"id": "debt_help", "title": "Debts", "duration_weeks": 4, "reason": "Debts.", "status": "running"}],
    },
}


def _changed(edit: Any) -> dict[str, Any]:
    after = copy.deepcopy(FINAL)
    edit(after)
    return after


@pytest.mark.parametrize(
    ("edit", "paths"),
    [
        (lambda c: None, []),
        (lambda c: c["plan"]["decisions"]["guidance"].update(status="referred"), []),
        (lambda c: c["plan"]["decisions"]["guidance"].update(status="stopped", status_reason="Moved away."), []),
        (lambda c: c["plan"]["decisions"]["guidance"].update(started_on="2027-02-01", ended_on="2027-05-01"), []),
        (lambda c: c["plan"]["added"][0].update(status="completed"), []),
        (lambda c: c["plan"]["added"][0].pop("status"), []),
        (lambda c: c.update(formulation="Rewritten."), [("formulation",)]),
        (lambda c: c["ratings"]["SO1"].update(presence="Y"), [("ratings",)]),
        (lambda c: c["plan"]["decisions"]["guidance"].update(decision="decline"), [("plan", "decisions", "guidance")]),
        (
            lambda c: c["plan"]["decisions"]["guidance"].update(partner={"agency": "other"}),
            [("plan", "decisions", "guidance")],
        ),
        (lambda c: c["plan"]["decisions"].pop("trauma_care"), [("plan", "decisions", "trauma_care")]),
        (lambda c: c["plan"]["decisions"].update(new_one={"decision": "accept"}), [("plan", "decisions", "new_one")]),
        (lambda c: c["plan"].update(review_date="2028-01-01"), [("plan", "review_date")]),
        (lambda c: c["plan"]["added"][0].update(duration_weeks=8), [("plan", "added", 0)]),
        (lambda c: c["plan"]["added"].append({"id": "x"}), [("plan", "added")]),
        (lambda c: c.update(status="draft"), [("status",)]),
        (lambda c: c.pop("plan"), [("plan",)]),
        (lambda c: c.update(extra=1), [("extra",)]),
    ],
    ids=[
        "nothing",
        "status",
        "stopped-with-reason",
        "dates",
        "added-status",
        "added-status-back-to-default",
        "formulation",
        "a-rating",
        "a-decision",
        "a-partner",
        "a-decision-removed",
        "a-decision-added",
        "review-date",
        "added-step-weeks",
        "a-step-added",
        "back-to-draft",
        "plan-removed",
        "a-new-key",
    ],
)
def test_only_the_delivery_of_a_step_may_change_after_final(edit: Any, paths: list[tuple[Any, ...]]) -> None:
    assert changes_after_final(FINAL, _changed(edit)) == paths


def test_with_step_delivery_sets_only_the_delivery_fields() -> None:
    after = with_step_delivery(FINAL, "guidance", status="stopped", status_reason="Moved away.", ended_on="2027-03-01")
    assert after is not None and changes_after_final(FINAL, after) == []
    assert after["plan"]["decisions"]["guidance"] == {
        "decision": "accept",
        "partner": {"agency": "care-example"},
        "status": "stopped",
        "status_reason": "Moved away.",
        "ended_on": "2027-03-01",
    }
    assert FINAL["plan"]["decisions"]["guidance"].get("status") is None  # the input is left as it was
    added = with_step_delivery(FINAL, "debt_help", status="completed", status_reason=None)
    assert added is not None and added["plan"]["added"][0]["status"] == "completed"
    assert "status_reason" not in added["plan"]["added"][0]


def test_with_step_delivery_of_a_step_the_plan_does_not_have_is_none() -> None:
    assert with_step_delivery(FINAL, "no_such_step", status="running") is None
    assert with_step_delivery({**FINAL, "plan": None}, "guidance", status="running") is None
