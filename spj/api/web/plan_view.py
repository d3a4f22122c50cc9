"""What the plan page shows, as plain values: the engine's proposal with its reasons, the choices for each
decision, and the agreed plan as scheduled. Texts are localized here so the template only arranges them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spj.api.web.labels import plan_finding_text
from spj.api.web.plan_forms import ADDED_KEYS, NEW_ADDED_ROWS
from spj.api.web.templating import gettext
from spj.api.web.viewmodels import FormValues, Line, build_panel
from spj.assessment.plan_model import STEP_STATUSES
from spj.disclosure import Deployment
from spj.evaluation.results import Evaluation
from spj.instrument.model import Instrument
from spj.instrument.text import localize
from spj.service.referrals import PlanDelivery


@dataclass(frozen=True)
class ProposedStep:
    """One step the engine proposes: why, when and by whom, before the expert decides."""

    id: str
    title: str
    description: str
    origin: str  # recommended | prerequisite
    phase: int
    detail: str  # "provider · weeks 0–6"
    why: list[str]


@dataclass(frozen=True)
class ScheduledStep:
    """A step of the agreed plan as scheduled over the agreed steps."""

    id: str
    title: str
    origin: str
    decision: str
    phase: int
    start_week: int
    end_week: int
    partner: str
    status: str


@dataclass(frozen=True)
class StepUpdate:
    """An agreed step of a final assessment, with where its delivery stands (the status update form)."""

    id: str
    title: str
    partner: str
    status: str
    status_reason: str
    started_on: str
    ended_on: str


@dataclass
class PlanPage:
    """Everything the plan page shows besides the form values."""

    proposed: list[ProposedStep]
    kept: list[str]  # decisions on steps the instrument does not propose now: kept, without effect
    scheduled: list[ScheduledStep]
    total_weeks: int
    warnings: list[str]
    partners: list[tuple[str, str]] | None  # (agency id, name); None: no deployment, the partner is free text
    indicators: list[tuple[str, str]]
    statuses: tuple[str, ...] = STEP_STATUSES
    step_ids: list[tuple[str, str]] = field(default_factory=list)  # (id, title): what the added steps' fields name
    updates: list[StepUpdate] = field(default_factory=list)


def build_plan_page(
    instrument: Instrument,
    evaluation: Evaluation | None,
    plan: Mapping[str, Any],
    lang: str,
    *,
    deployment: Deployment | None,
    own_agency: str,
) -> PlanPage:
    """The plan page for `evaluation` (None while the assessment has problems) and the stored `plan`."""

    def loc(text: Any) -> str:
        return localize(text, lang, instrument)

    interventions = {iv.id: iv for iv in instrument.interventions}
    proposed: list[ProposedStep] = []
    scheduled: list[ScheduledStep] = []
    warnings: list[str] = []
    total = 0
    if evaluation is not None:
        panel = build_panel(instrument, evaluation, lang)
        lines: dict[str, Line] = {line.id: line for phase in panel.phases for line in phase}
        for step in evaluation.plan.ordered_steps:
            line = lines[step.id]
            proposed.append(
                ProposedStep(
                    id=step.id,
                    title=line.title,
                    description=loc(interventions[step.id].description),
                    origin=step.reason,
                    phase=step.phase,
                    detail=line.detail,
                    why=line.why,
                )
            )
        agreed = evaluation.agreed_plan
        if agreed is not None:
            names = dict(partner_choices(deployment, own_agency, lang, instrument) or [])
            scheduled = [
                ScheduledStep(
                    id=s.id,
                    title=loc(s.title),
                    origin=s.origin,
                    decision=s.decision,
                    phase=s.phase,
                    start_week=s.start_week,
                    end_week=s.end_week,
                    partner=names.get(s.partner or "", s.partner or ""),
                    status=s.status,
                )
                for s in agreed.steps
            ]
            total = agreed.total_weeks
            titles = {
                **{i.id: loc(i.title) for i in interventions.values()},
                **{s.id: loc(s.title) for s in agreed.steps},
            }
            warnings = [plan_finding_text(f.message, titles, lang) for f in agreed.findings]
    proposed_ids = {p.id for p in proposed}
    decided = plan.get("decisions") or {}
    kept = [loc(interventions[i].title) if i in interventions else i for i in decided if i not in proposed_ids]
    added = [a for a in plan.get("added") or () if isinstance(a, Mapping)]
    added_ids = [str(a.get("id")) for a in added if a.get("id")]
    entries: dict[str, Mapping[str, Any]] = {**{str(a.get("id")): a for a in added}, **decided}
    updates = [
        StepUpdate(
            id=s.id,
            title=s.title,
            partner=s.partner,
            status=str(entries.get(s.id, {}).get("status") or "proposed"),
            status_reason=str(entries.get(s.id, {}).get("status_reason") or ""),
            started_on=str(entries.get(s.id, {}).get("started_on") or ""),
            ended_on=str(entries.get(s.id, {}).get("ended_on") or ""),
        )
        for s in scheduled
    ]
    return PlanPage(
        proposed=proposed,
        kept=kept,
        scheduled=scheduled,
        total_weeks=total,
        warnings=warnings,
        partners=partner_choices(deployment, own_agency, lang, instrument),
        indicators=[(i.id, f"{i.id} {loc(i.title)}") for i in instrument.indicators],
        step_ids=[(p.id, p.title) for p in proposed] + [(i, i) for i in added_ids],
        updates=updates,
    )


def partner_choices(
    deployment: Deployment | None, own_agency: str, lang: str, instrument: Instrument
) -> list[tuple[str, str]] | None:
    """The deployment's register of partner agencies (the assessing agency first); None without a deployment."""
    if deployment is None:
        return None
    choices = [(a.id, localize(a.title, lang, instrument) or a.id) for a in deployment.agencies]
    if own_agency not in {a.id for a in deployment.agencies}:
        choices.insert(0, (own_agency, own_agency))
    choices.sort(key=lambda choice: choice[0] != own_agency)
    return choices


