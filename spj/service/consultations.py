"""Case consultations in the workspace (art. 458ter Sw.): who sees what of a consultation record.

The records are the deployment's (`spj-consultation/1` files given to
`spj serve --consultations DIR`, checked against the deployment); the rules
are the library's (`spj.disclosure.consultation`):

- a participating agency sees the record and its items, except the text of an
  item covered by professional secrecy that another agency brought (shown as
  withheld), and the feedback note once every participant has approved it;
- the addressee of the feedback note, when it did not take part, sees the note
  only, and only once it is released: before that, the consultation does not
  exist for it;
- any other agency, and every agency without a deployment, finds nothing: the
  one "not found", never "forbidden", so that existence is not disclosed.

Every view that shows an agency text another agency brought is first written
to the store's disclosure log, one entry per agency whose items are shown;
when the entry cannot be written, nothing is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from spj.disclosure.consultation import Consultation, SeenItem, items_seen_by, missing_approvals, note_released_to
from spj.errors import Code, DisclosureError, Problem
from spj.instrument.text import localize
from spj.service.approvals import ApprovalResult, approve_note, with_stored_approvals
from spj.store.disclosures import Disclosure
from spj.store.interface import NotFoundError, User

if TYPE_CHECKING:
    from spj.service.workspace import Workspace

Role = Literal["participant", "addressee"]
CHANNELS = ("web", "api", "download")
TABLE = "consultation.items"
NOTE = "consultation.feedback"


@dataclass(frozen=True)
class ConsultationSummary:
    """One consultation in an agency's list: nothing of its items."""

    id: str
    case: str
    date: str
    role: Role
    participants: tuple[str, ...]
    released: bool  # the feedback note is approved by every participant


@dataclass(frozen=True)
class ConsultationView:
    """A consultation as one agency may see it (already logged when it shows other agencies' text)."""

    id: str
    case: str
    date: str
    basis: str
    role: Role
    participants: tuple[str, ...]
    items: tuple[SeenItem, ...]  # the table's items (withheld ones without text); () for the addressee
    note_to: str | None  # the feedback note's addressee, when the agency may know it
    note_items: tuple[SeenItem, ...] | None  # the released note; None while it awaits approval (or there is none)
    note_summary: str | None
    waiting: tuple[str, ...]  # participants whose approval the note still needs (participants only)


class ConsultationDesk:
    """The consultations of the deployment, as each agency may see them."""

    def __init__(self, workspace: Workspace, records: Iterable[Consultation] = ()) -> None:
        self._workspace = workspace
        self._records: dict[str, Consultation] = {}
        for record in records:
            if record.id in self._records:
                raise DisclosureError(Problem(Code.DUPLICATE_ID, f"two consultation records have the id {record.id!r}"))
            self._records[record.id] = record

    def for_agency(self, user: User) -> list[ConsultationSummary]:
        """The consultations the user's agency took part in or received a released note from, newest first."""
        records = [self._current(r) for r in self._records.values()]
        found = [(r, role) for r in records if (role := self._role(user, r)) is not None]
        found.sort(key=lambda pair: (pair[0].date, pair[0].id), reverse=True)
        return [
            ConsultationSummary(
                id=r.id,
                case=r.case,
                date=r.date.isoformat(),
                role=role,
                participants=r.participants if role == "participant" else (),
                released=r.feedback is not None and not missing_approvals(r),
            )
            for r, role in found
        ]

    def view(
        self, user: User, consultation_id: str, *, lang: str | None = None, channel: str = "web"
    ) -> ConsultationView:
        """What the user's agency may see of one consultation, logged first; `NotFoundError` for any other agency."""
        record, role = self._found(user, consultation_id)
        agency = user.agency_id
        table = tuple(items_seen_by(record, agency)) if role == "participant" else ()
        released = note_released_to(record, agency)
        note = tuple(SeenItem(i.id, i.by, i.secret, i.text) for i in released) if released is not None else None
        view = ConsultationView(
            id=record.id,
            case=record.case,
            date=record.date.isoformat(),
            basis=localize(record.basis, lang, None),
            role=role,
            participants=record.participants if role == "participant" else (),
            items=table,
            note_to=record.feedback.to if record.feedback is not None else None,
            note_items=note,
            note_summary=(record.feedback.summary if note is not None and record.feedback is not None else None),
            waiting=tuple(missing_approvals(record)) if role == "participant" and record.feedback else (),
        )
        self._log(user, record, view, channel)
        return view

    def approve(self, user: User, consultation_id: str) -> ApprovalResult:
        """The user's agency approves the feedback note; `NotFoundError` unless it takes part, as for nothing.

        Idempotent: a second approval by the same agency writes nothing. A note
        that cites a secret item is refused (`NoteRefusedError`, located).
        """
        record, role = self._found(user, consultation_id)
        if role != "participant":
            raise NotFoundError(f"consultation {consultation_id}")
        return approve_note(
            self._workspace.store, record, agency=user.agency_id, actor_id=user.id, username=user.username
        )

    # ---- helpers ----------------------------------------------------------------------------------------

    def _current(self, record: Consultation) -> Consultation:
        """The record with the approvals given in the workspace."""
        return with_stored_approvals(self._workspace.store, record)

    def _found(self, user: User, consultation_id: str) -> tuple[Consultation, Role]:
        """The current record and the user's role in it; `NotFoundError` when the agency may not know it."""
        found = self._records.get(consultation_id)
        record = self._current(found) if found is not None else None
        role = self._role(user, record) if record is not None else None
        if record is None or role is None:
            raise NotFoundError(f"consultation {consultation_id}")
        return record, role

    def _role(self, user: User, record: Consultation) -> Role | None:
        deployment = self._workspace.deployment
        if deployment is None or deployment.agency(user.agency_id) is None:
            return None
        if user.agency_id in record.participants:
            return "participant"
        if record.feedback is not None and record.feedback.to == user.agency_id and not missing_approvals(record):
            return "addressee"
        return None

    def _log(self, user: User, record: Consultation, view: ConsultationView, channel: str) -> None:
        """One entry per other agency whose text the view shows (sections: the items shown, and where)."""
        shown: dict[str, list[str]] = {}
        for where, items in ((TABLE, view.items), (NOTE, view.note_items or ())):
            for item in items:
                if item.text is not None and item.by != user.agency_id:
                    labels = shown.setdefault(item.by, [])
                    labels += [s for s in (where, f"item.{item.id}") if s not in labels]
        for from_agency in sorted(shown, key=record.participants.index):
            self._workspace.store.disclosures.append(
                Disclosure(
                    by=user.username,
                    agency=user.agency_id,
                    from_agency=from_agency,
                    case=record.case,
                    assessment=record.id,
                    sections=tuple(_ordered(shown[from_agency])),
                    basis=view.basis,
                    channel=channel if channel in CHANNELS else "web",
                )
            )


def _ordered(labels: Sequence[str]) -> list[str]:
    """Where first (the table, then the note), then the items in record order."""
    places = [s for s in (TABLE, NOTE) if s in labels]
    return [*places, *(s for s in labels if s not in places)]
