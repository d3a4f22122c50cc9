"""The case list a staff member searches: which cases and assessments match a query (text, status, assessor, mine).

Pure selection over what the store returned for the user's agency; the agency check happened before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spj.errors import AssessmentError, Code, Location, Problem
from spj.store.interface import AssessmentRecord, Case

STATUSES = ("draft", "final", "countersigned")


@dataclass(frozen=True)
class CaseQuery:
    """What the user asked for; empty fields do not filter."""

    text: str = ""  # part of the case pseudonym, any case
    status: str = ""  # "draft", "final" or "countersigned"
    assessor: str = ""  # the user id that started the assessment
    mine: bool = False  # only the user's own drafts

    @property
    def filters_assessments(self) -> bool:
        return bool(self.status or self.assessor or self.mine)


def case_query(text: str = "", status: str = "", assessor: str = "", mine: str = "") -> CaseQuery:
    """A query from request parameters; an unknown status is refused with its location."""
    status = status.strip()
    if status and status not in STATUSES:
        raise AssessmentError(
            Problem(Code.INVALID_REQUEST, f"status must be one of {', '.join(STATUSES)}", Location(path=("status",)))
        )
    return CaseQuery(
        text=text.strip()[:100], status=status, assessor=assessor.strip(), mine=mine in ("1", "on", "true")
    )


def canonical_case_id(case_id: str, known: Iterable[Case]) -> str:
    """The id an existing case of the agency already has when `case_id` differs only in case or spaces."""
    wanted = case_id.strip(" \t")  # spaces typed around it; a newline or control character stays and is refused
    folded = wanted.casefold()
    return next((case.id for case in known if case.id.casefold() == folded), wanted)


def matching_cases(
    cases: Sequence[Case], assessments: Sequence[AssessmentRecord], query: CaseQuery, user_id: str
) -> list[tuple[Case, list[AssessmentRecord]]]:
    """The cases that match, each with its matching assessments, most recently worked on first."""
    text = query.text.casefold()
    by_case: dict[str, list[AssessmentRecord]] = {}
    for record in sorted(assessments, key=lambda r: r.updated_at, reverse=True):
        if _record_matches(record, query, user_id):
            by_case.setdefault(record.case_id, []).append(record)
    rows = [
        (case, by_case.get(case.id, []))
        for case in cases
        if text in case.id.casefold() and (case.id in by_case or not query.filters_assessments)
    ]
    rows.sort(key=lambda row: max((r.updated_at for r in row[1]), default=row[0].created_at), reverse=True)
    return rows


def _record_matches(record: AssessmentRecord, query: CaseQuery, user_id: str) -> bool:
    if query.mine and not (record.status == "draft" and record.created_by == user_id):
        return False
    if query.assessor and record.created_by != query.assessor:
        return False
    if query.status == "countersigned":
        return record.countersigned_by is not None
    return not query.status or record.status == query.status


def open_drafts(assessments: Iterable[AssessmentRecord]) -> list[AssessmentRecord]:
    """The drafts among a case's assessments (a second one is started only on purpose)."""
    return [record for record in assessments if record.status == "draft"]
