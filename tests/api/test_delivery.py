"""Delivery in the service: the partner accepts or declines a referral and records start, sessions, end and outcome
and notes (a secret note stays with the partner); the assessing agency sees delivery against its agreed plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, PASSWORD, VERSION, completed
from pydantic import TypeAdapter

from spj.disclosure import parse_deployment
from spj.errors import AssessmentError
from spj.service import InstrumentRegistry, InvalidRequestError, StateError, Workspace
from spj.service.delivery import DeliveryEntry
from spj.store import MemoryStore, NotFoundError, User

DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: hoj-a, kind: probation}
  - {id: care-a, kind: care}
  - {id: hoj-b, kind: probation}
profiles:
  care: {basis: {en: Consent of the client}, sees: [case, plan.own]}
"""
ENTRY: TypeAdapter[Any] = TypeAdapter(DeliveryEntry)
TODAY = dt.date(2027, 3, 1)


class World:
    def __init__(self, registry: InstrumentRegistry, example: dict[str, Any]) -> None:
        self.workspace = Workspace(MemoryStore(), registry, hasher=FAST_HASHER, deployment=parse_deployment(DEPLOYMENT))
        for agency in ("hoj-a", "care-a", "hoj-b"):
            self.workspace.store.create_agency(agency, agency)
        self.alice = self._user("alice", "assessor", "hoj-a")
        self.carla = self._user("carla", "partner", "care-a")
        self.bob = self._user("bob", "assessor", "hoj-b")
        view = self.workspace.create(self.alice, "CASE-1", INSTRUMENT_ID, VERSION)
        content = completed(view, example)
        content["date"] = "2027-01-04"
        self.steps = list(content["plan"]["decisions"])
        content["plan"]["decisions"][self.steps[0]] |= {"partner": {"agency": "care-a"}, "status": "referred"}
        self.assessment_id = self.workspace.finalise(self.alice, view.id, 1, content).id
        (referral,) = self.workspace.referrals.for_partner(self.carla)
        self.referral_id = referral.id

    def _user(self, name: str, role: Any, agency: str) -> User:
        return self.workspace.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)

    def record(self, user: User | None = None, **entry: Any) -> Any:
        return self.workspace.referrals.record(
            user or self.carla, self.referral_id, ENTRY.validate_python(entry), today=TODAY
        )


@pytest.fixture
def world(registry: InstrumentRegistry, example: dict[str, Any]) -> World:
    return World(registry, example)


def test_the_partner_accepts_and_records_the_delivery(world: World) -> None:
    assert world.workspace.referrals.delivery(world.carla, world.referral_id).response == "pending"
    world.record(kind="accept")
    world.record(kind="start", date="2027-01-11")
    world.record(kind="session", date="2027-01-11", attended=True)
    world.record(kind="session", date="2027-01-18", attended=False)
    world.record(kind="note", text="Synthetic: engaged well.")
    world.record(kind="note", text="Synthetic: what the client confided.", secret=True)
    delivery = world.record(kind="end", date="2027-02-15", outcome="completed")
    assert (delivery.response, delivery.started_on, delivery.ended_on, delivery.outcome) == (
        "accepted",
        dt.date(2027, 1, 11),
        dt.date(2027, 2, 15),
        "completed",
    )
    assert [(s.date, s.attended) for s in delivery.sessions] == [
        (dt.date(2027, 1, 11), True),
        (dt.date(2027, 1, 18), False),
    ]
    assert [(n.text, n.secret, n.by) for n in delivery.notes] == [
        ("Synthetic: engaged well.", False, "carla"),
        ("Synthetic: what the client confided.", True, "carla"),
    ]


def test_a_secret_note_never_reaches_the_assessing_agency(world: World) -> None:
    world.record(kind="accept")
    world.record(kind="note", text="Synthetic: shared with the house of justice.")
    world.record(kind="note", text="SECRET-SYNTHETIC-TEXT", secret=True)
    plan = world.workspace.referrals.plan_delivery(world.alice, world.assessment_id, today=TODAY)
    step = next(s for s in plan.steps if s.referral_id == world.referral_id)
    assert step.delivery is not None
    assert [n.text for n in step.delivery.notes] == ["Synthetic: shared with the house of justice."]
    assert "SECRET-SYNTHETIC-TEXT" not in repr(plan)


