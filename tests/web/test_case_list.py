"""The case list (issue 9, point 8): case ids normalised, a warning before a second open draft, search and filters.

Synthetic data only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.web.conftest import INSTRUMENT, TestClient, csrf_of, start_assessment


def _case_headings(html: str) -> list[str]:
    return re.findall(r'<h2 id="case-\d+"><a href="[^"]*">([^<]+)</a></h2>', html)


def _new(client: TestClient, case_id: str, **extra: str) -> Any:
    page = client.get("/new")
    data = {"csrf_token": csrf_of(page.text), "instrument": INSTRUMENT, "case_id": case_id, **extra}
    return client.post("/new", data=data, follow_redirects=False)


def test_case_ids_are_trimmed_and_case_insensitive(login: Callable[[str], TestClient]) -> None:
    alice = login("alice")
    start_assessment(alice, "ja-antw-1")
    response = _new(alice, "  JA-ANTW-1 ", confirm_second_draft="1")
    assert response.status_code == 303, response.text
    cases = _case_headings(alice.get("/cases").text)
    assert cases == ["ja-antw-1"], "a differently written id opened a second case"
    case_page = alice.get("/cases/ja-antw-1").text
    assert case_page.count("/assessments/A-") >= 2


def test_a_second_open_draft_of_a_case_asks_first(login: Callable[[str], TestClient]) -> None:
    alice = login("alice")
    start_assessment(alice, "CASE-0002")
    warned = _new(alice, "case-0002")
    assert warned.status_code == 409
    assert "already has an open draft" in warned.text
    assert 'name="confirm_second_draft"' in warned.text
    assert len(re.findall(r"/assessments/A-", alice.get("/cases/CASE-0002").text)) == 1, "a draft was created"
    confirmed = _new(alice, "case-0002", confirm_second_draft="1")
    assert confirmed.status_code == 303


def test_the_case_list_searches_and_filters(login: Callable[[str], TestClient]) -> None:
    alice, rita = login("alice"), login("rita")
    start_assessment(alice, "GENT-ALPHA")
    start_assessment(alice, "GENT-BETA")
    start_assessment(rita, "BRUG-GAMMA")
    assert sorted(_case_headings(alice.get("/cases").text)) == ["BRUG-GAMMA", "GENT-ALPHA", "GENT-BETA"]
    assert sorted(_case_headings(alice.get("/cases?q=gent").text)) == ["GENT-ALPHA", "GENT-BETA"]
    assert _case_headings(alice.get("/cases?q=gamma").text) == ["BRUG-GAMMA"]
    assert sorted(_case_headings(alice.get("/cases?mine=1").text)) == ["GENT-ALPHA", "GENT-BETA"]
    assert _case_headings(rita.get("/cases?mine=1").text) == ["BRUG-GAMMA"]
    assert _case_headings(alice.get("/cases?status=final").text) == []
    assert len(_case_headings(alice.get("/cases?status=draft").text)) == 3
    rita_id = next(u.id for u in _users(alice) if u.username == "rita")
    assert _case_headings(alice.get(f"/cases?assessor={rita_id}").text) == ["BRUG-GAMMA"]
    empty = alice.get("/cases?q=nothing-like-this").text
    assert "No case matches" in empty


def test_the_case_list_names_the_assessor_and_refuses_bad_filters(login: Callable[[str], TestClient]) -> None:
    alice = login("alice")
    start_assessment(alice, "GENT-DELTA")
    page = alice.get("/cases").text
    assert "alice" in page.split("GENT-DELTA", 1)[1], "the assessor is not shown by name"
    assert alice.get("/cases?status=bogus").status_code == 422


def _users(client: TestClient) -> list[Any]:
    app = client.app
    store = app.state.workspace.store  # type: ignore[attr-defined]
    return [store.get_user_by_username(name) for name in ("alice", "rita")]
