"""Caseload and capacity (issue 10, item 6): what the cases of a service ask of its experts and partners.

From the assessments of many cases, three tables that name no case:

Every figure is as it stood on a reference date: assessments dated after it are left out.

- cases per year of intake (the year of a case's first assessment) by its category
  (a `multiple: true` choice: a case counts once under *each* of its codes, so the
  categories of a year may add up to more than its cases) and by its phase, both as
  recorded at intake;
- open cases per expert (the assessor of each case's latest assessment), the experts
  pseudonymised. A case is *open* when its latest assessment is a draft, or a final whose
  agreed plan is active: a step neither completed nor stopped, and the schedule not
  over on the reference date;
- partner demand per week: over every open case's agreed plan, how many steps each
  partner delivers in each week ahead (a step occupies its partner from its start week
  to its end week, counted from the plan's start), against the places per week the
  partner declares in the deployment.

`CaseFacts` holds what the tables need of one case, without its id; `case_facts`
builds them, `caseload` computes the figures (`spj.evaluation.caseload_model`).
A count from 1 to 4 is suppressed (None); shortages are found on the true counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from spj.assessment import Assessment
from spj.errors import Code, InstrumentError, Location, Problem, SpjError, did_you_mean
from spj.evaluation.caseload_model import (
    CaseloadFigures,
    ExpertLoad,
    ExpertsNeeded,
    PartnerDemand,
    PartnerWeek,
    YearRow,
)
from spj.evaluation.results import Evaluation
from spj.instrument import Instrument

SMALL_CELL = 5
MIN_CASES = 5
QUARTER_WEEKS = 13
OCCUPYING = frozenset({"proposed", "referred", "running"})
CATEGORY_FIELD = "status"
PHASE_FIELD = "phase"


@dataclass(frozen=True)
class PlacedStep:
    """One agreed step still to deliver, from `first` (included) to `until` (excluded); `partner` "" when none."""

    partner: str
    first: dt.date
    until: dt.date


@dataclass(frozen=True)
class CaseFacts:
    """What the figures need of one case; its id is not kept."""

    year: int
    categories: tuple[str, ...]
    phase: str | None
    expert: str
    open: bool
    steps: tuple[PlacedStep, ...]


@dataclass(frozen=True)
class Entry:
    """One assessment as the figures read it: its case (to group by, never shown), date, status, case fields,
    expert, and the steps its agreed plan places with partners."""

    case: str
    id: str
    date: dt.date
    status: str
    fields: Mapping[str, object]
    expert: str
    steps: tuple[PlacedStep, ...]
    until: dt.date | None = None
    """The end of the last step still to deliver (with a partner or not); None: nothing left to deliver."""


def entry_of(assessment: Assessment, evaluation: Evaluation) -> Entry:
    """The entry of a valid assessment and its evaluation."""
    placed = _placed_steps(assessment, evaluation)
    return Entry(
        case=assessment.case.id,
        id=assessment.id,
        date=assessment.date,
        status=assessment.status,
        fields=assessment.case.fields,
        expert=assessment.assessor.id,
        steps=tuple(s for s in placed if s.partner),
        until=max((s.until for s in placed), default=None),
    )


def case_facts(
    entries: Iterable[Entry],
    *,
    as_of: dt.date,
    category_field: str = CATEGORY_FIELD,
    phase_field: str = PHASE_FIELD,
) -> list[CaseFacts]:
    """One `CaseFacts` per case: intake from its first assessment, expert and plan from its latest; assessments
    dated after `as_of` are left out."""
    by_case: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.date <= as_of:  # the figures as they stood on `as_of`: a later assessment did not exist yet
            by_case.setdefault(entry.case, []).append(entry)
    facts = []
    for found in by_case.values():
        found.sort(key=lambda e: (e.date, e.id))
        first, latest = found[0], found[-1]
        final = latest.status == "final"
        facts.append(
            CaseFacts(
                year=first.date.year,
                categories=_codes(first.fields.get(category_field)),
                phase=_phase(first.fields.get(phase_field)),
                expert=latest.expert,
                open=latest.status == "draft" or (final and latest.until is not None and latest.until > as_of),
                steps=latest.steps if final else (),
            )
        )
    return facts


def caseload(
    facts: list[CaseFacts],
    *,
    as_of: dt.date,
    certified: Iterable[str],
    capacity: Mapping[str, int | None],
    caseload_per_expert: int | None,
    weeks: int = 26,
    only_listed: bool = False,
) -> CaseloadFigures:
    """The figures over `facts`; `capacity` maps each partner of the deployment to its places per week (or None).

    Partners that plans name but `capacity` does not are shown too (as not in the deployment), unless
    `only_listed`. `TooFewCasesError` when there are fewer than `MIN_CASES` cases: no figure would mean anything.
    """
    if len(facts) < MIN_CASES:
        raise TooFewCasesError(len(facts))
    certified_set = set(certified)
    open_cases = sum(f.open for f in facts)
    start = as_of - dt.timedelta(days=as_of.weekday())  # the Monday of the reference week
    experts = _expert_loads(facts, certified_set)
    certified_count = sum(1 for e in experts if e.certified)
    return CaseloadFigures(
        as_of=as_of,
        cases=len(facts),
        open_cases=open_cases,
        years=_years(facts),
        experts=experts,
        partners=_demand(facts, capacity, start, weeks, only_listed=only_listed),
        experts_needed=_experts_needed(open_cases, certified_count, caseload_per_expert),
    )


class TooFewCasesError(SpjError, ValueError):
    """Fewer cases than `MIN_CASES`: no figure is shown, only this (`too-few-cases`)."""

    def __init__(self, cases: int) -> None:
        super().__init__(
            Problem(
                Code.TOO_FEW_CASES,
                f"{cases} case(s): caseload figures need at least {MIN_CASES} cases, or they would identify people"
                " and mean nothing",
            )
        )
        self.cases = cases


def suppress(count: int) -> int | None:
    """A count from 1 to 4 is None: small numbers can identify people."""
    return None if 0 < count < SMALL_CELL else count


def _codes(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, tuple | list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _phase(value: object) -> str | None:
    codes = _codes(value)
    return codes[0] if codes else None


def _placed_steps(assessment: Assessment, evaluation: Evaluation) -> tuple[PlacedStep, ...]:
    agreed = evaluation.agreed_plan
    if agreed is None:
        return ()
    start = dt.date.fromisoformat(agreed.start_date) if agreed.start_date else assessment.date
    return tuple(
        PlacedStep(
            partner=step.partner or "",
            first=start + dt.timedelta(weeks=step.start_week),
            until=start + dt.timedelta(weeks=max(step.end_week, step.start_week + 1)),
        )
        for step in agreed.steps
        if step.status in OCCUPYING
    )


def _years(facts: list[CaseFacts]) -> list[YearRow]:
    rows = []
    for year in sorted({f.year for f in facts}):
        of_year = [f for f in facts if f.year == year]
        categories: dict[str, int] = {}
        phases: dict[str, int] = {}
        for f in of_year:
            for code in dict.fromkeys(f.categories):
                categories[code] = categories.get(code, 0) + 1
            phases[f.phase or ""] = phases.get(f.phase or "", 0) + 1
        rows.append(
            YearRow(
                year=year,
                cases=suppress(len(of_year)),
                categories={k: suppress(v) for k, v in sorted(categories.items())},
                phases={k: suppress(v) for k, v in sorted(phases.items())},
            )
        )
    return rows


def _expert_loads(facts: list[CaseFacts], certified: set[str]) -> list[ExpertLoad]:
    """Every expert with an open case and every certified expert, pseudonymised, busiest first."""
    loads = dict.fromkeys(sorted(certified), 0)
    for f in facts:
        if f.open:
            loads[f.expert] = loads.get(f.expert, 0) + 1
    order = sorted(loads, key=lambda e: (-loads[e], hashlib.sha256(e.encode()).hexdigest()))
    return [
        ExpertLoad(pseudonym=f"E{n}", certified=expert in certified, open_cases=suppress(loads[expert]))
        for n, expert in enumerate(order, start=1)
    ]


def _demand(
    facts: list[CaseFacts], capacity: Mapping[str, int | None], start: dt.date, weeks: int, *, only_listed: bool
) -> list[PartnerDemand]:
    mondays = [start + dt.timedelta(weeks=n) for n in range(weeks)]
    named = [] if only_listed else sorted({s.partner for f in facts if f.open for s in f.steps})
    partners = list(dict.fromkeys([*capacity, *named]))
    out = []
    for partner in partners:
        places = capacity.get(partner)
        counts = [
            sum(1 for f in facts if f.open for s in f.steps if s.partner == partner and _overlaps(s, monday))
            for monday in mondays
        ]
        short = [n for n, c in enumerate(counts) if places is not None and c > places]
        quarter = [c - places for c in counts[:QUARTER_WEEKS] if places is not None and c > places]
        worst = max(range(min(QUARTER_WEEKS, weeks)), key=lambda n: counts[n], default=None)
        more = max(quarter, default=0)
        out.append(
            PartnerDemand(
                partner=partner,
                known=partner in capacity,
                capacity=places,
                weeks=[
                    PartnerWeek(week=m, demand=suppress(c), short=places is not None and c > places)
                    for m, c in zip(mondays, counts, strict=True)
                ],
                first_short_week=mondays[short[0]] if short else None,
                more_places_next_quarter=(
                    None
                    if places is None
                    else (more if more == 0 or (worst is not None and counts[worst] >= SMALL_CELL) else None)
                ),
            )
        )
    return out


def _overlaps(step: PlacedStep, monday: dt.date) -> bool:
    """Whether the step occupies its partner on some day of the week starting on `monday`."""
    return step.first < monday + dt.timedelta(weeks=1) and step.until > monday


def _experts_needed(open_cases: int, certified: int, per_expert: int | None) -> ExpertsNeeded | None:
    if per_expert is None:
        return None
    needed = math.ceil(open_cases / per_expert)
    return ExpertsNeeded(
        caseload_per_expert=per_expert, needed=needed, certified=certified, more=max(0, needed - certified)
    )


def check_fields(instrument: Instrument, category_field: str, phase_field: str) -> None:
    """Both fields are `choice` case fields of the instrument, else `unknown-case-field` (no figure)."""
    fields = {f.id: f for f in instrument.case_fields}
    problems = []
    for option, name in (("--category-field", category_field), ("--phase-field", phase_field)):
        found = fields.get(name)
        if found is None or found.type != "choice":
            choices = [f.id for f in instrument.case_fields if f.type == "choice"]
            problems.append(
                Problem(
                    Code.UNKNOWN_CASE_FIELD,
                    f"{name!r} is not a choice case field of {instrument.id}"
                    + did_you_mean(name, choices)
                    + f"; its choice fields: {', '.join(choices) or 'none'}",
                    Location(path=(option,)),
                )
            )
    if problems:
        raise InstrumentError(problems)
