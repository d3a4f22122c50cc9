"""The agreed plan and its delivery in a real browser (Playwright driving Debian's chromium, a real uvicorn server):
the expert decides every proposed step on the plan page, refers one to a partner and finalises; the partner signs
in, sees only its referral and the extract, accepts it, records a session and an outcome; the expert then sees the
delivery against the plan. Skipped (with the reason) when /usr/bin/chromium is absent. Synthetic data only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from .conftest import CHROMIUM, PASSWORD
from .test_accessibility import PAGE_PROBLEMS

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (.ci/run installs it with apt-get)"),
    pytest.mark.slow,
]


def _sign_in(browser: Any, server: str, username: str, landing: str) -> Any:
    context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # confirm finalising and countersigning
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/{landing}")
    return page


def _ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def _rated_and_judged(alice: Any) -> str:
    """A new assessment, every indicator rated (trauma present), the judgements made; its URL."""
    alice.get_by_role("link", name="New assessment", exact=True).first.click()
    alice.get_by_label("Case pseudonym").fill("CASE-BR-PARTNER")
    alice.get_by_role("button", name="Start the assessment").click()
    alice.wait_for_url("**/assessments/**")
    url = alice.url.split("?")[0]
    names = alice.eval_on_selector_all('fieldset.indicator[id^="f-r-"]', "els => els.map(e => e.id.slice(4))")
    for indicator in names:
        alice.locator(f'input[name="r.{indicator}.presence"][value="N"]').check()
    alice.locator('input[name="r.MH1.presence"][value="Y"]').check()
    alice.locator('input[name="r.MH1.relevance"][value="high"]').check()
    for judgement in ("case_priority", "trajectory_readiness"):
        alice.locator(f'input[name="j.{judgement}.level"][value="moderate"]').check()
        alice.locator(f'textarea[name="j.{judgement}.rationale"]').fill("Synthetic rationale written by the expert.")
    alice.get_by_role("button", name="Save draft").click()
    alice.wait_for_url("**saved=2")
    return url


def test_the_plan_is_decided_delivered_by_a_partner_and_followed(server: str, browser: Any) -> None:
    alice = _sign_in(browser, server, "alice", "cases")
    assessment_url = _rated_and_judged(alice)

    # the plan page: the proposal with its reasons, a decision on every proposed step
    alice.get_by_role("link", name="Plan", exact=True).click()
    alice.wait_for_url("**/plan")
    assert alice.evaluate(PAGE_PROBLEMS) == []
    trauma = alice.locator('fieldset[data-step="trauma_treatment"]')
    assert "Why proposed" in trauma.inner_text()
    steps = alice.eval_on_selector_all("fieldset[data-step]", "els => els.map(e => e.dataset.step)")
    assert "trauma_treatment" in steps and "trauma_assessment" in steps
    for step in steps:
        alice.locator(f'input[name="p.{step}.decision"][value="accept"]').check()
    alice.locator('input[name="p.trauma_assessment.decision"][value="amend"]').check()
    alice.locator('input[name="p.trauma_assessment.duration_weeks"]').fill("2")
    alice.locator('textarea[name="p.trauma_assessment.reason"]').fill("A short intake: a recent report exists.")
    trauma.locator("select[name$='.partner']").select_option("care-gent")
    trauma.locator("select[name$='.status']").select_option("referred")
    trauma.locator("textarea[name$='.objective']").fill("Sleep without nightmares (synthetic).")
    alice.get_by_label("Review date").fill("2027-06-30")
    alice.get_by_role("button", name="Finalise").click()
    alice.wait_for_url("**finalised=1")
    assert alice.get_by_text("This assessment is final and locked.").is_visible()

    # the partner: only its referral, and the extract its profile allows
    carla = _sign_in(browser, server, "carla", "referrals")
    assert carla.get_by_role("link", name="Cases").count() == 0
    rows = carla.locator("#referrals tbody tr")
    assert rows.count() == 1 and "CASE-BR-PARTNER" in rows.inner_text()
    rows.get_by_role("link").click()
    carla.wait_for_url("**/referrals/R-*")
    assert carla.evaluate(PAGE_PROBLEMS) == []
    frame = carla.frame_locator("iframe.report-frame")
    assert "Informed consent of the client (synthetic)" in frame.locator("body").inner_text()
    assert "Sleep without nightmares" in frame.locator("body").inner_text()
    carla.get_by_role("button", name="Accept the referral").click()
    carla.wait_for_url("**recorded=accept")
    carla.get_by_label("Start date").fill(_ago(21))
    carla.get_by_role("button", name="Record the start").click()
    carla.wait_for_url("**recorded=start")
    carla.get_by_label("Session date").fill(_ago(14))
    carla.get_by_role("button", name="Record the session").click()
    carla.wait_for_url("**recorded=session")
    carla.locator("#f-note-text").fill("SECRET-BROWSER-NOTE (synthetic)")
    carla.locator('input[name="note.secret"]').check()
    carla.get_by_role("button", name="Add the note").click()
    carla.wait_for_url("**recorded=note")
    carla.get_by_label("End date").fill(_ago(1))
    carla.get_by_label("Outcome").select_option("completed")
    carla.get_by_role("button", name="Record the end").click()
    carla.wait_for_url("**recorded=end")
    assert carla.locator("[data-session]").count() == 1
    assert "SECRET-BROWSER-NOTE" in carla.locator("#delivery").inner_text()

    # a partner asking for the assessment itself gets the one "not found" page
    response = carla.goto(assessment_url)
    assert response is not None and response.status == 404

    # the expert sees the delivery against the plan; the partner's secret note is not there
    alice.goto(assessment_url + "/plan")
    row = alice.locator('tr[data-delivery="trauma_treatment"]')
    text = row.inner_text()
    assert "accepted" in text and "1 of 1" in text and "completed" in text and "ended" in text.lower()
    assert row.get_attribute("data-verdict") == "ended"
    assert "SECRET-BROWSER-NOTE" not in alice.content()
    assert alice.evaluate(PAGE_PROBLEMS) == []
