"""Rules and recommendations that are always or never true; interventions no plan can hold.

`rule-never-true` / `recommend-never-true`: true for no combination of what the
expression reads. `rule-always-true` / `recommend-always-true`: true for every
combination where everything it reads is known, and false for none (unknown
otherwise). `never-recommended`: an
intervention whose expression is never true and that no intervention which
can enter a plan requires; an intervention never recommended itself but
pulled in as a prerequisite gets `recommend-never-true` instead.
"""

from __future__ import annotations

from spj.authoring.lint.context import LintContext
from spj.authoring.lint.enumeration import Truth, flag_outcomes, possible_outcomes, truth_of
from spj.authoring.lint.model import LintCode, LintWarning


def truth_warnings(ctx: LintContext) -> list[LintWarning]:
    """Every always/never-true finding, and the interventions no plan can hold."""
    instrument, index = ctx.instrument, ctx.index
    rule_truths = flag_outcomes(instrument, index)
    warnings: list[LintWarning] = []
    for n, rule in enumerate(instrument.rules):
        truth = rule_truths[rule.id]
        path = ("rules", n, "when")
        if truth.never_true:
            warnings.append(
                ctx.warning(
                    LintCode.RULE_NEVER_TRUE,
                    f"rule {rule.id!r} can never be raised: its condition is true for no combination "
                    f"({truth.describe()})",
                    path,
                )
            )
        elif truth.always_true:
            warnings.append(
                ctx.warning(
                    LintCode.RULE_ALWAYS_TRUE,
                    f"rule {rule.id!r} is raised whenever what it reads is known: its condition is true for "
                    f"every fully known combination and false for none ({truth.describe()})",
                    path,
                )
            )
    possible = possible_outcomes(rule_truths)
    truths: dict[str, Truth] = {
        iv.id: truth_of(index.interventions[iv.id].expression, instrument, index, possible)
        for iv in instrument.interventions
    }
    reachable = _can_enter_plan(ctx, truths)
    required_by: dict[str, list[str]] = {}
    for iv in instrument.interventions:
        for other in iv.requires:
            required_by.setdefault(other, []).append(iv.id)
    for n, iv in enumerate(instrument.interventions):
        truth = truths[iv.id]
        path = ("interventions", n, "recommend_when")
        if truth.never_true and iv.id not in reachable:
            warnings.append(
                ctx.warning(
                    LintCode.NEVER_RECOMMENDED,
                    f"intervention {iv.id!r} can enter no plan: recommend_when is true for no combination "
                    f"({truth.describe()})"
                    + (
                        f", and what requires it ({', '.join(required_by[iv.id])}) can enter no plan either"
                        if iv.id in required_by
                        else ", and no intervention requires it"
                    ),
                    path,
                )
            )
        elif truth.never_true:
            warnings.append(
                ctx.warning(
                    LintCode.RECOMMEND_NEVER_TRUE,
                    f"intervention {iv.id!r} is never recommended itself: recommend_when is true for no "
                    f"combination ({truth.describe()}); it enters a plan only as a prerequisite of "
                    f"{', '.join(required_by.get(iv.id, []))}",
                    path,
                )
            )
        elif truth.always_true:
            warnings.append(
                ctx.warning(
                    LintCode.RECOMMEND_ALWAYS_TRUE,
                    f"intervention {iv.id!r} is recommended whenever what it reads is known: recommend_when is "
                    f"true for every fully known combination and false for none ({truth.describe()})",
                    path,
                )
            )
    return warnings


def _can_enter_plan(ctx: LintContext, truths: dict[str, Truth]) -> set[str]:
    """Interventions some assessment could put in a plan: recommended, or required by one that is."""
    by_id = {iv.id: iv for iv in ctx.instrument.interventions}
    reachable: set[str] = set()
    stack = [iv_id for iv_id, truth in truths.items() if not truth.never_true]
    while stack:
        iv_id = stack.pop()
        if iv_id in reachable:
            continue
        reachable.add(iv_id)
        stack.extend(by_id[iv_id].requires)
    return reachable
