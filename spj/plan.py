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
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

from .instrument import Instrument, index_of
from .instrument.model import Intervention
from .results import Recommendation


@dataclass(frozen=True)
class PlanStep:
    """One intervention in the plan."""

    intervention: Intervention
    reason: Literal["recommended", "prerequisite"]
    required_by: tuple[str, ...]
    phase: int
    start_week: int
    end_week: int
    predecessors: tuple[str, ...]
    recommendation: Recommendation | None

    @property
    def id(self) -> str:
        return self.intervention.id

    def to_dict(self) -> dict[str, Any]:
        iv = self.intervention
        rec = self.recommendation
        return {
            "id": iv.id,
            "reason": self.reason,
            "required_by": list(self.required_by),
            "phase": self.phase,
            "start_week": self.start_week,
            "end_week": self.end_week,
            "duration_weeks": iv.duration_weeks,
            "provider": iv.provider,
            "domain": iv.domain,
            "after_steps": list(self.predecessors),
            "rule": iv.recommend_when,
            "recommended": rec.value if rec is not None else None,
            "because": [r.to_dict() for r in rec.because] if rec is not None else [],
        }


@dataclass(frozen=True)
class Plan:
    """The phased, scheduled trajectory."""

    graph: Any  # networkx.DiGraph; node attribute "step" holds the PlanStep
    steps: dict[str, PlanStep]
    phases: tuple[tuple[str, ...], ...]
    total_weeks: int
    critical_path: tuple[str, ...]

    @property
    def ordered_steps(self) -> list[PlanStep]:
        """Steps in phase order, instrument order inside a phase."""
        return [self.steps[i] for phase in self.phases for i in phase]

    def summary_dict(self) -> dict[str, Any]:
        return {
            "phases": [list(p) for p in self.phases],
            "total_weeks": self.total_weeks,
            "critical_path": list(self.critical_path),
            "edges": [[u, v, self.graph.edges[u, v]["kind"]] for u, v in sorted(self.graph.edges, key=self._edge_key)],
        }

    def _edge_key(self, edge: tuple[str, str]) -> tuple[int, int]:
        order = {s: n for n, s in enumerate(i for p in self.phases for i in p)}
        return order[edge[0]], order[edge[1]]


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


def _critical_path(graph: Any, start: dict[str, int], end: dict[str, int], order: dict[str, int]) -> tuple[str, ...]:
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
