"""Errors of the service layer, on top of the store's.

The tree (the store's errors in brackets)::

    SpjError
    ├── AssessmentError
    │   ├── InvalidContentError      a save refused: the content has problems (422)
    │   └── FinaliseRefusedError     a finalise refused: the reasons, each at its field (422)
    ├── StoreError
    │   ├── [NotFoundError]          no such record in this agency (404)
    │   ├── [ConflictError]
    │   │   └── SaveConflictError    someone saved in between; carries the submitted content and the head (409)
    │   └── [LockedError]            the assessment is final (423)
    │       └── FinalChangedError    a status update that changes more than the delivery of a step (423)
    ├── UnauthenticatedError         no or bad credentials (401)
    ├── ForbiddenError               the user's role does not allow it (403)
    │   └── BlindedError             the other rating of an open double rating (403, `blinded`)
    ├── TooManyAttemptsError         too many failed sign-ins: wait `retry_after` seconds (429)
    ├── InvalidRequestError          a request the service cannot act on (400/422)
    └── StateError                   the record is not in a state that allows it (409)

Every error carries located `Problem`s with stable codes; the HTTP layer maps
them to status codes (`spj.api.errors`), the pages show them at their field.
"""

from __future__ import annotations

from typing import Any

from spj.errors import AssessmentError, Code, Location, Problem, SpjError, format_path
from spj.store.interface import ConflictError, LockedError, Revision


class InvalidContentError(AssessmentError):
    """The submitted assessment content has problems; nothing was saved.

    `content` is what was submitted, so a form can show it again with each
    problem at its field.
    """

    def __init__(self, problems: list[Problem], content: Any) -> None:
        super().__init__(problems)
        self.content = content


class FinaliseRefusedError(AssessmentError):
    """The assessment cannot be finalised yet; `problems` are the reasons (incomplete ratings, judgements, ...)."""

    def __init__(self, problems: list[Problem], content: Any) -> None:
        super().__init__(problems)
        self.content = content


class SaveConflictError(ConflictError):
    """A save or finalise stated a revision that is no longer the head; nothing is lost.

    `content` is the refused content (the user's work), `head` the current head
    revision (with its content), so the two can be compared and merged.
    """

    def __init__(self, assessment_id: str, base: int, head: Revision, content: dict[str, Any]) -> None:
        super().__init__(assessment_id, base, head.number)
        self.head = head
        self.content = content


class UnauthenticatedError(SpjError):
    """No credentials, or credentials that do not match an account."""

    def __init__(self, message: str = "log in, or send a valid API token (Authorization: Bearer …)") -> None:
        super().__init__(Problem(Code.UNAUTHENTICATED, message, Location()))


class ForbiddenError(SpjError):
    """The user is known but their role does not allow this action."""

    def __init__(self, message: str) -> None:
        super().__init__(Problem(Code.FORBIDDEN, message, Location()))


class BlindedError(ForbiddenError):
    """The assessment is the other rating of a double rating still open: sealed until both are submitted."""

    def __init__(self, assessment_id: str) -> None:
        SpjError.__init__(
            self,
            Problem(
                Code.BLINDED,
                f"assessment {assessment_id} is sealed for you: it is the other rating of a blind double rating of "
                "this case, shown once both ratings are submitted",
                Location(),
            ),
        )


class InvalidRequestError(SpjError, ValueError):
    """A request the service cannot act on (a malformed id, a username taken, ...); `path` names the field."""

    def __init__(self, message: str, *path: str | int) -> None:
        super().__init__(Problem(Code.INVALID_REQUEST, message, Location(path=tuple(path))))


class StateError(SpjError):
    """The assessment is not in a state that allows this (countersign a draft, reassess a draft, ...): a conflict.

    The code is `conflict` unless a more precise one is given (`not-final`, `referral-state`).
    """

    def __init__(self, message: str, *, code: Code = Code.CONFLICT) -> None:
        super().__init__(Problem(code, message, Location()))


class FinalChangedError(LockedError):
    """A status update on a final assessment that would change more than the delivery of a step; nothing written.

    One `locked` problem per path that may not change.
    """

    def __init__(self, assessment_id: str, paths: list[tuple[str | int, ...]]) -> None:
        super().__init__(assessment_id)
        self.problems = [
            Problem(
                Code.LOCKED,
                f"{format_path(path)} cannot change in a final assessment: only the delivery of a plan step can "
                "(status, status_reason, started_on, ended_on); amend the assessment to correct anything else",
                Location(path=path),
            )
            for path in paths
        ]


class TooManyAttemptsError(SpjError):
    """Too many failed sign-ins for this account or from this address; `retry_after` seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            Problem(
                Code.TOO_MANY_ATTEMPTS,
                f"too many failed sign-ins; try again in {retry_after} seconds",
                Location(),
            )
        )
        self.retry_after = retry_after
