"""Status updates on a final assessment without reopening it: the service rule (only the delivery of a step may
change, each update a new revision in the chain), the JSON API route and its errors."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, PASSWORD, VERSION, People, TestClient, completed

from spj.api import create_app
from spj.errors import AssessmentError
from spj.service import InstrumentRegistry, InvalidContentError, SaveConflictError, StateError, Workspace
from spj.service.errors import FinalChangedError
from spj.store import LockedError, MemoryStore, NotFoundError

API = "/api/v1"


def _final(workspace: Workspace, people: People, example: dict[str, Any]) -> tuple[str, list[str]]:
    """A final assessment whose plan accepts every proposed step but the last, which it declines."""
    view = workspace.create(people.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    content = completed(view, example)
    steps = list(content["plan"]["decisions"])
    content["plan"]["decisions"][steps[-1]] = {"decision": "decline", "reason": "Not now; revisit at review."}
    final = workspace.finalise(people.alice, view.id, 1, content)
    return final.id, steps


def test_a_status_update_is_a_new_final_revision_changing_only_that_step(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    assessment_id, steps = _final(workspace, people, example)
    before = workspace.get(people.alice, assessment_id)
    view = workspace.update_status(
        people.rita, assessment_id, before.head, steps[0], {"status": "referred", "started_on": "2027-02-01"}
    )
    assert view.final and view.head == before.head + 1 and view.revision.author_id == people.rita.id
    assert view.content["plan"]["decisions"][steps[0]]["status"] == "referred"
    expected = copy.deepcopy(before.content)
    expected["plan"]["decisions"][steps[0]] |= {"status": "referred", "started_on": "2027-02-01"}
    assert view.content == expected
    agreed = workspace.evaluate(people.alice, assessment_id).agreed_plan
    assert agreed is not None and next(s for s in agreed.steps if s.id == steps[0]).status == "referred"
    revisions = workspace.history(people.alice, assessment_id)
    assert [r.status for r in revisions][-2:] == ["final", "final"]
    assert revisions[-1].previous_chain_sha256 == revisions[-2].chain_sha256
    assert workspace.store.verify() == []
    # only the fields given change: the start date stays when the step is completed later
    view = workspace.update_status(people.alice, assessment_id, view.head, steps[0], {"status": "completed"})
    assert view.content["plan"]["decisions"][steps[0]] == {
        **before.content["plan"]["decisions"][steps[0]],
        "status": "completed",
        "started_on": "2027-02-01",
    }


def test_nothing_else_of_a_final_changes_that_way(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    assessment_id, steps = _final(workspace, people, example)
    view = workspace.get(people.alice, assessment_id)
    for change, path in (
        (lambda c: c.update(formulation="Rewritten after the fact."), ("formulation",)),
        (lambda c: c["plan"]["decisions"][steps[0]].update(decision="decline", reason="x"), ("plan", "decisions")),
        (lambda c: c["plan"].update(review_date="2030-01-01"), ("plan", "review_date")),
        (lambda c: c["judgements"].clear(), ("judgements",)),
    ):
        content = copy.deepcopy(view.content)
        change(content)
        content["plan"]["decisions"][steps[0]]["status"] = "running"
        with pytest.raises(FinalChangedError) as caught:
            workspace.update_delivery(people.alice, assessment_id, view.head, content)
        assert caught.value.codes[0] == "locked"
        assert caught.value.problems[0].location.path[: len(path)] == path
    assert isinstance(FinalChangedError(assessment_id, [("formulation",)]), LockedError)
    assert workspace.get(people.alice, assessment_id).head == view.head  # nothing written
    assert workspace.update_delivery(people.alice, assessment_id, view.head, copy.deepcopy(view.content)).head == (
        view.head + 1
    )  # a status update that changes nothing is still a revision: someone confirmed where delivery stands


@pytest.mark.parametrize(
    ("step", "delivery", "error", "code"),
    [
        ("no_such_step", {"status": "running"}, AssessmentError, "unknown-intervention"),
        ("<declined>", {"status": "running"}, AssessmentError, "unknown-intervention"),
        ("<first>", {"status": "stopped"}, InvalidContentError, "decision-needs-reason"),
        ("<first>", {"status": "finished"}, InvalidContentError, "schema"),
        ("<first>", {"started_on": "last week"}, InvalidContentError, "schema"),
    ],
    ids=["unknown-step", "declined-step", "stopped-without-reason", "unknown-status", "bad-date"],
)
def test_a_bad_status_update_is_refused_with_its_code_and_nothing_is_written(
    workspace: Workspace,
    people: People,
    example: dict[str, Any],
    step: str,
    delivery: dict[str, Any],
    error: type[Exception],
    code: str,
) -> None:
    assessment_id, steps = _final(workspace, people, example)
    head = workspace.get(people.alice, assessment_id).head
    step_id = {"<first>": steps[0], "<declined>": steps[-1]}.get(step, step)
    with pytest.raises(error) as caught:
        workspace.update_status(people.alice, assessment_id, head, step_id, delivery)
    assert code in caught.value.codes  # type: ignore[attr-defined]
    assert workspace.get(people.alice, assessment_id).head == head


def test_a_status_update_needs_a_final_the_agency_made_and_the_current_revision(
    workspace: Workspace, people: People, example: dict[str, Any]
) -> None:
    assessment_id, steps = _final(workspace, people, example)
    head = workspace.get(people.alice, assessment_id).head
    with pytest.raises(NotFoundError):  # another agency: as if there were no such assessment
        workspace.update_status(people.bob, assessment_id, head, steps[0], {"status": "running"})
    draft = workspace.create(people.alice, "CASE-2", INSTRUMENT_ID, VERSION)
    with pytest.raises(StateError):
        workspace.update_status(people.alice, draft.id, 1, steps[0], {"status": "running"})
    workspace.update_status(people.alice, assessment_id, head, steps[0], {"status": "referred"})
    with pytest.raises(SaveConflictError):
        workspace.update_status(people.rita, assessment_id, head, steps[0], {"status": "running"})


# ---- the JSON API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(registry: InstrumentRegistry) -> Iterator[tuple[TestClient, Workspace]]:
    app = create_app(MemoryStore(), instruments=registry, hasher=FAST_HASHER, web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app.state.workspace


def test_the_status_route(api: tuple[TestClient, Workspace], example: dict[str, Any]) -> None:
    client, workspace = api
    workspace.store.create_agency("agency-a", "A")
    workspace.store.create_agency("agency-b", "B")
    alice = workspace.create_user(username="alice", password=PASSWORD, role="assessor", agency_id="agency-a")
    bob = workspace.create_user(username="bob", password=PASSWORD, role="assessor", agency_id="agency-b")
    headers = {"Authorization": f"Bearer {workspace.create_token(alice)[1]}"}
    theirs = {"Authorization": f"Bearer {workspace.create_token(bob)[1]}"}
    view = workspace.create(alice, "CASE-1", INSTRUMENT_ID, VERSION)
    final = workspace.finalise(alice, view.id, 1, completed(view, example))
    step = next(iter(final.content["plan"]["decisions"]))
    url = f"{API}/assessments/{final.id}/status"

    ok = client.post(url, json={"base_revision": 2, "step": step, "status": "referred"}, headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == '"3"' and ok.json()["status"] == "final"
    assert ok.json()["content"]["plan"]["decisions"][step]["status"] == "referred"

    stale = client.post(url, json={"step": step, "status": "running"}, headers={**headers, "If-Match": '"2"'})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "conflict"
    unknown = client.post(url, json={"base_revision": 3, "step": "nope", "status": "running"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown-intervention"
    assert unknown.json()["error"]["problems"][0]["path"] == "step"
    no_reason = client.post(url, json={"base_revision": 3, "step": step, "status": "stopped"}, headers=headers)
    assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "decision-needs-reason"
    bad_status = client.post(url, json={"base_revision": 3, "step": step, "status": "done"}, headers=headers)
    assert bad_status.status_code == 422 and bad_status.json()["error"]["problems"][0]["path"] == "body.status"
    other = client.post(url, json={"base_revision": 3, "step": step, "status": "running"}, headers=theirs)
    assert other.status_code == 404 and other.json()["error"]["code"] == "not-found"
    assert client.get(f"{API}/assessments/{final.id}", headers=headers).json()["revision"] == 3
    draft = workspace.create(alice, "CASE-2", INSTRUMENT_ID, VERSION)
    on_draft = client.post(
        f"{API}/assessments/{draft.id}/status",
        json={"base_revision": 1, "step": step, "status": "running"},
        headers=headers,
    )
    assert on_draft.status_code == 409 and on_draft.json()["error"]["code"] == "not-final"
