"""The assessment as data (`format: spj-assessment/1` and `/2`, DESIGN 4.2 and 4.6)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from spj.assessment.plan_model import AgreedPlanInput
from spj.instrument.model import SEMVER_PATTERN

FORMATS = ("spj-assessment/1", "spj-assessment/2")
"""Version 1 (DESIGN 4.2) and version 2, which adds the expert's agreed plan (DESIGN 4.6)."""

Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=100_000)]


def _scalar_as_text(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


CaseText = Annotated[str, StringConstraints(max_length=1000)]
CodeText = Annotated[str, BeforeValidator(_scalar_as_text), StringConstraints(min_length=1, max_length=50)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InstrumentRef(Model):
    """Which instrument (and version) the assessment was made with."""

    id: Short
    version: Annotated[str, BeforeValidator(_scalar_as_text), StringConstraints(pattern=SEMVER_PATTERN)]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class CaseRef(Model):
    """The case, by pseudonym, and its facts for rules and reports."""

    id: Short
    # A case fact is short (a code, a number, a few words): rules may read it, and their cost is bounded by it.
    # A list holds the codes of a multiple choice (`multiple: true`); one code alone is read as a list of one.
    fields: dict[str, CaseText | int | bool | tuple[CodeText, ...]] = Field(default_factory=dict)


class Assessor(Model):
    id: Short
    agency: Short | None = None
    name: Short | None = None


class Source(Model):
    """An information source; ratings cite it by id."""

    id: Short
    kind: Short
    date: dt.date | None = None
    description: LongText | None = None
    # A source covered by professional secrecy: its text never leaves the agency that recorded it (DESIGN 4.7).
    confidential: Literal["professional-secret"] | None = None


class Evidence(Model):
    """Evidence for and against the presence of an indicator."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    for_: LongText | None = Field(default=None, alias="for")
    against: LongText | None = None


class Rating(Model):
    """The rating of one indicator: a code per rated scale, or an omission with its reason.

    Scale codes are extra keys named after the instrument's scales
    (`presence: "P"`), checked against the instrument by `validate`.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    omitted: bool = False
    reason: LongText | None = None
    evidence: Evidence | None = None
    sources: tuple[Short, ...] = ()
    note: LongText | None = None

    @model_validator(mode="before")
    @classmethod
    def _codes_as_text(cls, data: Any) -> Any:
        # Runs once per rating of every assessment parsed: copy only when a code is a number (`presence: 2`).
        if isinstance(data, dict) and any(type(v) in (int, float) and k not in _RATING_FIELDS for k, v in data.items()):
            return {k: (_scalar_as_text(v) if k not in _RATING_FIELDS else v) for k, v in data.items()}
        return data

    @property
    def codes(self) -> dict[str, Any]:
        """The scale codes given, by scale name."""
        return dict(self.__pydantic_extra__ or {})


_RATING_FIELDS = frozenset(Rating.model_fields)
"""The declared fields of a rating; every other key is a scale code."""


RecordValue = LongText | int | bool | tuple[CodeText, ...]
"""A value of a recorded field (background, scenario detail): text, a number, yes/no, or a choice's code(s)."""


class Scenario(Model):
    """What could happen (DESIGN 4.2): a kind and a narrative, and the instrument's scenario details."""

    kind: Short
    text: LongText
    title: Short | None = None
    # Left out of the dump when empty, so a scenario without them is written (and hashed) as before.
    details: dict[str, RecordValue] = Field(default_factory=dict, exclude_if=lambda value: not value)
    """Values of the instrument's `scenario_fields` (nature, likely victims, severity, imminence, ...)."""
    management: tuple[Short, ...] = Field(default=(), exclude_if=lambda value: not value)
    """The interventions that answer this scenario, by id."""


class JudgementEntry(Model):
    """A summary judgement made by the expert, with a rationale."""

    level: CodeText | None = None
    rationale: LongText | None = None


class Assessment(Model):
    """An SPJ assessment of one case with one instrument."""

    format: Literal["spj-assessment/1", "spj-assessment/2"]
    instrument: InstrumentRef
    id: Short
    case: CaseRef
    assessor: Assessor
    date: dt.date
    status: Literal["draft", "final"] = "draft"
    language: Short | None = None
    previous: Short | None = None
    amends: Short | None = None
    sources: tuple[Source, ...] = ()
    ratings: dict[str, Rating] = Field(default_factory=dict)
    formulation: LongText | None = None
    scenarios: tuple[Scenario, ...] = ()
    judgements: dict[str, JudgementEntry] = Field(default_factory=dict)
    # Left out of the dump when empty or absent, so an assessment without them is written (and hashed) as before.
    background: dict[str, RecordValue] = Field(default_factory=dict, exclude_if=lambda value: not value)
    """Values of the instrument's `background` fields: the structured background step."""
    review_triggers: LongText | None = Field(default=None, exclude_if=lambda value: value is None)
    """What would bring the next assessment forward (the review date itself is the agreed plan's)."""
    plan: AgreedPlanInput | None = None  # version 2 only: the expert's decisions (DESIGN 4.6)

    @property
    def version(self) -> int:
        """The format version: 1 or 2."""
        return int(self.format.rsplit("/", 1)[1])
