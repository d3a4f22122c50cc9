"""The intervention plan: a networkx DiGraph with phases, schedule and critical path.

Semantics (DESIGN 4.1, "Plan semantics"):

- nodes: recommended interventions plus, transitively, what they `requires`
  (reason `prerequisite`, with `required_by`);
- edges: `Y → X` for `X.requires ∋ Y`, and for `X.after ∋ Y` when Y is in the plan;
- phases: topological generations (phase 1 first), instrument order inside;
- schedule: start = max(end of predecessors), 0 without any; end = start + duration;
- critical path: from the step that ends last, step back to a predecessor that
  ends exactly when the current one starts; ties go to instrument order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from spj.evaluation.results import Plan, PlanStep, Recommendation
from spj.instrument import Instrument, index_of


def build_plan(
    instrument: Instrument,
    recommended: Iterable[str],
    recommendations: Mapping[str, Recommendation] | None = None,
) -> Plan:
    """Build the plan for the interventions in `recommended` (ids).

    >>> # plan = build_plan(instrument, ["trauma_care"])  # pulls in its prerequisites
    """
    index = index_of(instrument)
    order = index.intervention_order
    by_id = {iv.id: iv for iv in instrument.interventions}
    recommended_set = set(recommended)
    nodes: set[str] = set()
    stack = sorted(recommended_set, key=order.__getitem__)
    while stack:
        node = stack.pop()
        if node in nodes:
            continue
        nodes.add(node)
        stack.extend(by_id[node].requires)
    graph = nx.DiGraph()
    for node in sorted(nodes, key=order.__getitem__):
        graph.add_node(node)
    for node in nodes:
        iv = by_id[node]
        for other in iv.after:
            if other in nodes:
                graph.add_edge(other, node, kind="after")
        for other in iv.requires:
            graph.add_edge(other, node, kind="requires")  # requires wins when both are declared
    phases = tuple(tuple(sorted(generation, key=order.__getitem__)) for generation in nx.topological_generations(graph))
    phase_of = {node: n for n, phase in enumerate(phases, start=1) for node in phase}
    start: dict[str, int] = {}
    end: dict[str, int] = {}
    for phase in phases:
        for node in phase:
            start[node] = max((end[p] for p in graph.predecessors(node)), default=0)
            end[node] = start[node] + by_id[node].duration_weeks
    total = max(end.values(), default=0)
    recs = recommendations or {}
    steps = {}
    for node in nodes:
        required_by = tuple(
            sorted(
                (x for x in graph.successors(node) if graph.edges[node, x]["kind"] == "requires"),
                key=order.__getitem__,
            )
        )
        steps[node] = PlanStep(
            intervention=by_id[node],
            reason="recommended" if node in recommended_set else "prerequisite",
            required_by=required_by,
            phase=phase_of[node],
            start_week=start[node],
            end_week=end[node],
            predecessors=tuple(sorted(graph.predecessors(node), key=order.__getitem__)),
            recommendation=recs.get(node),
        )
        graph.nodes[node]["step"] = steps[node]
    return Plan(graph, steps, phases, total, _critical_path(graph, start, end, order))


def _critical_path(graph: Any, start: dict[str, int], end: dict[str, int], order: Mapping[str, int]) -> tuple[str, ...]:
    if not end:
        return ()
    total = max(end.values())
    current = min((n for n in end if end[n] == total), key=order.__getitem__)
    path = [current]
    while True:
        candidates = [p for p in graph.predecessors(current) if end[p] == start[current]]
        if not candidates:
            break
        current = min(candidates, key=order.__getitem__)
        path.append(current)
    return tuple(reversed(path))
