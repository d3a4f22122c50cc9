"""`list_assessments` with an `AssessmentFilter` (issue 12, point 1), on every store: status, time, position, limit.

Always scoped to one agency. Synthetic data only.
"""

from __future__ import annotations

import datetime as dt

from spj.store import AssessmentFilter, MemoryStore, SqlStore

Store = MemoryStore | SqlStore
CONTENT = {"format": "spj-assessment/1", "ratings": {}}


def _seed(store: Store, count: int) -> list[str]:
    for agency in ("north", "south"):
        store.create_agency(agency, f"Agency {agency}")
        store.create_case(agency, "case-1", actor="u-1")
    ids = []
    for n in range(count):
        for agency in ("north", "south"):
            store.create_assessment(
                agency,
                assessment_id=f"as-{agency}-{n}",
                case_id="case-1",
                instrument_id="example",
                instrument_version="1.0.0",
                content=CONTENT,
                actor="u-1",
            )
        ids.append(f"as-north-{n}")
    return ids


def test_pages_by_position_and_limit(store: Store) -> None:
    ids = _seed(store, 5)
    first = store.list_assessments("north", where=AssessmentFilter(limit=2))
    assert [a.id for a in first] == ids[:2]
    last = first[-1]
    rest = store.list_assessments("north", where=AssessmentFilter(after=(last.created_at, last.id)))
    assert [a.id for a in rest] == ids[2:]


def test_status_and_updated_since(store: Store) -> None:
    ids = _seed(store, 3)
    mark = store.get_assessment("north", ids[-1]).updated_at + dt.timedelta(microseconds=1)
    store.finalise("north", ids[0], base=1, content=CONTENT, actor="u-1")
    assert [a.id for a in store.list_assessments("north", where=AssessmentFilter(status="final"))] == [ids[0]]
    assert [a.id for a in store.list_assessments("north", where=AssessmentFilter(status="draft"))] == ids[1:]
    assert [a.id for a in store.list_assessments("north", where=AssessmentFilter(updated_since=mark))] == [ids[0]]
    assert store.list_assessments("south", where=AssessmentFilter(status="final")) == []
