"""An extract: what one partner agency may see of one assessment (DESIGN 4.7), as plain data.

Built once, with every text already in the chosen language, so that the
templates only arrange it. Sections a profile does not grant are absent
(None), never emptied in place: a template cannot print what is not there.
Whatever a profile says, a source marked `confidential: professional-secret`,
an evidence text that cites only such sources and a rating whose cited sources
are all such sources stay with the agency that made the assessment; a
withheld rating is shown as withheld, without its value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from spj.assessment import Assessment
from spj.assessment.model import Rating
from spj.disclosure.model import Deployment
from spj.disclosure.sections import Grant
from spj.errors import Code, DisclosureError, Location, Problem, did_you_mean
from spj.evaluation.results import AgreedStep, Evaluation
from spj.instrument import Instrument, index_of
from spj.instrument.index import InstrumentIndex
from spj.instrument.model import TRACKS
from spj.instrument.text import case_value_text, localize

SECRET = "professional-secret"


@dataclass(frozen=True)
class IndicatorView:
    id: str
    title: str
    rating: tuple[tuple[str, str], ...] | None  # (scale, level label) pairs; None when not granted or withheld
    rating_withheld: bool
    omitted_reason: str | None
    evidence_for: str | None
    evidence_against: str | None
    evidence_withheld: bool


@dataclass(frozen=True)
class DomainView:
    id: str
    title: str
    indicators: tuple[IndicatorView, ...]


@dataclass(frozen=True)
class StepView:
    id: str
    title: str
    partner: str
    status: str
    start_week: int
    end_week: int
    objective: str | None


@dataclass(frozen=True)
class Extract:
    """The extract of one assessment for one agency."""

    recipient_id: str
    recipient: str
    sender: str | None
    basis: str
    everything: bool
    sections: tuple[str, ...]
    instrument_title: str
    assessment_id: str
    date: object
    final: bool
    case_id: str | None
    case_fields: tuple[tuple[str, str], ...] | None
    sources: tuple[tuple[str, str, object, str], ...] | None  # id, kind, date, description
    domains: tuple[DomainView, ...] | None
    flags: tuple[tuple[str, str, str], ...] | None  # severity, status, message
    formulation: str | None
    scenarios: tuple[tuple[str, str], ...] | None  # kind, text
    judgements: tuple[tuple[str, str, str], ...] | None  # title, level, rationale
    plan: tuple[StepView, ...] | None
    plan_scope: str | None  # "all" | "track" | "own"
    review_date: object
    secret_withheld: bool
    plan_tracks: tuple[str, ...] = ()  # the tracks granted (plan_scope "track"), in the order of TRACK_SECTIONS


def extract_to_dict(extract: Extract) -> dict[str, Any]:
    """The extract as JSON-ready data: the same sections, absent ones null (for case systems of partners)."""
    data = dataclasses.asdict(extract)
    data["date"] = extract.date.isoformat() if isinstance(extract.date, dt.date) else extract.date
    if extract.sources is not None:
        data["sources"] = [
            {"id": i, "kind": k, "date": d.isoformat() if isinstance(d, dt.date) else d, "description": text}
            for i, k, d, text in extract.sources
        ]
    return data


def grant_for(deployment: Deployment, agency_id: str, assessment: Assessment) -> Grant:
    """What `agency_id` may see of `assessment`; `DisclosureError` for an agency outside the deployment."""
    agency = deployment.agency(agency_id)
    if agency is None:
        raise DisclosureError(
            Problem(
                Code.UNKNOWN_AGENCY,
                f"agency {agency_id!r} is not part of this deployment"
                + did_you_mean(agency_id, [a.id for a in deployment.agencies])
                + "; nothing of the case is shown",
                Location(),
            )
        )
    if assessment.assessor.agency == agency_id:
        return Grant(everything=True, sections=frozenset())
    profile = deployment.profiles.get(agency.kind)
    return Grant(everything=False, sections=frozenset(profile.sees) if profile else frozenset())


def basis_for(deployment: Deployment, agency_id: str, lang: str, instrument: Instrument) -> str:
    """The legal basis printed on the extract for this agency ('' when its kind has no profile)."""
    agency = deployment.agency(agency_id)
    profile = deployment.profiles.get(agency.kind) if agency else None
    return localize(profile.basis, lang, instrument) if profile else ""


def build_extract(
    instrument: Instrument,
    assessment: Assessment,
    evaluation: Evaluation,
    deployment: Deployment,
    agency_id: str,
    *,
    lang: str,
    labels: dict[str, str] | None = None,
) -> Extract:
    """The extract of `assessment` that `agency_id` may see, texts in `lang`.

    `labels` translates the few engine words shown (statuses, severities); missing ones show as they are.
    """
    words = labels or {}
    grant = grant_for(deployment, agency_id, assessment)
    index = index_of(instrument)
    secret = {s.id for s in assessment.sources if s.confidential == SECRET}
    withheld_any = False

    def agency_title(agency: str | None) -> str:
        found = deployment.agency(agency) if agency else None
        if found is None:
            return agency or ""
        return localize(found.title, lang, instrument) or found.id

    domains: list[DomainView] = []
    if grant.everything or any(s.split(".")[0] in ("ratings", "evidence") for s in grant.sections):
        for domain in instrument.domains:
            see_ratings = grant.sees_domain("ratings", domain.id)
            see_evidence = grant.sees_domain("evidence", domain.id)
            if not (see_ratings or see_evidence):
                continue
            views = []
            for indicator in (i for i in instrument.indicators if i.domain == domain.id):
                rating = assessment.ratings.get(indicator.id)
                if rating is None:
                    continue
                only_secret = _cites_only(rating, secret)
                hide = only_secret and not grant.everything
                withheld_any = withheld_any or (hide and (see_ratings or see_evidence))
                evidence = rating.evidence
                views.append(
                    IndicatorView(
                        id=indicator.id,
                        title=localize(indicator.title, lang, instrument),
                        rating=None
                        if hide or not see_ratings or rating.omitted
                        else _levels(rating, index, lang, instrument, words),
                        rating_withheld=hide and see_ratings,
                        omitted_reason=rating.reason if see_ratings and rating.omitted else None,
                        evidence_for=evidence.for_ if see_evidence and evidence and not hide else None,
                        evidence_against=evidence.against if see_evidence and evidence and not hide else None,
                        evidence_withheld=hide and see_evidence and evidence is not None,
                    )
                )
            domains.append(DomainView(domain.id, localize(domain.title, lang, instrument), tuple(views)))

    plan_scope = grant.plan
    agreed = evaluation.agreed_plan
    steps: tuple[StepView, ...] | None = None
    if plan_scope is not None:
        chosen = [] if agreed is None else [s for s in agreed.steps if _shown(s, plan_scope, grant, agency_id)]
        steps = tuple(
            StepView(
                id=s.id,
                title=localize(s.title, lang, instrument),
                partner=agency_title(s.partner) or (s.provider or ""),
                status=words.get(s.status, s.status),
                start_week=s.start_week,
                end_week=s.end_week,
                objective=s.objective,
            )
            for s in chosen
        )

    rules = {r.id: r for r in instrument.rules}
    return Extract(
        recipient_id=agency_id,
        recipient=agency_title(agency_id),
        sender=agency_title(assessment.assessor.agency) if assessment.assessor.agency else None,
        basis=basis_for(deployment, agency_id, lang, instrument),
        everything=grant.everything,
        sections=tuple(grant.listed()),
        instrument_title=localize(instrument.title, lang, instrument),
        assessment_id=assessment.id,
        date=assessment.date,
        final=assessment.status == "final",
        case_id=assessment.case.id if grant.sees("case") else None,
        case_fields=_case_fields(assessment, index, lang, instrument) if grant.sees("case") else None,
        sources=(
            tuple(
                (s.id, s.kind, s.date, s.description or "")
                for s in assessment.sources
                if grant.everything or s.confidential != SECRET
            )
            if grant.sees("sources")
            else None
        ),
        domains=tuple(domains) if domains else None,
        flags=(
            tuple(
                (
                    words.get(f.severity, f.severity),
                    words.get(f.status, f.status),
                    localize(rules[f.id].message, lang, instrument),
                )
                for f in evaluation.flags
            )
            if grant.sees("flags")
            else None
        ),
        formulation=assessment.formulation if grant.sees("formulation") else None,
        scenarios=tuple((s.kind, s.text) for s in assessment.scenarios) if grant.sees("scenarios") else None,
        judgements=(
            tuple(
                (localize(j.title, lang, instrument), entry.level or "", entry.rationale or "")
                for j in instrument.judgements
                if (entry := assessment.judgements.get(j.id)) is not None
            )
            if grant.sees("judgements")
            else None
        ),
        plan=steps,
        plan_scope=plan_scope,
        review_date=agreed.review_date if agreed is not None and plan_scope else None,
        secret_withheld=withheld_any or (grant.sees("sources") and not grant.everything and bool(secret)),
        plan_tracks=tuple(t for t in TRACKS if t in grant.tracks) if plan_scope == "track" else (),
    )


def _shown(step: AgreedStep, scope: str, grant: Grant, agency_id: str) -> bool:
    """Whether a step of the agreed plan is in the extract: all, its track granted, or the agency's own."""
    if scope == "all":
        return True
    own = step.partner == agency_id and (scope == "own" or grant.sees("plan.own"))
    return own or (step.track is not None and step.track in grant.tracks)


def _cites_only(rating: Rating, secret: set[str]) -> bool:
    return bool(rating.sources) and all(s in secret for s in rating.sources)


def _levels(
    rating: Rating, index: InstrumentIndex, lang: str, instrument: Instrument, words: dict[str, str]
) -> tuple[tuple[str, str], ...]:
    out = []
    for scale_name, code in rating.codes.items():
        level = index.scales[scale_name].by_code.get(code) if scale_name in index.scales else None
        out.append((words.get(scale_name, scale_name), localize(level.label, lang, instrument) if level else str(code)))
    return tuple(out)


def _case_fields(
    assessment: Assessment, index: InstrumentIndex, lang: str, instrument: Instrument
) -> tuple[tuple[str, str], ...]:
    out = []
    for name, value in assessment.case.fields.items():
        field = index.case_fields.get(name)
        title = (localize(field.title, lang, instrument) if field else "") or name
        out.append((title, case_value_text(field, value, lang, instrument)))
    return tuple(out)
