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

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

from spj.assessment import Assessment
from spj.assessment.plan_model import AddedStep, AgreedPlanInput, Decision
from spj.errors import Code, Problem
from spj.evaluation.results import AgreedPlan, AgreedStep, DeclinedStep, Origin, Plan, PlanFinding, PlanStep
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
    track: str | None = None


def build_agreed_plan(instrument: Instrument, assessment: Assessment, proposal: Plan) -> AgreedPlan | None:
    """The agreed plan of a version-2 assessment; None for version 1 (its plan is not yet agreed)."""
    if assessment.version < 2:
        return None
    given = assessment.plan or AgreedPlanInput()
    build = _Builder(instrument, given)
    build.check_decision_keys()
    for step in proposal.ordered_steps:
        build.decide(step)
    for position, added in enumerate(given.added):
        build.add(position, added)
    build.check_agreed_steps(assessment)
    steps, total, schedule_findings = _schedule(build.nodes, given)
    build.findings += schedule_findings
    if given.review_date is None and assessment.status == "final":
        build.finding(
            Code.MISSING_REVIEW_DATE,
            "a final assessment's plan needs plan.review_date: when the plan is reviewed",
            ("plan",) if assessment.plan is not None else (),
        )
    return AgreedPlan(
        review_date=given.review_date.isoformat() if given.review_date else None,
        start_date=(given.start_date or assessment.date).isoformat(),
        steps=steps,
        declined=tuple(build.declined),
        undecided=tuple(build.undecided),
        total_weeks=total,
        findings=tuple(build.findings),
    )


class _Builder:
    """Collects the agreed steps, the declined and undecided ones, and the findings, step by step."""

    def __init__(self, instrument: Instrument, given: AgreedPlanInput) -> None:
        self.instrument = instrument
        self.index = index_of(instrument)
        self.given = given
        self.added_ids = {a.id for a in given.added}
        self.nodes: dict[str, _Node] = {}
        self.declined: list[DeclinedStep] = []
        self.undecided: list[str] = []
        self.findings: list[PlanFinding] = []

    def finding(self, code: Code, message: str, path: tuple[str | int, ...]) -> None:
        self.findings.append(PlanFinding(code, message, path))

    def known(self, step_id: str) -> bool:
        return step_id in self.index.interventions or step_id in self.added_ids

    def check_decision_keys(self) -> None:
        for iv_id in self.given.decisions:
            if not self.known(iv_id):
                self.finding(
                    Code.UNKNOWN_INTERVENTION,
                    f"a decision on {iv_id!r}, which is neither an intervention of {self.instrument.id} "
                    "nor an added step",
                    ("plan", "decisions", iv_id),
                )

    def decide(self, step: PlanStep) -> None:
        """One proposed step: undecided, declined, or agreed (accepted or amended)."""
        decision = self.given.decisions.get(step.id)
        if decision is None:
            self.undecided.append(step.id)
            return
        if decision.decision in ("amend", "decline") and not _given(decision.reason):
            self.finding(
                Code.DECISION_NEEDS_REASON,
                f"{step.id}: a decision to {decision.decision} needs a reason",
                ("plan", "decisions", step.id),
            )
        if decision.decision == "decline":
            self.declined.append(DeclinedStep(step.id, step.reason, decision.reason))
            return
        iv = step.intervention
        amended = decision.decision == "amend"
        self.nodes[step.id] = _Node(
            id=step.id,
            origin=step.reason,
            decision=decision.decision,
            duration=(decision.duration_weeks if amended and decision.duration_weeks else iv.duration_weeks),
            wanted_start=decision.start_week if amended else None,
            requires=tuple(iv.requires),
            after=tuple(iv.after),
            order=(0, self.index.intervention_order[step.id]),
            fields=decision,
            title=iv.title,
            provider=iv.provider,
            domain=iv.domain,
            track=iv.track,
        )

    def add(self, position: int, added: AddedStep) -> None:
        """One step the expert added."""
        path: tuple[str | int, ...] = ("plan", "added", position)
        if added.id in self.index.interventions:
            self.finding(
                Code.DUPLICATE_ID,
                f"added step {added.id!r} has the id of an intervention of the instrument; decide that one instead",
                (*path, "id"),
            )
            return
        if not _given(added.reason):
            self.finding(Code.DECISION_NEEDS_REASON, f"{added.id}: an added step needs a reason", path)
        for key, names in (("requires", added.requires), ("after", added.after)):
            for k, other in enumerate(names):
                if not self.known(other):
                    self.finding(
                        Code.UNKNOWN_INTERVENTION,
                        f"{added.id}.{key} names {other!r}, "
                        "neither an intervention of the instrument nor an added step",
                        (*path, key, k),
                    )
        self.nodes[added.id] = _Node(
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
            track=added.track,
        )

    def check_agreed_steps(self, assessment: Assessment) -> None:
        """What the agreed steps lack: a declined prerequisite, a reason for stopping, known indicators."""
        declined_ids = {d.id for d in self.declined}
        for node in self.nodes.values():
            for needed in node.requires:
                if needed in declined_ids:
                    self.finding(
                        Code.DECLINED_PREREQUISITE,
                        f"{node.id} is agreed but requires {needed}, which is declined; "
                        f"decline {node.id} too, or accept {needed}",
                        _path_of(node, self.given),
                    )
        where = ("plan", "decisions") if self.given.decisions else ("plan",) if assessment.plan else ()
        for step_id in self.undecided:
            self.finding(
                Code.UNDECIDED_INTERVENTION,
                f"{step_id} is proposed but not decided; accept, amend or decline it",
                where,
            )
        for node in self.nodes.values():
            if node.fields.status == "stopped" and not (node.fields.status_reason or node.fields.reason):
                self.finding(
                    Code.DECISION_NEEDS_REASON,
                    f"{node.id} is stopped; say why in status_reason",
                    (*_path_of(node, self.given), "status"),
                )
            for k, indicator in enumerate(node.fields.addresses):
                if indicator not in self.index.indicators:
                    self.finding(
                        Code.UNKNOWN_INDICATOR,
                        f"{node.id} addresses {indicator!r}, which is not an indicator of the instrument",
                        (*_path_of(node, self.given), "addresses", k),
                    )


