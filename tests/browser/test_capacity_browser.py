"""The caseload and capacity page in a real browser: reached from the programme figures, no figure below 5 cases,
then the answer for next quarter, the tables and the charts, accessible, translated, naming no case."""

from __future__ import annotations

from typing import Any

from tests.browser.test_accessibility import NO_SIDEWAYS_SCROLL, _check_page, _new_assessment, _sign_in


def test_the_capacity_page_from_too_few_cases_to_the_answer(server: str, browser: Any) -> None:
    page = _sign_in(browser, server, "bob")
    page.goto("/stats")
    page.get_by_role("link", name="Caseload and capacity").click()
    page.wait_for_url("**/stats/capacity")
    _check_page(page, "capacity, too few cases")
    assert "Fewer than 5 cases" in page.locator("main").inner_text()  # bob's agency has no case yet
    assert page.locator("main svg").count() == 0
    for n in range(5):  # five open cases (drafts) of bob's agency
        _new_assessment(page, f"CASE-CAPACITY-{n:04d}")
    page.goto("/stats/capacity")
    _check_page(page, "capacity")
    assert page.get_by_role("heading", name="Next quarter").is_visible()
    assert page.get_by_role("heading", name="Open cases per expert").is_visible()
    assert page.get_by_role("table", name="Cases per year").is_visible()
    assert page.locator("main svg").count() >= 1
    main = page.locator("main").inner_text()
    assert "CASE-" not in main and "bob" not in main
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
