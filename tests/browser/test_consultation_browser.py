"""A case consultation in a real browser (Playwright driving Debian's chromium, a real uvicorn server): each
agency reaches the consultation from the navigation and sees only its part: Gent the table with the care
partner's secret item withheld, the care partner its own secret, Brugge (the addressee) the released note
only. Skipped (with the reason) when /usr/bin/chromium is absent. Synthetic data only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import CHROMIUM, PASSWORD
from .test_accessibility import PAGE_PROBLEMS

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (.ci/run installs it with apt-get)"),
    pytest.mark.slow,
]
SECRET = "Sleep problems are treated weekly (synthetic secret)."


def _consultation(browser: Any, server: str, username: str, landing: str) -> Any:
    """Sign in and open the consultation through the navigation and the list, as a person would."""
    context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/{landing}")
    page.get_by_role("link", name="Case consultations").click()
    page.wait_for_url("**/consultations")
    assert page.evaluate(PAGE_PROBLEMS) == []
    page.get_by_role("link", name="CC-BR-1").click()
    page.wait_for_url("**/consultations/CC-BR-1")
    assert page.evaluate(PAGE_PROBLEMS) == []
    return page


def test_each_agency_sees_its_part_of_the_consultation(server: str, browser: Any) -> None:
    alice = _consultation(browser, server, "alice", "cases")
    assert alice.get_by_role("heading", name="Case consultation CC-BR-1").is_visible()
    withheld = alice.locator('#items tr[data-item="I2"]')
    assert "Withheld: covered by professional secrecy" in withheld.inner_text()
    assert SECRET not in alice.content()
    assert "Keeps every probation appointment (synthetic)." in alice.locator("#items").inner_text()
    assert "The trajectory continues as agreed (synthetic)." in alice.locator("#feedback").inner_text()

    carla = _consultation(browser, server, "carla", "referrals")
    assert SECRET in carla.locator('#items tr[data-item="I2"]').inner_text()

    bob = _consultation(browser, server, "bob", "cases")
    assert bob.locator("#items").count() == 0
    assert "Keeps every probation appointment (synthetic)." in bob.locator("#note").inner_text()
    assert SECRET not in bob.content() and 'data-item="I2"' not in bob.content()

    bob.goto("/consultations/CC-BR-404")
    missing = bob.locator("h1").inner_text()
    alice.goto("/consultations/CC-BR-404")
    assert alice.locator("h1").inner_text() == missing
