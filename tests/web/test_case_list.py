"""The case list (issue 9, point 8): case ids normalised, a warning before a second open draft, search and filters.

Synthetic data only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.web.conftest import INSTRUMENT, TestClient, csrf_of, form_fields, post_form, start_assessment


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


def _progress_of(html: str, assessment_id: str) -> str:
    row = html.split(f">{assessment_id}</a>", 1)[1].split("</tr>", 1)[0]
    match = re.search(r'<td class="progress-cell">([^<]*)', row)
    assert match, f"no progress cell for {assessment_id}"
    return match.group(1)


def test_the_case_list_shows_each_drafts_progress_by_the_forms_rule(login: Callable[[str], TestClient]) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice, "GENT-PROGRESS")
    form = alice.get(f"/assessments/{assessment_id}").text
    total = int(re.search(r"<b>(\d+)</b>to do", form).group(1))  # type: ignore[union-attr]
    assert _progress_of(alice.get("/cases").text, assessment_id) == f"0 of {total} indicators done"
    fields = form_fields(form)
    # Presence without relevance is not done (the final check's rule), as in the form.
    assert post_form(alice, assessment_id, fields, r__PS1__presence="Y").status_code == 303
    assert _progress_of(alice.get("/cases").text, assessment_id) == f"0 of {total} indicators done"
    fields = form_fields(alice.get(f"/assessments/{assessment_id}").text)
    fields["r.PS1.relevance"] = ["high"]
    fields["r.PS2.omit"], fields["r.PS2.reason"] = ["1"], ["No information yet"]
    assert post_form(alice, assessment_id, fields).status_code == 303
    assert _progress_of(alice.get("/cases?mine=1").text, assessment_id) == f"2 of {total} indicators done"
    assert _progress_of(alice.get("/cases/GENT-PROGRESS").text, assessment_id) == f"2 of {total} indicators done"
    assert '<th scope="col">Progress</th>' in alice.get("/cases").text
