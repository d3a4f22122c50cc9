"""Look-up tables of a loaded instrument, built once at load time, kept beside the model.

The pydantic `Instrument` holds data only. What loading compiles (the rules,
their dependency order, the tables an evaluation looks up) is an immutable
`InstrumentIndex`: a frozen dataclass of read-only maps. `LOADED` keeps each
loaded instrument's index, keyed by the instrument object itself and forgotten
with it, so `index_of(instrument)` needs nothing but the model that
`spj.load_instrument` returned.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from spj.errors import Location
from spj.instrument.conditions import CompiledCondition, Item
from spj.instrument.model import CaseField, Domain, Indicator, Instrument, Intervention, Judgement, Rule, ScaleLevel
from spj.rules import CompiledExpression

_K = TypeVar("_K")
_V = TypeVar("_V")


def _frozen(items: Mapping[_K, _V]) -> Mapping[_K, _V]:
    """A read-only view of a copy of `items`."""
    return MappingProxyType(dict(items))


@dataclass(frozen=True)
class Scale:
    """An ordered scale with its levels by code."""

    name: str
    levels: tuple[ScaleLevel, ...]
    by_code: Mapping[str, ScaleLevel]

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
    """Everything an evaluation looks up, by id (read-only maps)."""

    scales: Mapping[str, Scale]
    domains: Mapping[str, Domain]
    indicators: Mapping[str, Indicator]
    rules: Mapping[str, CompiledRule]
    rule_generations: tuple[tuple[str, ...], ...]
    interventions: Mapping[str, CompiledIntervention]
    intervention_order: Mapping[str, int]
    judgements: Mapping[str, Judgement]
    case_fields: Mapping[str, CaseField]
    read_ratings: Mapping[str, tuple[str, ...]]
    """The scales of each indicator that some expression reads: the rule context holds only these."""
    read_domains: tuple[str, ...]
    conditions: Mapping[Item, CompiledCondition] = field(default_factory=lambda: MappingProxyType({}))
    """Each conditional item's compiled condition (`applies_when`, `scale_applies_when`)."""
    condition_order: tuple[Item, ...] = ()
    """The conditional items in the order to decide them: each after the items its condition reads."""

    @classmethod
    def build(
        cls,
        instrument: Instrument,
        rules: dict[str, CompiledRule],
        generations: tuple[tuple[str, ...], ...],
        interventions: dict[str, CompiledIntervention],
        conditions: dict[Item, CompiledCondition] | None = None,
        condition_order: tuple[Item, ...] = (),
    ) -> InstrumentIndex:
        read = _read_paths(
            instrument, [c.expression for c in rules.values()] + [c.expression for c in interventions.values()]
        )
        return cls(
            scales=_frozen(
                {
                    name: Scale(name, levels, _frozen({level.code: level for level in levels}))
                    for name, levels in instrument.scales.items()
                }
            ),
            domains=_frozen({d.id: d for d in instrument.domains}),
            indicators=_frozen({i.id: i for i in instrument.indicators}),
            rules=_frozen(rules),
            rule_generations=generations,
            interventions=_frozen(interventions),
            intervention_order=_frozen({iv.id: n for n, iv in enumerate(instrument.interventions)}),
            judgements=_frozen({j.id: j for j in instrument.judgements}),
            case_fields=_frozen({f.id: f for f in instrument.case_fields}),
            read_ratings=_frozen(read["read_ratings"]),
            read_domains=read["read_domains"],
            conditions=_frozen(conditions or {}),
            condition_order=condition_order,
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


class LoadedInstruments:
    """The index of each loaded instrument, by instrument object; an entry goes when its instrument goes.

    Pydantic models are not hashable (an instrument holds dicts), so entries
    are keyed by `id()` and hold a weak reference that both confirms the
    object (an id is reused only after its object is gone) and drops the entry
    when the instrument is collected. Reads take no lock.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[Instrument], InstrumentIndex]] = {}
        self._lock = threading.RLock()  # re-entrant: a collection may run the callback inside `add`

    def add(self, instrument: Instrument, index: InstrumentIndex) -> None:
        """Keep `index` for `instrument` (at load time, before the instrument is handed out)."""
        key = id(instrument)
        ref = weakref.ref(instrument, lambda gone: self._forget(key, gone))
        with self._lock:
            self._entries[key] = (ref, index)

    def get(self, instrument: Instrument) -> InstrumentIndex | None:
        """The index of `instrument`, or None when it was not loaded."""
        entry = self._entries.get(id(instrument))
        if entry is None or entry[0]() is not instrument:
            return None
        return entry[1]

    def __len__(self) -> int:
        return len(self._entries)

    def _forget(self, key: int, gone: weakref.ref[Instrument]) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] is gone:
                del self._entries[key]


LOADED = LoadedInstruments()
"""The indexes of every loaded instrument alive in this process."""


def index_of(instrument: Instrument) -> InstrumentIndex:
    """The index of a loaded instrument (built by `load_instrument`)."""
    index = LOADED.get(instrument)
    if index is None:
        raise ValueError("this Instrument was not loaded with spj.load_instrument; load it to evaluate it")
    return index
