"""The event feed (`GET /api/v1/events`) and the web hooks' delivery list (`/api/v1/hooks/deliveries`).

The feed lists your agency's changes in commit order after a cursor: ids, kind, revision, time, never
case text. Poll with `after` = the `next` of the page before (also in `Next-Cursor`); an empty page keeps
the same `next`. A cursor spj did not hand out is 422 at `query.after`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Response
from pydantic import BaseModel, Field

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.idempotency import IdempotentRoute
from spj.api.json_api import ERRORS
from spj.disclosure.hooks import EVENT_KINDS
from spj.service.auth import require_role
from spj.service.errors import InvalidRequestError
from spj.service.events import events_after
from spj.service.hooks.worker import in_process
from spj.store.hashing import utc_now


@asynccontextmanager
async def deliver_hooks(app: FastAPI) -> AsyncIterator[None]:
    """While the app runs: deliver the deployment's web hooks in a thread (unless SPJ_HOOKS_WORKER=external)."""
    workspace = app.state.workspace
    subscriptions = workspace.deployment.hooks if workspace.deployment is not None else ()
    background = in_process(workspace.store, subscriptions)
    try:
        yield
    finally:
        if background is not None:
            background.stop()


router = APIRouter(prefix="/api/v1", responses=ERRORS, route_class=IdempotentRoute, lifespan=deliver_hooks)
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
_PREFIX = "event:"
EventKind = Literal[
    "created",
    "saved",
    "finalised",
    "countersigned",
    "returned",
    "delivery-updated",
    "case-created",
    "case-updated",
    "referred",
    "delivery-recorded",
]
assert set(EventKind.__args__) == set(EVENT_KINDS)  # type: ignore[attr-defined]


def encode_cursor(event_id: int) -> str:
    """The cursor after event `event_id`."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{event_id}".encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The event id a cursor names; `InvalidRequestError` at `query.after` when it is not a cursor."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidRequestError("not a cursor: pass the `next` of the page before", "query", "after") from exc
    number = text.removeprefix(_PREFIX)
    if not text.startswith(_PREFIX) or not (number.isdecimal() and len(number) <= 18):
        raise InvalidRequestError("not a cursor: pass the `next` of the page before", "query", "after")
    return int(number)


class EventOut(BaseModel):
    """One change: what (kind), where (case, assessment, revision, referral, partner agencies), when."""

    id: int
    kind: EventKind
    at: str = Field(description="when it was committed (UTC, ISO 8601)")
    agency_id: str
    case_id: str | None
    assessment_id: str | None
    revision: int | None
    referral_id: str | None = None
    partners: list[str] | None = Field(None, description="kind referred: the partner agencies the plan names")


class EventPage(BaseModel):
    """A page of the feed and where to go on from."""

    events: list[EventOut]
    next: str = Field(description="the cursor to pass as `after` next time (the same when the page is empty)")


class DeliveryOut(BaseModel):
    """An event's delivery to one web hook."""

    id: int
    subscription_id: str
    state: Literal["pending", "delivered", "dead"]
    attempts: int
    next_attempt_at: str
    last_error: str | None
    last_status: int | None
    event: EventOut


@router.get(
    "/events",
    response_model=EventPage,
    tags=["events"],
    responses={
        200: {
            "description": "your agency's changes, oldest first",
            "headers": {"Next-Cursor": {"description": "the same as `next`", "schema": {"type": "string"}}},
        }
    },
)
def list_events(
    response: Response,
    user: TokenUser,
    workspace: WorkspaceDep,
    after: Annotated[
        str | None, Query(min_length=1, max_length=100, description="the `next` of the page before")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="at most this many events")] = DEFAULT_LIMIT,
    kind: Annotated[list[EventKind] | None, Query(description="only these kinds (repeat the parameter)")] = None,
) -> EventPage:
    """Your agency's changes after the cursor, in commit order: saved, finalised, countersigned, returned,
    referred, delivery-updated, ... (ids and revisions only, never case text)."""
    position = decode_cursor(after) if after is not None else 0
    events = events_after(workspace.store, user, position, limit=limit, kinds=kind)
    cursor = encode_cursor(events[-1].id if events else position)
    response.headers["Next-Cursor"] = cursor
    return EventPage(events=[EventOut(**e.to_dict()) for e in events], next=cursor)


@router.get("/hooks/deliveries", response_model=list[DeliveryOut], tags=["events"])
def list_deliveries(
    user: TokenUser,
    workspace: WorkspaceDep,
    state: Literal["pending", "delivered", "dead"] | None = "dead",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> list[DeliveryOut]:
    """Your agency's web hook deliveries, oldest first; by default the dead letters (every attempt failed)."""
    require_role(user, "administrator", "reviewer", "assessor")
    found = workspace.store.hooks.list(user.agency_id, state=state, limit=limit)
    return [DeliveryOut(**d.to_dict()) for d in found]


@router.post("/hooks/deliveries/{delivery_id}/retry", response_model=DeliveryOut, tags=["events"])
def retry_delivery(
    delivery_id: Annotated[int, Path(ge=1)],
    user: TokenUser,
    workspace: WorkspaceDep,
) -> DeliveryOut:
    """Put a dead delivery of your agency back in the queue (its attempts start again)."""
    require_role(user, "administrator", "reviewer", "assessor")
    return DeliveryOut(**workspace.store.hooks.retry(user.agency_id, delivery_id, now=utc_now()).to_dict())
