"""The report's view of an assessment: plain values, labels already localized.

Templates only arrange and phrase these values; nothing here is marked safe,
every text stays untrusted until a template escapes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from spj.assessment.model import Assessment, Rating
from spj.evaluation.results import Evaluation, PlanStep, Reason, render_ref
from spj.instrument.model import Indicator, Instrument, Intervention, ScaleLevel
from spj.instrument.text import localize
from spj.report.document import Named


@dataclass(frozen=True)
class Level:
    """A rated scale: its name, the level's label and code, and where it sits on the scale."""

    scale: str
    label: str
    code: str
    position: str  # "top" | "middle" | "bottom"


@dataclass(frozen=True)
class IndicatorView:
    id: str
    title: str
    kind: str
    status: str  # "rated" | "omitted" | "unrated"
    presence: Level | None
    relevance: Level | None
    other_levels: tuple[Level, ...]
    evidence_for: str
    evidence_against: str
    sources: tuple[str, ...]
    note: str
    reason: str
    guidance: str
    decides: tuple[Named, ...]


@dataclass(frozen=True)
class DomainView:
    id: str
    title: str
    description: str
    present: tuple[IndicatorView, ...]
    absent: tuple[IndicatorView, ...]
    omitted: tuple[IndicatorView, ...]
    unrated: tuple[IndicatorView, ...]


@dataclass(frozen=True)
class ReasonView:
    """One value a rule read, phrased: subject, which part, and its value or why it is missing."""

    subject: str
    part: str
    value: str
    status: str | None


@dataclass(frozen=True)
class FlagView:
    id: str
    title: str
    message: str
    severity: str
    status: str
    reasons: tuple[ReasonView, ...]
    missing: tuple[Named, ...]
    missing_case_fields: tuple[Named, ...]
    error: str = ""


@dataclass(frozen=True)
class StepView:
    id: str
    title: str
    description: str
    provider: str
    phase: int
    start_week: int
    end_week: int
    duration_weeks: int
    reason: str
    required_by: tuple[Named, ...]
    requires: tuple[Named, ...]
    after: tuple[Named, ...]
    reasons: tuple[ReasonView, ...]
    critical: bool


@dataclass(frozen=True)
class PhaseView:
    number: int
    start_week: int
    end_week: int
    steps: tuple[StepView, ...]


@dataclass(frozen=True)
class UndeterminedView:
    id: str
    title: str
    provider: str
    missing: tuple[Named, ...]
    missing_case_fields: tuple[Named, ...]
    reasons: tuple[ReasonView, ...]


@dataclass(frozen=True)
class JudgementView:
    id: str
    title: str
    description: str
    level: str
    code: str
    rationale: str


@dataclass(frozen=True)
class ScenarioView:
    kind: str
    title: str
    text: str


@dataclass(frozen=True)
class SourceView:
    id: str
    kind: str
    date: dt.date | None
    description: str


def report_context(
    instrument: Instrument, assessment: Assessment, evaluation: Evaluation, *, lang: str, spj_version: str
) -> dict[str, Any]:
    """Everything the report templates read, in `lang` (instrument texts fall back to its default)."""
    view = _Builder(instrument, assessment, evaluation, lang)
    c = evaluation.completeness
    plan = evaluation.plan
    steps = {s.id: view.step(s, s.id in plan.critical_path) for s in plan.ordered_steps}
    phases = tuple(
        PhaseView(
            number=n,
            start_week=min(steps[i].start_week for i in ids),
            end_week=max(steps[i].end_week for i in ids),
            steps=tuple(steps[i] for i in ids),
        )
        for n, ids in enumerate(plan.phases, start=1)
    )
    return {
        "lang": lang,
        "spj_version": spj_version,
        "instrument": {
            "id": instrument.id,
            "version": instrument.version,
            "sha256": instrument.sha256 or evaluation.instrument_sha256,
            "title": view.text(instrument.title),
            "license": instrument.license,
            "citation": instrument.citation or "",
        },
        "assessment": {
            "id": assessment.id,
            "case_id": assessment.case.id,
            "assessor_id": assessment.assessor.id,
            "assessor_name": assessment.assessor.name or "",
            "agency": assessment.assessor.agency or "",
            "date": assessment.date,
            "status": assessment.status,
            "draft": assessment.status != "final",
            "previous": assessment.previous or "",
            "amends": assessment.amends or "",
        },
        "case_fields": view.case_fields(),
        "sources": tuple(SourceView(s.id, s.kind, s.date, s.description or "") for s in assessment.sources),
        "domains": tuple(view.domain(d.id) for d in instrument.domains),
        "completeness": {
            "indicators": c.indicators,
            "rated": c.rated,
            "omitted": c.omitted,
            "unrated": c.unrated,
            "percent_omitted": round(c.omitted_ratio * 100),
            "percent_threshold": round(c.max_omitted_ratio * 100),
            "sufficient": c.sufficient,
        },
        "raised": tuple(view.flag(f) for f in evaluation.flags if f.status == "raised"),
        "unknown_flags": tuple(view.flag(f) for f in evaluation.flags if f.status == "unknown"),
        "phases": phases,
        "total_weeks": plan.total_weeks,
        "critical_path": tuple(Named(i, steps[i].title) for i in plan.critical_path),
        "undetermined": tuple(view.undetermined(r.id) for r in evaluation.undetermined),
        "formulation": assessment.formulation or "",
        "scenarios": tuple(ScenarioView(s.kind, s.title or "", s.text) for s in assessment.scenarios),
        "judgements": tuple(view.judgement(j.id) for j in instrument.judgements),
    }


