"""What an evaluation produces (DESIGN 4.3): plain, immutable values.

Every derived item carries `because`: the ratings, flags, domain counts and
case fields its expression read, with their values, so a reader sees why.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from spj.errors import format_path
from spj.instrument.applicability import NOTHING_CONDITIONED, Applicability

if TYPE_CHECKING:
    from spj.instrument.model import Intervention

FlagStatus = Literal["raised", "clear", "unknown"]


@dataclass(frozen=True, slots=True)
class Ref:
    """What an expression read: a root and the names under it.

    `root` is `ratings`, `domains`, `flags` or `case`; `parts` the names that
    follow: `("SO1", "presence")`, `("social", "risk", "present")`, `("peers",)`.

    >>> Ref("ratings", ("SO1", "presence")).name
    'SO1'
    """

    root: str
    parts: tuple[str, ...]

    @property
    def name(self) -> str:
        """The id after the root: an indicator, a domain, a rule or a case field."""
        return self.parts[0] if self.parts else ""

    @property
    def rest(self) -> tuple[str, ...]:
        """What follows the id: the scale of a rating, the count of a domain."""
        return self.parts[1:]

    def __str__(self) -> str:
        return render_ref(self)


def render_ref(ref: Ref) -> str:
    """The one written form of a reference, as in expressions and in `because`.

    >>> render_ref(Ref("ratings", ("SO1", "presence")))
    'ratings.SO1.presence'
    """
    return ".".join((ref.root, *ref.parts))


@dataclass(frozen=True, slots=True)
class Reason:
    """One value an expression read: `ratings.SO1.presence` = 1 (code "P")."""

    ref: Ref
    value: Any
    code: str | None = None
    status: str | None = None  # "omitted" / "not rated" / "not given" / "unknown" when value is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ref": render_ref(self.ref), "value": self.value}
        if self.code is not None:
            out["code"] = self.code
        if self.status is not None:
            out["status"] = self.status
        return out


@dataclass(frozen=True, slots=True)
class Completeness:
    indicators: int
    rated: int
    omitted: int
    unrated: int
    omitted_ratio: float
    sufficient: bool
    max_omitted_ratio: float
    not_applicable: int | None = None
    """Indicators whose `applies_when` is false: not asked, and not counted in `indicators` (None: the
    instrument has no conditions, and the JSON leaves the key out, as before conditions existed)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicators": self.indicators,
            "rated": self.rated,
            "omitted": self.omitted,
            "unrated": self.unrated,
            "omitted_ratio": self.omitted_ratio,
            "sufficient": self.sufficient,
            "complete": self.complete,
            "max_omitted_ratio": self.max_omitted_ratio,
            **({"not_applicable": self.not_applicable} if self.not_applicable is not None else {}),
        }

    @property
    def complete(self) -> bool:
        """Every indicator rated or omitted (a final assessment must be complete)."""
        return self.unrated == 0


@dataclass(frozen=True, slots=True)
class Counts:
    present: int = 0
    partial: int = 0
    absent: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"present": self.present, "partial": self.partial, "absent": self.absent}


@dataclass(frozen=True, slots=True)
class DomainSummary:
    """Descriptive counts for one life area; never a score that decides anything."""

    id: str
    risk: Counts
    protective: Counts
    rated: int
    omitted: int
    unrated: int
    high_relevance: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "risk": self.risk.to_dict(),
            "protective": self.protective.to_dict(),
            "rated": self.rated,
            "omitted": self.omitted,
            "unrated": self.unrated,
            "high_relevance": self.high_relevance,
        }


@dataclass(frozen=True, slots=True)
class FlagResult:
    """The result of one rule."""

    id: str
    status: FlagStatus
    severity: str
    rule: str
    because: tuple[Reason, ...]
    missing: tuple[str, ...] = ()
    missing_case_fields: tuple[str, ...] = ()
    error: str | None = None  # why the expression failed on this assessment (the flag is then unknown)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "severity": self.severity,
            "rule": self.rule,
            "because": [r.to_dict() for r in self.because],
            "missing": list(self.missing),
            "missing_case_fields": list(self.missing_case_fields),
            **({"error": self.error} if self.error else {}),
        }


@dataclass(frozen=True, slots=True)
class Recommendation:
    """Whether an intervention's `recommend_when` held: True, False or None (undetermined)."""

    id: str
    value: bool | None
    rule: str
    because: tuple[Reason, ...]
    missing: tuple[str, ...] = ()
    missing_case_fields: tuple[str, ...] = ()
    error: str | None = None  # why the expression failed on this assessment (then undetermined)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "because": [r.to_dict() for r in self.because],
            "missing": list(self.missing),
            "missing_case_fields": list(self.missing_case_fields),
            **({"error": self.error} if self.error else {}),
        }


