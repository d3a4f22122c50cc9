"""What the service returns: plain values for the JSON API and the pages alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spj.assessment import Assessment
from spj.errors import Problem
from spj.instrument import Instrument
from spj.store.interface import AssessmentRecord, Revision


@dataclass(frozen=True)
class AssessmentView:
    """An assessment as one user sees it: its record, its head revision and content, and whether it is valid.

    `assessment` is the validated model when the content is valid for its
    instrument (as a draft or final, as its status says), else None and
    `problems` says why, each problem with its field path.
    """

    record: AssessmentRecord
    revision: Revision
    instrument: Instrument
    assessment: Assessment | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def head(self) -> int:
        """The head revision number: what the next save states as its base."""
        return self.revision.number

    @property
    def content(self) -> dict[str, Any]:
        """The assessment document (format spj-assessment/2; a revision saved before version 2: /1) as JSON data."""
        return self.revision.content

    @property
    def final(self) -> bool:
        return self.record.status == "final"