def _given(text: str | None) -> bool:
    return bool(text and text.strip())


def _path_of(node: _Node, given: AgreedPlanInput) -> tuple[str | int, ...]:
    if node.origin == "added":
        return ("plan", "added", node.order[1])
    return ("plan", "decisions", node.id)


def _schedule(nodes: dict[str, _Node], given: AgreedPlanInput) -> tuple[tuple[AgreedStep, ...], int, list[PlanFinding]]:
    """Phases and weeks over the agreed steps, in the order of the proposal, added steps after."""
    predecessors, findings = _dependencies(nodes, given)
    phase = {n: number for number, generation in enumerate(_generations(predecessors), 1) for n in generation}
    start: dict[str, int] = {}
    end: dict[str, int] = {}
    for node_id in _in_order(predecessors, key=lambda n: nodes[n].order):
        node = nodes[node_id]
        earliest = max((end[p] for p in predecessors[node_id]), default=0)
        start[node_id], end[node_id] = _weeks(node, earliest, given, findings)
    ordered = sorted(nodes.values(), key=lambda n: (phase[n.id], n.order))
    steps = tuple(
        _agreed_step(n, phase[n.id], start[n.id], end[n.id], sorted(predecessors[n.id], key=lambda p: nodes[p].order))
        for n in ordered
    )
    return steps, max(end.values(), default=0), findings


def _dependencies(nodes: dict[str, _Node], given: AgreedPlanInput) -> tuple[dict[str, set[str]], list[PlanFinding]]:
    """Each agreed step's predecessors (`requires` and `after` among agreed steps); each cycle reported and cut."""
    predecessors = {
        node.id: {before for before in (*node.requires, *node.after) if before in nodes and before != node.id}
        for node in nodes.values()
    }
    findings = []
    while True:
        try:
            TopologicalSorter(predecessors).prepare()
        except CycleError as exc:
            cycle: list[str] = exc.args[1]  # each node an immediate predecessor of the next; first == last
            findings.append(
                PlanFinding(
                    Code.CYCLE,
                    f"the steps depend on each other in a cycle: {' → '.join(cycle)}",
                    _path_of(nodes[cycle[0]], given),
                )
            )
            predecessors[cycle[1]].discard(cycle[0])
            continue
        return predecessors, findings


def _generations(predecessors: dict[str, set[str]]) -> list[tuple[str, ...]]:
    sorter = TopologicalSorter(predecessors)
    sorter.prepare()
    out = []
    while sorter.is_active():
        ready = sorter.get_ready()
        out.append(ready)
        sorter.done(*ready)
    return out


def _in_order(predecessors: dict[str, set[str]], *, key: Callable[[str], tuple[int, int]]) -> list[str]:
    """A topological order that takes, whenever it may choose, the step that comes first by `key`."""
    waiting = {n: len(p) for n, p in predecessors.items()}
    successors: dict[str, list[str]] = {n: [] for n in predecessors}
    for node, before in predecessors.items():
        for p in before:
            successors[p].append(node)
    ready = [(key(n), n) for n, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, node = heapq.heappop(ready)
        out.append(node)
        for nxt in successors[node]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                heapq.heappush(ready, (key(nxt), nxt))
    return out


def _weeks(node: _Node, earliest: int, given: AgreedPlanInput, findings: list[PlanFinding]) -> tuple[int, int]:
    """(start, end) of one step, once what it follows ends in week `earliest`."""
    status = node.fields.status
    if status in UNDER_WAY:
        # Delivery has begun: the schedule counts from today, whatever the order it was planned in.
        begin = node.wanted_start or 0
        return begin, begin + (0 if status in DONE else node.duration)
    begin = earliest
    if node.wanted_start is not None and node.wanted_start < earliest:
        findings.append(
            PlanFinding(
                Code.START_BEFORE_DEPENDENCY,
                f"{node.id} is set to start in week {node.wanted_start}, but what it follows ends in week "
                f"{earliest}; it starts in week {earliest}",
                (*_path_of(node, given), "start_week"),
            )
        )
    elif node.wanted_start is not None:
        begin = node.wanted_start
    return begin, begin + node.duration


def _agreed_step(node: _Node, phase: int, start: int, end: int, predecessors: list[str]) -> AgreedStep:
    fields = node.fields
    return AgreedStep(
        id=node.id,
        title=node.title,
        origin=node.origin,
        decision=node.decision,
        status=fields.status,
        partner=fields.partner.agency if fields.partner else None,
        contact=fields.partner.contact if fields.partner else None,
        provider=node.provider,
        domain=node.domain,
        phase=phase,
        start_week=start,
        end_week=end,
        duration_weeks=node.duration,
        predecessors=tuple(predecessors),
        objective=fields.objective,
        addresses=fields.addresses,
        reason=fields.reason,
        status_reason=fields.status_reason,
        track=node.track,
    )


def plan_problems(agreed: AgreedPlan, doc: Document) -> list[Problem]:
    """The agreed plan's findings, located in the assessment file they came from."""
    return [doc.problem(Code(f.code), f.message, f.path) for f in agreed.findings]
