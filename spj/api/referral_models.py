"""Response bodies of the partners' routes (`/api/v1/referrals`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from spj.instrument.text import localize
from spj.service.referrals import Referral


class ReferredStepOut(BaseModel):
    """The step of the agreed plan the partner is asked to deliver."""

    id: str = Field(examples=["trauma_treatment"])
    title: str
    origin: str = Field(description="recommended | prerequisite | added")
    decision: str = Field(description="accept | amend | add")
    status: str = Field(description="referred | running | completed | stopped (as the assessing agency records it)")
    status_reason: str | None
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

    @classmethod
    def of(cls, referral: Referral, lang: str | None = None) -> ReferralOut:
        step = referral.step
        return cls(
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
                status_reason=step.status_reason,
                contact=step.contact,
                objective=step.objective,
                phase=step.phase,
                start_week=step.start_week,
                end_week=step.end_week,
                duration_weeks=step.duration_weeks,
            ),
        )
