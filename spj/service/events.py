"""The event feed of an agency: its changes in the order they were committed, read after a position.

A position is an event id; the API hands it out as an opaque cursor. A position past the newest event
was never handed out: it is refused (`InvalidRequestError` at `query.after`) rather than answered with
an empty page that would hide events to come.
"""

from __future__ import annotations

from collections.abc import Collection

from spj.service.auth import require_role
from spj.service.errors import InvalidRequestError
from spj.store.interface import Role, Store, User
from spj.store.outbox import Event

_STAFF: tuple[Role, ...] = ("assessor", "reviewer", "administrator")


def events_after(
    store: Store, user: User, after: int, *, limit: int, kinds: Collection[str] | None = None
) -> list[Event]:
    """The user's agency's events after position `after`, oldest first, at most `limit`."""
    require_role(user, *_STAFF)
    if after > store.events.last_id():
        raise InvalidRequestError("unknown cursor: start again from the beginning (no after)", "query", "after")
    return store.events.after(user.agency_id, after, limit=limit, kinds=kinds)
