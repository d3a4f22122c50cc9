"""The programme figures page (`/stats`): staff see their own agency's figures, cells under 5 as `<5`, in the
page's language, with the chart and a CSV download; partners are refused. Synthetic data only."""

from __future__ import annotations

import re
from typing import Any

from .conftest import (
    TestClient,
    accept_every_step,
    csrf_of,
    form_fields,
    plan_fields,
    post_form,
    post_plan,
    start_assessment,
)


def final_case(client: TestClient, case_id: str) -> str:
    """A final assessment of `case_id` with every proposed step accepted, through the pages."""
    assessment_id = start_assessment(client, case_id)
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    for name in [n for n in fields if n.endswith(".presence")]:
        fields[name] = ["N"]
    fields |= {"r.MH1.presence": ["Y"], "r.MH1.relevance": ["high"]}
    for judgement in ("case_priority", "trajectory_readiness"):
        fields[f"j.{judgement}.level"] = ["moderate"]
        fields[f"j.{judgement}.rationale"] = ["Synthetic rationale"]
    assert post_form(client, assessment_id, fields).status_code == 303
    response = post_plan(
        client, assessment_id, accept_every_step(plan_fields(client, assessment_id)), action="finalise"
    )
    assert response.status_code == 303, response.text
    return assessment_id


def cells(html: str) -> list[str]:
    return [c.split("</td>")[0] for c in html.split('<td class="num">')[1:]]


def test_staff_see_their_agencys_figures_with_small_cells_suppressed(login: Any) -> None:
    alice, bob = login("alice"), login("bob")
    for n in range(5):
        final_case(alice, f"CASE-G-{n}")
    final_case(bob, "CASE-B-0")
    start_assessment(alice, "CASE-G-DRAFT")  # a draft never counts
    page = alice.get("/stats")
    assert page.status_code == 200
    assert 'href="/stats"' in page.text and 'aria-current="page"' in page.text
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert "<svg" in page.text and scripts == ['<script src="/static/confirm.js" defer>']  # the chart, inline
    assert 'href="/stats.csv"' in page.text
    assert "CASE-" not in page.text  # nothing names a case
    # every proposed step was agreed in 5 cases of alice's agency: proposed and agreed read 5, not 6 (bob's)
    figures = cells(page.text)
    assert figures and "5" in figures and "6" not in figures
    theirs = bob.get("/stats").text
    assert "&lt;5" in cells(theirs) and "5" not in cells(theirs)  # bob's single case: suppressed
    download = alice.get("/stats.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.text.startswith("instrument,instrument_version,intervention,") and "CASE-" not in download.text


def test_the_page_is_translated(login: Any) -> None:
    alice = login("alice")
    final_case(alice, "CASE-G-0")
    token = csrf_of(alice.get("/stats").text)
    alice.post("/language", data={"csrf_token": token, "lang": "nl", "next": "/stats"})
    page = alice.get("/stats").text
    assert '<html lang="nl">' in page and "Programmacijfers" in page and "Overeengekomen" in page
    assert "&lt;5" in cells(page)


def test_no_final_assessment_yet(login: Any) -> None:
    page = login("rita").get("/stats")
    assert page.status_code == 200 and "No final assessment yet" in page.text and "<svg" not in page.text


def test_the_chart_speaks_the_pages_language(login: Any) -> None:
    alice = login("alice")
    for n in range(5):
        final_case(alice, f"CASE-L-{n}")
    token = alice.get("/stats").text.split('name="csrf_token" value="')[1].split('"')[0]
    alice.post("/language", data={"csrf_token": token, "lang": "fr", "next": "/stats"})
    chart = alice.get("/stats").text.split("<svg")[1].split("</svg>")[0]
    assert 'lang="fr"' in chart and ">Convenues</text>" in chart and ">Commencées</text>" in chart
    assert "Interventions sur l'ensemble des dossiers" in chart
    assert ">Agreed<" not in chart and "Interventions across cases" not in chart


# ---- caseload and capacity (`/stats/capacity`) ----------------------------------------------------------------


def test_the_capacity_page_answers_next_quarter_without_naming_a_case(app: Any, login: Any) -> None:
    alice = login("alice")
    expert = app.state.workspace.store.get_user_by_username("alice").id  # the assessor id in the content
    for n in range(5):
        final_case(alice, f"CASE-G-{n}")
    start_assessment(alice, "CASE-G-DRAFT")  # a draft is an open case
    page = alice.get("/stats/capacity")
    assert page.status_code == 200, page.text
    assert "Caseload and capacity" in page.text and "Next quarter" in page.text
    assert "No caseload per expert is declared" in page.text  # the test app has no deployment
    assert "CASE-" not in page.text and expert not in page.text
    assert "<svg" in page.text and re.findall(r"<script[^>]*>", page.text) == [
        '<script src="/static/confirm.js" defer>'
    ]
    year = re.search(r'<th scope="row">(\d{4})</th><td class="num">([^<]*)</td>', page.text)
    assert year is not None and year.group(2) == "6"  # five finals and the draft, this year
    assert '<th scope="row">E1</th><td>no</td><td class="num">6</td>' in page.text  # pseudonymised, uncertified
    assert 'href="/stats/capacity.csv"' in page.text and 'href="/stats/capacity"' in alice.get("/stats").text
    sheet = alice.get("/stats/capacity.csv")
    assert sheet.status_code == 200 and sheet.text.startswith("table,row,column,value")
    data = alice.get("/stats/capacity.json")
    assert data.json()["cases"] == 6
    assert all("CASE-" not in text and expert not in text for text in (sheet.text, data.text))


def test_the_capacity_page_shows_no_figure_with_fewer_than_five_cases(login: Any) -> None:
    bob = login("bob")
    final_case(bob, "CASE-B-0")
    page = bob.get("/stats/capacity")
    assert page.status_code == 200 and "Fewer than 5 cases" in page.text
    assert "<svg" not in page.text and 'class="num"' not in page.text and "CASE-" not in page.text
    download = bob.get("/stats/capacity.csv")
    assert download.status_code == 400 and "too-few-cases" in download.text and "table,row" not in download.text


def test_the_capacity_page_is_translated(login: Any) -> None:
    alice = login("alice")
    for n in range(5):
        final_case(alice, f"CASE-G-{n}")
    for lang, words in (("nl", ("Caseload en capaciteit", "Volgend kwartaal")), ("fr", ("Charge et capacité",))):
        token = csrf_of(alice.get("/stats/capacity").text)
        alice.post("/language", data={"csrf_token": token, "lang": lang, "next": "/stats/capacity"})
        page = alice.get("/stats/capacity").text
        assert f'<html lang="{lang}">' in page and all(w in page for w in words)
