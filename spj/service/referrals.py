"""Referrals: the steps of agreed plans that partner agencies deliver, as each partner sees them.

A referral is derived, never stored: it exists for partner agency P while
the *current* final assessment of a case (of that case and instrument, the
one finalised last) has an agreed step whose partner is P and whose status is
`referred`, `running`, `completed` or `stopped`. The assessing agency
delivering a step itself is no referral. So the hash-chained plan is the one
source of truth: a reassessment carries the referral on (its id is the same:
case, instrument, step and partner), and a newer plan that declines the step
or gives it to someone else withdraws the partner's access at once.

A partner sees its referrals and, per referral, the extract its profile in
the deployment allows (`spj.disclosure`), nothing else; every extract is
written to the store's disclosure log before it is returned. Without a
deployment there are no partners.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spj.assessment import Assessment
from spj.assessment.plan_model import AddedStep, Decision
from spj.disclosure.extract import Extract, basis_for
from spj.errors import DisclosureError
from spj.evaluation.progress import DeliveryRecord, StepProgress, progress
from spj.evaluation.results import AgreedPlan, AgreedStep, Evaluation
from spj.instrument import Instrument
from spj.report.extract import render_extract
from spj.service.delivery import Delivery, DeliveryEntry, check_entry, delivery_from
from spj.service.double_rating import second_rating_ids
from spj.store.disclosures import Disclosure
from spj.store.hashing import canonical_json
from spj.store.interface import AssessmentRecord, NotFoundError, User

if TYPE_CHECKING:
    from spj.service.workspace import Workspace

REFERRED = frozenset({"referred", "running", "completed", "stopped"})
"""Statuses of a step that has been referred to its partner (and may be under way or over)."""
CHANNELS = ("web", "download", "api")


def referral_id(agency_id: str, case_id: str, instrument_id: str, step_id: str, partner: str) -> str:
    """The id of a referral: the same across reassessments of the case, telling nothing by itself.

    >>> referral_id("hoj", "CASE-1", "example", "trauma_care", "care")[:2]
    'R-'
    """
    digest = hashlib.sha256(canonical_json([agency_id, case_id, instrument_id, step_id, partner]).encode())
    return "R-" + digest.hexdigest()[:32]


def referred_steps(agreed: AgreedPlan, *, assessing_agency: str | None) -> list[AgreedStep]:
    """The agreed steps referred to a partner agency other than the one that made the assessment."""
    return [s for s in agreed.steps if s.partner and s.partner != assessing_agency and s.status in REFERRED]


def referred_partners(assessment: Assessment) -> set[str]:
    """The partner agencies the assessment's plan refers a step to, read from the plan as written.

    What the referral index records before a final revision is written; the
    agreed plan then decides (a step named here may be declined).
    """
    if assessment.plan is None:
        return set()
    steps = [*assessment.plan.decisions.values(), *assessment.plan.added]
    return {
        s.partner.agency
        for s in steps
        if s.partner is not None and s.partner.agency != assessment.assessor.agency and s.status in REFERRED
    }


@dataclass(frozen=True)
class Referral:
    """One step of a case's current agreed plan, referred to a partner agency."""

    id: str
    partner: str  # the agency the step is referred to
    agency_id: str  # the agency that made the assessment
    case_id: str
    assessment_id: str  # the current final assessment it comes from
    revision: int
    step: AgreedStep
    instrument: Instrument
    assessment: Assessment
    evaluation: Evaluation


@dataclass(frozen=True)
class StepDelivery:
    """One agreed step as the assessing agency follows it: its referral and what the partner recorded (no secret
    notes), and how it stands against the plan."""

    step: AgreedStep
    referral_id: str | None
    delivery: Delivery | None
    progress: StepProgress


@dataclass(frozen=True)
class PlanDelivery:
    """Delivery against an agreed plan that started on `start` (its own start date, else the assessment's), as of
    `today`."""

    start: dt.date
    today: dt.date
    steps: tuple[StepDelivery, ...]