def test_the_assessing_agency_sees_delivery_against_its_plan(world: World) -> None:
    plan = world.workspace.referrals.plan_delivery(world.alice, world.assessment_id, today=TODAY)
    assert plan.start == dt.date(2027, 1, 4) and plan.today == TODAY
    by_step = {s.step.id: s for s in plan.steps}
    first = by_step[world.steps[0]]
    assert first.referral_id == world.referral_id and first.delivery is not None
    assert first.delivery.response == "pending" and first.progress.verdict in ("not-started", "blocked")
    assert all(s.referral_id is None and s.delivery is None for s in plan.steps if s.step.id != world.steps[0])
    world.record(kind="accept")
    world.record(kind="start", date="2027-01-11")
    plan = world.workspace.referrals.plan_delivery(world.alice, world.assessment_id, today=TODAY)
    first = next(s for s in plan.steps if s.step.id == world.steps[0])
    assert first.progress.verdict in ("on-time", "late") and first.delivery is not None
    assert first.delivery.started_on == dt.date(2027, 1, 11)


@pytest.mark.parametrize(
    ("before", "entry", "error", "code"),
    [
        ([], {"kind": "start", "date": "2027-01-11"}, StateError, "referral-state"),
        ([], {"kind": "session", "date": "2027-01-11", "attended": True}, StateError, "referral-state"),
        ([], {"kind": "decline"}, AssessmentError, "decision-needs-reason"),
        ([], {"kind": "decline", "reason": "   "}, AssessmentError, "decision-needs-reason"),
        ([], {"kind": "note", "text": "  "}, InvalidRequestError, "invalid-request"),
        ([{"kind": "accept"}], {"kind": "session", "date": "2027-01-11", "attended": True}, StateError,
         "referral-state"),
        ([{"kind": "accept"}], {"kind": "end", "date": "2027-01-11", "outcome": "completed"}, StateError,
         "referral-state"),
        ([{"kind": "accept"}], {"kind": "start", "date": "2027-03-02"}, InvalidRequestError, "invalid-request"),
        (
            [{"kind": "accept"}, {"kind": "start", "date": "2027-01-11"}],
            {"kind": "session", "date": "2027-01-10", "attended": True},
            InvalidRequestError,
            "invalid-request",
        ),
        (
            [{"kind": "accept"}, {"kind": "start", "date": "2027-01-11"}],
            {"kind": "end", "date": "2027-01-10", "outcome": "dropped"},
            InvalidRequestError,
            "invalid-request",
        ),
        (
            [{"kind": "accept"}, {"kind": "start", "date": "2027-01-11"}],
            {"kind": "decline", "reason": "Too late to decline."},
            StateError,
            "referral-state",
        ),
        (
            [{"kind": "accept"}, {"kind": "start", "date": "2027-01-11"}, {"kind": "end", "date": "2027-02-01",
             "outcome": "stopped"}],
            {"kind": "session", "date": "2027-02-02", "attended": True},
            StateError,
            "referral-state",
        ),
        ([{"kind": "decline", "reason": "No place."}], {"kind": "start", "date": "2027-01-11"}, StateError,
         "referral-state"),
    ],
    ids=[
        "start-before-accepting",
        "session-before-accepting",
        "decline-without-reason",
        "decline-with-blank-reason",
        "blank-note",
        "session-before-start",
        "end-before-start",
        "start-in-the-future",
        "session-before-the-start-date",
        "end-before-the-start-date",
        "decline-once-under-way",
        "session-after-the-end",
        "start-after-declining",
    ],
)  # fmt: skip
def test_a_record_out_of_order_is_refused_with_a_stable_code_and_nothing_is_written(
    world: World, before: list[dict[str, Any]], entry: dict[str, Any], error: type[Exception], code: str
) -> None:
    for earlier in before:
        world.record(**earlier)
    count = len(world.workspace.store.referrals.events([world.referral_id]))
    with pytest.raises(error) as caught:
        world.record(**entry)
    assert code in caught.value.codes  # type: ignore[attr-defined]
    assert len(world.workspace.store.referrals.events([world.referral_id])) == count


def test_only_the_partner_records_and_only_the_assessing_agency_sees_the_plans_delivery(world: World) -> None:
    for who in (world.alice, world.bob):
        with pytest.raises(NotFoundError):
            world.record(who, kind="accept")
        with pytest.raises(NotFoundError):
            world.workspace.referrals.delivery(who, world.referral_id)
    for who in (world.carla, world.bob):
        with pytest.raises(NotFoundError):
            world.workspace.referrals.plan_delivery(who, world.assessment_id)
    assert world.workspace.store.referrals.events([world.referral_id]) == []
