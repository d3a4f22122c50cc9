"""The finite space of values an expression reads, for exhaustive checks.

Each thing an expression reads becomes a *slot* with a short list of values:

- `ratings.X.scale`: every level value of the scale, plus absent (omitted or
  not rated);
- `domains.D`: every combination of the counts the expression reads that an
  assessment could produce (`risk.present + risk.partial + risk.absent` at most
  the number of risk indicators in D, and so on);
- `case.F`: each choice (or true/false, or representative numbers and
  strings taken from the expression), plus absent;
- `flags.R`: the outcomes rule R can have (true, false, unknown = absent).

Slots vary independently, so the space is a superset of what assessments can
produce: "never true" over it is never true in any assessment, and "always
true" over its fully known points is always true whenever everything is known.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from spj.instrument.index import InstrumentIndex
from spj.instrument.model import Instrument
from spj.rules import CompiledExpression
from spj.rules.syntax import Literal, walk


class _Absent:
    """The value of a slot that is missing from the context (omitted, unknown, not given)."""

    def __repr__(self) -> str:
        return "absent"


ABSENT: Any = _Absent()

Outcome = bool | None
"""True, False, or None (unknown)."""


@dataclass(frozen=True)
class Slot:
    """One thing an expression reads and the values it can take."""

    root: str  # ratings | domains | case | flags
    key: tuple[str, ...]  # (indicator, scale) | (domain,) | (field,) | (rule,)
    values: tuple[Any, ...]
    reads: tuple[str, ...] = ()  # for a domain: the counts read, as written

    @property
    def name(self) -> str:
        if self.reads:
            return ", ".join(self.reads)
        return ".".join((self.root, *self.key))


def slots_of(
    expression: CompiledExpression,
    instrument: Instrument,
    index: InstrumentIndex,
    flag_outcomes: Mapping[str, frozenset[Outcome]],
) -> list[Slot]:
    """The slots `expression` reads, in order of first use."""
    slots: dict[tuple[str, ...], Slot] = {}
    domain_reads: dict[str, set[tuple[str, ...]]] = {}
    for ref in expression.references:
        head, rest = ref.parts[0], ref.parts[1:]
        if ref.root == "ratings":
            scales = rest[:1] or index.indicators[head].rate
            for scale in scales:
                values = tuple(level.value for level in index.scales[scale].levels)
                slots.setdefault(("ratings", head, scale), Slot("ratings", (head, scale), (*values, ABSENT)))
        elif ref.root == "domains":
            domain_reads.setdefault(head, set()).add(rest)
            slots.setdefault(("domains", head), Slot("domains", (head,), ()))
        elif ref.root == "case":
            values = _case_values(index, head, expression)
            slots.setdefault(("case", head), Slot("case", (head,), (*values, ABSENT)))
        elif ref.root == "flags":
            outcomes = flag_outcomes.get(head, frozenset({True, False, None}))
            ordered = tuple(ABSENT if o is None else o for o in (True, False, None) if o in outcomes)
            slots.setdefault(("flags", head), Slot("flags", (head,), ordered))
    for domain, reads in domain_reads.items():
        dotted = tuple(sorted(".".join(("domains", domain, *rest)) for rest in reads))
        slots[("domains", domain)] = Slot("domains", (domain,), domain_states(instrument, index, domain, reads), dotted)
    return list(slots.values())


def _case_values(index: InstrumentIndex, name: str, expression: CompiledExpression) -> tuple[Any, ...]:
    field = index.case_fields[name]
    if field.type == "choice" and field.multiple:
        # none, each alone, and all of them: enough to tell whether a code's presence matters
        return ([], *([c] for c in field.choices), list(field.choices))
    if field.type == "choice":
        return tuple(field.choices)
    if field.type == "boolean":
        return (True, False)
    literals = [node for node in walk(expression.tree) if isinstance(node, Literal)]
    if field.type == "integer":
        numbers = {0}
        for literal in literals:
            if literal.kind == "int" and isinstance(literal.value, int):
                numbers.update((literal.value - 1, literal.value, literal.value + 1))
        return tuple(sorted(numbers))
    strings = {"", "\x00other"}
    strings.update(literal.value for literal in literals if isinstance(literal.value, str))
    return tuple(sorted(strings))


def representative(slots: list[Slot], index: InstrumentIndex) -> list[str]:
    """Slots whose values are representatives rather than every possible value."""
    return [s.name for s in slots if s.root == "case" and index.case_fields[s.key[0]].type in ("integer", "text")]


def domain_states(
    instrument: Instrument, index: InstrumentIndex, domain: str, reads: set[tuple[str, ...]]
) -> tuple[dict[str, Any], ...]:
    """The distinct summaries of `domain` an assessment can give, as far as `reads` can tell."""
    members = [i for i in instrument.indicators if i.domain == domain]
    n_risk = sum(1 for i in members if i.kind == "risk")
    n_protective = len(members) - n_risk
    n_relevance = sum(1 for i in members if "relevance" in i.rate) if "relevance" in index.scales else 0
    three_way = len(index.scales["presence"].levels) > 2
    whole = () in reads
    top = {r[0] for r in reads if r}
    risk_read = whole or "risk" in top
    protective_read = whole or "protective" in top
    need_omitted = whole or bool(top & {"omitted", "unrated"})
    need_high = whole or "high_relevance" in top
    need_rated = need_omitted or need_high or "rated" in top
    seen: set[tuple[Any, ...]] = set()
    states: list[dict[str, Any]] = []
    for risk in _triples(n_risk, three_way) if risk_read or need_rated else [(0, 0, 0)]:
        for protective in _triples(n_protective, three_way) if protective_read or need_rated else [(0, 0, 0)]:
            rated = sum(risk) + sum(protective)
            for omitted in range(len(members) - rated + 1) if need_omitted else [0]:
                for high in range(min(rated, n_relevance) + 1) if need_high else [0]:
                    key = (
                        risk if risk_read else None,
                        protective if protective_read else None,
                        rated if need_rated else None,
                        omitted,
                        high,
                    )
                    if key in seen:
                        continue
                    seen.add(key)
                    states.append(
                        {
                            "risk": dict(zip(("present", "partial", "absent"), risk, strict=True)),
                            "protective": dict(zip(("present", "partial", "absent"), protective, strict=True)),
                            "rated": rated,
                            "omitted": omitted,
                            "unrated": len(members) - rated - omitted,
                            "high_relevance": high,
                        }
                    )
    return tuple(states)


def _triples(total: int, three_way: bool) -> Iterator[tuple[int, int, int]]:
    """(present, partial, absent) counts of at most `total` rated indicators."""
    for present in range(total + 1):
        for partial in range(total - present + 1) if three_way else [0]:
            for absent in range(total - present - partial + 1):
                yield present, partial, absent


def size(slots: list[Slot]) -> int:
    """How many points the space has."""
    count = 1
    for slot in slots:
        count *= len(slot.values)
    return count


def points(slots: list[Slot]) -> Iterator[tuple[Any, ...]]:
    """Every point of the space."""
    return itertools.product(*(slot.values for slot in slots))


def variables(slots: list[Slot], point: tuple[Any, ...]) -> dict[str, Any]:
    """The rule context of one point (absent slots left out)."""
    out: dict[str, dict[str, Any]] = {"ratings": {}, "domains": {}, "case": {}, "flags": {}}
    for slot, value in zip(slots, point, strict=True):
        if value is ABSENT:
            continue
        if slot.root == "ratings":
            out["ratings"].setdefault(slot.key[0], {})[slot.key[1]] = value
        else:
            out[slot.root][slot.key[0]] = value
    return out
