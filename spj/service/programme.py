"""Programme evaluation in the workspace: the figures per intervention over one agency's final assessments.

What `spj stats interventions` computes from files (`spj.evaluation.programme`),
computed here from the store, for the signed-in user's own agency only, one
section per instrument and version (an intervention's id means something only
within its instrument). Drafts never count: a draft's plan is not agreed yet.
A final assessment that a later final amends is replaced by the amendment; of
each case the latest remaining assessment counts (`latest_per_case`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spj.evaluation.programme import InterventionFigures, intervention_figures
from spj.instrument import Instrument
from spj.service.double_rating import second_rating_ids, visible
from spj.store.interface import AssessmentRecord, User

if TYPE_CHECKING:
    from spj.service.workspace import Workspace


@dataclass(frozen=True)
class ProgrammeSection:
    """The figures of one instrument and version across the agency's cases; names no case."""

    instrument: Instrument
    figures: list[InterventionFigures]


def sections_of(workspace: Workspace, agency_id: str, *, viewer: User | None = None) -> list[ProgrammeSection]:
    """The sections of one agency, by instrument id and version (who may see them is `Workspace`'s to say).

    A double rating's second rating is no case of its own; for `viewer`, a case an open double rating hides
    from them (they are its second rater) does not count either.
    """
    groups: dict[tuple[str, str], list[AssessmentRecord]] = {}
    seconds = second_rating_ids(workspace.store, agency_id)
    records = [r for r in workspace.store.list_assessments(agency_id) if r.id not in seconds]
    if viewer is not None:
        records = visible(workspace.store, viewer, records)
    for record in counted(records):
        groups.setdefault((record.instrument_id, record.instrument_version), []).append(record)
    sections = []
    for (instrument_id, version), records in sorted(groups.items()):
        pairs = []
        for record in records:
            view = workspace.head_of(record)
            if view.assessment is not None:  # a final was valid when it was locked; an instrument change may not be
                pairs.append((view.assessment, workspace.evaluation_of(view)))
        sections.append(ProgrammeSection(workspace.get_instrument(instrument_id, version), intervention_figures(pairs)))
    return sections


def counted(records: Iterable[AssessmentRecord]) -> list[AssessmentRecord]:
    """The final assessments that count: not drafts, and not a final that a later final amends."""
    finals = [r for r in records if r.status == "final"]
    amended = {r.amends_id for r in finals if r.amends_id is not None}
    return [r for r in finals if r.id not in amended]
