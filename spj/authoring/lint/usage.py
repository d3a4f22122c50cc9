"""Indicators no expression reads, and scales no indicator rates.

An indicator is *used* when it declares what it informs (`informs:
formulation`), or when some rule or intervention reads `ratings.X`
directly, or counts it through its domain: `domains.D.risk.*` counts D's risk
indicators, `domains.D.protective.*` its protective ones, and
`domains.D.{rated,omitted,unrated,high_relevance}` (or `domains.D` whole)
every indicator of D.

A scale level is *unused*, conservatively, only when no indicator rates its
scale at all: no assessment can give it, so nothing can tell it apart.
"""

from __future__ import annotations

from spj.authoring.lint.context import LintContext
from spj.authoring.lint.model import LintCode, LintWarning

_ALL_KINDS = frozenset({"risk", "protective"})


def usage_warnings(ctx: LintContext) -> list[LintWarning]:
    """`unused-indicator` and `unused-level` findings."""
    return [*_unused_indicators(ctx), *_unused_levels(ctx)]


def _unused_indicators(ctx: LintContext) -> list[LintWarning]:
    index = ctx.index
    expressions = [c.expression for c in index.rules.values()] + [c.expression for c in index.interventions.values()]
    read: set[str] = set()
    counted: dict[str, set[str]] = {}  # domain -> kinds counted
    for expression in expressions:
        for ref in expression.references:
            if ref.root == "ratings":
                read.add(ref.parts[0])
            elif ref.root == "domains":
                part = ref.parts[1] if len(ref.parts) > 1 else None
                counted.setdefault(ref.parts[0], set()).update({part} if part in _ALL_KINDS else _ALL_KINDS)
    warnings = []
    for n, indicator in enumerate(ctx.instrument.indicators):
        if indicator.id in read or indicator.kind in counted.get(indicator.domain, set()) or indicator.informs:
            continue
        domain, kind = indicator.domain, indicator.kind
        warnings.append(
            ctx.warning(
                LintCode.UNUSED_INDICATOR,
                f"indicator {indicator.id!r} is read by no rule and no intervention: no expression reads "
                f"ratings.{indicator.id}, and none counts it through domains.{domain}.{kind}.* or "
                f"domains.{domain}.{{rated,omitted,unrated,high_relevance}}; it appears in reports only. "
                "Give it a rule, or declare what it informs ('informs: formulation')",
                ("indicators", n, "id"),
            )
        )
    return warnings


def _unused_levels(ctx: LintContext) -> list[LintWarning]:
    rated = {scale for indicator in ctx.instrument.indicators for scale in indicator.rate}
    warnings = []
    for name, levels in ctx.instrument.scales.items():
        if name in rated:
            continue
        codes = ", ".join(level.code for level in levels)
        warnings.append(
            ctx.warning(
                LintCode.UNUSED_LEVEL,
                f"scale {name!r} is rated by no indicator, so none of its levels ({codes}) can be given; "
                f"add it to an indicator's rate list or remove it",
                ("scales", name),
            )
        )
    return warnings
