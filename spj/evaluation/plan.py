"""The intervention plan: phases, schedule and critical path; its graph as a networkx DiGraph on demand.

Semantics (DESIGN 4.1, "Plan semantics"):

- nodes: recommended interventions plus, transitively, what they `requires`
  (reason `prerequisite`, with `required_by`);
- edges: `Y → X` for `X.requires ∋ Y`, and for `X.after ∋ Y` when Y is in the plan;
- phases: topological generations (phase 1 first), instrument order inside;
- schedule: start = max(end of predecessors), 0 without any; end = start + duration;
- critical path: from the step that ends last, step back to a predecessor that
  ends exactly when the current one starts; ties go to instrument order. A
  running frame (`frame: true`) is left out of it, unless the plan holds only
  frames: it runs beside the trajectory and sets no sequence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
    by_id = index.intervention_models
    recommended_set = set(recommended)
    nodes: set[str] = set()
    stack = sorted(recommended_set, key=order.__getitem__)
    while stack:
        node = stack.pop()
        if node in nodes:
            continue
        nodes.add(node)
        stack.extend(by_id[node].requires)
    in_order = sorted(nodes, key=order.__getitem__)
    kinds: dict[tuple[str, str], str] = {}
    for node in in_order:
        iv = by_id[node]
        for other in iv.after:
            if other in nodes:
                kinds[other, node] = "after"
        for other in iv.requires:
            kinds[other, node] = "requires"  # requires wins when both are declared
    predecessors: dict[str, list[str]] = {node: [] for node in nodes}
    successors: dict[str, list[str]] = {node: [] for node in nodes}
    for before, after in kinds:
        predecessors[after].append(before)
        successors[before].append(after)
    phases = tuple(
        tuple(sorted(generation, key=order.__getitem__)) for generation in _generations(predecessors, successors)
    )
    phase_of = {node: n for n, phase in enumerate(phases, start=1) for node in phase}
    start: dict[str, int] = {}
    end: dict[str, int] = {}
    for phase in phases:
        for node in phase:
            start[node] = max((end[p] for p in predecessors[node]), default=0)
            end[node] = start[node] + by_id[node].duration_weeks
    total = max(end.values(), default=0)
    recs = recommendations or {}
    steps = {}
    for node in in_order:
        steps[node] = PlanStep(
            intervention=by_id[node],
            reason="recommended" if node in recommended_set else "prerequisite",
            required_by=tuple(
                sorted((x for x in successors[node] if kinds[node, x] == "requires"), key=order.__getitem__)
            ),
            phase=phase_of[node],
            start_week=start[node],
            end_week=end[node],
            predecessors=tuple(sorted(predecessors[node], key=order.__getitem__)),
            recommendation=recs.get(node),
        )
    position = {node: n for n, node in enumerate(node for phase in phases for node in phase)}
    edges = tuple((u, v, kinds[u, v]) for u, v in sorted(kinds, key=lambda e: (position[e[0]], position[e[1]])))
    frames = {node for node in nodes if by_id[node].frame}
    sequenced = {n: e for n, e in end.items() if n not in frames} or end
    return Plan(steps, phases, total, _critical_path(predecessors, start, sequenced, order), edges)


def _generations(predecessors: Mapping[str, list[str]], successors: Mapping[str, list[str]]) -> list[list[str]]:
    """Topological generations: the nodes without predecessors, then those whose predecessors are all placed…"""
    waiting = {node: len(before) for node, before in predecessors.items()}
    current = [node for node, count in waiting.items() if not count]
    out = []
    while current:
        out.append(current)
        following = []
        for node in current:
            for after in successors[node]:
                waiting[after] -= 1
                if not waiting[after]:
                    following.append(after)
        current = following
    if sum(map(len, out)) != len(waiting):  # the instrument's checks refuse cycles; this is a bug if reached
        raise ValueError("the interventions' requires/after graph has a cycle")
    return out


def _critical_path(
    predecessors: Mapping[str, Iterable[str]], start: dict[str, int], end: dict[str, int], order: Mapping[str, int]
) -> tuple[str, ...]:
    """The sequence that sets the length, over the steps in `end` (running frames left out by the caller)."""
    if not end:
        return ()
    total = max(end.values())
    current = min((n for n in end if end[n] == total), key=order.__getitem__)
    path = [current]
    while True:
        candidates = [p for p in predecessors[current] if p in end and end[p] == start[current]]
        if not candidates:
            break
        current = min(candidates, key=order.__getitem__)
        path.append(current)
    return tuple(reversed(path))
