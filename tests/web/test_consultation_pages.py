"""The case consultation pages: the same rules as the JSON API, the same 404 for every other agency, every page
that shows another agency's text logged first."""

from __future__ import annotations

from typing import Any

import pytest

from spj.api.app import create_app
from spj.disclosure import parse_deployment
from spj.disclosure.consultation import parse_consultation
from spj.store import MemoryStore

from .conftest import FAST_HASHER, PASSWORD, TestClient

DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: cell-x, kind: local-cell, title: {en: Local cell X (synthetic), nl: Lokale cel X (fictief)}}
  - {id: probation-y, kind: probation}
  - {id: care-z, kind: care, title: {en: Care centre Z (synthetic)}}
  - {id: police-p, kind: security}
  - {id: school-s, kind: education}
"""
SECRET_TEXT = "The intake confirms sleep problems linked to earlier experiences (synthetic)."
OPEN_TEXT = "Attends the training four days a week <b>(synthetic)</b>."


def record(ident: str, approvals: str) -> Any:
    return parse_consultation(
        f"""\
format: spj-consultation/1
id: {ident}
case: CASE-9
date: 2027-04-08
basis: {{en: Case consultation under art. 458ter of the Criminal Code}}
participants: [cell-x, probation-y, care-z]
items:
  - {{id: I1, by: probation-y, text: "{OPEN_TEXT}"}}
  - {{id: I2, by: care-z, text: {SECRET_TEXT}, secret: true}}
  - {{id: I3, by: cell-x, text: A mentor at the football club is willing to help (synthetic).}}
feedback:
  to: police-p
  items: [I1, I3]
  summary: The trajectory continues as agreed.
  approvals: {approvals}
""",
        deployment=parse_deployment(DEPLOYMENT),
    )


PEOPLE = (
    ("cora", "assessor", "cell-x"),
    ("piet", "assessor", "probation-y"),
    ("zora", "partner", "care-z"),
    ("paul", "partner", "police-p"),
    ("sam", "partner", "school-s"),
)


@pytest.fixture
def app() -> Any:
    """Two consultations: CC-1 with its note approved by everyone, CC-2 still awaiting two approvals."""
    app = create_app(
        MemoryStore(),
        secret_key="test-secret",
        hasher=FAST_HASHER,
        deployment=parse_deployment(DEPLOYMENT),
        consultations=[
            record("CC-1", "[{agency: cell-x}, {agency: probation-y}, {agency: care-z}]"),
            record("CC-2", "[{agency: cell-x}]"),
        ],
    )
    workspace = app.state.workspace
    for name, role, agency in PEOPLE:
        workspace.store.create_agency(agency, agency)
        workspace.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)
    return app


def entries(app: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = app.state.workspace.store.disclosures.entries(case="CASE-9")
    return result


def test_the_list_shows_each_agency_its_part(login: Any) -> None:
    page = login("piet").get("/consultations")
    assert page.status_code == 200
    assert 'data-consultation="CC-1"' in page.text and 'data-consultation="CC-2"' in page.text
    assert 'href="/consultations" aria-current="page"' in page.text
    police = login("paul").get("/consultations").text
    assert 'data-consultation="CC-1"' in police and "CC-2" not in police  # CC-2's note is not released
    assert "Addressee of the feedback note" in police
    assert "No case consultation for your agency." in login("sam").get("/consultations").text


def test_a_participant_sees_the_table_with_another_agencys_secret_withheld(login: Any, app: Any) -> None:
    page = login("piet").get("/consultations/CC-1")
    assert page.status_code == 200
    assert 'data-item="I2" data-withheld="1"' in page.text
    assert SECRET_TEXT not in page.text
    assert "Attends the training four days a week &lt;b&gt;(synthetic)&lt;/b&gt;." in page.text  # escaped
    assert "Local cell X (synthetic)" in page.text and "Care centre Z (synthetic)" in page.text
    assert 'id="feedback-summary"' in page.text
    assert [(e["agency"], e["from_agency"], e["channel"]) for e in entries(app)] == [("probation-y", "cell-x", "web")]


def test_the_agency_that_brought_the_secret_sees_it(login: Any) -> None:
    page = login("zora").get("/consultations/CC-1")
    assert SECRET_TEXT in page.text and "Professional secrecy" in page.text


def test_an_unapproved_note_names_who_has_not_approved(login: Any) -> None:
    page = login("cora").get("/consultations/CC-2")
    assert 'id="awaiting"' in page.text and "probation-y, Care centre Z (synthetic)" in page.text
    assert 'id="note"' not in page.text


def test_the_addressee_sees_the_released_note_only(login: Any, app: Any) -> None:
    page = login("paul").get("/consultations/CC-1")
    assert page.status_code == 200
    assert 'id="note"' in page.text and 'id="items"' not in page.text
    assert SECRET_TEXT not in page.text and 'data-item="I2"' not in page.text
    assert "The trajectory continues as agreed." in page.text
    assert {e["from_agency"] for e in entries(app)} == {"cell-x", "probation-y"}
    assert all(e["agency"] == "police-p" for e in entries(app))


@pytest.mark.parametrize(("who", "ident"), [("sam", "CC-1"), ("sam", "CC-2"), ("paul", "CC-2")])
def test_any_other_agency_gets_the_404_of_a_missing_consultation(login: Any, app: Any, who: str, ident: str) -> None:
    client: TestClient = login(who)
    theirs = client.get(f"/consultations/{ident}")
    missing = client.get("/consultations/CC-404")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace(ident, "X") == missing.text.replace("CC-404", "X")
    assert OPEN_TEXT not in theirs.text and SECRET_TEXT not in theirs.text
    assert entries(app) == []


def test_signed_out_the_pages_send_to_the_login(app: Any) -> None:
    with TestClient(app) as client:
        for path in ("/consultations", "/consultations/CC-1"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code in (303, 401), path
            assert OPEN_TEXT not in response.text
    assert entries(app) == []


def test_the_pages_are_translated(login: Any) -> None:
    client = login("piet")
    page = client.get("/consultations/CC-1", headers={"Accept-Language": "nl"})
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/language", data={"csrf_token": token, "lang": "nl", "next": "/consultations/CC-1"})
    dutch = client.get("/consultations/CC-1").text
    assert "Casusoverleg CC-1" in dutch and "Lokale cel X (fictief)" in dutch
    assert "Terugkoppeling" in dutch
