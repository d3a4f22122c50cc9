"""Bodies of the partners' routes (`/api/v1/referrals`) and of the delivery of a plan."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from spj.instrument import Instrument
from spj.instrument.text import localize
from spj.service.delivery import Delivery
from spj.service.referrals import PlanDelivery, Referral


class SessionOut(BaseModel):
    date: dt.date
    attended: bool
    by: str
    at: dt.datetime


class NoteOut(BaseModel):
    text: str
    secret: bool = Field(description="covered by professional secrecy: never shown to the assessing agency")
    by: str
    at: dt.datetime


class DeliveryOut(BaseModel):
    """Where a referral stands, as its partner recorded it."""

    response: str = Field(description="pending | accepted | declined")
    response_reason: str | None
    started_on: dt.date | None
    ended_on: dt.date | None
    outcome: str | None = Field(description="completed | dropped | stopped, once ended")
    sessions: list[SessionOut]
    notes: list[NoteOut]

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls(
            response=delivery.response,
            response_reason=delivery.response_reason,
            started_on=delivery.started_on,
            ended_on=delivery.ended_on,
            outcome=delivery.outcome,
            sessions=[SessionOut(date=s.date, attended=s.attended, by=s.by, at=s.at) for s in delivery.sessions],
            notes=[NoteOut(text=n.text, secret=n.secret, by=n.by, at=n.at) for n in delivery.notes],
        )


class ReferredStepOut(BaseModel):
    """The step of the agreed plan the partner is asked to deliver."""

    id: str = Field(examples=["trauma_treatment"])
    title: str
    origin: str = Field(description="recommended | prerequisite | added")
    decision: str = Field(description="accept | amend | add")
    status: str = Field(description="referred | running | completed | stopped (as the assessing agency records it)")
    contact: str | None
    objective: str | None
    phase: int
    start_week: int
    end_week: int
    duration_weeks: int


class ReferralOut(BaseModel):
    """A step of a case's agreed plan referred to your agency."""

    id: str = Field(description="stable across reassessments of the case")
    from_agency: str = Field(description="the agency that made the assessment")
    case_id: str = Field(description="the case's pseudonym at that agency")
    assessment_id: str = Field(description="the current final assessment the referral comes from")
    assessment_date: str
    step: ReferredStepOut
    delivery: DeliveryOut | None = Field(default=None, description="what your agency recorded (GET one referral)")

    @classmethod
    def of(cls, referral: Referral, lang: str | None = None, delivery: Delivery | None = None) -> ReferralOut:
        step = referral.step
        return cls(
            delivery=DeliveryOut.of(delivery) if delivery is not None else None,
            id=referral.id,
            from_agency=referral.agency_id,
            case_id=referral.case_id,
            assessment_id=referral.assessment_id,
            assessment_date=referral.assessment.date.isoformat(),
            step=ReferredStepOut(
                id=step.id,
                title=localize(step.title, lang, referral.instrument),
                origin=step.origin,
                decision=step.decision,
                status=step.status,
                contact=step.contact,
                objective=step.objective,
                phase=step.phase,
                start_week=step.start_week,
                end_week=step.end_week,
                duration_weeks=step.duration_weeks,
            ),
        )


class StepDeliveryOut(BaseModel):
    """One agreed step against the plan: due dates, the verdict, and what its partner recorded."""

    step: str
    title: str
    partner: str | None
    status: str = Field(description="the plan's status, as the assessing agency updates it")
    due_start: dt.date
    due_end: dt.date
    verdict: str = Field(description="planned | not-started | blocked | on-time | late | ended")
    waiting_for: list[str] = Field(description="the steps it follows that are not completed, when blocked")
    days_late: int
    outcome: str | None
    referral_id: str | None
    delivery: DeliveryOut | None = Field(description="the partner's records, without its secret notes")


class PlanDeliveryOut(BaseModel):
    """Delivery against the agreed plan (week 0: the assessment's date)."""

    assessment_id: str
    start: dt.date
    today: dt.date
    steps: list[StepDeliveryOut]

    @classmethod
    def of(cls, assessment_id: str, plan: PlanDelivery, lang: str | None, instrument: Instrument) -> PlanDeliveryOut:
        return cls(
            assessment_id=assessment_id,
            start=plan.start,
            today=plan.today,
            steps=[
                StepDeliveryOut(
                    step=s.step.id,
                    title=localize(s.step.title, lang, instrument),
                    partner=s.step.partner,
                    status=s.step.status,
                    due_start=s.progress.due_start,
                    due_end=s.progress.due_end,
                    verdict=s.progress.verdict,
                    waiting_for=list(s.progress.waiting_for),
                    days_late=s.progress.days_late,
                    outcome=s.progress.outcome,
                    referral_id=s.referral_id,
                    delivery=DeliveryOut.of(s.delivery) if s.delivery is not None else None,
                )
                for s in plan.steps
            ],
        )
