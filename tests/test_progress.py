"""Delivery against the agreed plan (`spj.evaluation.progress`): a pure function of the agreed plan, the plan's
start date, today and the delivery records."""

from __future__ import annotations

import datetime as dt

import pytest

from spj.evaluation.progress import DeliveryRecord, progress
from spj.evaluation.results import AgreedPlan, AgreedStep

START = dt.date(2027, 1, 4)  # a Monday: week n starts on START + 7n days


def _step(step_id: str, start: int, end: int, after: tuple[str, ...] = ()) -> AgreedStep:
    return AgreedStep(
        id=step_id,
        title=step_id,
        origin="recommended",
        decision="accept",
        status="proposed",
        partner=None,
        contact=None,
        provider=None,
        domain=None,
        phase=2 if after else 1,
        start_week=start,
        end_week=end,
        duration_weeks=end - start,
        predecessors=after,
        objective=None,
        addresses=(),
        reason=None,
        status_reason=None,
    )


# stabilise (weeks 0-4) comes first; trauma (weeks 4-10) follows it
PLAN = AgreedPlan(
    review_date=None,
    steps=(_step("stabilise", 0, 4), _step("trauma", 4, 10, after=("stabilise",))),
    declined=(),
    undecided=(),
    total_weeks=10,
    findings=(),
)


def day(week: int, plus: int = 0) -> dt.date:
    return START + dt.timedelta(weeks=week, days=plus)


DONE = DeliveryRecord(started_on=day(0), ended_on=day(4), outcome="completed")

CASES = [
    # (today, records, step, verdict, waiting_for, days_late)
    (day(0, -1), {}, "stabilise", "planned", (), 0),
    (day(0), {}, "stabilise", "not-started", (), 0),
    (day(1), {}, "stabilise", "not-started", (), 0),
    (day(1), {"stabilise": DeliveryRecord(started_on=day(0, 2))}, "stabilise", "on-time", (), 0),
    (day(4), {"stabilise": DeliveryRecord(started_on=day(0))}, "stabilise", "on-time", (), 0),
    (day(4, 3), {"stabilise": DeliveryRecord(started_on=day(0))}, "stabilise", "late", (), 3),
    (day(4, 3), {"stabilise": DeliveryRecord(started=True)}, "stabilise", "late", (), 3),  # under way, date unknown
    (day(6), {"stabilise": DONE}, "stabilise", "ended", (), 0),
    (
        day(6),
        {"stabilise": DeliveryRecord(started_on=day(0), ended_on=day(5), outcome="completed")},
        "stabilise",
        "ended",
        (),
        7,
    ),
    (day(2), {}, "trauma", "planned", (), 0),
    (day(5), {}, "trauma", "blocked", ("stabilise",), 0),
    (day(5), {"stabilise": DeliveryRecord(started_on=day(0))}, "trauma", "blocked", ("stabilise",), 0),
    (
        day(5),
        {"stabilise": DeliveryRecord(started_on=day(0), ended_on=day(3), outcome="dropped")},
        "trauma",
        "blocked",
        ("stabilise",),
        0,
    ),
    (day(5), {"stabilise": DONE}, "trauma", "not-started", (), 0),
    (day(5), {"stabilise": DONE, "trauma": DeliveryRecord(started_on=day(5))}, "trauma", "on-time", (), 0),
    (day(12), {"stabilise": DONE, "trauma": DeliveryRecord(started_on=day(5))}, "trauma", "late", (), 14),
    (
        day(12),
        {"stabilise": DONE, "trauma": DeliveryRecord(started_on=day(5), ended_on=day(9), outcome="stopped")},
        "trauma",
        "ended",
        (),
        0,
    ),
    # started although what it follows is not completed: it is under way, not blocked
    (day(5), {"trauma": DeliveryRecord(started_on=day(4))}, "trauma", "on-time", (), 0),
]


@pytest.mark.parametrize(("today", "records", "step", "verdict", "waiting_for", "days_late"), CASES)
def test_delivery_against_the_plan(
    today: dt.date,
    records: dict[str, DeliveryRecord],
    step: str,
    verdict: str,
    waiting_for: tuple[str, ...],
    days_late: int,
) -> None:
    found = progress(PLAN, start=START, today=today, records=records)[step]
    assert (found.verdict, found.waiting_for, found.days_late) == (verdict, waiting_for, days_late)


def test_due_dates_and_order_follow_the_agreed_plan() -> None:
    result = progress(PLAN, start=START, today=day(0), records={})
    assert list(result) == ["stabilise", "trauma"]
    assert (result["trauma"].due_start, result["trauma"].due_end) == (day(4), day(10))
    assert result["stabilise"].outcome is None
    ended = progress(PLAN, start=START, today=day(6), records={"stabilise": DONE})["stabilise"]
    assert ended.outcome == "completed"


def test_records_of_steps_outside_the_plan_are_ignored() -> None:
    result = progress(PLAN, start=START, today=day(0), records={"other": DONE})
    assert set(result) == {"stabilise", "trauma"}
