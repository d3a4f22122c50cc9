"""Autosave in the workspace: keep what a person typed on a draft until they save it (never a revision).

Why a buffer and not a revision: revisions are the record — hash-chained, audited, listed in the
history, and counted by the four-eyes rule — and an autosave every few seconds would bury that record
in noise and make "revision 40" meaningless. The buffer (`spj.store.drafts`) holds the form as typed,
valid or not, with the revision it was typed on; saving goes through the normal save (conflicts
included), and then the buffer is removed. Only its owner ever sees it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from spj.service.double_rating import require_unblinded
from spj.service.errors import InvalidRequestError
from spj.store.drafts import DraftBuffer
from spj.store.hashing import utc_now
from spj.store.interface import AssessmentRecord, LockedError, NotFoundError, Role, Store, User

MAX_CHARS = 2_000_000  # what one form may hold in all its fields (the pages' body limit is lower still)
_STAFF: tuple[Role, ...] = ("assessor", "reviewer", "administrator")


class Autosave:
    """Keep, read and discard one person's unsaved form on a draft of their agency."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def keep(self, user: User, assessment_id: str, base: int, fields: Mapping[str, Sequence[str]]) -> DraftBuffer:
        """Replace the user's buffer on a draft; `LockedError` when the assessment is final."""
        self._draft(user, assessment_id)
        kept = {str(name): [str(v) for v in values] for name, values in fields.items()}
        if sum(len(name) + sum(len(v) for v in values) for name, values in kept.items()) > MAX_CHARS:
            raise InvalidRequestError(f"the form holds more than {MAX_CHARS} characters", "fields")
        buffer = DraftBuffer(user.agency_id, assessment_id, user.id, base, kept, utc_now())
        return self.store.drafts.put(buffer)

    def kept(self, user: User, assessment_id: str) -> DraftBuffer | None:
        """The user's unsaved form on this assessment, if any (none once the assessment is final)."""
        if self._record(user, assessment_id).status != "draft":
            return None
        return self.store.drafts.get(user.agency_id, assessment_id, user.id)

    def discard(self, user: User, assessment_id: str) -> None:
        """Forget the user's unsaved form (after saving it, or on request)."""
        self._record(user, assessment_id)
        self.store.drafts.discard(user.agency_id, assessment_id, user.id)

    def _record(self, user: User, assessment_id: str) -> AssessmentRecord:
        if user.role not in _STAFF:  # a partner has no drafts: as if the assessment did not exist
            raise NotFoundError(f"assessment {assessment_id}")
        record = self.store.get_assessment(user.agency_id, assessment_id)
        require_unblinded(self.store, user, record)  # a blind double rating's other rating is sealed
        return record

    def _draft(self, user: User, assessment_id: str) -> None:
        if self._record(user, assessment_id).status != "draft":
            raise LockedError(assessment_id)
