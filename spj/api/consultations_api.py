"""Case consultations in the JSON API (`/api/v1/consultations`): what each agency may see of them.

Thin over `spj.service.consultations.ConsultationDesk`. A consultation the
agency did not take part in (or whose note it may not yet receive) is 404,
exactly as a missing one; a view that shows another agency's text is written
to the store's disclosure log before it is returned.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.idempotency import IdempotentRoute
from spj.api.json_api import ERRORS
from spj.disclosure.consultation import SeenItem
from spj.service.approvals import ApprovalResult
from spj.service.consultations import ConsultationSummary, ConsultationView

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["consultations"], route_class=IdempotentRoute)


class ConsultationSummaryOut(BaseModel):
    id: str
    case: str
    date: str
    role: str = Field(description="participant | addressee (of the released feedback note only)")
    participants: list[str] = Field(description="the participating agencies (empty for an addressee)")
    released: bool = Field(description="the feedback note is approved by every participant")

    @classmethod
    def of(cls, summary: ConsultationSummary) -> ConsultationSummaryOut:
        return cls(
            id=summary.id,
            case=summary.case,
            date=summary.date,
            role=summary.role,
            participants=list(summary.participants),
            released=summary.released,
        )


class ItemOut(BaseModel):
    id: str
    by: str = Field(description="the agency that brought it")
    secret: bool = Field(description="covered by professional secrecy")
    withheld: bool = Field(description="secret and brought by another agency: its text stays with that agency")
    text: str | None


class NoteOut(BaseModel):
    to: str
    items: list[ItemOut]
    summary: str | None


class ConsultationOut(BaseModel):
    id: str
    case: str
    date: str
    basis: str
    role: str = Field(description="participant | addressee")
    participants: list[str]
    items: list[ItemOut] = Field(description="the table's items (empty for an addressee)")
    feedback: NoteOut | None = Field(description="the feedback note, once every participant approved it")
    awaiting_approval: list[str] = Field(description="participants whose approval the note still needs")

    @classmethod
    def of(cls, view: ConsultationView) -> ConsultationOut:
        note = (
            NoteOut(to=view.note_to or "", items=[_item(i) for i in view.note_items], summary=view.note_summary)
            if view.note_items is not None
            else None
        )
        return cls(
            id=view.id,
            case=view.case,
            date=view.date,
            basis=view.basis,
            role=view.role,
            participants=list(view.participants),
            items=[_item(i) for i in view.items],
            feedback=note,
            awaiting_approval=list(view.waiting),
        )


def _item(item: SeenItem) -> ItemOut:
    return ItemOut(id=item.id, by=item.by, secret=item.secret, withheld=item.text is None, text=item.text)


@router.get("/consultations", response_model=list[ConsultationSummaryOut])
def list_consultations(user: TokenUser, workspace: WorkspaceDep) -> list[ConsultationSummaryOut]:
    """The case consultations your agency took part in, or whose released feedback note is addressed to it."""
    return [ConsultationSummaryOut.of(s) for s in workspace.consultations.for_agency(user)]


@router.get("/consultations/{consultation_id}", response_model=ConsultationOut)
def get_consultation(
    consultation_id: str,
    user: TokenUser,
    workspace: WorkspaceDep,
    lang: Annotated[str | None, Query(max_length=20)] = None,
) -> ConsultationOut:
    """One consultation as your agency may see it; logged before it is returned.

    A participant sees the items, but not the text of a secret item another
    agency brought; the note's addressee sees the released note only.
    """
    return ConsultationOut.of(workspace.consultations.view(user, consultation_id, lang=lang, channel="api"))


class ApprovalOut(BaseModel):
    consultation: str
    agency: str = Field(description="the agency that approved (yours)")
    new: bool = Field(description="false when your agency had approved already: nothing was written")
    released: bool = Field(description="every participating agency has approved: the addressee receives the note")
    awaiting_approval: list[str] = Field(description="participants whose approval the note still needs")

    @classmethod
    def of(cls, result: ApprovalResult) -> ApprovalOut:
        return cls(
            consultation=result.consultation_id,
            agency=result.agency,
            new=result.new,
            released=result.released,
            awaiting_approval=list(result.waiting),
        )


@router.post("/consultations/{consultation_id}/approval", response_model=ApprovalOut)
def approve_feedback(consultation_id: str, user: TokenUser, workspace: WorkspaceDep) -> ApprovalOut:
    """Your agency approves the consultation's feedback note (idempotent; audited).

    Only a participating agency may approve (any other: 404, as for nothing);
    a note citing an item covered by professional secrecy is refused (409,
    `secret-in-feedback`, located). The note goes to its addressee once every
    participating agency has approved it.
    """
    return ApprovalOut.of(workspace.consultations.approve(user, consultation_id))
