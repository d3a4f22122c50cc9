"""Caseload and capacity in the workspace: `spj stats capacity` over one agency's assessments in the store.

Every assessment of the agency counts, drafts too (a draft is an open case),
except a final that a later final amends. A draft whose content is not valid
yet still counts as an open case: its date, case fields and assessor are read
from its content as far as they are there. Certified experts come from the
certification register (`spj.authoring.certification`); partners' places per
week and the caseload per expert from the deployment (DESIGN 4.7). Nothing
returned names a case or an expert.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spj.authoring.certification import read_register
from spj.disclosure.planning import planning_inputs
from spj.evaluation.caseload import Entry, case_facts, caseload, entry_of
from spj.evaluation.caseload_model import CaseloadFigures
from spj.service.double_rating import second_rating_ids
from spj.store.interface import AssessmentRecord

if TYPE_CHECKING:
    from spj.service.workspace import Workspace


def capacity_of(workspace: Workspace, agency_id: str, *, as_of: dt.date, register: Path) -> CaseloadFigures:
    """The figures of one agency on `as_of` (who may see them is `Workspace`'s to say); `TooFewCasesError` below 5."""
    seconds = second_rating_ids(workspace.store, agency_id)  # a double rating's second rating is no case of its own
    records = current([r for r in workspace.store.list_assessments(agency_id) if r.id not in seconds])
    entries = []
    for record in records:
        view = workspace.head_of(record)
        if view.assessment is not None:
            entries.append(entry_of(view.assessment, workspace.evaluation_of(view)))
        elif record.status == "draft":
            entries.append(_raw_entry(record, view.content))
    instruments = {r.instrument_id for r in records}
    certified = {c.expert for c in read_register(register) if c.instrument in instruments}
    capacity, per_expert = planning_inputs(workspace.deployment)
    return caseload(
        case_facts(entries, as_of=as_of),
        as_of=as_of,
        certified=certified,
        capacity=capacity,
        caseload_per_expert=per_expert,
    )


def current(records: list[AssessmentRecord]) -> list[AssessmentRecord]:
    """Drafts and the finals no later final amends."""
    amended = {r.amends_id for r in records if r.status == "final" and r.amends_id is not None}
    return [r for r in records if r.id not in amended]


def _raw_entry(record: AssessmentRecord, content: dict[str, Any]) -> Entry:
    """An invalid draft, read as far as its content allows (an open case without a plan)."""
    case = _mapping(content.get("case"))
    fields = _mapping(case.get("fields"))
    assessor = _mapping(content.get("assessor"))
    try:
        date = dt.date.fromisoformat(str(content.get("date")))
    except ValueError:
        date = record.created_at.date()
    return Entry(
        case=record.case_id,
        id=record.id,
        date=date,
        status="draft",
        fields=fields,
        expert=str(assessor.get("id") or record.created_by),
        steps=(),
    )


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
