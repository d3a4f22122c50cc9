"""A case consultation (`format: spj-consultation/1`): the Belgian *casusoverleg* of art. 458ter Sw.

In a legally organised case consultation, professionals covered by secrecy may
share information with each other. Each item records who brought it and
whether it is covered by professional secrecy. What may leave the table is a
feedback note (for instance to the police): it is made of the items it cites,
none of them secret, and is released only when every participating agency has
approved it. These rules are enforced here, with located errors; a note that
breaks them is never printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from spj.disclosure.model import AgencyId, Deployment
from spj.errors import Code, DisclosureError, Problem, did_you_mean
from spj.files.schema_errors import schema_problems
from spj.files.yamlsource import Document, parse_yaml, read_text
from spj.instrument.model import Text

Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
ItemId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=50)]
# A stretch of a secret item this long, found inside a note's summary, counts as copied into it
# (windows start every 4 characters, so any copied stretch of 27 characters or more is found).
COPIED_LENGTH = 24


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Item(Model):
    """One piece of information brought to the table."""

    id: ItemId
    by: AgencyId
    text: LongText
    secret: bool = False  # covered by professional secrecy: stays at the table


class Approval(Model):
    agency: AgencyId
    date: dt.date | None = None


class Feedback(Model):
    """The note that may leave the table, and to whom."""

    to: AgencyId
    items: tuple[ItemId, ...] = Field(min_length=1)
    summary: LongText | None = None
    approvals: tuple[Approval, ...] = ()


class Consultation(Model):
    format: Literal["spj-consultation/1"]
    id: Short
    case: Short
    date: dt.date
    basis: Text
    participants: tuple[AgencyId, ...] = Field(min_length=2)
    items: tuple[Item, ...] = ()
    feedback: Feedback | None = None


def load_consultation(path: str | Path, *, deployment: Deployment | None = None) -> Consultation:
    """Load and check a consultation record; `DisclosureError` lists every problem, located."""
    doc = parse_yaml(read_text(path, error=DisclosureError), file=str(path), error=DisclosureError)
    return consultation_from_document(doc, deployment=deployment)


def parse_consultation(text: str, *, file: str | None = None, deployment: Deployment | None = None) -> Consultation:
    """A consultation record from YAML text (checked like `load_consultation`)."""
    return consultation_from_document(parse_yaml(text, file=file, error=DisclosureError), deployment=deployment)


def consultation_from_document(doc: Document, *, deployment: Deployment | None = None) -> Consultation:
    """Validate a consultation: schema, participants, items, and a feedback note free of secrets."""
    try:
        record = Consultation.model_validate(doc.data)
    except ValidationError as exc:
        raise DisclosureError([*doc.problems, *schema_problems(exc, doc, Consultation)]) from None
    problems = [
        *doc.problems,
        *_participant_problems(record, doc, deployment),
        *_item_problems(record, doc),
        *_feedback_problems(record, doc),
    ]
    if problems:
        raise DisclosureError(sorted(problems, key=lambda p: (p.location.line or 0, p.location.column or 0)))
    return record


def _participant_problems(record: Consultation, doc: Document, deployment: Deployment | None) -> list[Problem]:
    if deployment is None:
        return []
    known = [a.id for a in deployment.agencies]
    return [
        doc.problem(
            Code.UNKNOWN_AGENCY,
            f"participant {agency!r} is not an agency of the deployment" + did_you_mean(agency, known),
            ("participants", n),
        )
        for n, agency in enumerate(record.participants)
        if agency not in known
    ]


def _item_problems(record: Consultation, doc: Document) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for n, item in enumerate(record.items):
        if item.id in seen:
            problems.append(doc.problem(Code.DUPLICATE_ID, f"duplicate item id {item.id!r}", ("items", n, "id")))
        seen.add(item.id)
        if item.by not in record.participants:
            problems.append(
                doc.problem(
                    Code.UNKNOWN_AGENCY,
                    f"item {item.id} is brought by {item.by!r}, which does not take part in the consultation",
                    ("items", n, "by"),
                )
            )
    return problems


def _feedback_problems(record: Consultation, doc: Document) -> list[Problem]:
    note = record.feedback
    if note is None:
        return []
    items = {i.id: i for i in record.items}
    problems = []
    for k, item_id in enumerate(note.items):
        cited = items.get(item_id)
        if cited is None:
            problems.append(
                doc.problem(
                    Code.UNRESOLVED_REFERENCE,
                    f"the feedback cites {item_id!r}, which is not an item" + did_you_mean(item_id, items),
                    ("feedback", "items", k),
                )
            )
        elif cited.secret:
            problems.append(
                doc.problem(
                    Code.SECRET_IN_FEEDBACK,
                    f"the feedback cites {item_id}, which is covered by professional secrecy; "
                    "it stays at the table: remove it from the note",
                    ("feedback", "items", k),
                )
            )
    problems += [
        doc.problem(
            Code.SECRET_IN_FEEDBACK,
            f"the feedback's summary repeats item {item.id}, which is covered by professional secrecy; "
            "rewrite the summary without it",
            ("feedback", "summary"),
        )
        for item in items.values()
        if note.summary and item.secret and _copied(item.text, note.summary)
    ]
    problems += [
        doc.problem(
            Code.UNKNOWN_AGENCY,
            f"an approval by {approval.agency!r}, which does not take part in the consultation",
            ("feedback", "approvals", k),
        )
        for k, approval in enumerate(note.approvals)
        if approval.agency not in record.participants
    ]
    return problems


def note_problems(record: Consultation) -> list[Problem]:
    """What keeps the record's feedback note from leaving the table (a secret or unknown item cited, a secret
    repeated in the summary), each located at its path in the record; [] when there is no note or it is clean."""
    doc = Document(record.model_dump(mode="json"), None)
    return [p for p in _feedback_problems(record, doc) if p.code != Code.UNKNOWN_AGENCY]


def missing_approvals(record: Consultation) -> list[str]:
    """The participating agencies that have not approved the feedback note, in participant order."""
    approved = {a.agency for a in record.feedback.approvals} if record.feedback else set()
    return [p for p in record.participants if p not in approved]


def releasable_note(record: Consultation) -> list[Item]:
    """The items of the feedback note, once every participant approved it; `DisclosureError` before that."""
    if record.feedback is None:
        raise DisclosureError(
            Problem(Code.FEEDBACK_NOT_APPROVED, f"consultation {record.id} has no feedback note to release")
        )
    waiting = missing_approvals(record)
    if waiting:
        raise DisclosureError(
            Problem(
                Code.FEEDBACK_NOT_APPROVED,
                f"the feedback note of {record.id} is not approved by {', '.join(waiting)}; "
                "it is released only when every participating agency has approved it",
            )
        )
    by_id = {i.id: i for i in record.items}
    return [by_id[i] for i in record.feedback.items]


@dataclass(frozen=True)
class SeenItem:
    """An item as one agency may see it: `text` is None when it is withheld from that agency."""

    id: str
    by: str
    secret: bool
    text: str | None


def items_seen_by(record: Consultation, agency: str) -> list[SeenItem]:
    """The items of the record as a participating agency may see them after the table; [] for any other agency.

    An item covered by professional secrecy stays with the agency that brought
    it: the others see that it exists (its id and who brought it), never its text.
    """
    if agency not in record.participants:
        return []
    return [SeenItem(i.id, i.by, i.secret, None if i.secret and i.by != agency else i.text) for i in record.items]


def note_released_to(record: Consultation, agency: str) -> list[Item] | None:
    """The items of the released feedback note when `agency` is a participant or its addressee, else None.

    None as well while some participant has not approved it (the addressee
    cannot tell a note awaiting approval from no note at all).
    """
    note = record.feedback
    if note is None or missing_approvals(record) or agency not in (*record.participants, note.to):
        return None
    return releasable_note(record)


def _copied(secret: str, summary: str) -> bool:
    """Whether a stretch of `COPIED_LENGTH` characters of the secret text occurs in the summary."""
    words = " ".join(secret.split()).casefold()
    text = " ".join(summary.split()).casefold()
    if len(words) <= COPIED_LENGTH:
        return words in text
    return any(words[i : i + COPIED_LENGTH] in text for i in range(0, len(words) - COPIED_LENGTH + 1, 4))
