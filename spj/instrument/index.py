"""Look-up tables of a loaded instrument, built once at load time."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Location
from ..rules import CompiledExpression
from .model import CaseField, Domain, Indicator, Instrument, Intervention, Judgement, Rule, ScaleLevel


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
        )


def index_of(instrument: Instrument) -> InstrumentIndex:
    """The index of a loaded instrument (built by `load_instrument`)."""
    index = instrument._index
    if index is None:
        raise ValueError("this Instrument was not loaded with spj.load_instrument; load it to evaluate it")
    assert isinstance(index, InstrumentIndex)
    return index
