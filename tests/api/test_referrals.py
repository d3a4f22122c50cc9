"""Partners in the service: a referral exists while the current final assessment of a case refers an agreed step to
the partner; a partner sees its referrals and, per referral, the extract its profile allows (logged first), and
nothing else: another case or assessment is exactly a missing one."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, PASSWORD, VERSION, completed

from spj.disclosure import parse_deployment
from spj.errors import StoreError
from spj.service import ForbiddenError, InstrumentRegistry, Workspace
from spj.service.referrals import REFERRED, referral_id
from spj.store import MemoryStore, NotFoundError, User

DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: hoj-a, kind: probation, title: {en: House of justice A (synthetic)}}
  - {id: hoj-b, kind: probation}
  - {id: care-a, kind: care, title: {en: Care centre (synthetic)}}
  - {id: school-a, kind: education}
profiles:
  care:
    basis: {en: Consent of the client}
    sees: [case, plan.own, ratings.mental_health]
"""


@dataclass
class Partners:
    workspace: Workspace
    alice: User  # assessor at hoj-a
    bob: User  # assessor at hoj-b
    carla: User  # partner at care-a
    sam: User  # partner at school-a (kind without a profile)


@pytest.fixture
def partners(registry: InstrumentRegistry) -> Partners:
    workspace = Workspace(MemoryStore(), registry, hasher=FAST_HASHER, deployment=parse_deployment(DEPLOYMENT))
    for agency in ("hoj-a", "hoj-b", "care-a", "school-a"):
        workspace.store.create_agency(agency, agency)

    def user(name: str, role: Any, agency: str) -> User:
        return workspace.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)

    return Partners(
        workspace,
        user("alice", "assessor", "hoj-a"),
        user("bob", "assessor", "hoj-b"),
        user("carla", "partner", "care-a"),
        user("sam", "partner", "school-a"),
    )


def _final(p: Partners, example: dict[str, Any], *, case: str = "CASE-1", status: str = "proposed") -> tuple[str, str]:
    """A final assessment whose first agreed step is delivered by care-a (with `status`); (assessment id, step)."""
    view = p.workspace.create(p.alice, case, INSTRUMENT_ID, VERSION)
    content = completed(view, example)
    step = next(iter(content["plan"]["decisions"]))
    content["plan"]["decisions"][step] |= {"partner": {"agency": "care-a", "contact": "intake"}, "status": status}
    final = p.workspace.finalise(p.alice, view.id, 1, content)
    return final.id, step


def _refer(p: Partners, assessment_id: str, step: str, status: str = "referred") -> None:
    head = p.workspace.get(p.alice, assessment_id).head
    reason = "Moved to another town." if status == "stopped" else None
    p.workspace.update_status(p.alice, assessment_id, head, step, {"status": status, "status_reason": reason})


def test_a_step_referred_to_a_partner_is_a_referral_for_that_partner(p: Partners, example: dict[str, Any]) -> None:
    assessment_id, step = _final(p, example)
    assert p.workspace.referrals.for_partner(p.carla) == []  # proposed, not referred yet
    _refer(p, assessment_id, step)
    (referral,) = p.workspace.referrals.for_partner(p.carla)
    assert referral.id == referral_id("hoj-a", "CASE-1", INSTRUMENT_ID, step, "care-a")
    assert (referral.agency_id, referral.case_id, referral.assessment_id) == ("hoj-a", "CASE-1", assessment_id)
    assert referral.step.id == step and referral.step.partner == "care-a" and referral.step.contact == "intake"
    assert p.workspace.referrals.for_partner(p.sam) == []
    assert p.workspace.referrals.get(p.carla, referral.id) == referral
    for status in sorted(REFERRED):
        _refer(p, assessment_id, step, status)
        assert [r.id for r in p.workspace.referrals.for_partner(p.carla)] == [referral.id], status


def test_a_referral_follows_the_current_final_assessment_of_the_case(p: Partners, example: dict[str, Any]) -> None:
    assessment_id, step = _final(p, example, status="referred")
    (referral,) = p.workspace.referrals.for_partner(p.carla)
    # a reassessment carries the plan: while it is a draft the referral stays with the final one
    again = p.workspace.reassess(p.alice, assessment_id)
    assert [r.assessment_id for r in p.workspace.referrals.for_partner(p.carla)] == [assessment_id]
    content = copy.deepcopy(again.content)
    content["plan"]["review_date"] = "2028-01-01"
    content["judgements"] = copy.deepcopy(example["judgements"])  # made anew
    final = p.workspace.finalise(p.alice, again.id, again.head, content)
    (moved,) = p.workspace.referrals.for_partner(p.carla)
    assert moved.id == referral.id and moved.assessment_id == final.id  # the same referral, from the newer plan
    # the newer assessment gives the step to someone else: the partner's referral is withdrawn at once
    amendment = p.workspace.amend(p.alice, final.id)
    content = copy.deepcopy(amendment.content)
    content["plan"]["decisions"][step]["partner"] = {"agency": "hoj-a"}
    p.workspace.finalise(p.alice, amendment.id, amendment.head, content)
    assert p.workspace.referrals.for_partner(p.carla) == []
    with pytest.raises(NotFoundError):
        p.workspace.referrals.get(p.carla, referral.id)


