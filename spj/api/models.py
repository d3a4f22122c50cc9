"""Request and response bodies of the JSON API (pydantic), with examples for the OpenAPI page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from spj.assessment.plan_model import StepStatus
from spj.errors import Problem
from spj.instrument import Instrument
from spj.instrument.text import localize
from spj.service import AssessmentView
from spj.store.interface import AssessmentRecord, Case, Revision

EXAMPLE_CONTENT: dict[str, Any] = {
    "format": "spj-assessment/2",
    "instrument": {"id": "disengagement-trajectory", "version": "1.0.0"},
    "id": "A-0001",
    "case": {"id": "CASE-0001", "fields": {"status": "convict", "phase": "probation"}},
    "assessor": {"id": "u-17", "agency": "house-of-justice-example"},
    "date": "2026-11-05",
    "status": "draft",
    "sources": [{"id": "S1", "kind": "interview", "date": "2026-11-02", "description": "First interview."}],
    "ratings": {"SO1": {"presence": "P", "relevance": "moderate", "sources": ["S1"]}},
    "formulation": "",
    "scenarios": [],
    "judgements": {},
    "plan": {
        "review_date": "2027-05-05",
        "decisions": {
            "daily_structure": {"decision": "accept", "partner": {"agency": "house-of-justice-example"}},
            "trauma_treatment": {
                "decision": "amend",
                "start_week": 8,
                "reason": "A diagnostic intake comes first.",
                "partner": {"agency": "mental-health-centre-example", "contact": "intake team"},
                "objective": "The nightmares no longer disturb sleep.",
                "addresses": ["MH1"],
            },
        },
        "added": [],
    },
}


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemOut(BaseModel):
    """One problem, located: `path` names the field (`ratings.SO1.presence`)."""

    code: str
    message: str
    path: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @classmethod
    def of(cls, problem: Problem) -> ProblemOut:
        return cls.model_validate(problem.to_dict())


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not-found"])
    message: str
    problems: list[ProblemOut] = []
    current_revision: int | None = None
    content: dict[str, Any] | None = None
    current_content: dict[str, Any] | None = None


class ErrorOut(BaseModel):
    """Every error: a stable `code`, a message and the located problems."""

    error: ErrorDetail


class InstrumentSummary(BaseModel):
    id: str = Field(examples=["disengagement-trajectory"])
    version: str = Field(examples=["1.0.0"])
    title: str
    languages: list[str]
    license: str
    sha256: str

    @classmethod
    def of(cls, instrument: Instrument, lang: str | None = None) -> InstrumentSummary:
        return cls(
            id=instrument.id,
            version=instrument.version,
            title=localize(instrument.title, lang, instrument),
            languages=list(instrument.languages),
            license=instrument.license,
            sha256=instrument.sha256,
        )


MAX_REVISION = 2**31 - 1


class CreateAssessment(Body):
    """Start a blank draft; the case is created in your agency when new. The assessment's id is generated."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"case_id": "CASE-0001", "instrument_id": "disengagement-trajectory", "instrument_version": "1.0.0"}
            ]
        },
    )

    case_id: str = Field(
        min_length=1,
        max_length=100,
        description="the case's pseudonym, never a name: letters, digits, '.', '_', '-' (put the case system's own "
        "number in the case's external_ref: POST /api/v1/cases)",
        json_schema_extra={"pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"},
    )
    instrument_id: str = Field(min_length=1, max_length=200)
    instrument_version: str = Field(min_length=1, max_length=50)


class NewFrom(Body):
    """A reassessment (or amendment) of an earlier assessment: an empty object (the new id is generated)."""


