"""Sign-off asks first (issue 9, point 5): finalising and countersigning lock the assessment, so the page confirms.

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


def test_finalise_asks_and_cancelling_keeps_the_draft(server: str, browser: Any) -> None:
    page = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900}).new_page()
    page.goto("/login")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/cases")
    page.goto("/new")
    page.get_by_label("Case pseudonym").fill("CASE-SIGNOFF-0001")
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url("**/assessments/**")
    url = page.url.split("?")[0]
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="Finalise").click()
    page.wait_for_timeout(700)
    assert asked and "locked" in asked[0]
    assert page.url.split("?")[0] == url and "Not finalised yet" not in page.content()  # nothing was posted
    page.remove_listener("dialog", dismiss)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finalise").click()
    page.wait_for_load_state()
    assert "Not finalised yet" in page.content()  # posted: refused only because it is incomplete
