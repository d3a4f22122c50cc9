"""Delivery against the agreed plan: for each agreed step, on time, late, not started or blocked.

A pure function of the agreed plan (DESIGN 4.6), the date the plan starts
(week 0: the assessment's date), today, and what has been recorded about the
delivery of each step. Week `n` of the plan begins `n` weeks after the start.

| recorded                        | today                      | verdict                          |
|---------------------------------|----------------------------|----------------------------------|
| ended (an outcome)              | any                        | `ended` (late by the days after its due end) |
| started, not ended              | up to its due end          | `on-time`                        |
| started, not ended              | after its due end          | `late` (by so many days)         |
| not started                     | before its due start       | `planned`                        |
| not started, a step it follows not completed | from its due start | `blocked` (`waiting_for` them) |
| not started                     | from its due start         | `not-started`                    |

A step it follows is completed only with the outcome `completed`: one dropped
or stopped still blocks what needs it. A step started anyway is under way,
whatever it follows.

>>> import datetime as dt
>>> from spj.evaluation.results import AgreedPlan
>>> progress(AgreedPlan(None, (), (), (), 0, ()), start=dt.date(2027, 1, 4), today=dt.date(2027, 2, 1), records={})
{}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from spj.evaluation.results import AgreedPlan

Outcome = Literal["completed", "dropped", "stopped"]
Verdict = Literal["planned", "not-started", "blocked", "on-time", "late", "ended"]
VERDICTS: tuple[Verdict, ...] = ("planned", "not-started", "blocked", "on-time", "late", "ended")


@dataclass(frozen=True)
class DeliveryRecord:
    """What has been recorded about the delivery of one step.

    `started` says the step is under way when its start date is not known
    (the plan's status reads `running`, say).
    """

    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    outcome: Outcome | None = None
    started: bool = False

    @property
    def under_way(self) -> bool:
        """Started (or over): a date, the flag, or an outcome says so."""
        return self.started or self.started_on is not None or self.outcome is not None


@dataclass(frozen=True)
class StepProgress:
    """Where one agreed step stands against its due dates."""

    step_id: str
    verdict: Verdict
    due_start: dt.date
    due_end: dt.date
    waiting_for: tuple[str, ...] = ()  # the steps it follows that are not completed, when blocked
    outcome: Outcome | None = None
    days_late: int = 0  # after its due end: while running, or when it ended


def progress(
    agreed: AgreedPlan, *, start: dt.date, today: dt.date, records: Mapping[str, DeliveryRecord]
) -> dict[str, StepProgress]:
    """Each agreed step's progress, in the agreed plan's order."""
    out: dict[str, StepProgress] = {}
    for step in agreed.steps:
        due_start = start + dt.timedelta(weeks=step.start_week)
        due_end = start + dt.timedelta(weeks=step.end_week)
        record = records.get(step.id, DeliveryRecord())
        if record.outcome is not None:
            late = (record.ended_on - due_end).days if record.ended_on else 0
            out[step.id] = StepProgress(
                step.id, "ended", due_start, due_end, outcome=record.outcome, days_late=max(0, late)
            )
        elif record.under_way:
            late = (today - due_end).days
            verdict: Verdict = "late" if late > 0 else "on-time"
            out[step.id] = StepProgress(step.id, verdict, due_start, due_end, days_late=max(0, late))
        elif today < due_start:
            out[step.id] = StepProgress(step.id, "planned", due_start, due_end)
        else:
            waiting = tuple(
                before for before in step.predecessors if records.get(before, DeliveryRecord()).outcome != "completed"
            )
            out[step.id] = StepProgress(
                step.id, "blocked" if waiting else "not-started", due_start, due_end, waiting_for=waiting
            )
    return out
