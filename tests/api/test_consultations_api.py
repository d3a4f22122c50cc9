"""Case consultations through the JSON API: who sees what, the refusals, and the disclosure log.

A participant sees the table's items, except the text of a secret item another agency brought; the
addressee of the feedback note sees the released note only; anyone else finds nothing (404, exactly as
a missing consultation). Each view that shows another agency's text is logged first, per agency.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from conftest import FAST_HASHER, PASSWORD, TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spj.api import create_app
from spj.disclosure import parse_deployment
from spj.disclosure.consultation import Consultation, parse_consultation
from spj.service import InstrumentRegistry, Workspace
from spj.store import MemoryStore

API = "/api/v1"
DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: cell-x, kind: local-cell}
  - {id: probation-y, kind: probation}
  - {id: care-z, kind: care}
  - {id: police-p, kind: security}
  - {id: school-s, kind: education}
profiles:
  care:
    basis: {en: Consent of the client}
    sees: [case, plan.own]
"""
SECRET_TEXT = "The intake confirms sleep problems linked to earlier experiences (synthetic)."
OPEN_TEXT = "Attends the training four days a week (synthetic)."
APPROVALS = "  approvals: [{agency: cell-x}, {agency: probation-y}, {agency: care-z}]\n"


def record(*, approved: bool = True, ident: str = "CC-1") -> Consultation:
    return parse_consultation(
        f"""\
format: spj-consultation/1
id: {ident}
case: CASE-9
date: 2027-04-08
basis: {{en: Case consultation under art. 458ter of the Criminal Code, nl: Casusoverleg art. 458ter Sw.}}
participants: [cell-x, probation-y, care-z]
items:
  - {{id: I1, by: probation-y, text: {OPEN_TEXT}}}
  - {{id: I2, by: care-z, text: {SECRET_TEXT}, secret: true}}
  - {{id: I3, by: cell-x, text: A mentor at the football club is willing to help (synthetic).}}
feedback:
  to: police-p
  items: [I1, I3]
  summary: The trajectory continues as agreed.
"""
        + (APPROVALS if approved else "  approvals: [{agency: cell-x}]\n"),
        deployment=parse_deployment(DEPLOYMENT),
    )


@dataclass
class World:
    client: TestClient
    workspace: Workspace
    headers: dict[str, dict[str, str]]


PEOPLE = (
    ("cora", "assessor", "cell-x"),
    ("piet", "assessor", "probation-y"),
    ("zora", "partner", "care-z"),
    ("paul", "partner", "police-p"),
    ("sam", "partner", "school-s"),
)


