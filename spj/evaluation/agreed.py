"""The agreed plan (DESIGN 4.6): the expert's decisions over the engine's proposal, scheduled.

The engine's proposal (`Plan`) is left as it is. Over it, the expert accepts,
amends or declines each proposed step and adds steps of their own. Phases and
weeks are recomputed over the accepted, amended and added steps with the same
semantics as the proposal (topological generations; a step starts when all its
agreed predecessors have ended), except that an amended `start_week` is kept
when the dependencies allow it. Weeks count from the assessment: a step already
`running` starts in week 0 (or its amended week) whatever it follows, and a
`completed` or `stopped` step takes no more weeks, so a reassessment plans what
is left to do rather than replaying what is done.

What is missing or contradictory is returned as findings (codes of DESIGN
4.6): a final assessment with findings is refused, a draft shows them as
warnings. Findings carry the path in the assessment; the caller locates them
in the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from spj.assessment import Assessment
from spj.assessment.plan_model import AddedStep, AgreedPlanInput, Decision
from spj.errors import Code, Problem
from spj.evaluation.results import AgreedPlan, AgreedStep, DeclinedStep, Origin, Plan, PlanFinding
from spj.files.yamlsource import Document
from spj.instrument import Instrument, index_of

# Steps whose delivery has begun, and those of them with nothing left to do.
UNDER_WAY = frozenset({"running", "completed", "stopped"})
DONE = frozenset({"completed", "stopped"})


@dataclass(frozen=True)
class _Node:
    """A step to schedule: an agreed instrument intervention or an added step."""

    id: str
    origin: Origin
    decision: str
    duration: int
    wanted_start: int | None
    requires: tuple[str, ...]
    after: tuple[str, ...]
    order: tuple[int, int]  # (0, instrument order) or (1, position among added steps)
    fields: Decision | AddedStep
    title: object
    provider: str | None
    domain: str | None


def build_agreed_plan(instrument: Instrument, assessment: Assessment, proposal: Plan) -> AgreedPlan | None:
    """The agreed plan of a version-2 assessment; None for version 1 (its plan is not yet agreed)."""
    if assessment.version < 2:
        return None
    given = assessment.plan or AgreedPlanInput()
    index = index_of(instrument)
    findings: list[PlanFinding] = []
    proposed = proposal.ordered_steps
    added_ids = {a.id for a in given.added}

    for iv_id in given.decisions:
        if iv_id not in index.interventions and iv_id not in added_ids:
            findings.append(
                PlanFinding(
                    Code.UNKNOWN_INTERVENTION,
                    f"a decision on {iv_id!r}, which is neither an intervention of {instrument.id} nor an added step",
                    ("plan", "decisions", iv_id),
                )
            )

    nodes: dict[str, _Node] = {}
    declined: list[DeclinedStep] = []
    undecided: list[str] = []
    for step in proposed:
        decision = given.decisions.get(step.id)
        if decision is None:
            undecided.append(step.id)
            continue
        needs_reason = decision.decision in ("amend", "decline")
        if needs_reason and not (decision.reason and decision.reason.strip()):
            findings.append(
                PlanFinding(
                    Code.DECISION_NEEDS_REASON,
                    f"{step.id}: a decision to {decision.decision} needs a reason",
                    ("plan", "decisions", step.id),
                )
            )
        if decision.decision == "decline":
            declined.append(DeclinedStep(step.id, step.reason, decision.reason))
            continue
        iv = step.intervention
        amended = decision.decision == "amend"
        nodes[step.id] = _Node(
            id=step.id,
            origin=step.reason,
            decision=decision.decision,
            duration=(decision.duration_weeks if amended and decision.duration_weeks else iv.duration_weeks),
            wanted_start=decision.start_week if amended else None,
            requires=tuple(iv.requires),
            after=tuple(iv.after),
            order=(0, index.intervention_order[step.id]),
            fields=decision,
            title=iv.title,
            provider=iv.provider,
            domain=iv.domain,
        )
    for position, added in enumerate(given.added):
        path = ("plan", "added", position)
        if added.id in index.interventions:
            findings.append(
                PlanFinding(
                    Code.DUPLICATE_ID,
                    f"added step {added.id!r} has the id of an intervention of the instrument; decide that one instead",
                    (*path, "id"),
                )
            )
            continue
        if not (added.reason and added.reason.strip()):
            findings.append(PlanFinding(Code.DECISION_NEEDS_REASON, f"{added.id}: an added step needs a reason", path))
        for key in ("requires", "after"):
            for k, other in enumerate(getattr(added, key)):
                if other not in index.interventions and other not in added_ids:
                    findings.append(
                        PlanFinding(
                            Code.UNKNOWN_INTERVENTION,
                            f"{added.id}.{key} names {other!r}, neither an intervention of the instrument "
                            "nor an added step",
                            (*path, key, k),
                        )
                    )
        nodes[added.id] = _Node(
            id=added.id,
            origin="added",
            decision="add",
            duration=added.duration_weeks,
            wanted_start=added.start_week,
            requires=added.requires,
            after=added.after,
            order=(1, position),
            fields=added,
            title=added.title,
            provider=added.provider,
            domain=added.domain,
        )

    declined_ids = {d.id for d in declined}
    for node in nodes.values():
        for needed in node.requires:
            if needed in declined_ids:
                findings.append(
                    PlanFinding(
                        Code.DECLINED_PREREQUISITE,
                        f"{node.id} is agreed but requires {needed}, which is declined; "
                        f"decline {node.id} too, or accept {needed}",
                        _path_of(node, given),
                    )
                )
    for step_id in undecided:
        findings.append(
            PlanFinding(
                Code.UNDECIDED_INTERVENTION,
                f"{step_id} is proposed but not decided; accept, amend or decline it",
                ("plan", "decisions") if given.decisions else ("plan",) if assessment.plan else (),
            )
        )
    for node in nodes.values():
        if node.fields.status == "stopped" and not (node.fields.status_reason or node.fields.reason):
            findings.append(
                PlanFinding(
                    Code.DECISION_NEEDS_REASON,
                    f"{node.id} is stopped; say why in status_reason",
                    (*_path_of(node, given), "status"),
                )
            )
        for k, indicator in enumerate(node.fields.addresses):
            if indicator not in index.indicators:
                findings.append(
                    PlanFinding(
                        Code.UNKNOWN_INDICATOR,
                        f"{node.id} addresses {indicator!r}, which is not an indicator of the instrument",
                        (*_path_of(node, given), "addresses", k),
                    )
                )

    steps, total, schedule_findings = _schedule(nodes, given)
    findings += schedule_findings
    if given.review_date is None and assessment.status == "final":
        findings.append(
            PlanFinding(
                Code.MISSING_REVIEW_DATE,
                "a final assessment's plan needs plan.review_date: when the plan is reviewed",
                ("plan",) if assessment.plan is not None else (),
            )
        )
    return AgreedPlan(
        review_date=given.review_date.isoformat() if given.review_date else None,
        steps=steps,
        declined=tuple(declined),
        undecided=tuple(undecided),
        total_weeks=total,
        findings=tuple(findings),
    )


def _path_of(node: _Node, given: AgreedPlanInput) -> tuple[str | int, ...]:
    if node.origin == "added":
        return ("plan", "added", node.order[1])
    return ("plan", "decisions", node.id)


def _schedule(nodes: dict[str, _Node], given: AgreedPlanInput) -> tuple[tuple[AgreedStep, ...], int, list[PlanFinding]]:
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    for node in nodes.values():
        for before in (*node.requires, *node.after):
            if before in nodes and before != node.id:
                graph.add_edge(before, node.id)
    findings: list[PlanFinding] = []
    if not nx.is_directed_acyclic_graph(graph):
        cycle = nx.find_cycle(graph)
        names = " → ".join([cycle[0][0], *(edge[1] for edge in cycle)])
        first = nodes[cycle[0][0]]
        findings.append(
            PlanFinding(Code.CYCLE, f"the added steps depend on each other in a cycle: {names}", _path_of(first, given))
        )
        for u, v in cycle:
            if graph.has_edge(u, v):
                graph.remove_edge(u, v)
        while not nx.is_directed_acyclic_graph(graph):
            u, v, *_ = nx.find_cycle(graph)[0]
            graph.remove_edge(u, v)
    start: dict[str, int] = {}
    end: dict[str, int] = {}
    phase: dict[str, int] = {}
    for generation_no, generation in enumerate(nx.topological_generations(graph), start=1):
        for node_id in generation:
            phase[node_id] = generation_no
    for node_id in nx.lexicographical_topological_sort(graph, key=lambda n: nodes[n].order):
        node = nodes[node_id]
        status = node.fields.status
        if status in UNDER_WAY:
            # Delivery has begun: the schedule counts from today, whatever the order it was planned in.
            start[node_id] = node.wanted_start or 0
            end[node_id] = start[node_id] + (0 if status in DONE else node.duration)
            continue
        earliest = max((end[p] for p in graph.predecessors(node_id)), default=0)
        begin = earliest
        if node.wanted_start is not None:
            if node.wanted_start < earliest:
                findings.append(
                    PlanFinding(
                        Code.START_BEFORE_DEPENDENCY,
                        f"{node_id} is set to start in week {node.wanted_start}, but what it follows ends in week "
                        f"{earliest}; it starts in week {earliest}",
                        (*_path_of(node, given), "start_week"),
                    )
                )
            else:
                begin = node.wanted_start
        start[node_id] = begin
        end[node_id] = begin + node.duration
    ordered = sorted(nodes.values(), key=lambda n: (phase[n.id], n.order))
    steps = tuple(
        AgreedStep(
            id=n.id,
            title=n.title,
            origin=n.origin,
            decision=n.decision,
            status=n.fields.status,
            partner=n.fields.partner.agency if n.fields.partner else None,
            contact=n.fields.partner.contact if n.fields.partner else None,
            provider=n.provider,
            domain=n.domain,
            phase=phase[n.id],
            start_week=start[n.id],
            end_week=end[n.id],
            duration_weeks=n.duration,
            predecessors=tuple(sorted(graph.predecessors(n.id), key=lambda p: nodes[p].order)),
            objective=n.fields.objective,
            addresses=n.fields.addresses,
            reason=n.fields.reason,
            status_reason=n.fields.status_reason,
        )
        for n in ordered
    )
    return steps, max(end.values(), default=0), findings


def plan_problems(agreed: AgreedPlan, doc: Document) -> list[Problem]:
    """The agreed plan's findings, located in the assessment file they came from."""
    return [doc.problem(Code(f.code), f.message, f.path) for f in agreed.findings]
