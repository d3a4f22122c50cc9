"""Approving a case consultation's feedback note in the workspace (art. 458ter Sw.).

A person of a participating agency approves the note for their agency. The
approval is stored (`store.approvals`, audited in the same transaction) and
counts with the approvals the record file lists: the note is released to its
addressee only once every participating agency has approved it. Approving
again changes nothing. Any agency that does not take part finds nothing (the
one "not found"); a note that cites a secret item (or repeats one) is refused
with the library's located problems and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from spj.disclosure.consultation import Approval, Consultation, missing_approvals, note_problems
from spj.errors import Code, Problem
from spj.service.errors import StateError
from spj.store.interface import Store


class NoteRefusedError(StateError):
    """The note cannot be approved (it cites a secret item, or there is no note): a conflict, nothing stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message, code=problems[0].code)
        self.problems = problems


@dataclass(frozen=True)
class ApprovalResult:
    """An agency's approval, and where the note stands after it."""

    consultation_id: str
    agency: str
    new: bool  # False when the agency had approved already (nothing written)
    released: bool  # every participating agency has approved: the addressee receives the note
    waiting: tuple[str, ...]  # participants whose approval the note still needs


def with_stored_approvals(store: Store, record: Consultation) -> Consultation:
    """The record with the approvals given in the workspace added to those of its file."""
    note = record.feedback
    if note is None:
        return record
    listed = {a.agency for a in note.approvals}
    stored = [a for a in store.approvals.of(record.id) if a.agency_id not in listed]
    if not stored:
        return record
    added = tuple(Approval(agency=a.agency_id, date=a.at.date()) for a in stored)
    return record.model_copy(update={"feedback": note.model_copy(update={"approvals": (*note.approvals, *added)})})


def approve_note(store: Store, record: Consultation, *, agency: str, actor_id: str, username: str) -> ApprovalResult:
    """Store `agency`'s approval of the record's note (the caller checked that `agency` takes part)."""
    if record.feedback is None:
        raise NoteRefusedError(
            [Problem(Code.FEEDBACK_NOT_APPROVED, f"consultation {record.id} has no feedback note to approve")]
        )
    problems = note_problems(record)
    if problems:
        raise NoteRefusedError(problems)
    current = with_stored_approvals(store, record)
    new = False
    if agency in missing_approvals(current):
        _, new = store.approvals.approve(record.id, agency, actor_id=actor_id, username=username)
        current = with_stored_approvals(store, record)
    waiting = tuple(missing_approvals(current))
    return ApprovalResult(record.id, agency, new, not waiting, waiting)