def world_of(registry: InstrumentRegistry, records: list[Consultation], *, deployed: bool = True) -> Iterator[World]:
    app = create_app(
        MemoryStore(),
        instruments=registry,
        hasher=FAST_HASHER,
        web=False,
        deployment=parse_deployment(DEPLOYMENT) if deployed else None,
        consultations=records,
    )
    workspace: Workspace = app.state.workspace
    headers = {}
    for name, role, agency in PEOPLE:
        workspace.store.create_agency(agency, agency)
        user = workspace.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)
        headers[name] = {"Authorization": f"Bearer {workspace.create_token(user)[1]}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(client, workspace, headers)


@pytest.fixture
def world(registry: InstrumentRegistry) -> Iterator[World]:
    yield from world_of(registry, [record()])


@pytest.fixture
def waiting(registry: InstrumentRegistry) -> Iterator[World]:
    yield from world_of(registry, [record(approved=False)])


def test_a_participant_sees_the_table_but_not_another_agencys_secret(world: World) -> None:
    response = world.client.get(f"{API}/consultations/CC-1", headers=world.headers["piet"])
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "participant"
    assert body["participants"] == ["cell-x", "probation-y", "care-z"]
    items = {i["id"]: i for i in body["items"]}
    assert items["I1"]["text"] == OPEN_TEXT and not items["I1"]["withheld"]
    assert items["I2"] == {"id": "I2", "by": "care-z", "secret": True, "withheld": True, "text": None}
    assert SECRET_TEXT not in response.text
    assert body["feedback"]["to"] == "police-p"
    assert [i["id"] for i in body["feedback"]["items"]] == ["I1", "I3"]
    assert body["awaiting_approval"] == []


def test_the_agency_that_brought_a_secret_item_sees_its_text(world: World) -> None:
    body = world.client.get(f"{API}/consultations/CC-1", headers=world.headers["zora"]).json()
    assert next(i for i in body["items"] if i["id"] == "I2")["text"] == SECRET_TEXT


def test_a_view_is_logged_once_per_agency_whose_text_it_shows(world: World) -> None:
    world.client.get(f"{API}/consultations/CC-1?lang=nl", headers=world.headers["piet"])
    entries = world.workspace.store.disclosures.entries(case="CASE-9")
    assert [(e["agency"], e["from_agency"], e["sections"]) for e in entries] == [
        ("probation-y", "cell-x", ["consultation.items", "consultation.feedback", "item.I3"]),
    ]
    (entry,) = entries
    assert entry["by"] == "piet" and entry["assessment"] == "CC-1" and entry["channel"] == "api"
    assert entry["basis"] == "Casusoverleg art. 458ter Sw."
    assert world.workspace.store.disclosures.verify() == []


def test_the_bringer_of_the_secret_is_logged_for_the_open_items_only(world: World) -> None:
    world.client.get(f"{API}/consultations/CC-1", headers=world.headers["zora"])
    entries = world.workspace.store.disclosures.entries(case="CASE-9")
    assert {e["from_agency"]: e["sections"] for e in entries} == {
        "cell-x": ["consultation.items", "consultation.feedback", "item.I3"],
        "probation-y": ["consultation.items", "consultation.feedback", "item.I1"],
    }
    assert all("item.I2" not in e["sections"] for e in entries)


def test_the_addressee_sees_the_released_note_only(world: World) -> None:
    response = world.client.get(f"{API}/consultations/CC-1", headers=world.headers["paul"])
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "addressee"
    assert body["items"] == [] and body["participants"] == [] and body["awaiting_approval"] == []
    assert [i["id"] for i in body["feedback"]["items"]] == ["I1", "I3"]
    assert body["feedback"]["summary"] == "The trajectory continues as agreed."
    assert SECRET_TEXT not in response.text and "I2" not in response.text
    entries = world.workspace.store.disclosures.entries(case="CASE-9")
    assert [(e["agency"], e["from_agency"], e["sections"]) for e in entries] == [
        ("police-p", "cell-x", ["consultation.feedback", "item.I3"]),  # in the order of the participants
        ("police-p", "probation-y", ["consultation.feedback", "item.I1"]),
    ]


def test_an_unapproved_note_does_not_exist_for_its_addressee(waiting: World) -> None:
    missing = waiting.client.get(f"{API}/consultations/CC-404", headers=waiting.headers["paul"])
    refused = waiting.client.get(f"{API}/consultations/CC-1", headers=waiting.headers["paul"])
    assert refused.status_code == missing.status_code == 404
    assert refused.json()["error"]["code"] == missing.json()["error"]["code"] == "not-found"
    assert "CC-1" not in refused.text.replace("consultation CC-1", "")
    assert waiting.client.get(f"{API}/consultations", headers=waiting.headers["paul"]).json() == []
    assert waiting.workspace.store.disclosures.count() == 0


def test_participants_see_whose_approval_the_note_awaits_and_no_note(waiting: World) -> None:
    body = waiting.client.get(f"{API}/consultations/CC-1", headers=waiting.headers["cora"]).json()
    assert body["feedback"] is None
    assert body["awaiting_approval"] == ["probation-y", "care-z"]


def test_another_agency_finds_nothing_exactly_as_a_missing_consultation(world: World) -> None:
    missing = world.client.get(f"{API}/consultations/CC-404", headers=world.headers["sam"])
    refused = world.client.get(f"{API}/consultations/CC-1", headers=world.headers["sam"])
    assert refused.status_code == missing.status_code == 404
    assert refused.json()["error"]["code"] == missing.json()["error"]["code"]
    assert OPEN_TEXT not in refused.text and SECRET_TEXT not in refused.text
    assert world.client.get(f"{API}/consultations", headers=world.headers["sam"]).json() == []
    assert world.workspace.store.disclosures.count() == 0


def test_the_list_gives_each_agency_its_role_and_nothing_of_the_items(world: World) -> None:
    roles = {
        name: [(c["id"], c["role"]) for c in world.client.get(f"{API}/consultations", headers=h).json()]
        for name, h in world.headers.items()
    }
    assert roles == {
        "cora": [("CC-1", "participant")],
        "piet": [("CC-1", "participant")],
        "zora": [("CC-1", "participant")],
        "paul": [("CC-1", "addressee")],
        "sam": [],
    }
    listing = world.client.get(f"{API}/consultations", headers=world.headers["paul"])
    assert listing.json()[0]["participants"] == [] and OPEN_TEXT not in listing.text
    assert world.workspace.store.disclosures.count() == 0


def test_without_a_token_it_is_401(world: World) -> None:
    assert world.client.get(f"{API}/consultations").status_code == 401
    assert world.client.get(f"{API}/consultations/CC-1").status_code == 401


def test_without_a_deployment_nobody_sees_a_consultation(registry: InstrumentRegistry) -> None:
    (bare,) = world_of(registry, [record()], deployed=False)
    assert bare.client.get(f"{API}/consultations/CC-1", headers=bare.headers["cora"]).status_code == 404
    assert bare.client.get(f"{API}/consultations", headers=bare.headers["cora"]).json() == []


def test_two_records_with_one_id_are_refused(registry: InstrumentRegistry) -> None:
    from spj.errors import DisclosureError

    with pytest.raises(DisclosureError, match="two consultation records have the id 'CC-1'"):
        create_app(MemoryStore(), instruments=registry, web=False, consultations=[record(), record()])


def test_the_log_entry_is_written_before_anything_is_shown(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from spj.errors import Code, Problem, StoreError

    def broken(*_: object) -> None:
        raise StoreError(Problem(Code.STORE, "the disclosure log cannot be written"))

    monkeypatch.setattr(world.workspace.store.disclosures, "append", broken)
    response = world.client.get(f"{API}/consultations/CC-1", headers=world.headers["piet"])
    assert response.status_code == 503
    assert OPEN_TEXT not in response.text


AGENCIES = ("cell-x", "probation-y", "care-z", "police-p", "school-s")


@st.composite
def consultations(draw: st.DrawFn) -> tuple[Consultation, dict[str, tuple[str, bool]]]:
    """A random record: 2–4 participants, items brought by them (some secret), maybe a note, maybe approved."""
    participants = draw(st.lists(st.sampled_from(AGENCIES), min_size=2, max_size=4, unique=True))
    count = draw(st.integers(min_value=1, max_value=5))
    items = {f"I{n}": (draw(st.sampled_from(participants)), draw(st.booleans())) for n in range(1, count + 1)}
    open_items = [i for i, (_, secret) in items.items() if not secret]
    lines = [
        f"  - {{id: {i}, by: {by}, text: TEXT-{i}, secret: {str(secret).lower()}}}" for i, (by, secret) in items.items()
    ]
    note = ""
    if open_items and draw(st.booleans()):
        cited = draw(st.lists(st.sampled_from(open_items), min_size=1, unique=True))
        approvers = participants if draw(st.booleans()) else participants[:-1]
        note = (
            f"feedback:\n  to: {draw(st.sampled_from(AGENCIES))}\n  items: {json.dumps(cited)}\n"
            f"  approvals: {json.dumps([{'agency': a} for a in approvers])}\n"
        )
    text = (
        "format: spj-consultation/1\nid: CC-R\ncase: CASE-R\ndate: 2027-01-01\nbasis: BASIS\n"
        f"participants: {json.dumps(participants)}\nitems:\n" + "\n".join(lines) + "\n" + note
    )
    return parse_consultation(text, deployment=parse_deployment(DEPLOYMENT)), items


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=consultations())
def test_every_agency_sees_exactly_its_part_and_every_view_is_logged(
    registry: InstrumentRegistry, drawn: tuple[Consultation, dict[str, tuple[str, bool]]]
) -> None:
    record, items = drawn
    released = record.feedback is not None and set(record.participants) <= {a.agency for a in record.feedback.approvals}
    note_items = set(record.feedback.items) if record.feedback is not None and released else set()
    (world,) = world_of(registry, [record])
    for name, _, agency in PEOPLE:
        response = world.client.get(f"{API}/consultations/CC-R", headers=world.headers[name])
        participant = agency in record.participants
        addressee = released and record.feedback is not None and record.feedback.to == agency
        if not (participant or addressee):
            assert response.status_code == 404 and "TEXT-" not in response.text
            continue
        shown = {
            i for i, (by, secret) in items.items() if (participant and (not secret or by == agency)) or i in note_items
        }
        assert {i for i in items if f"TEXT-{i}" in response.text} == shown, (agency, record)
        logged = {
            s.removeprefix("item.")
            for e in world.workspace.store.disclosures.entries(case="CASE-R")
            if e["agency"] == agency
            for s in e["sections"]
            if s.startswith("item.")
        }
        assert logged == {i for i in shown if items[i][0] != agency}, (agency, record)
    assert world.workspace.store.disclosures.verify() == []
