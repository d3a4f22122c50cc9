"""The caseload and capacity figures as data (`spj.evaluation.caseload` computes them); a suppressed count is None.

Nothing here names a case; experts appear by pseudonym (`E1`, `E2`, ..., busiest first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class YearRow:
    """The cases whose first assessment falls in `year`, by category and by phase (codes; "" = not recorded)."""

    year: int
    cases: int | None
    categories: dict[str, int | None]
    phases: dict[str, int | None]

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "cases": self.cases, "categories": self.categories, "phases": self.phases}


@dataclass(frozen=True)
class ExpertLoad:
    """One expert's open cases, by pseudonym."""

    pseudonym: str
    certified: bool
    open_cases: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"expert": self.pseudonym, "certified": self.certified, "open_cases": self.open_cases}


@dataclass(frozen=True)
class PartnerWeek:
    """A partner's demand in the week starting on `week` (a Monday); `short` when it exceeds the capacity."""

    week: dt.date
    demand: int | None
    short: bool

    def to_dict(self) -> dict[str, Any]:
        return {"week": self.week.isoformat(), "demand": self.demand, "short": self.short}


@dataclass(frozen=True)
class PartnerDemand:
    """One partner's demand per week against its declared places per week.

    `known` is False for a partner that plans name but the deployment does not list; `capacity` is None
    when none is declared. `more_places_next_quarter` is the largest shortfall over the next 13 weeks
    (0 without a shortage; None without a declared capacity, or when the demand behind it is under 5).
    """

    partner: str
    known: bool
    capacity: int | None
    weeks: list[PartnerWeek]
    first_short_week: dt.date | None
    more_places_next_quarter: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "in_deployment": self.known,
            "capacity_per_week": self.capacity,
            "first_shortage_week": self.first_short_week.isoformat() if self.first_short_week else None,
            "more_places_next_quarter": self.more_places_next_quarter,
            "weeks": [w.to_dict() for w in self.weeks],
        }


@dataclass(frozen=True)
class ExpertsNeeded:
    """Open cases ÷ the declared caseload per expert (rounded up), against the certified experts."""

    caseload_per_expert: int
    needed: int
    certified: int
    more: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "caseload_per_expert": self.caseload_per_expert,
            "experts_needed": self.needed,
            "certified_experts": self.certified,
            "more_experts_next_quarter": self.more,
        }


@dataclass(frozen=True)
class CaseloadFigures:
    """Every table of the caseload and capacity picture, on the reference date `as_of`."""

    as_of: dt.date
    cases: int
    open_cases: int
    years: list[YearRow]
    experts: list[ExpertLoad]
    partners: list[PartnerDemand]
    experts_needed: ExpertsNeeded | None

    @property
    def short_partners(self) -> list[PartnerDemand]:
        """The partners whose demand exceeds their capacity in some week ahead."""
        return [p for p in self.partners if p.first_short_week is not None]
