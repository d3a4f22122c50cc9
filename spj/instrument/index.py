"""Look-up tables of a loaded instrument, built once at load time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spj.errors import Location
from spj.instrument.model import CaseField, Domain, Indicator, Instrument, Intervention, Judgement, Rule, ScaleLevel
from spj.rules import CompiledExpression


@dataclass(frozen=True)
class Scale:
    """An ordered scale with its levels by code."""

    name: str
    levels: tuple[ScaleLevel, ...]
    by_code: dict[str, ScaleLevel]

    @property
    def bottom(self) -> int:
        return self.levels[0].value

    @property
    def top(self) -> int:
        return self.levels[-1].value

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.levels)


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    expression: CompiledExpression
    location: Location


@dataclass(frozen=True)
class CompiledIntervention:
    intervention: Intervention
    expression: CompiledExpression
    location: Location


@dataclass(frozen=True)
class InstrumentIndex:
    """Everything an evaluation looks up, by id."""

    scales: dict[str, Scale]
    domains: dict[str, Domain]
    indicators: dict[str, Indicator]
    rules: dict[str, CompiledRule]
    rule_generations: tuple[tuple[str, ...], ...]
    interventions: dict[str, CompiledIntervention]
    intervention_order: dict[str, int]
    judgements: dict[str, Judgement]
    case_fields: dict[str, CaseField]
    read_ratings: dict[str, tuple[str, ...]]
    """The scales of each indicator that some expression reads: the rule context holds only these."""
    read_domains: tuple[str, ...]

    @classmethod
    def build(
        cls,
        instrument: Instrument,
        rules: dict[str, CompiledRule],
        generations: tuple[tuple[str, ...], ...],
        interventions: dict[str, CompiledIntervention],
    ) -> InstrumentIndex:
        return cls(
            scales={
                name: Scale(name, levels, {level.code: level for level in levels})
                for name, levels in instrument.scales.items()
            },
            domains={d.id: d for d in instrument.domains},
            indicators={i.id: i for i in instrument.indicators},
            rules=rules,
            rule_generations=generations,
            interventions=interventions,
            intervention_order={iv.id: n for n, iv in enumerate(instrument.interventions)},
            judgements={j.id: j for j in instrument.judgements},
            case_fields={f.id: f for f in instrument.case_fields},
            **_read_paths(
                instrument,
                [c.expression for c in rules.values()] + [c.expression for c in interventions.values()],
            ),
        )


def _read_paths(instrument: Instrument, expressions: list[CompiledExpression]) -> dict[str, Any]:
    """What the expressions read, so each evaluation converts only that for CEL.

    The CEL library converts a Python map entry by entry (about 1 µs each), so a
    context of every rating and every domain count would cost more than all the
    expressions together.
    """
    rate = {i.id: i.rate for i in instrument.indicators}
    ratings: dict[str, set[str]] = {}
    domains: set[str] = set()
    for expression in expressions:
        for ref in expression.references:
            if ref.root == "ratings":
                scales = ratings.setdefault(ref.parts[0], set())
                scales.update(ref.parts[1:2] or rate[ref.parts[0]])
            elif ref.root == "domains":
                domains.add(ref.parts[0])
    order = {i.id: n for n, i in enumerate(instrument.indicators)}
    return {
        "read_ratings": {
            i: tuple(s for s in rate[i] if s in ratings[i]) for i in sorted(ratings, key=order.__getitem__)
        },
        "read_domains": tuple(d.id for d in instrument.domains if d.id in domains),
    }


def index_of(instrument: Instrument) -> InstrumentIndex:
    """The index of a loaded instrument (built by `load_instrument`)."""
    index = instrument._index
    if index is None:
        raise ValueError("this Instrument was not loaded with spj.load_instrument; load it to evaluate it")
    assert isinstance(index, InstrumentIndex)
    return index
