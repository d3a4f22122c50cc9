"""Nothing typed is lost, in a real browser (issue 9, point 1): autosave survives a reload, leaving warns.

Playwright driving Debian's chromium against a real uvicorn server. Synthetic data only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import CHROMIUM, PASSWORD

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (.ci/run installs it with apt-get)"),
    pytest.mark.slow,
]
TYPED = "Synthetic formulation that was typed and never saved"


def _new_draft(browser: Any, server: str, case_id: str) -> Any:
    page = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900}).new_page()
    page.goto("/login")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/cases")
    page.goto("/new")
    page.get_by_label("Case pseudonym").fill(case_id)
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url("**/assessments/**")
    return page


def test_autosave_survives_a_reload(server: str, browser: Any) -> None:
    page = _new_draft(browser, server, "CASE-AUTOSAVE-0001")
    url = page.url.split("?")[0]
    page.locator('textarea[name="formulation"]').fill(TYPED)
    # The page's CSP forbids evaluating strings, so wait on the status text rather than a JS predicate.
    page.locator("#autosave-status").filter(has_text="autosave").wait_for(timeout=10000)
    page.goto(url)  # kept: no warning, and the page offers the text back
    assert page.locator("#kept-notice").is_visible()
    page.get_by_role("link", name="Restore my unsaved changes").click()
    assert page.locator('textarea[name="formulation"]').input_value() == TYPED
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**saved=2")
    assert page.locator('textarea[name="formulation"]').input_value() == TYPED
    assert page.locator("#kept-notice").count() == 0


def test_leaving_with_an_edit_not_yet_kept_asks_first(server: str, browser: Any) -> None:
    page = _new_draft(browser, server, "CASE-AUTOSAVE-0002")
    # Keep the autosave from answering, so that the edit is not kept yet when the page is left.
    page.route("**/autosave", lambda route: route.abort())
    page.locator('textarea[name="formulation"]').fill(TYPED)
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert not page.is_closed()
    assert page.locator('textarea[name="formulation"]').input_value() == TYPED
