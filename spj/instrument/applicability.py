"""Which items of an instrument apply to one assessment: its conditions decided over its ratings and case.

*Not applicable* is a third state beside known and unknown: an item whose
condition is false is not asked. It is neither missing (it is not "to rate",
nor an omission, nor counted in completeness) nor false (rules do not see a
zero or a bottom level: its rating is absent from `ratings`, and
`has(ratings.X)` is false). An item whose condition reads something not known
(a rating not given or omitted, a case field not given) has an *unknown*
applicability: it stays to rate, and `waits_for` says what would decide it.

Conditions are decided in the order the loader found (`InstrumentIndex.condition_order`),
each after the items it reads; a value given for a non-applicable item is
dropped from what later conditions (and rules) read.

>>> NOTHING_CONDITIONED.applies("SO1", "relevance")
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from spj.instrument.conditions import Item
from spj.instrument.index import InstrumentIndex
from spj.rules import evaluate_with, variables_for


@dataclass(frozen=True)
class Applicability:
    """The decided conditions of one assessment."""

    not_applicable: frozenset[Item] = frozenset()
    unknown: Mapping[Item, tuple[str, ...]] = field(default_factory=dict)
    """Each item whose applicability is unknown, with what its condition waits for (`ratings.X.presence`)."""

    def applies(self, indicator: str, scale: str | None = None) -> bool | None:
        """True, False (not applicable), or None (its condition cannot be decided yet)."""
        if (indicator, None) in self.not_applicable or (indicator, scale) in self.not_applicable:
            return False
        if (indicator, None) in self.unknown or (scale is not None and (indicator, scale) in self.unknown):
            return None
        return True

    def waits_for(self, indicator: str, scale: str | None = None) -> tuple[str, ...]:
        """What an item's unknown applicability waits for (its indicator's condition first)."""
        return (*self.unknown.get((indicator, None), ()), *(self.unknown.get((indicator, scale), ()) if scale else ()))

    def scales_not_applicable(self, indicator: str) -> tuple[str, ...]:
        """The scales of an applicable indicator that are not asked."""
        return tuple(scale for ind, scale in self.not_applicable if ind == indicator and scale is not None)


NOTHING_CONDITIONED = Applicability()


def decide_applicability(
    index: InstrumentIndex, codes: Mapping[str, Mapping[str, Any]], case: Mapping[str, Any]
) -> Applicability:
    """Decide every condition for ratings given as codes (omitted indicators left out) and case values.

    `case` holds the values rules see (`spj.assessment.validate.case_value`). A code that is not one
    of its scale's is ignored here (validation reports it).
    """
    if not index.conditions:
        return NOTHING_CONDITIONED
    values: dict[str, dict[str, int]] = {}
    for indicator, given in codes.items():
        if indicator not in index.indicators:
            continue
        own: dict[str, int] = {}
        for scale, code in given.items():
            level = index.scales[scale].by_code.get(code) if scale in index.scales and isinstance(code, str) else None
            if level is not None:
                own[scale] = level.value
        values[indicator] = own
    return decide_over_values(index, values, case)


def decide_over_values(
    index: InstrumentIndex, values: Mapping[str, Mapping[str, int]], case: Mapping[str, Any]
) -> Applicability:
    """As `decide_applicability`, for ratings already given as the values rules see."""
    if not index.conditions:
        return NOTHING_CONDITIONED
    current = {indicator: dict(own) for indicator, own in values.items()}
    not_applicable: set[Item] = set()
    unknown: dict[Item, tuple[str, ...]] = {}
    for item in index.condition_order:
        indicator, scale = item
        if (indicator, None) in not_applicable:
            not_applicable.add(item)
            continue
        expression = index.conditions[item].expression
        result = evaluate_with(expression, variables_for(expression, current, {}, case, {}))
        if result is False:
            not_applicable.add(item)
            if scale is None:
                current.pop(indicator, None)
            elif indicator in current:
                current[indicator].pop(scale, None)
        elif result is None:
            unknown[item] = _absent(expression.references, current, case)
    return Applicability(frozenset(not_applicable), unknown)


def _absent(references: Any, current: Mapping[str, Mapping[str, int]], case: Mapping[str, Any]) -> tuple[str, ...]:
    """The readings of a condition that have no value here, in order of first use."""
    out: dict[str, None] = {}
    for ref in references:
        if ref.root == "case" and ref.parts[0] not in case:
            out[ref.dotted] = None
        elif ref.root == "ratings":
            own = current.get(ref.parts[0])
            if own is None or (len(ref.parts) > 1 and ref.parts[1] not in own):
                out[ref.dotted] = None
    return tuple(out)
