"""Programme evaluation in the workspace: the agency's final assessments only, latest per case, small cells
suppressed, staff only. On every store (memory, SQLite, PostgreSQL when configured). Synthetic data only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, PASSWORD, VERSION, completed, partial
from databases import STORE_KINDS, database_url

from spj.service import ForbiddenError, InstrumentRegistry, Workspace
from spj.store import MemoryStore, SqlStore, User


@pytest.fixture(params=STORE_KINDS)
def any_workspace(request: pytest.FixtureRequest, registry: InstrumentRegistry) -> Iterator[Workspace]:
    if request.param == "memory":
        yield Workspace(MemoryStore(), registry, hasher=FAST_HASHER)
        return
    sql = SqlStore(database_url(request.param, request))
    try:
        yield Workspace(sql, registry, hasher=FAST_HASHER)
    finally:
        sql.close()


def staff(workspace: Workspace) -> tuple[User, User]:
    """An assessor in agency A and one in agency B."""
    workspace.store.create_agency("agency-a", "House of Justice A")
    workspace.store.create_agency("agency-b", "House of Justice B")
    return tuple(  # type: ignore[return-value]
        workspace.create_user(username=name, password=PASSWORD, role="assessor", agency_id=agency)
        for name, agency in (("alice", "agency-a"), ("bob", "agency-b"))
    )


def finals(workspace: Workspace, user: User, example: dict[str, Any], cases: int, prefix: str = "CASE-") -> list[str]:
    """One final assessment (every proposed step accepted) for each of `cases` cases."""
    ids = []
    for n in range(cases):
        view = workspace.create(user, f"{prefix}{n:04d}", INSTRUMENT_ID, VERSION)
        workspace.finalise(user, view.id, view.head, completed(view, example))
        ids.append(view.id)
    return ids


def agreed(workspace: Workspace, user: User) -> dict[str, int | None]:
    [section] = workspace.programme_figures(user)
    assert (section.instrument.id, section.instrument.version) == (INSTRUMENT_ID, VERSION)
    return {f.id: f.counts["agreed"] for f in section.figures}


def test_figures_count_the_agencys_finals_only(any_workspace: Workspace, example: dict[str, Any]) -> None:
    alice, bob = staff(any_workspace)
    finals(any_workspace, alice, example, 5)
    finals(any_workspace, bob, example, 3, prefix="B-")  # another agency's cases never count
    draft = any_workspace.create(alice, "CASE-DRAFT", INSTRUMENT_ID, VERSION)
    any_workspace.save(alice, draft.id, draft.head, partial(draft, example))  # nor do drafts
    counts = agreed(any_workspace, alice)
    assert counts and set(counts.values()) == {5}
    assert set(agreed(any_workspace, bob).values()) == {None}  # 3 cases: suppressed as <5


def test_no_final_assessment_no_section(any_workspace: Workspace, example: dict[str, Any]) -> None:
    alice, _ = staff(any_workspace)
    view = any_workspace.create(alice, "CASE-0001", INSTRUMENT_ID, VERSION)
    any_workspace.save(alice, view.id, view.head, partial(view, example))
    assert any_workspace.programme_figures(alice) == []


def test_an_amended_final_counts_once(workspace: Workspace, example: dict[str, Any]) -> None:
    alice, _ = staff(workspace)
    ids = finals(workspace, alice, example, 5)
    amendment = workspace.amend(alice, ids[0])
    workspace.finalise(alice, amendment.id, amendment.head, amendment.content)
    assert set(agreed(workspace, alice).values()) == {5}


def test_a_partner_is_refused(workspace: Workspace) -> None:
    workspace.store.create_agency("care", "Care (synthetic)")
    carla = workspace.create_user(username="carla", password=PASSWORD, role="partner", agency_id="care")
    with pytest.raises(ForbiddenError):
        workspace.programme_figures(carla)