def test_the_assessing_agency_delivering_a_step_itself_is_no_referral(p: Partners, example: dict[str, Any]) -> None:
    view = p.workspace.create(p.alice, "CASE-1", INSTRUMENT_ID, VERSION)
    content = completed(view, example)
    step = next(iter(content["plan"]["decisions"]))
    content["plan"]["decisions"][step] |= {"partner": {"agency": "hoj-a"}, "status": "running"}
    p.workspace.finalise(p.alice, view.id, 1, content)
    assert p.workspace.referrals.for_partner(p.alice) == []


def test_the_extract_is_what_the_profile_allows_and_is_logged_before_it_is_given(
    p: Partners, example: dict[str, Any]
) -> None:
    assessment_id, step = _final(p, example, status="referred")
    (referral,) = p.workspace.referrals.for_partner(p.carla)
    content, extract = p.workspace.referrals.extract(p.carla, referral.id, format="md", channel="api")
    assert isinstance(content, str) and "CASE-1" in content
    assert extract.sections == ("case", "ratings.mental_health", "plan.own")
    assert extract.formulation is None and extract.judgements is None and extract.flags is None
    assert extract.plan is not None and [s.id for s in extract.plan] == [step]  # its own step only
    (entry,) = p.workspace.store.disclosures.entries(case="CASE-1")
    assert (entry["by"], entry["agency"], entry["from_agency"], entry["assessment"]) == (
        "carla",
        "care-a",
        "hoj-a",
        assessment_id,
    )
    assert entry["sections"] == list(extract.sections) and entry["basis"] == "Consent of the client"
    assert entry["channel"] == "api" and p.workspace.store.disclosures.verify() == []


def test_an_extract_whose_log_entry_cannot_be_written_is_refused(
    p: Partners, example: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _final(p, example, status="referred")
    (referral,) = p.workspace.referrals.for_partner(p.carla)

    def full_disk(*args: Any) -> Any:
        raise StoreError("the database failed (disk full)")

    monkeypatch.setattr(p.workspace.store.disclosures, "append", full_disk)
    with pytest.raises(StoreError):
        p.workspace.referrals.extract(p.carla, referral.id, format="html", channel="web")


def test_a_partner_sees_nothing_else(p: Partners, example: dict[str, Any]) -> None:
    assessment_id, step = _final(p, example, status="referred")
    other_id, _ = _final(p, example, case="CASE-2")  # not referred to anyone
    (referral,) = p.workspace.referrals.for_partner(p.carla)
    ws, carla = p.workspace, p.carla
    calls = (
        lambda target: ws.get(carla, target),
        lambda target: ws.read(carla, target),
        lambda target: ws.save(carla, target, 1, {}),
        lambda target: ws.finalise(carla, target, 1, {}),
        lambda target: ws.preview(carla, target, {}),
        lambda target: ws.evaluate(carla, target),
        lambda target: ws.report(carla, target, "md"),
        lambda target: ws.history(carla, target),
        lambda target: ws.reassess(carla, target),
        lambda target: ws.amend(carla, target),
        lambda target: ws.countersign(carla, target),
        lambda target: ws.update_status(carla, target, 3, step, {"status": "running"}),
        lambda target: ws.changes(carla, target),
    )
    for target in (assessment_id, other_id, "A-missing"):
        for call in calls:
            with pytest.raises(NotFoundError):
                call(target)
    for case in ("CASE-1", "CASE-2", "CASE-missing"):
        with pytest.raises(NotFoundError):
            ws.get_case(carla, case)
        with pytest.raises(NotFoundError):
            ws.list_assessments(carla, case)
    for call in (lambda: ws.list_cases(carla), lambda: ws.list_assessments(carla)):
        with pytest.raises(ForbiddenError):
            call()
    with pytest.raises(ForbiddenError):
        ws.create(carla, "CASE-9", INSTRUMENT_ID, VERSION)
    for who in (p.sam, p.bob, p.alice):  # another partner, another house of justice, the assessor itself
        with pytest.raises(NotFoundError):
            ws.referrals.get(who, referral.id)
        with pytest.raises(NotFoundError):
            ws.referrals.extract(who, referral.id, format="md", channel="api")
    with pytest.raises(NotFoundError):
        ws.referrals.get(carla, "R-" + "0" * 32)
    assert ws.store.disclosures.count() == 0  # nothing was shown


def test_without_a_deployment_there_are_no_partners(registry: InstrumentRegistry, example: dict[str, Any]) -> None:
    workspace = Workspace(MemoryStore(), registry, hasher=FAST_HASHER)
    for agency in ("hoj-a", "care-a"):
        workspace.store.create_agency(agency, agency)
    alice = workspace.create_user(username="alice", password=PASSWORD, role="assessor", agency_id="hoj-a")
    carla = workspace.create_user(username="carla", password=PASSWORD, role="partner", agency_id="care-a")
    view = workspace.create(alice, "CASE-1", INSTRUMENT_ID, VERSION)
    content = completed(view, example)
    step = next(iter(content["plan"]["decisions"]))
    content["plan"]["decisions"][step] |= {"partner": {"agency": "care-a"}, "status": "referred"}
    workspace.finalise(alice, view.id, 1, content)
    assert workspace.referrals.for_partner(carla) == []


@pytest.fixture
def p(partners: Partners) -> Partners:
    return partners