def added_rows(values: FormValues) -> list[dict[str, Any]]:
    """The added steps as form rows (numbered as `renumber_added` numbers them), plus an empty one for a new step."""
    keys = [k for k in ADDED_KEYS if k != "addresses"]
    numbers = sorted({int(n.split(".")[1]) for n in values.fields if re.match(r"^pa\.\d{1,3}\.", n)})
    rows: list[dict[str, Any]] = [{"n": n, **{k: values.value(f"pa.{n}.{k}") for k in keys}} for n in numbers]
    start = max(numbers, default=-1) + 1
    rows += [{"n": start + k, **dict.fromkeys(keys, "")} for k in range(NEW_ADDED_ROWS)]
    return rows


def plan_labels(page: PlanPage, rows: Sequence[Mapping[str, Any]], lang: str) -> dict[str, str]:
    """A readable label for each field of the plan page (for the error summary)."""
    labels: dict[str, str] = {
        "plan.review_date": gettext(lang, "Review date"),
        "plan.start_date": gettext(lang, "Plan starts on"),
    }
    for update in page.updates:
        for key, label in (
            ("status", "status"),
            ("status_reason", "reason for the status"),
            ("started_on", "started on"),
            ("ended_on", "ended on"),
        ):
            labels[f"u.{update.id}.{key}"] = f"{update.title} — {gettext(lang, label)}"
    names = (
        ("decision", "decision"),
        ("start_week", "start week"),
        ("duration_weeks", "duration in weeks"),
        ("reason", "reason"),
        ("partner", "partner"),
        ("contact", "contact"),
        ("objective", "objective"),
        ("addresses", "indicators it addresses"),
        ("status", "status"),
        ("status_reason", "reason for the status"),
    )
    for step in page.proposed:
        labels[f"p.{step.id}"] = step.title
        for key, label in names:
            labels[f"p.{step.id}.{key}"] = f"{step.title} — {gettext(lang, label)}"
    for row in rows:
        n = row["n"]
        name = row.get("title") or row.get("id") or gettext(lang, "Added step %(n)s", n=n + 1)
        labels[f"pa.{n}"] = name
        for key, label in (*names, ("id", "id"), ("title", "title"), ("requires", "requires"), ("after", "after")):
            labels[f"pa.{n}.{key}"] = f"{name} — {gettext(lang, label)}"
    return labels


@dataclass(frozen=True)
class DeliveryRow:
    """One agreed step against the plan, as the assessing agency follows it (a partner's secret notes never here)."""

    id: str
    title: str
    partner: str
    referred: bool
    response: str  # pending | accepted | declined | "" (not referred)
    response_reason: str
    started_on: str
    sessions: str  # "2 of 3" attended
    ended_on: str
    outcome: str
    verdict: str
    verdict_text: str
    due: str
    notes: list[tuple[str, str, str]]  # (when, who, text)


def delivery_rows(
    plan: PlanDelivery, instrument: Instrument, lang: str, partner_names: Mapping[str, str]
) -> list[DeliveryRow]:
    """The plan page's delivery table: verdicts worded, dates and counts formatted."""
    rows = []
    for item in plan.steps:
        step, d, verdict = item.step, item.delivery, item.progress
        if verdict.verdict == "blocked":
            text = gettext(lang, "blocked: waiting for %(steps)s", steps=", ".join(verdict.waiting_for))
        elif verdict.verdict == "late" and verdict.days_late:
            text = gettext(lang, "late by %(days)s days", days=verdict.days_late)
        else:
            text = gettext(lang, VERDICT_WORDS[verdict.verdict])
        attended = sum(1 for s in d.sessions if s.attended) if d else 0
        sessions = gettext(lang, "%(attended)s of %(held)s", attended=attended, held=len(d.sessions)) if d else ""
        rows.append(
            DeliveryRow(
                id=step.id,
                title=localize(step.title, lang, instrument),
                partner=partner_names.get(step.partner or "", step.partner or ""),
                referred=item.referral_id is not None,
                response=d.response if d else "",
                response_reason=(d.response_reason or "") if d else "",
                started_on=d.started_on.isoformat() if d and d.started_on else "",
                sessions=sessions,
                ended_on=d.ended_on.isoformat() if d and d.ended_on else "",
                outcome=verdict.outcome or "",
                verdict=verdict.verdict,
                verdict_text=text,
                due=f"{verdict.due_start.isoformat()} – {verdict.due_end.isoformat()}",
                notes=[(n.at.date().isoformat(), n.by, n.text) for n in (d.notes if d else ())],
            )
        )
    return rows


# The verdicts as the page words them (translated by the `web` catalog).
VERDICT_WORDS = {
    "planned": "planned",
    "not-started": "not started",
    "blocked": "blocked",
    "on-time": "on time",
    "late": "late",
    "ended": "ended",
}