class ReferralDesk:
    """What partners do with their referrals, and what the assessing agency sees of their delivery."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace

    def for_partner(self, user: User) -> list[Referral]:
        """The referrals to the user's agency, oldest assessment first; none without a deployment."""
        deployment = self._workspace.deployment
        if deployment is None or deployment.agency(user.agency_id) is None:
            return []
        store = self._workspace.store
        found: dict[str, Referral] = {}
        for agency_id, assessment_id in store.referrals.candidates(user.agency_id):
            try:
                record = store.get_assessment(agency_id, assessment_id)
            except NotFoundError:
                continue  # the index only says where to look
            if (
                record.status != "final"
                or self._current(record).id != record.id
                or record.id in second_rating_ids(store, agency_id)
            ):
                continue
            for referral in self._referrals_of(record):
                if referral.partner == user.agency_id:
                    found.setdefault(referral.id, referral)
        return list(found.values())

    def get(self, user: User, referral_id: str) -> Referral:
        """One referral to the user's agency; `NotFoundError` for any other (existence is not disclosed)."""
        for referral in self.for_partner(user):
            if referral.id == referral_id:
                return referral
        raise NotFoundError(f"referral {referral_id}")

    def extract(
        self, user: User, referral_id: str, *, format: str = "html", lang: str | None = None, channel: str = "web"
    ) -> tuple[str | bytes, Extract]:
        """The extract of the referral's assessment that the user's agency may see, logged before it is returned.

        `StoreError` (and no extract) when the disclosure log entry cannot be written.
        """
        referral = self.get(user, referral_id)
        deployment = self._workspace.deployment
        if deployment is None:  # pragma: no cover - for_partner() finds no referral without one
            raise DisclosureError("no deployment: partners see nothing")
        content, extract = render_extract(
            referral.instrument,
            referral.assessment,
            referral.evaluation,
            deployment,
            user.agency_id,
            format="html" if format == "pdf" else format,
            lang=lang,
        )
        if format == "pdf":  # made by a worker, bounded in number and time (as the report)
            assert isinstance(content, str)
            content = self._workspace.pdf.render(content)
        self._workspace.store.disclosures.append(
            Disclosure(
                by=user.username,
                agency=user.agency_id,
                from_agency=referral.agency_id,
                case=referral.case_id,
                assessment=referral.assessment_id,
                sections=extract.sections,
                basis=basis_for(deployment, user.agency_id, referral.instrument.default_language, referral.instrument),
                channel=channel if channel in CHANNELS else "web",
            )
        )
        return content, extract

    def delivery(self, user: User, referral_id: str) -> Delivery:
        """Where a referral to the user's agency stands, as it recorded it (its secret notes included)."""
        referral = self.get(user, referral_id)
        return delivery_from(self._workspace.store.referrals.events([referral.id]), secrets=True)

    def record(self, user: User, referral_id: str, entry: DeliveryEntry, *, today: dt.date | None = None) -> Delivery:
        """Record a response, start, session, end or note on a referral to the user's agency; the delivery now.

        Refused (nothing written) when it may not follow what is recorded
        (`spj.service.delivery.check_entry`).
        """
        referral = self.get(user, referral_id)
        store = self._workspace.store.referrals
        check_entry(delivery_from(store.events([referral.id]), secrets=True), entry, today=today or dt.date.today())
        store.append_event(
            referral_id=referral.id,
            partner_agency_id=referral.partner,
            agency_id=referral.agency_id,
            case_id=referral.case_id,
            actor_id=user.id,
            by=user.username,
            kind=entry.kind,
            data=entry.model_dump(mode="json", exclude={"kind"}),
        )
        return delivery_from(store.events([referral.id]), secrets=True)

    def plan_delivery(self, user: User, assessment_id: str, *, today: dt.date | None = None) -> PlanDelivery:
        """Delivery against the user's agency's agreed plan: each step's records (secret notes left out) and verdict.

        A referred step reads the partner's records once it has recorded the
        start; any other step, the plan's own status and dates.
        """
        view = self._workspace.get(user, assessment_id)
        day = today or dt.date.today()
        agreed = self._workspace.evaluation_of(view).agreed_plan if view.assessment is not None else None
        if agreed is None or view.assessment is None:
            start = view.assessment.date if view.assessment is not None else day
            return PlanDelivery(start, day, ())
        record = view.record
        referred = {s.id for s in referred_steps(agreed, assessing_agency=record.agency_id)}
        ids = {
            s.id: referral_id(record.agency_id, record.case_id, record.instrument_id, s.id, s.partner or "")
            for s in agreed.steps
            if s.id in referred
        }
        events = self._workspace.store.referrals.events(list(ids.values()))
        deliveries = {
            step_id: delivery_from([e for e in events if e.referral_id == rid], secrets=False)
            for step_id, rid in ids.items()
        }
        records = {s.id: _record(s, view.assessment, deliveries.get(s.id)) for s in agreed.steps}
        start = dt.date.fromisoformat(agreed.start_date) if agreed.start_date else view.assessment.date
        verdicts = progress(agreed, start=start, today=day, records=records)
        steps = tuple(StepDelivery(s, ids.get(s.id), deliveries.get(s.id), verdicts[s.id]) for s in agreed.steps)
        return PlanDelivery(start, day, steps)

    # ---- helpers ----------------------------------------------------------------------------------------

    def _current(self, record: AssessmentRecord) -> AssessmentRecord:
        """The final assessment of the record's case and instrument that was finalised last."""
        store = self._workspace.store
        seconds = second_rating_ids(store, record.agency_id)  # a second rating never refers anyone
        finals = [
            other
            for other in store.list_assessments(record.agency_id, case_id=record.case_id)
            if other.status == "final" and other.instrument_id == record.instrument_id and other.id not in seconds
        ]
        return max(finals, key=lambda r: (r.finalised_at or r.updated_at, r.created_at), default=record)

    def _referrals_of(self, record: AssessmentRecord) -> list[Referral]:
        view = self._workspace.head_of(record)
        if view.assessment is None:
            return []
        evaluation = self._workspace.evaluation_of(view)
        agreed = evaluation.agreed_plan
        if agreed is None:
            return []
        return [
            Referral(
                id=referral_id(record.agency_id, record.case_id, record.instrument_id, step.id, step.partner or ""),
                partner=step.partner or "",
                agency_id=record.agency_id,
                case_id=record.case_id,
                assessment_id=record.id,
                revision=view.head,
                step=step,
                instrument=view.instrument,
                assessment=view.assessment,
                evaluation=evaluation,
            )
            for step in referred_steps(agreed, assessing_agency=record.agency_id)
        ]


def _record(step: AgreedStep, assessment: Assessment, delivery: Delivery | None) -> DeliveryRecord:
    """The partner's record once it recorded the start; else what the plan says (status, started_on, ended_on)."""
    if delivery is not None and delivery.started_on is not None:
        return delivery.record()
    fields = _plan_fields(assessment, step.id)
    return DeliveryRecord(
        started_on=fields.started_on if fields else None,
        ended_on=fields.ended_on if fields else None,
        outcome="completed" if step.status == "completed" else "stopped" if step.status == "stopped" else None,
        started=step.status in ("running", "completed", "stopped"),
    )


def _plan_fields(assessment: Assessment, step_id: str) -> Decision | AddedStep | None:
    if assessment.plan is None:
        return None
    decision = assessment.plan.decisions.get(step_id)
    return decision if decision is not None else next((a for a in assessment.plan.added if a.id == step_id), None)
