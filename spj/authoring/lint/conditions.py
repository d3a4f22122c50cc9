"""Conditions (`applies_when`, `scale_applies_when`) that never or always hold.

`condition-never-true`: the item is asked for no combination of what its
condition reads, so it is never asked. `condition-always-true`: the condition
holds whenever what it reads is known, and is false for none, so it only
delays the question until that is known. Both are decided by enumerating what
the condition reads, as for rules (`truth.py`).
"""

from __future__ import annotations

from spj.authoring.lint.context import LintContext
from spj.authoring.lint.enumeration import truth_of
from spj.authoring.lint.model import LintCode, LintWarning
from spj.instrument.conditions import item_name


def condition_warnings(ctx: LintContext) -> list[LintWarning]:
    """Every condition that never or always holds."""
    warnings: list[LintWarning] = []
    for item, condition in ctx.index.conditions.items():
        truth = truth_of(condition.expression, ctx.instrument, ctx.index, {})
        name = item_name(item)
        if truth.never_true:
            warnings.append(
                ctx.warning(
                    LintCode.CONDITION_NEVER_TRUE,
                    f"{name} is never asked: its condition is true for no combination ({truth.describe()}); "
                    "correct the condition, or remove the item",
                    condition.path,
                    subject=item[0],
                )
            )
        elif truth.always_true:
            warnings.append(
                ctx.warning(
                    LintCode.CONDITION_ALWAYS_TRUE,
                    f"{name} is asked whenever what its condition reads is known: the condition is true for every "
                    f"fully known combination and false for none ({truth.describe()}); remove the condition",
                    condition.path,
                    subject=item[0],
                )
            )
    return warnings
