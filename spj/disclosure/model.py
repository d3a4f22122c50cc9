"""The deployment as data (`format: spj-deployment/1`, DESIGN 4.7): partner agencies and what each kind sees."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from spj.disclosure.certification import CertificationSettings
from spj.instrument.model import ID_PATTERN, Text, Track

AgencyId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=100)]
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=50)]
Section = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Agency(Model):
    """A partner agency of the deployment, of a kind the deployment names (probation, care, security...)."""

    id: AgencyId
    kind: Kind
    title: Text | None = None
    track: Track | None = None
    """The follow-up the agency works in: `security` (task force, police) or `social-preventive` (care, welfare)."""
    capacity: StrictInt | None = None
    """Places per week: how many agreed-plan steps the partner can deliver at once (`spj stats capacity`)."""


class Profile(Model):
    """What an agency of one kind sees of a case it has been referred, and on which legal basis."""

    basis: Text
    sees: tuple[Section, ...] = ()


class Planning(Model):
    """What the capacity picture (`spj stats capacity`) plans with."""

    caseload_per_expert: StrictInt | None = None
    """How many open cases one trained expert can carry."""


class Deployment(Model):
    """Which partners take part and what each kind of partner may see. Default: nothing."""

    format: Literal["spj-deployment/1"]
    title: Text | None = None
    agencies: tuple[Agency, ...] = Field(min_length=1)
    profiles: dict[Kind, Profile] = Field(default_factory=dict)
    certification: CertificationSettings | None = None  # issue 10: who may finalise, per instrument
    planning: Planning | None = None  # issue 10: the caseload per expert

    def capacities(self) -> dict[str, int | None]:
        """Every agency's declared places per week (None: not declared), in deployment order."""
        return {a.id: a.capacity for a in self.agencies}

    def agency(self, agency_id: str) -> Agency | None:
        """The agency with this id, or None."""
        return next((a for a in self.agencies if a.id == agency_id), None)
