"""Provenance: who made an assessment, when, and what it follows — set by the server, never by the client.

The fields below are owned by the service: their values come from the
authenticated account that created the assessment and from the store, never
from a request body.

======================  ==========================================================
``assessor.id``         the account that created the assessment (`created_by`)
``assessor.agency``     the agency the assessment belongs to
``assessor.name``       that account's display name
``previous``            the assessment this one reassesses (`previous_id`), or none
``amends``              the final assessment this one corrects (`amends_id`), or none
======================  ==========================================================

A body may leave them out, or send them back as it read them (the stored
head's values, so that a client that echoes what it got is never refused);
anything else is refused, one `invalid-request` problem at each field, and
the saved content always carries the server's values. The times of the
record (created, updated, finalised, countersigned) and of each revision are
the store's and are not part of the content at all. The content's `date` is
the expert's: the day the assessment was made, which anchors the agreed
plan's weeks (it may precede the day it was typed in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spj.assessment import Assessment
from spj.assessment.model import Assessor
from spj.errors import AssessmentError, Code, Location, Problem, format_path
from spj.store.interface import AssessmentRecord, User

ASSESSOR_FIELDS = ("id", "agency", "name")


@dataclass(frozen=True)
class Provenance:
    """The server's values of the provenance fields of one assessment (see the module's table)."""

    assessor: dict[str, str]
    previous: str | None
    amends: str | None

    def fields(self) -> dict[tuple[str, ...], str | None]:
        """Every owned field by its path, with the server's value (None: the field is absent)."""
        out: dict[tuple[str, ...], str | None] = {("assessor", k): self.assessor.get(k) for k in ASSESSOR_FIELDS}
        out.update({("previous",): self.previous, ("amends",): self.amends})
        return out


def provenance_of(record: AssessmentRecord, creator: User | None, head: dict[str, Any]) -> Provenance:
    """The provenance of the assessment of `record`, whose head revision's content is `head`.

    `creator` is the account that created it (None when it no longer exists:
    the name the head recorded for that account is kept).
    """
    assessor = {"id": record.created_by, "agency": record.agency_id}
    stored = _value(head, ("assessor", "name")) if _value(head, ("assessor", "id")) == record.created_by else None
    name = creator.display_name if creator is not None else stored
    if name:
        assessor["name"] = name
    return Provenance(
        assessor=assessor,
        previous=record.previous_id,
        amends=record.amends_id,
    )


def with_provenance(content: dict[str, Any], provenance: Provenance, head: dict[str, Any]) -> dict[str, Any]:
    """`content` with the server's provenance; `AssessmentError` naming every field the body set otherwise.

    A field absent from the body, or equal to the server's value or to the
    head's (what the client read), is accepted.
    """
    problems = _shape_problems(content)
    for path, expected in provenance.fields().items():
        given = _value(content, path)
        if given is None or given == expected or given == _value(head, path):
            continue
        where = format_path(path)
        wanted = f"is {expected!r} for this assessment" if expected is not None else "is not set for this assessment"
        problems.append(
            Problem(
                Code.INVALID_REQUEST,
                f"{where} is set by the server from the account and the records, never from the request: "
                f"it {wanted}; leave it out or send it as you read it",
                Location(path=path),
            )
        )
    if problems:
        raise AssessmentError(problems)
    out = dict(content)
    out["assessor"] = dict(provenance.assessor)
    for key in ("previous", "amends"):
        value = getattr(provenance, key)
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def attested(assessment: Assessment, record: AssessmentRecord, creator: Callable[[], User | None]) -> Assessment:
    """`assessment` as the records attest it: a revision stored before the server set provenance may name
    another assessor or links of its own; what reports and pages show is the record's, never those.

    `creator` looks up the account that created the assessment (its display
    name is shown; the stored one only when the account is gone).
    """
    stored = assessment.assessor
    account = creator()
    name = account.display_name if account is not None else (stored.name if stored.id == record.created_by else None)
    assessor = Assessor(id=record.created_by, agency=record.agency_id, name=name)
    if (assessor, assessment.previous, assessment.amends) == (stored, record.previous_id, record.amends_id):
        return assessment
    return assessment.model_copy(
        update={"assessor": assessor, "previous": record.previous_id, "amends": record.amends_id}
    )


def _shape_problems(content: dict[str, Any]) -> list[Problem]:
    """An `assessor` that is not an object of the known fields is refused, not silently replaced."""
    assessor = content.get("assessor")
    if assessor is None:
        return []
    if not isinstance(assessor, dict):
        return [
            Problem(
                Code.INVALID_REQUEST,
                "assessor must be an object (id, agency, name), and is set by the server: leave it out",
                Location(path=("assessor",)),
            )
        ]
    return [
        Problem(
            Code.INVALID_REQUEST,
            f"assessor has the fields {', '.join(ASSESSOR_FIELDS)} only",
            Location(path=("assessor", key)),
        )
        for key in sorted(k for k in assessor if k not in ASSESSOR_FIELDS)
    ]


def _value(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)  # type: ignore[assignment]
    return data
