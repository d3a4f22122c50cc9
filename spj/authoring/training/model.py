"""A training vignette as data: a synthetic case to rate, and the methodologist's reference rating of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from spj.assessment.model import Assessment, InstrumentRef
from spj.instrument.model import Text

VIGNETTE_FORMAT = "spj-vignette/1"
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class ReferenceInput(BaseModel):
    """`reference:` as written: ratings and judgements in the assessment's shape, each with a rationale."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ratings: dict[str, dict[str, Any]] = Field(default_factory=dict)
    judgements: dict[str, dict[str, Any]] = Field(default_factory=dict)
    formulation: Annotated[str, StringConstraints(max_length=100_000)] | None = None


class VignetteInput(BaseModel):
    """A vignette file's own keys; `case` and `sources` are checked as an assessment's are."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["spj-vignette/1"]
    id: Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=100)]
    instrument: InstrumentRef
    title: Text
    narrative: Text
    case: dict[str, Any]
    sources: list[Any] = Field(default_factory=list)
    reference: ReferenceInput


@dataclass(frozen=True, slots=True)
class Vignette:
    """A loaded vignette: what the trainee reads, and the sealed reference."""

    id: str
    title: Text
    narrative: Text
    reference: Assessment
    """The reference rating, validated as a final assessment of the instrument."""
    rationales: dict[str, str]
    """Indicator id -> why the reference rates it so."""
    sha256: str
    """Of the file's text: a submission names the exact vignette it answered."""
    file: str | None = None

    @property
    def instrument_id(self) -> str:
        """The instrument the vignette is rated with."""
        return self.reference.instrument.id

    @property
    def instrument_version(self) -> str:
        """Its version."""
        return self.reference.instrument.version

    def judgement_rationale(self, judgement: str) -> str:
        """Why the reference makes this judgement."""
        entry = self.reference.judgements.get(judgement)
        return (entry.rationale or "") if entry is not None else ""
