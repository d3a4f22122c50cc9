"""Conditional items at load time: `applies_when` of indicators and `scale_applies_when` of their scales.

An *item* is an indicator as a whole, `(ID, None)`, or one scale of it,
`(ID, "relevance")`. A condition is a CEL expression over the bindings rules
use, restricted to `ratings` and `case` (flags and domain counts depend on
which items apply, so reading them would go round in a circle). It is
compiled, typed and cost-checked like every rule (`checks._compile`); here we
check what is particular to conditions: the scales named, what a condition may
read, that no item depends on its own answer, and that conditions do not form a
cycle. The result is every compiled condition and the order in which to decide
them (each after the items it reads).

>>> item_name(("MH1", "relevance")), item_name(("MH1", None))
('MH1.relevance', 'MH1')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

from spj.errors import Code, Location, Problem, did_you_mean
from spj.files.yamlsource import Document, PathT
from spj.instrument.model import Instrument
from spj.rules import CompiledExpression

Item = tuple[str, str | None]
"""An indicator as a whole `(ID, None)`, or one of its scales `(ID, SCALE)`."""

Compile = Callable[[str, PathT], CompiledExpression | None]
"""Compile and type one expression at a document path (its problems reported by the caller's list)."""

CONDITION_ROOTS = ("ratings", "case")


@dataclass(frozen=True)
class CompiledCondition:
    """One item's condition, compiled, with where it was written."""

    item: Item
    expression: CompiledExpression
    location: Location
    path: PathT


def item_name(item: Item) -> str:
    """`MH1` for an indicator, `MH1.relevance` for one of its scales."""
    indicator, scale = item
    return indicator if scale is None else f"{indicator}.{scale}"


def condition_path(instrument: Instrument, item: Item) -> PathT:
    """The document path of an item's condition."""
    n = next(k for k, ind in enumerate(instrument.indicators) if ind.id == item[0])
    if item[1] is None:
        return ("indicators", n, "applies_when")
    return ("indicators", n, "scale_applies_when", item[1])


def compile_conditions(
    instrument: Instrument, doc: Document, compile_one: Compile, problems: list[Problem]
) -> tuple[dict[Item, CompiledCondition], tuple[Item, ...]]:
    """Every condition compiled and checked, and the order to decide them; problems go to `problems`."""
    conditions: dict[Item, CompiledCondition] = {}
    for n, indicator in enumerate(instrument.indicators):
        wanted: list[tuple[Item, str, PathT]] = []
        if indicator.applies_when is not None:
            wanted.append(((indicator.id, None), indicator.applies_when, ("indicators", n, "applies_when")))
        for scale, source in indicator.scale_applies_when.items():
            path: PathT = ("indicators", n, "scale_applies_when", scale)
            if scale not in indicator.rate:
                problems.append(
                    doc.problem(
                        Code.UNRESOLVED_REFERENCE,
                        f"{indicator.id} is not rated on {scale!r}, so no condition can ask it; it is rated on "
                        f"{', '.join(indicator.rate)}" + did_you_mean(scale, indicator.rate),
                        path,
                    )
                )
                continue
            if scale == indicator.rate[0]:
                problems.append(
                    doc.problem(
                        Code.SCHEMA,
                        f"{indicator.id}: {scale} is the indicator's first scale, asked whenever the indicator is; "
                        "to leave the whole indicator out, write applies_when on the indicator",
                        path,
                    )
                )
                continue
            wanted.append(((indicator.id, scale), source, path))
        for item, source, path in wanted:
            compiled = compile_one(source, path)
            if compiled is None:
                continue
            found = _reading_problems(item, compiled, source, path, doc)
            problems += found
            if not found:
                conditions[item] = CompiledCondition(item, compiled, doc.locate(path), path)
    order = _decision_order(instrument, conditions, doc, problems)
    return conditions, order


def _reading_problems(
    item: Item, compiled: CompiledExpression, source: str, path: PathT, doc: Document
) -> list[Problem]:
    """A condition reads ratings and case fields only, and never its own item."""
    problems = []
    for ref in compiled.references:
        where = doc.locate_in_scalar(path, ref.offset, source)
        if ref.root not in CONDITION_ROOTS:
            problems.append(
                Problem(
                    Code.RULE_REFERENCE,
                    f"{ref.dotted}: a condition reads ratings and case fields only (flags and domain counts "
                    "depend on which items apply); read the ratings the rule reads instead",
                    where,
                )
            )
        elif ref.root == "ratings" and _reads_item(ref.parts, item):
            problems.append(
                Problem(
                    Code.CYCLE,
                    f"the condition of {item_name(item)} reads {ref.dotted}, its own answer: an item cannot "
                    "depend on itself; read another indicator, another scale of it, or a case field",
                    where,
                )
            )
    return problems


def _reads_item(parts: tuple[str, ...], item: Item) -> bool:
    """Whether reading `ratings.<parts>` reads `item` itself."""
    indicator, scale = item
    if parts[0] != indicator:
        return False
    return scale is None or len(parts) == 1 or parts[1] == scale


def dependencies(item: Item, compiled: CompiledExpression, conditions: dict[Item, CompiledCondition]) -> set[Item]:
    """The conditioned items whose applicability `item`'s condition needs first."""
    needed: set[Item] = set()
    if item[1] is not None and (item[0], None) in conditions:
        needed.add((item[0], None))
    for ref in compiled.references:
        if ref.root != "ratings":
            continue
        indicator = ref.parts[0]
        scales = ref.parts[1:2]
        for other in conditions:
            if other == item or other[0] != indicator:
                continue
            if other[1] is None or not scales or other[1] == scales[0]:
                needed.add(other)
    return needed


def _decision_order(
    instrument: Instrument, conditions: dict[Item, CompiledCondition], doc: Document, problems: list[Problem]
) -> tuple[Item, ...]:
    """Conditions in an order where each comes after those of the items it reads; a cycle is a problem."""
    place: dict[Item, tuple[int, int]] = {(ind.id, None): (n, -1) for n, ind in enumerate(instrument.indicators)}
    for n, ind in enumerate(instrument.indicators):
        for k, scale in enumerate(ind.rate):
            place[(ind.id, scale)] = (n, k)
    graph = {item: dependencies(item, c.expression, conditions) for item, c in conditions.items()}
    sorter: TopologicalSorter[Item] = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle: list[Item] = list(exc.args[1])[:-1]
        cycle.reverse()  # graphlib lists each item before the one that reads it; say it in reading order
        start = cycle.index(min(cycle, key=place.__getitem__))
        cycle = cycle[start:] + cycle[:start]
        first = cycle[0]
        problems.append(
            doc.problem(
                Code.CYCLE,
                "conditions depend on each other in a cycle: "
                + " -> ".join(item_name(i) for i in [*cycle, cycle[0]])
                + " (each reads the next); remove one of these readings",
                conditions[first].path,
            )
        )
        return ()
    order: list[Item] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=place.__getitem__)
        order.extend(ready)
        sorter.done(*ready)
    return tuple(order)
