"""The workspace in a real browser: Playwright driving Debian's chromium against a real uvicorn server.

Skipped (with the reason) when /usr/bin/chromium is absent; `.ci/run` installs
it. Playwright never downloads a browser here. Synthetic data only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .conftest import CHROMIUM, PASSWORD

SCREENSHOTS = Path(os.environ.get("SPJ_SCREENSHOTS", "")) if os.environ.get("SPJ_SCREENSHOTS") else None

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (.ci/run installs it with apt-get)"),
    pytest.mark.slow,
]


def _sign_in(browser: Any, server: str, username: str) -> Any:
    context = browser.new_context(base_url=server, accept_downloads=True, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # confirm finalising and countersigning
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/cases")
    return page


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def _rate(page: Any, indicator: str, scale: str, code: str) -> None:
    page.locator(f'input[name="r.{indicator}.{scale}"][value="{code}"]').check()


def _decide_every_step(page: Any) -> None:
    """On the plan page: accept every proposed step and set the review date."""
    steps = page.eval_on_selector_all("fieldset[data-step]", "els => els.map(e => e.dataset.step)")
    assert steps, "the engine proposes no step"
    for step in steps:
        page.locator(f'input[name="p.{step}.decision"][value="accept"]').check()
    page.get_by_label("Review date").fill("2027-06-30")


def test_a_whole_assessment_in_the_browser(server: str, browser: Any, tmp_path: Path) -> None:
    alice = _sign_in(browser, server, "alice")
    _shot(alice, "cases-empty")

    # start an assessment
    alice.get_by_role("link", name="New assessment", exact=True).first.click()
    alice.get_by_label("Case pseudonym").fill("CASE-BR-0001")
    alice.get_by_role("button", name="Start the assessment").click()
    alice.wait_for_url("**/assessments/**")
    assessment_url = alice.url.split("?")[0]
    assert alice.get_by_text("Assessment started").is_visible()

    # rate indicators and omit one, save: the flags and the plan update
    _rate(alice, "MH1", "presence", "Y")
    _rate(alice, "MH1", "relevance", "high")
    alice.locator('textarea[name="r.MH1.for"]').fill("Synthetic: sleeps badly since the conflict")
    alice.locator('input[name="r.PS2.omit"]').check()
    alice.locator('input[name="r.PS2.reason"]').fill("No information yet; ask the prison psychologist")
    alice.get_by_role("button", name="Save draft").click()
    alice.wait_for_url("**saved=2")
    panel = alice.locator("#live-panel")
    assert panel.locator('[data-flag="trauma_load"][data-status="raised"]').count() == 1
    assert panel.locator('#panel-plan [data-intervention="trauma_treatment"]').count() == 1
    assert alice.locator('input[name="r.PS2.omit"]').is_checked()
    _shot(alice, "assessment")
    if SCREENSHOTS is not None:
        alice.locator("#area-mental_health").screenshot(path=str(SCREENSHOTS / "life-area.png"))
        alice.locator("#judgements").screenshot(path=str(SCREENSHOTS / "judgements.png"))

    # a conflicting save from a second session
    rita = _sign_in(browser, server, "rita")
    rita.goto(assessment_url)
    rita.locator("#f-formulation").fill("Synthetic formulation by the reviewer.")
    rita.get_by_role("button", name="Save draft").click()
    rita.wait_for_url("**saved=3")
    _rate(alice, "EW1", "presence", "P")
    alice.get_by_role("button", name="Save draft").click()
    assert alice.get_by_role("heading", name="Someone else saved this assessment").is_visible()
    assert alice.locator('tr[data-field="r.EW1.presence"]').count() == 1
    _shot(alice, "conflict")
    alice.get_by_role("button", name="Apply my changes on top of revision 3 and save").click()
    alice.wait_for_url("**saved=4")
    assert alice.locator('input[name="r.EW1.presence"][value="P"]').is_checked()
    assert alice.locator("#f-formulation").input_value() == "Synthetic formulation by the reviewer."

    # finalise: refused while incomplete, then accepted with judgements and rationales
    alice.get_by_role("button", name="Finalise").click()
    assert alice.get_by_role("heading", name="Not finalised yet: the assessment is incomplete").is_visible()
    names = alice.eval_on_selector_all('fieldset.indicator[id^="f-r-"]', "els => els.map(e => e.id.slice(4))")
    for indicator in names:
        if (
            not alice.locator(f'input[name="r.{indicator}.omit"]').is_checked()
            and alice.locator(f'input[name="r.{indicator}.presence"][value=""]').is_checked()
        ):
            _rate(alice, indicator, "presence", "N")
    for judgement in ("case_priority", "trajectory_readiness"):
        alice.locator(f'input[name="j.{judgement}.level"][value="moderate"]').check()
        alice.locator(f'textarea[name="j.{judgement}.rationale"]').fill("Synthetic rationale written by the expert.")
    _rate(alice, "EW1", "relevance", "low")  # partially present: its relevance is needed too
    alice.get_by_role("button", name="Finalise").click()
    alice.wait_for_load_state()
    # the ratings are complete now; the plan is not decided yet: the summary sends the expert to the plan page
    summary = alice.locator("#error-summary")
    assert "not decided" in summary.inner_text(), summary.inner_text()
    alice.get_by_role("link", name="Decide the plan on the plan page").click()
    alice.wait_for_url("**/plan")
    _decide_every_step(alice)
    alice.get_by_role("button", name="Finalise").click()
    alice.wait_for_load_state()
    summary = alice.locator("#error-summary")
    assert summary.count() == 0, summary.inner_text()
    alice.wait_for_url("**finalised=1")
    assert alice.get_by_text("This assessment is final and locked.").is_visible()

    # download the report
    alice.get_by_role("link", name="Report", exact=True).click()
    with alice.expect_download() as pdf_download:
        alice.get_by_role("link", name="Download PDF").click()
    pdf = tmp_path / "report.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    with alice.expect_download() as html_download:
        alice.get_by_role("link", name="Download HTML").click()
    html = tmp_path / "report.html"
    html_download.value.save_as(html)
    assert "CASE-BR-0001" in html.read_text(encoding="utf-8")

    # a reassessment, and the changes since the last assessment
    alice.goto("/cases")
    _shot(alice, "cases")
    alice.goto(assessment_url)
    alice.get_by_role("button", name="Start a reassessment").click()
    alice.wait_for_url("**started=reassessment")
    assert alice.locator('input[name="r.MH1.presence"][value="Y"]').is_checked()
    _rate(alice, "MH1", "presence", "N")
    _rate(alice, "MH1", "relevance", "")
    alice.get_by_role("button", name="Save draft").click()
    alice.wait_for_url("**saved=2")
    alice.get_by_role("link", name="Changes since the last assessment").click()
    assert alice.locator('#changed-indicators tr[data-indicator="MH1"]').count() == 1
    _shot(alice, "changes")

    # the language switch, kept for the rest of the session
    alice.get_by_label("Language").select_option("nl")
    alice.get_by_role("button", name="Change").click()
    alice.wait_for_load_state()
    assert alice.locator("html").get_attribute("lang") == "nl"
    alice.goto(assessment_url)
    assert alice.get_by_role("link", name="Nieuwe beoordeling", exact=True).is_visible()
    _shot(alice, "assessment-nl")
