"""Decide what an expression can evaluate to, by enumerating its finite space.

Up to `MAX_POINTS` points every point is evaluated; past that, `MAX_POINTS`
points are drawn at random with a fixed seed (the same instrument always gives
the same findings) and the result says it is partial.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from spj.authoring.lint.space import ABSENT, Outcome, Slot, points, representative, size, slots_of, variables
from spj.instrument.index import InstrumentIndex
from spj.instrument.model import Instrument
from spj.rules import CompiledExpression, evaluate_with

MAX_POINTS = 20_000
SEED = 20_181_128


@dataclass(frozen=True)
class Truth:
    """What an expression gave over its space."""

    slots: tuple[Slot, ...]
    outcomes: frozenset[Outcome]
    always_true: bool  # true at every fully known point (and there is one), false at none
    checked: int
    total: int
    representatives: tuple[str, ...]  # slots given representative values, not every value

    @property
    def partial(self) -> bool:
        """Whether some points were not evaluated (sampled, or representative values)."""
        return self.checked < self.total or bool(self.representatives)

    @property
    def never_true(self) -> bool:
        return True not in self.outcomes

    def describe(self) -> str:
        """How the result was reached, for a message."""
        reads = ", ".join(s.name for s in self.slots) or "nothing"
        if self.checked < self.total:
            how = f"partial check: {self.checked:,} of {self.total:,} combinations sampled (seed {SEED})"
        else:
            how = f"all {self.total:,} combinations checked"
        if self.representatives:
            how += f"; representative values for {', '.join(self.representatives)}"
            if self.checked >= self.total:
                how += " (partial check)"
        return f"it reads {reads}; {how}"


def truth_of(
    expression: CompiledExpression,
    instrument: Instrument,
    index: InstrumentIndex,
    flag_outcomes: Mapping[str, frozenset[Outcome]],
    *,
    max_points: int = MAX_POINTS,
) -> Truth:
    """Evaluate `expression` over its space (or a fixed-seed sample of it)."""
    slots = slots_of(expression, instrument, index, flag_outcomes)
    total = size(slots)
    chosen: Iterable[tuple[Any, ...]]
    if total <= max_points:
        chosen, checked = points(slots), total
    else:
        rng = random.Random(SEED)
        chosen = [tuple(rng.choice(slot.values) for slot in slots) for _ in range(max_points)]
        checked = max_points
    outcomes: set[Outcome] = set()
    known_points = 0
    always_true = True
    for point in chosen:
        result = evaluate_with(expression, variables(slots, point))
        outcomes.add(result)
        if all(value is not ABSENT for value in point):
            known_points += 1
            if result is not True:
                always_true = False
    return Truth(
        slots=tuple(slots),
        outcomes=frozenset(outcomes),
        # `has(ratings.X)` is false, not unknown, when X is omitted: that is not "always true"
        always_true=always_true and known_points > 0 and False not in outcomes,
        checked=checked,
        total=total,
        representatives=tuple(representative(slots, index)),
    )


def flag_outcomes(instrument: Instrument, index: InstrumentIndex) -> dict[str, Truth]:
    """The truth of every rule, in dependency order, each flag ranging over what its rule can give."""
    truths: dict[str, Truth] = {}
    possible: dict[str, frozenset[Outcome]] = {}
    for generation in index.rule_generations:
        for rule_id in generation:
            truth = truth_of(index.rules[rule_id].expression, instrument, index, possible)
            truths[rule_id] = truth
            possible[rule_id] = _possible(truth)
    return truths


def possible_outcomes(truths: Mapping[str, Truth]) -> dict[str, frozenset[Outcome]]:
    """What each flag can be, as `truth_of` takes it."""
    return {rule_id: _possible(truth) for rule_id, truth in truths.items()}


def _possible(truth: Truth) -> frozenset[Outcome]:
    # a partial result may have missed an outcome: then every outcome stays possible
    return frozenset({True, False, None}) if truth.partial else truth.outcomes
