"""The deployment's certification settings (issue 10): what an expert must show on vignettes, per instrument.

::

    certification:
      on_uncertified: warn            # warn | refuse, when an uncertified expert finalises an assessment
      requirements:
        - instrument: extremism-risk-formulation
          version: 1.0.0              # optional: every version
          min_vignettes: 5            # first attempts at different vignettes
          min_kappa: 0.60             # quadratic-weighted kappa against the references, each indicator scale
          min_judgement_agreement: 0.80   # share of summary judgements exactly as the reference

Data only; `certification_problems` checks the ranges, located.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from spj.errors import Code, Problem
from spj.files.yamlsource import Document
from spj.instrument.model import ID_PATTERN, SEMVER_PATTERN

RANGES = {
    "min_kappa": (-1.0, 1.0),
    "min_judgement_agreement": (0.0, 1.0),
}


class Requirement(BaseModel):
    """What certifies an expert on one instrument (and version)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    instrument: Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=100)]
    version: Annotated[str, StringConstraints(pattern=SEMVER_PATTERN)] | None = None
    min_vignettes: int = 5
    min_kappa: float = 0.60
    min_judgement_agreement: float = 0.80

    def applies_to(self, instrument_id: str, version: str) -> bool:
        """Whether this requirement covers the instrument version."""
        return self.instrument == instrument_id and self.version in (None, version)


class CertificationSettings(BaseModel):
    """Requirements per instrument, and what happens when an uncertified expert finalises."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    on_uncertified: Literal["warn", "refuse"] = "warn"
    requirements: tuple[Requirement, ...] = Field(default=(), max_length=200)

    def requirement(self, instrument_id: str, version: str) -> Requirement | None:
        """The first requirement that covers the instrument version, or None (no certification required)."""
        return next((r for r in self.requirements if r.applies_to(instrument_id, version)), None)


def certification_problems(settings: CertificationSettings, doc: Document) -> list[Problem]:
    """Thresholds outside their range, and a vignette count below one, located in the deployment."""
    problems = []
    for n, requirement in enumerate(settings.requirements):
        where = ("certification", "requirements", n)
        for name, (low, high) in RANGES.items():
            value = getattr(requirement, name)
            if not low <= value <= high:
                problems.append(
                    doc.problem(
                        Code.THRESHOLD_RANGE,
                        f"{name} is {value:g}, outside its range [{low:g}, {high:g}]",
                        (*where, name),
                    )
                )
        if requirement.min_vignettes < 1:
            problems.append(
                doc.problem(
                    Code.THRESHOLD_RANGE,
                    f"min_vignettes is {requirement.min_vignettes}; at least one vignette is needed",
                    (*where, "min_vignettes"),
                )
            )
    return problems
