"""The lifecycle of an assessment, written once: what may happen to it, and who may do it.

::

    create ──▶ draft ──save──▶ draft ──finalise──▶ final (locked) ──countersign──▶ final, countersigned
                                                     │   by a reviewer or an administrator who wrote
                                                     │   no revision of it, nor of what it amends
                                                     ├──amend────▶ a new draft of the same case (amends_id)
                                                     └──reassess─▶ a new draft of the same case (previous_id)

A draft may be saved and finalised; a final assessment never changes again
(it is corrected by an amendment, a new assessment that points at it). Only a
final assessment is countersigned, once; only a final assessment is amended or
reassessed.

The workspace asks these functions before it writes; the stores persist what
it decided (revisions, heads, links, signatures) and take no lifecycle decision
of their own. Their optimistic locking makes the decision safe under
concurrency: a write states the head revision it was decided on and is refused
(`ConflictError`) when another write moved it in between, and a countersignature
is recorded only where none is yet.
"""

from __future__ import annotations

from collections.abc import Collection

from spj.errors import SpjError
from spj.service.errors import ForbiddenError, StateError
from spj.store.interface import AssessmentRecord, LockedError, Role, User

COUNTERSIGNERS: tuple[Role, ...] = ("reviewer", "administrator")


def require_editable(record: AssessmentRecord) -> None:
    """`LockedError` when the assessment is final: a save or a finalise would change it."""
    if record.status == "final":
        raise LockedError(record.id)


def require_reassessable(record: AssessmentRecord) -> None:
    """`StateError` unless the assessment is final: a reassessment starts from a finished one."""
    if record.status != "final":
        raise StateError(f"assessment {record.id} is a draft; finish it (or finalise it) before reassessing")


def require_amendable(record: AssessmentRecord) -> None:
    """`StateError` unless the assessment is final: a draft is edited, not amended."""
    if record.status != "final":
        raise StateError(f"assessment {record.id} is a draft; edit it instead of amending it")


def countersign_refusal(user: User, record: AssessmentRecord, authors: Collection[str]) -> SpjError | None:
    """Why `user` may not countersign the assessment (None when they may).

    Four eyes: `authors` are the accounts that wrote any revision of the
    assessment or of the assessments it amends (`Workspace.authors`); none of
    them, nor the assessment's creator, countersigns it.
    """
    if user.role not in COUNTERSIGNERS:
        return ForbiddenError(f"this needs the role {' or '.join(COUNTERSIGNERS)}; {user.username} is {user.role}")
    if record.status != "final":
        return StateError(f"assessment {record.id} is a draft; only a final assessment can be countersigned")
    if record.countersigned_by is not None:
        return StateError(f"assessment {record.id} is already countersigned")
    if user.id == record.created_by or user.id in authors:
        return ForbiddenError(
            "an assessment is countersigned by someone who wrote no revision of it (nor of the assessment it amends)"
        )
    return None


def require_countersignable(user: User, record: AssessmentRecord, authors: Collection[str]) -> None:
    """Raise the reason of `countersign_refusal`, if any."""
    refusal = countersign_refusal(user, record, authors)
    if refusal is not None:
        raise refusal