@dataclass(frozen=True)
class Evaluation:
    """The evaluation of one assessment with one instrument, plan included."""

    instrument_id: str
    instrument_version: str
    instrument_sha256: str
    assessment_id: str
    case_id: str
    status: str
    completeness: Completeness
    domains: dict[str, DomainSummary]
    rule_results: tuple[FlagResult, ...]
    recommendations: dict[str, Recommendation]
    plan: Plan
    indicator_status: dict[str, str] = field(default_factory=dict)
    agreed_plan: AgreedPlan | None = None  # the expert's decisions over `plan` (DESIGN 4.6)
    applicability: Applicability = NOTHING_CONDITIONED  # which conditional items apply (`applies_when`)

    @property
    def flags(self) -> tuple[FlagResult, ...]:
        """Raised and unknown flags, in the instrument's rule order."""
        return tuple(f for f in self.rule_results if f.status != "clear")

    @property
    def undetermined(self) -> tuple[Recommendation, ...]:
        """Interventions whose recommendation is unknown and which are not in the plan."""
        return tuple(r for r in self.recommendations.values() if r.value is None and r.id not in self.plan.steps)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of DESIGN 4.3."""
        return {
            "instrument": {
                "id": self.instrument_id,
                "version": self.instrument_version,
                "sha256": self.instrument_sha256,
            },
            "assessment": {"id": self.assessment_id, "case": self.case_id, "status": self.status},
            "completeness": self.completeness.to_dict(),
            "domains": {k: v.to_dict() for k, v in self.domains.items()},
            "flags": [f.to_dict() for f in self.flags],
            "interventions": [step.to_dict() for step in self.plan.ordered_steps],
            "undetermined": [r.to_dict() for r in self.undetermined],
            # A plan proposed on insufficient information (too many omissions) is provisional.
            "plan": {**self.plan.summary_dict(), "provisional": not self.completeness.sufficient},
            **({"agreed_plan": self.agreed_plan.to_dict()} if self.agreed_plan is not None else {}),
            "judgements_note": "Summary judgements are the expert's; spj never computes them.",
        }


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
            "track": iv.track,
            "after_steps": list(self.predecessors),
            "rule": iv.recommend_when,
            "recommended": rec.value if rec is not None else None,
            "because": [r.to_dict() for r in rec.because] if rec is not None else [],
        }


@dataclass(frozen=True)
class Plan:
    """The phased, scheduled trajectory.

    `graph` is the networkx DiGraph of the plan (node attribute "step" holds the
    PlanStep, edge attribute "kind" is "requires" or "after"), built on first
    use: evaluating does not need networkx.
    """

    steps: dict[str, PlanStep]  # in instrument order
    phases: tuple[tuple[str, ...], ...]
    total_weeks: int
    critical_path: tuple[str, ...]
    edges: tuple[tuple[str, str, str], ...] = ()  # (before, after, kind), in phase order

    @functools.cached_property
    def graph(self) -> Any:
        """The plan as a networkx DiGraph (nodes in instrument order)."""
        import networkx as nx

        graph = nx.DiGraph()
        for node, step in self.steps.items():
            graph.add_node(node, step=step)
        for before, after, kind in self.edges:
            graph.add_edge(before, after, kind=kind)
        return graph

    @property
    def ordered_steps(self) -> list[PlanStep]:
        """Steps in phase order, instrument order inside a phase."""
        return [self.steps[i] for phase in self.phases for i in phase]

    def summary_dict(self) -> dict[str, Any]:
        return {
            "phases": [list(p) for p in self.phases],
            "total_weeks": self.total_weeks,
            "critical_path": list(self.critical_path),
            "edges": [[u, v, kind] for u, v, kind in self.edges],
            "tracks": self.tracks(),
        }

    def tracks(self) -> dict[str, list[str]]:
        """The steps of each follow-up track, in phase order; steps without a track are left out."""
        out: dict[str, list[str]] = {}
        for step in self.ordered_steps:
            if step.intervention.track:
                out.setdefault(step.intervention.track, []).append(step.id)
        return out


Origin = Literal["recommended", "prerequisite", "added"]


@dataclass(frozen=True)
class AgreedStep:
    """One step of the expert's agreed plan, scheduled over the agreed steps only."""

    id: str
    title: Any  # a Text: a string or a {lang: text} map
    origin: Origin
    decision: str  # accept | amend | add
    status: str
    partner: str | None
    contact: str | None
    provider: str | None
    domain: str | None
    phase: int
    start_week: int
    end_week: int
    duration_weeks: int
    predecessors: tuple[str, ...]
    objective: str | None
    addresses: tuple[str, ...]
    reason: str | None
    status_reason: str | None
    track: str | None = None  # security | social-preventive | None (not said)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "origin": self.origin,
            "decision": self.decision,
            "status": self.status,
            "partner": self.partner,
            "contact": self.contact,
            "provider": self.provider,
            "phase": self.phase,
            "start_week": self.start_week,
            "end_week": self.end_week,
            "duration_weeks": self.duration_weeks,
            "after_steps": list(self.predecessors),
            "objective": self.objective,
            "addresses": list(self.addresses),
            "reason": self.reason,
            "status_reason": self.status_reason,
            "track": self.track,
        }


@dataclass(frozen=True)
class DeclinedStep:
    """A proposed intervention the expert declined, with the reason."""

    id: str
    origin: Origin
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "origin": self.origin, "reason": self.reason}


@dataclass(frozen=True)
class PlanFinding:
    """Something the agreed plan lacks (DESIGN 4.6): a code, a message, the path in the assessment.

    A final assessment with any of these is refused; a draft shows them as warnings.
    """

    code: str
    message: str
    path: tuple[str | int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "path": format_path(self.path)}


@dataclass(frozen=True)
class AgreedPlan:
    """The expert's plan: decisions over the engine's proposal, added steps, schedule (DESIGN 4.6)."""

    review_date: str | None
    steps: tuple[AgreedStep, ...]
    declined: tuple[DeclinedStep, ...]
    undecided: tuple[str, ...]
    total_weeks: int
    findings: tuple[PlanFinding, ...]
    start_date: str | None = None  # week 0: the plan's own `start_date`, else the assessment's date

    @property
    def decided(self) -> bool:
        """Every proposed step has a decision and nothing is missing."""
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "review_date": self.review_date,
            "start_date": self.start_date,
            "steps": [s.to_dict() for s in self.steps],
            "declined": [d.to_dict() for d in self.declined],
            "undecided": list(self.undecided),
            "total_weeks": self.total_weeks,
            "problems": [f.to_dict() for f in self.findings],
        }
