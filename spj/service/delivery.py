"""Delivery of a referred step: what the partner records, read back in order, and the rules it follows.

The partner accepts or declines the referral (a decline needs a reason),
then records the start, each session (date, attended or not), the end with
its outcome (`completed`, `dropped`, `stopped`), and notes at any time. A
note marked secret (professional secrecy) stays with the partner: the
assessing agency's view leaves it out. Each record is an append-only event
in the store (`spj.store.referrals`); `delivery_from` reads them into a
`Delivery`, `check_entry` says whether a new one may follow (refusals carry
stable codes: `referral-state` 409, `decision-needs-reason` and
`invalid-request` 422).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from spj.errors import AssessmentError, Code, Location, Problem
from spj.evaluation.progress import DeliveryRecord, Outcome
from spj.service.errors import InvalidRequestError, StateError
from spj.store.referrals import DeliveryEvent

Text = Annotated[str, StringConstraints(max_length=20_000)]
Response = Literal["pending", "accepted", "declined"]


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Accept(_Entry):
    """The partner takes the referral on."""

    kind: Literal["accept"]


class Decline(_Entry):
    """The partner cannot take the referral on, and says why."""

    kind: Literal["decline"]
    reason: Text | None = None


class Start(_Entry):
    """Delivery began."""

    kind: Literal["start"]
    date: dt.date


class Session(_Entry):
    """One session, attended or not."""

    kind: Literal["session"]
    date: dt.date
    attended: bool


class End(_Entry):
    """Delivery ended, with its outcome."""

    kind: Literal["end"]
    date: dt.date
    outcome: Outcome


class Note(_Entry):
    """A progress note; `secret` (professional secrecy) keeps it with the partner."""

    kind: Literal["note"]
    text: Text
    secret: bool = False


DeliveryEntry = Annotated[Accept | Decline | Start | Session | End | Note, Field(discriminator="kind")]


@dataclass(frozen=True)
class SessionRecord:
    date: dt.date
    attended: bool
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class NoteRecord:
    text: str
    secret: bool
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class Delivery:
    """Where a referral stands, as its partner recorded it."""

    response: Response = "pending"
    response_reason: str | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    outcome: Outcome | None = None
    sessions: tuple[SessionRecord, ...] = ()
    notes: tuple[NoteRecord, ...] = field(default=())

    def record(self) -> DeliveryRecord:
        """What `spj.evaluation.progress` needs: start, end, outcome."""
        return DeliveryRecord(started_on=self.started_on, ended_on=self.ended_on, outcome=self.outcome)


def delivery_from(events: Iterable[DeliveryEvent], *, secrets: bool) -> Delivery:
    """The events of one referral read in order; secret notes only when `secrets` (the partner's own view)."""
    response: Response = "pending"
    reason: str | None = None
    started: dt.date | None = None
    ended: dt.date | None = None
    outcome: Outcome | None = None
    sessions: list[SessionRecord] = []
    notes: list[NoteRecord] = []
    for event in events:
        data: dict[str, Any] = event.data
        if event.kind in ("accept", "decline"):
            response = "accepted" if event.kind == "accept" else "declined"
            reason = data.get("reason")
        elif event.kind == "start":
            started = dt.date.fromisoformat(data["date"])
        elif event.kind == "session":
            sessions.append(
                SessionRecord(dt.date.fromisoformat(data["date"]), bool(data["attended"]), event.by, event.at)
            )
        elif event.kind == "end":
            ended, outcome = dt.date.fromisoformat(data["date"]), data["outcome"]
        elif event.kind == "note" and (secrets or not data.get("secret")):
            notes.append(NoteRecord(str(data["text"]), bool(data.get("secret")), event.by, event.at))
    return Delivery(response, reason, started, ended, outcome, tuple(sessions), tuple(notes))


def check_entry(delivery: Delivery, entry: Accept | Decline | Start | Session | End | Note, *, today: dt.date) -> None:
    """Refuse `entry` when it may not follow what `delivery` records; nothing to return when it may."""
    if isinstance(entry, Accept | Decline):
        _check_response(delivery, entry)
    elif isinstance(entry, Note):
        if not entry.text.strip():
            raise InvalidRequestError("a note needs a text", "text")
    elif entry.date > today:
        raise InvalidRequestError(f"{entry.date.isoformat()} is after today: record what happened", "date")
    elif isinstance(entry, Start):
        _check_start(delivery)
    else:
        _check_during(delivery, entry.date)


def _check_response(delivery: Delivery, entry: Accept | Decline) -> None:
    if delivery.started_on is not None:
        raise _state("delivery is under way: the referral was accepted")
    if isinstance(entry, Decline) and not (entry.reason and entry.reason.strip()):
        raise AssessmentError(
            Problem(Code.DECISION_NEEDS_REASON, "declining a referral needs a reason", Location(path=("reason",)))
        )


def _check_start(delivery: Delivery) -> None:
    if delivery.response != "accepted":
        raise _state("accept the referral before recording its start")
    if delivery.started_on is not None:
        raise _state(f"the start is recorded already ({delivery.started_on.isoformat()})")


def _check_during(delivery: Delivery, date: dt.date) -> None:
    """A session or the end: after the start, before any end."""
    if delivery.started_on is None:
        raise _state("record the start of delivery first")
    if delivery.outcome is not None:
        raise _state(f"delivery ended on {delivery.ended_on}; nothing can follow its end")
    if date < delivery.started_on:
        raise InvalidRequestError(f"{date.isoformat()} is before the start ({delivery.started_on.isoformat()})", "date")


def _state(message: str) -> StateError:
    return StateError(message, code=Code.REFERRAL_STATE)
