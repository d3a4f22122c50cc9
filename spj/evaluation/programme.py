"""Programme evaluation: how each intervention fares across cases (issue 8, item 7).

Per intervention, over the latest assessment of each case: how often it was
proposed, agreed (accepted, amended or added), referred, started, completed and
stopped, and the median weeks from the assessment to its start and to its end
(from the steps' `started_on` and `ended_on`). The table names no case. Small
cells identify people: a count from 1 to 4, and a median over fewer than 5
steps, is suppressed.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from spj.assessment import Assessment
from spj.evaluation.results import Evaluation

SMALL_CELL = 5
REFERRED = frozenset({"referred", "running", "completed", "stopped"})
STARTED = frozenset({"running", "completed", "stopped"})
COLUMNS = ("proposed", "agreed", "referred", "started", "completed", "stopped")


@dataclass(frozen=True)
class InterventionFigures:
    """The figures of one intervention; a suppressed cell is None."""

    id: str
    counts: dict[str, int | None]
    median_weeks_to_start: float | None
    median_weeks_to_end: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            **self.counts,
            "median_weeks_to_start": self.median_weeks_to_start,
            "median_weeks_to_end": self.median_weeks_to_end,
        }


def latest_per_case(pairs: Iterable[tuple[Assessment, Evaluation]]) -> list[tuple[Assessment, Evaluation]]:
    """One assessment per case: the latest by date (then by id), so that no case counts twice."""
    latest: dict[str, tuple[Assessment, Evaluation]] = {}
    for assessment, evaluation in pairs:
        kept = latest.get(assessment.case.id)
        if kept is None or (assessment.date, assessment.id) > (kept[0].date, kept[0].id):
            latest[assessment.case.id] = (assessment, evaluation)
    return list(latest.values())


def intervention_figures(pairs: Iterable[tuple[Assessment, Evaluation]]) -> list[InterventionFigures]:
    """The figures per intervention, in order of first appearance, small cells suppressed."""
    counts: dict[str, dict[str, int]] = {}
    to_start: dict[str, list[float]] = {}
    to_end: dict[str, list[float]] = {}

    def row(step_id: str) -> dict[str, int]:
        return counts.setdefault(step_id, dict.fromkeys(COLUMNS, 0))

    for assessment, evaluation in latest_per_case(pairs):
        for step in evaluation.plan.ordered_steps:
            row(step.id)["proposed"] += 1
        agreed = evaluation.agreed_plan
        if agreed is None:
            continue
        start = dt.date.fromisoformat(agreed.start_date) if agreed.start_date else assessment.date
        fields = {}
        if assessment.plan is not None:
            fields = {**assessment.plan.decisions, **{a.id: a for a in assessment.plan.added}}
        for agreed_step in agreed.steps:
            figures = row(agreed_step.id)
            figures["agreed"] += 1
            status = agreed_step.status
            figures["referred"] += status in REFERRED
            figures["started"] += status in STARTED
            figures["completed"] += status == "completed"
            figures["stopped"] += status == "stopped"
            recorded = fields.get(agreed_step.id)
            if recorded is not None and recorded.started_on is not None:
                to_start.setdefault(agreed_step.id, []).append((recorded.started_on - start).days / 7)
            if recorded is not None and recorded.ended_on is not None:
                to_end.setdefault(agreed_step.id, []).append((recorded.ended_on - start).days / 7)
    return [
        InterventionFigures(
            id=step_id,
            counts={k: _cell(v) for k, v in figures.items()},
            median_weeks_to_start=_median(to_start.get(step_id, [])),
            median_weeks_to_end=_median(to_end.get(step_id, [])),
        )
        for step_id, figures in counts.items()
    ]


def _cell(count: int) -> int | None:
    return None if 0 < count < SMALL_CELL else count


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if len(values) >= SMALL_CELL else None
