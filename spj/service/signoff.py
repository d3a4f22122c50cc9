"""Sign-off of a final assessment: the countersigner's comment, a return to the assessor, the report's sign-off.

A reviewer either countersigns a final assessment (with an optional comment,
sealed with the countersignature) or returns it to the assessor with comments:
an audited event that the assessment page and its history show. A return does
not unlock the final (finals never change); the assessor answers it by amending
the assessment, which starts a new draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from spj.service.errors import InvalidRequestError
from spj.store.interface import AuditEvent

MAX_COMMENT = 2000  # characters
RETURN_ACTION = "return-to-assessor"


@dataclass(frozen=True)
class Return:
    """A reviewer's return of a final assessment to its assessor, with their comments."""

    by: str  # account id
    at: dt.datetime
    revision: int | None
    comment: str


def clean_comment(text: str | None, *, required: bool = False) -> str | None:
    """The comment as kept: trimmed, None when empty (an error when `required`), at most MAX_COMMENT characters."""
    comment = (text or "").strip().replace("\r\n", "\n")
    if not comment:
        if required:
            raise InvalidRequestError("a return to the assessor needs a comment saying what to change", "comment")
        return None
    if len(comment) > MAX_COMMENT:
        raise InvalidRequestError(
            f"the comment has {len(comment)} characters; at most {MAX_COMMENT} are kept", "comment"
        )
    return comment


def returns(events: Iterable[AuditEvent]) -> list[Return]:
    """The returns to the assessor among an assessment's audit events, oldest first."""
    return [Return(e.actor_id, e.at, e.revision, e.detail) for e in events if e.action == RETURN_ACTION]
