"""The expert's agreed plan as data (`format: spj-assessment/2`, DESIGN 4.6).

The engine *proposes* interventions; the expert *decides* each one (accept,
amend, decline), adds steps the instrument did not propose, names the partner
who delivers each step and follows its delivery status. These models hold
data only: the checks that need the engine's proposal, and the schedule over
the agreed steps, live in `spj.evaluation.agreed`.
"""

# No `from __future__ import annotations` here: pydantic reads these annotations as types, not as text
# it must evaluate at import, which makes `import spj` faster.
import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from spj.instrument.model import Name, Text, Track

Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=100_000)]
Weeks = Annotated[int, Field(ge=0, le=520)]
Duration = Annotated[int, Field(ge=1, le=520)]

DecisionKind = Literal["accept", "amend", "decline"]
StepStatus = Literal["proposed", "referred", "running", "completed", "stopped"]
STEP_STATUSES: tuple[StepStatus, ...] = ("proposed", "referred", "running", "completed", "stopped")


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Partner(Model):
    """The partner agency that delivers a step, and a contact there."""

    agency: Short
    contact: Short | None = None


class StepFields(Model):
    """What the expert records about any agreed step: who, what for, and where delivery stands."""

    partner: Partner | None = None
    objective: LongText | None = None
    addresses: tuple[Name, ...] = ()  # indicator ids the step answers
    status: StepStatus = "proposed"
    status_reason: LongText | None = None  # why a step stopped
    reason: LongText | None = None
    started_on: dt.date | None = None  # when delivery began (for the programme's figures)
    ended_on: dt.date | None = None  # when it was completed or stopped


class Decision(StepFields):
    """The expert's decision on one intervention the instrument proposes."""

    decision: DecisionKind
    start_week: Weeks | None = None
    duration_weeks: Duration | None = None


class AddedStep(StepFields):
    """A step the instrument did not propose, added by the expert (its decision reads `add`)."""

    id: Name
    title: Text
    provider: Short | None = None
    domain: Name | None = None
    duration_weeks: Duration
    start_week: Weeks | None = None
    requires: tuple[Name, ...] = ()
    after: tuple[Name, ...] = ()
    # Left out of the dump when not given, so an added step without it reads as before.
    track: Track | None = Field(default=None, exclude_if=lambda value: value is None)
    """The follow-up it belongs to (`security` or `social-preventive`), when the expert says."""


class AgreedPlanInput(Model):
    """The `plan:` of a version-2 assessment."""

    review_date: dt.date | None = None
    start_date: dt.date | None = None  # when week 0 of the plan is; the assessment's date when not given
    decisions: dict[Name, Decision] = Field(default_factory=dict)
    added: tuple[AddedStep, ...] = ()