class SaveAssessment(Body):
    """Save a draft: the revision you edited and the whole assessment document."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"base_revision": 1, "content": EXAMPLE_CONTENT}]}
    )

    base_revision: int | None = Field(
        default=None,
        strict=True,  # "1", true and 1.0 are refused: a revision is a JSON integer
        ge=1,
        le=MAX_REVISION,
        description='the head revision you edited (or send If-Match: "<revision>")',
    )
    content: dict[str, Any] = Field(description="the assessment document, format spj-assessment/2")


class StatusUpdate(Body):
    """Where the delivery of one step of a final assessment's agreed plan stands (a new revision).

    Only the fields sent change; `null` removes one. Nothing else of a final assessment changes this way.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"base_revision": 2, "step": "trauma_treatment", "status": "running", "started_on": "2027-03-01"}
            ]
        },
    )

    base_revision: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=MAX_REVISION,
        description='the head revision you updated (or send If-Match: "<revision>")',
    )
    step: str = Field(min_length=1, max_length=100, description="an agreed step of the plan (accepted, amended, added)")
    status: StepStatus | None = None
    status_reason: str | None = Field(default=None, max_length=100_000, description="why a step stopped")
    started_on: dt.date | None = None
    ended_on: dt.date | None = None

    def delivery(self) -> dict[str, Any]:
        """The delivery fields sent (as JSON values), and only those."""
        return {
            key: (value.isoformat() if isinstance(value, dt.date) else value)
            for key in ("status", "status_reason", "started_on", "ended_on")
            if key in self.model_fields_set
            for value in [getattr(self, key)]
        }


class CountersignIn(Body):
    """An optional comment, kept and sealed with the countersignature."""

    comment: str | None = Field(default=None, max_length=2000)


class RecordOut(BaseModel):
    """An assessment's record: where it stands, without its content."""

    id: str
    case_id: str
    instrument_id: str
    instrument_version: str
    status: str = Field(examples=["draft"])
    revision: int = Field(description="the head revision: state it when you save")
    previous_id: str | None
    amends_id: str | None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    finalised_at: dt.datetime | None
    countersigned_by: str | None
    countersigned_at: dt.datetime | None
    countersign_comment: str | None = Field(default=None, description="the countersigner's comment, if any")

    @classmethod
    def of(cls, record: AssessmentRecord) -> RecordOut:
        return cls(
            id=record.id,
            case_id=record.case_id,
            instrument_id=record.instrument_id,
            instrument_version=record.instrument_version,
            status=record.status,
            revision=record.head,
            previous_id=record.previous_id,
            amends_id=record.amends_id,
            created_by=record.created_by,
            created_at=record.created_at,
            updated_at=record.updated_at,
            finalised_at=record.finalised_at,
            countersigned_by=record.countersigned_by,
            countersigned_at=record.countersigned_at,
            countersign_comment=record.countersign_comment,
        )


class AssessmentOut(RecordOut):
    """An assessment at its head revision, with its content and whether it is valid."""

    valid: bool
    problems: list[ProblemOut]
    content: dict[str, Any]

    @classmethod
    def of_view(cls, view: AssessmentView) -> AssessmentOut:
        base = RecordOut.of(view.record).model_dump()
        base["revision"] = view.head
        return cls(
            **base,
            valid=view.assessment is not None,
            problems=[ProblemOut.of(p) for p in view.problems],
            content=view.content,
        )


class RevisionOut(BaseModel):
    number: int
    author_id: str
    created_at: dt.datetime
    status: str
    content_sha256: str
    previous_chain_sha256: str | None
    chain_sha256: str

    @classmethod
    def of(cls, revision: Revision) -> RevisionOut:
        return cls(
            number=revision.number,
            author_id=revision.author_id,
            created_at=revision.created_at,
            status=revision.status,
            content_sha256=revision.content_sha256,
            previous_chain_sha256=revision.previous_chain_sha256,
            chain_sha256=revision.chain_sha256,
        )


class HistoryOut(BaseModel):
    assessment_id: str
    revisions: list[RevisionOut]


class CaseOut(BaseModel):
    id: str = Field(examples=["CASE-0001"], pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    created_at: dt.datetime
    created_by: str
    external_ref: str | None = Field(None, description="what the case system calls the case", examples=["CMS/2026/7"])
    metadata: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @classmethod
    def of(cls, case: Case) -> CaseOut:
        return cls(
            id=case.id,
            created_at=case.created_at,
            created_by=case.created_by,
            external_ref=case.external_ref,
            metadata=case.metadata,
        )
