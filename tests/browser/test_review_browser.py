"""The reviewer's final view, the case list's progress and sources added inline, in a real browser (issue 9).

Playwright driving Debian's chromium against a real uvicorn server, with axe-core (shipped inside the
`axe-playwright-python` package; nothing is downloaded) checking each page: no violation at all. The
pages' Content-Security-Policy forbids injected scripts, so only the contexts that run axe bypass it.
Synthetic data only.
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path
from typing import Any

import pytest

from .conftest import CHROMIUM, PASSWORD

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (.ci/run installs it with apt-get)"),
    pytest.mark.slow,
]
SCREENSHOTS = Path(os.environ["SPJ_SCREENSHOTS"]) if os.environ.get("SPJ_SCREENSHOTS") else None
AXE = importlib.resources.files("axe_playwright_python").joinpath("axe.min.js")
COMMENT = "Synthetic countersign comment: the plan's review date suits the reviewer."


def _sign_in(browser: Any, server: str, username: str) -> Any:
    context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/cases")
    return page


def _axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the page as it is now, one line each (impact, rule, first targets)."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]
    ]


def _start(page: Any, case_id: str) -> str:
    page.goto("/new")
    page.get_by_label("Case pseudonym").fill(case_id)
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url("**/assessments/**")
    return str(page.url.split("?")[0])


def _finalised(page: Any, case_id: str) -> str:
    """A complete assessment, finalised through the pages (every indicator absent, the plan accepted)."""
    url = _start(page, case_id)
    page.on("dialog", lambda dialog: dialog.accept())
    page.eval_on_selector_all('input[type=radio][name$=".presence"][value="N"]', "els => els.forEach(e => e.click())")
    for judgement in ("case_priority", "trajectory_readiness"):
        page.locator(f'input[name="j.{judgement}.level"][value="low"]').check()
        page.locator(f'textarea[name="j.{judgement}.rationale"]').fill("Synthetic rationale written by the expert.")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**saved=2*")
    page.goto(url + "/plan")
    steps = page.eval_on_selector_all("fieldset[data-step]", "els => els.map(e => e.dataset.step)")
    for step in steps:
        page.locator(f'input[name="p.{step}.decision"][value="accept"]').check()
    page.get_by_label("Review date").fill("2027-06-30")
    page.get_by_role("button", name="Finalise").click()
    page.wait_for_url("**finalised=1")
    return url


def test_the_countersigner_signs_off_with_a_comment_through_the_confirm_dialog(server: str, browser: Any) -> None:
    alice = _sign_in(browser, server, "alice")
    url = _finalised(alice, "CASE-REVIEW-0001")
    rita = _sign_in(browser, server, "rita")
    rita.goto(url)
    assert rita.get_by_text("This assessment is final and locked.").is_visible()
    assert rita.get_by_role("button", name="Countersign").is_visible()
    assert _axe_violations(rita) == []
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    rita.on("dialog", answer)
    rita.get_by_label("Comment with your countersignature (optional)").fill(COMMENT)
    rita.get_by_role("button", name="Countersign").click()
    rita.wait_for_url("**countersigned=1")
    assert asked and "cannot be removed" in asked[0]
    assert rita.get_by_text("Countersigned by Reviewer R (synthetic)").is_visible()
    assert rita.locator("blockquote.signoff-comment").inner_text() == COMMENT
    assert rita.get_by_role("button", name="Countersign").count() == 0  # signed once
    assert _axe_violations(rita) == []
    # The assessor sees the sign-off too.
    alice.goto(url)
    assert alice.get_by_text("Countersigned by Reviewer R (synthetic)").is_visible()
    assert alice.locator("blockquote.signoff-comment").inner_text() == COMMENT


def test_the_case_list_with_progress_is_accessible(server: str, browser: Any) -> None:
    alice = _sign_in(browser, server, "alice")
    _start(alice, "CASE-PROGRESS-0001")
    alice.locator('input[name="r.PS1.presence"][value="N"]').check()
    alice.get_by_role("button", name="Save draft").click()
    alice.wait_for_url("**saved=2*")
    alice.goto("/cases?mine=1")
    cell = alice.locator("tr", has_text="indicators done").first.locator("td.progress-cell")
    assert cell.inner_text().startswith("1 of ")
    assert _axe_violations(alice) == []


def test_a_source_added_inline_survives_a_reload_and_the_form_stays_accessible(server: str, browser: Any) -> None:
    alice = _sign_in(browser, server, "alice")
    url = _start(alice, "CASE-INLINE-0001")
    alice.locator("#f-formulation").fill("Synthetic formulation typed before the source.")
    slot = alice.locator('.sources-slot[data-indicator="PS2"]')
    slot.get_by_role("button", name="Add a source…").click()
    editor = slot.get_by_role("group", name="New source for PS2")
    assert editor.get_by_label("Kind").evaluate("e => e === document.activeElement")
    assert _axe_violations(alice) == []  # with the inline editor open
    assert not slot.get_by_role("button", name="Add a source…").is_visible()  # the editor replaces it
    editor.get_by_label("Kind").fill("interview")
    editor.get_by_label("Date").fill("2027-01-12")
    editor.get_by_label("Description").fill("Synthetic intake interview")
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slot.screenshot(path=str(SCREENSHOTS / "inline-source.png"))
    before = alice.evaluate("() => window.scrollY")
    editor.get_by_role("button", name="Add the source").click()
    alice.locator("#autosave-status").filter(has_text="Source S1 added").wait_for(timeout=10000)
    assert alice.url.split("#")[0].split("?")[0] == url  # no reload
    assert abs(alice.evaluate("() => window.scrollY") - before) < 200  # the page did not jump to the top
    assert alice.locator('input[name="base_revision"]').input_value() == "2"
    assert slot.get_by_role("button", name="Add a source…").is_visible()  # closed again
    assert alice.locator('input[name="r.PS2.sources"][value="S1"]').is_checked()
    assert not alice.locator('input[name="r.PS1.sources"][value="S1"]').is_checked()
    assert alice.locator("#f-formulation").input_value() == "Synthetic formulation typed before the source."
    assert _axe_violations(alice) == []
    # Reloaded, the source is there (saved as revision 2); the unsaved formulation is offered back by autosave.
    alice.goto(url)
    assert alice.locator('input[name="s.0.id"]').input_value() == "S1"
    assert alice.locator('input[name="s.0.kind"]').input_value() == "interview"
    assert alice.locator('input[name="r.PS2.sources"][value="S1"]').is_checked()
    # Saving the whole form afterwards keeps both, with no conflict, and returns to the section edited.
    alice.locator("#f-formulation").fill("Synthetic formulation, saved.")
    alice.get_by_role("button", name="Save draft").click()
    alice.wait_for_url("**saved=3")
    # Back where the expert was, not at the top: the formulation is on the screen.
    top = alice.locator("#formulation-section").evaluate("e => e.getBoundingClientRect().top")
    assert alice.evaluate("() => window.scrollY") > 0 and -900 < top < 900
    assert alice.locator("#autosave-status").inner_text() == "Saved as revision 3."
    assert alice.locator('input[name="s.0.id"]').input_value() == "S1"
    assert alice.locator("#f-formulation").input_value() == "Synthetic formulation, saved."


def test_the_axe_check_finds_a_violation_where_there_is_one(browser: Any) -> None:
    page = browser.new_context(bypass_csp=True).new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
    found = _axe_violations(page)
    assert any("image-alt" in v for v in found) and any("label" in v for v in found), found
