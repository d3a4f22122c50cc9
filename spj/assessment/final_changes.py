"""What a final assessment may still change: where the delivery of each step of its plan stands.

A final assessment is locked: its ratings, judgements and decisions change
only through an amendment. Delivery goes on after it is final, though, so the
delivery fields of a plan step (`status`, `status_reason`, `started_on`,
`ended_on`) may be updated, each update a new revision in the assessment's
hash chain. These pure functions say what changed (the service refuses
anything else; `spj audit verify` checks the stored history against the same
rule) and make such an update.

>>> before = {"plan": {"decisions": {"guidance": {"decision": "accept"}}}, "formulation": "..."}
>>> after = with_step_delivery(before, "guidance", status="running")
>>> changes_after_final(before, after)
[]
>>> changes_after_final(before, {**after, "formulation": "changed"})
[('formulation',)]
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

DELIVERY_KEYS = ("status", "status_reason", "started_on", "ended_on")
"""The fields of a plan step that a final assessment may still change."""

Path = tuple[str | int, ...]


def changes_after_final(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Path]:
    """The paths where `after` differs from the final `before` other than in the delivery of a step.

    Empty when `after` only updates where delivery stands. Paths are as
    coarse as the first difference: a step whose decision changed is
    `("plan", "decisions", step)`, a rating that changed is `("ratings",)`.
    """
    paths: list[Path] = []
    for key in sorted(set(before) | set(after)):
        if key == "plan" and isinstance(before.get(key), Mapping) and isinstance(after.get(key), Mapping):
            paths += _plan_changes(before[key], after[key])
        elif before.get(key, _MISSING) != after.get(key, _MISSING):
            paths.append((key,))
    return paths


def with_step_delivery(content: Mapping[str, Any], step_id: str, **delivery: Any) -> dict[str, Any] | None:
    """A copy of `content` with the delivery fields of step `step_id` set (None values remove them).

    `delivery` takes the keys of `DELIVERY_KEYS`; a status of "proposed" is
    written as the default (left out). None when the plan has no decision or
    added step `step_id`.
    """
    unknown = set(delivery) - set(DELIVERY_KEYS)
    if unknown:
        raise TypeError(f"not a delivery field: {', '.join(sorted(unknown))}")
    out = copy.deepcopy(dict(content))
    plan = out.get("plan")
    if not isinstance(plan, dict):
        return None
    decision = (plan.get("decisions") or {}).get(step_id)
    step = (
        decision
        if isinstance(decision, dict)
        else next((a for a in plan.get("added") or () if isinstance(a, dict) and a.get("id") == step_id), None)
    )
    if step is None:
        return None
    for key, value in delivery.items():
        if value is None or (key == "status" and value == "proposed"):
            step.pop(key, None)
        else:
            step[key] = value
    return out


_MISSING = object()


def _plan_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Path]:
    paths: list[Path] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if key == "decisions" and isinstance(old, Mapping) and isinstance(new, Mapping):
            for step_id in sorted(set(old) | set(new)):
                if _undelivered(old.get(step_id, _MISSING)) != _undelivered(new.get(step_id, _MISSING)):
                    paths.append(("plan", "decisions", step_id))
        elif key == "added" and isinstance(old, list) and isinstance(new, list):
            if len(old) != len(new):
                paths.append(("plan", "added"))
                continue
            for n, (was, now) in enumerate(zip(old, new, strict=True)):
                if _undelivered(was) != _undelivered(now):
                    paths.append(("plan", "added", n))
        elif old != new:
            paths.append(("plan", key))
    return paths


def _undelivered(step: Any) -> Any:
    """A step without its delivery fields (what must stay as it was)."""
    if not isinstance(step, Mapping):
        return step
    return {k: v for k, v in step.items() if k not in DELIVERY_KEYS}