class _Builder:
    """Turns instrument, assessment and evaluation into views, in one language."""

    def __init__(self, instrument: Instrument, assessment: Assessment, evaluation: Evaluation, lang: str) -> None:
        self.instrument = instrument
        self.assessment = assessment
        self.evaluation = evaluation
        self.lang = lang
        self.indicators = {i.id: i for i in instrument.indicators}
        self.domains = {d.id: d for d in instrument.domains}
        self.rules = {r.id: r for r in instrument.rules}
        self.interventions = {iv.id: iv for iv in instrument.interventions}
        self.case_field_defs = {f.id: f for f in instrument.case_fields}
        self.results = {f.id: f for f in evaluation.rule_results}

    def text(self, value: Any) -> str:
        return localize(value, self.lang, self.instrument)

    # -- indicators and life areas

    def domain(self, domain_id: str) -> DomainView:
        domain = self.domains[domain_id]
        items = [self.indicator(i) for i in self.instrument.indicators if i.domain == domain_id]
        rated = [i for i in items if i.status == "rated"]
        return DomainView(
            id=domain.id,
            title=self.text(domain.title),
            description=self.text(domain.description),
            present=tuple(i for i in rated if i.presence is None or i.presence.position != "bottom"),
            absent=tuple(i for i in rated if i.presence is not None and i.presence.position == "bottom"),
            omitted=tuple(i for i in items if i.status == "omitted"),
            unrated=tuple(i for i in items if i.status == "unrated"),
        )

    def indicator(self, indicator: Indicator) -> IndicatorView:
        rating = self.assessment.ratings.get(indicator.id) or Rating()
        status = self.evaluation.indicator_status.get(indicator.id, "unrated")
        levels = {scale: self.level(scale, code) for scale, code in rating.codes.items() if scale in indicator.rate}
        evidence = rating.evidence
        return IndicatorView(
            id=indicator.id,
            title=self.text(indicator.title),
            kind=indicator.kind,
            status=status,
            presence=levels.pop("presence", None),
            relevance=levels.pop("relevance", None),
            other_levels=tuple(levels.values()),
            evidence_for=(evidence.for_ or "") if evidence else "",
            evidence_against=(evidence.against or "") if evidence else "",
            sources=rating.sources,
            note=rating.note or "",
            reason=rating.reason or "",
            guidance=self.text(indicator.guidance),
            decides=self.decided_by(indicator.id) if status != "rated" else (),
        )

    def level(self, scale: str, code: Any) -> Level:
        levels: tuple[ScaleLevel, ...] = self.instrument.scales.get(scale, ())
        for n, level in enumerate(levels):
            if level.code == str(code):
                position = "top" if n == len(levels) - 1 else "bottom" if n == 0 else "middle"
                return Level(scale, self.text(level.label), level.code, position)
        return Level(scale, str(code), str(code), "middle")

    def decided_by(self, indicator_id: str) -> tuple[Named, ...]:
        """Flags and interventions that stay unknown until this indicator is known."""
        out = [self.named_rule(f.id) for f in self.evaluation.flags if indicator_id in f.missing]
        out += [self.named_intervention(r.id) for r in self.evaluation.undetermined if indicator_id in r.missing]
        return tuple(out)

    # -- reasons

    def reason(self, reason: Reason) -> ReasonView:
        head, name, part = reason.ref.root, reason.ref.name, ".".join(reason.ref.rest)
        value = "" if reason.value is None else str(reason.value)
        if head == "ratings" and name in self.indicators:
            subject = f"{self.text(self.indicators[name].title)} ({name})"
            if reason.code is not None and part:
                value = f"{self.level(part, reason.code).label} ({reason.code})"
            return ReasonView(subject, part, value, reason.status)
        if head == "domains" and name in self.domains:
            return ReasonView(self.text(self.domains[name].title), part, value, reason.status)
        if head == "flags" and name in self.rules:
            if reason.value is not None:
                value = "raised" if reason.value else "not raised"
            return ReasonView(self.named_rule(name).title, "flag", value, reason.status)
        if head == "case" and name in self.case_field_defs:
            field = self.case_field_defs[name]
            label = field.labels.get(value)
            return ReasonView(
                self.text(field.title) or name, "case", self.text(label) if label else value, reason.status
            )
        return ReasonView(render_ref(reason.ref), "", value, reason.status)

    def named_rule(self, rule_id: str) -> Named:
        rule = self.rules[rule_id]
        return Named(rule_id, self.text(rule.title) if rule.title else self.text(rule.message))

    def named_intervention(self, intervention_id: str) -> Named:
        return Named(intervention_id, self.text(self.interventions[intervention_id].title))

    def named_indicators(self, ids: tuple[str, ...]) -> tuple[Named, ...]:
        return tuple(Named(i, self.text(self.indicators[i].title) if i in self.indicators else i) for i in ids)

    def named_case_fields(self, ids: tuple[str, ...]) -> tuple[Named, ...]:
        defs = self.case_field_defs
        return tuple(Named(i, (self.text(defs[i].title) if i in defs else "") or i) for i in ids)

    # -- flags, steps, undetermined, judgements

    def flag(self, flag: Any) -> FlagView:
        rule = self.rules[flag.id]
        return FlagView(
            id=flag.id,
            title=self.text(rule.title) if rule.title else "",
            message=self.text(rule.message),
            severity=flag.severity,
            status=flag.status,
            reasons=tuple(self.reason(r) for r in flag.because),
            missing=self.named_indicators(flag.missing),
            missing_case_fields=self.named_case_fields(flag.missing_case_fields),
            error=flag.error or "",
        )

    def step(self, step: PlanStep, critical: bool) -> StepView:
        iv: Intervention = step.intervention
        rec = step.recommendation
        return StepView(
            id=iv.id,
            title=self.text(iv.title),
            description=self.text(iv.description),
            provider=iv.provider,
            phase=step.phase,
            start_week=step.start_week,
            end_week=step.end_week,
            duration_weeks=iv.duration_weeks,
            reason=step.reason,
            required_by=tuple(self.named_intervention(i) for i in step.required_by),
            requires=tuple(self.named_intervention(i) for i in step.predecessors if i in iv.requires),
            after=tuple(self.named_intervention(i) for i in step.predecessors if i not in iv.requires),
            reasons=tuple(self.reason(r) for r in rec.because) if rec and step.reason == "recommended" else (),
            critical=critical,
        )

    def undetermined(self, intervention_id: str) -> UndeterminedView:
        rec = self.evaluation.recommendations[intervention_id]
        iv = self.interventions[intervention_id]
        return UndeterminedView(
            id=iv.id,
            title=self.text(iv.title),
            provider=iv.provider,
            missing=self.named_indicators(rec.missing),
            missing_case_fields=self.named_case_fields(rec.missing_case_fields),
            reasons=tuple(self.reason(r) for r in rec.because),
        )

    def judgement(self, judgement_id: str) -> JudgementView:
        judgement = next(j for j in self.instrument.judgements if j.id == judgement_id)
        entry = self.assessment.judgements.get(judgement_id)
        code = (entry.level or "") if entry else ""
        label = judgement.labels.get(code)
        return JudgementView(
            id=judgement.id,
            title=self.text(judgement.title),
            description=self.text(judgement.description),
            level=self.text(label) if label else code,
            code=code,
            rationale=(entry.rationale or "") if entry else "",
        )

    def case_fields(self) -> tuple[ReasonView, ...]:
        out = []
        for field_id, value in self.assessment.case.fields.items():
            field = self.case_field_defs.get(field_id)
            title = (self.text(field.title) if field and field.title else "") or field_id
            label = field.labels.get(str(value)) if field else None
            out.append(ReasonView(title, "case", self.text(label) if label else str(value), None))
        return tuple(out)
