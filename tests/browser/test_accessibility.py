"""Accessibility of the workspace in a real browser, as explicit checks (no axe-core needed in CI).

Each check pins down something fixed after an axe-core audit and a keyboard run
(README.md here has the one-line manual axe audit): every control has an
accessible name, every page has one h1, a main landmark, a title and a lang;
ids are unique; focus is visible; the skip link moves focus to main; the login
and the save of an assessment work with the keyboard alone; a focused field is
never hidden under the sticky save bar; errors are summarised, focused and
linked to their fields; at 400 px nothing scrolls sideways. Skipped (with the
reason) when /usr/bin/chromium is absent. Synthetic data only.
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

# Structure and names, measured in the page: a list of problems, empty when the page is right.
PAGE_PROBLEMS = """() => {
  const out = [];
  const lang = document.documentElement.getAttribute("lang");
  if (!lang || !lang.trim()) out.push("html has no lang");
  if (!document.title.trim()) out.push("no title");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) out.push(`${h1} h1 elements`);
  const mains = document.querySelectorAll("main, [role=main]").length;
  if (mains !== 1) out.push(`${mains} main landmarks`);
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) { ids[el.id] = (ids[el.id] || 0) + 1; }
  for (const [id, n] of Object.entries(ids)) { if (n > 1) out.push(`duplicate id ${id}`); }
  const text = (el) => (el ? el.textContent.trim() : "");
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    const labelled = [...(el.labels || [])].some((l) => text(l))
      || (el.getAttribute("aria-label") || "").trim()
      || (el.getAttribute("aria-labelledby") || "").split(/\\s+/).some((id) => text(document.getElementById(id)));
    if (!labelled) out.push(`no accessible name: ${el.outerHTML.slice(0, 120)}`);
    if (el.type === "radio") {
      const group = el.closest("fieldset");
      if (!group || !text(group.querySelector("legend"))) out.push(`radio outside a legend fieldset: ${el.name}`);
    }
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    const named = text(el) || (el.getAttribute("aria-label") || "").trim();
    if (!named) out.push(`nameless ${el.tagName}: ${el.outerHTML.slice(0, 120)}`);
  }
  for (const el of document.querySelectorAll("[aria-describedby], [aria-labelledby]")) {
    for (const attr of ["aria-describedby", "aria-labelledby"]) {
      for (const id of (el.getAttribute(attr) || "").split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) out.push(`${attr} points to missing #${id}`);
      }
    }
  }
  for (const frame of document.querySelectorAll("iframe")) {
    if (!frame.title.trim()) out.push("iframe without title");
  }
  return out;
}"""

FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {tag: el.tagName, outline: outline, shadow: !!shadow};
}"""

# The focused element, and whether the sticky save bar covers it.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const bar = document.querySelector(".actionbar");
  const r = el.getBoundingClientRect();
  let hidden = false;
  if (bar && !bar.contains(el) && getComputedStyle(bar).position === "sticky" && r.height > 0) {
    hidden = r.bottom > bar.getBoundingClientRect().top + 1;
  }
  return {name: el.getAttribute("name") || "", value: el.value || "", tag: el.tagName,
          text: (el.textContent || "").trim(), hidden: hidden, id: el.id};
}"""

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def _context(browser: Any, server: str, **options: Any) -> Any:
    options.setdefault("viewport", {"width": 1360, "height": 900})
    return browser.new_context(base_url=server, **options)


def _sign_in(browser: Any, server: str, username: str, **options: Any) -> Any:
    page = _context(browser, server, **options).new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # confirm finalising and countersigning
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/cases")
    return page


def _check_page(page: Any, what: str) -> None:
    problems = page.evaluate(PAGE_PROBLEMS)
    assert problems == [], f"{what}: {problems}"


def _tab_to(page: Any, predicate: Any, limit: int = 600, *, visible: bool = True) -> dict[str, Any]:
    """Press Tab until `predicate(state)`; on the way, no focused field may be hidden under the save bar."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        state: dict[str, Any] = page.evaluate(FOCUS_STATE)
        if visible:
            assert not state["hidden"], f"the sticky save bar hides the focused field {state}"
        if predicate(state):
            return state
    raise AssertionError("never reached by Tab")


def _new_assessment(page: Any, case_id: str) -> str:
    page.goto("/new")
    page.get_by_label("Case pseudonym").fill(case_id)
    page.get_by_role("button", name="Start the assessment").click()
    second = page.get_by_label("Start a second draft of this case anyway")
    if second.count():  # the same case started by an earlier test on this server: start another draft on purpose
        second.check()
        page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url("**/assessments/**")
    return str(page.url.split("?")[0])


def test_every_page_has_names_landmarks_one_h1_and_a_language(server: str, browser: Any) -> None:
    anonymous = _context(browser, server).new_page()
    anonymous.goto("/login")
    _check_page(anonymous, "login")
    anonymous.get_by_label("User name").fill("alice")
    anonymous.get_by_label("Password").fill("not the password")
    anonymous.get_by_role("button", name="Sign in").click()
    _check_page(anonymous, "login refused")

    alice = _sign_in(browser, server, "alice")
    _check_page(alice, "cases")
    alice.goto("/new")
    _check_page(alice, "new assessment")
    url = _new_assessment(alice, "CASE-A11Y-0001")
    alice.locator('input[name="r.MH1.presence"][value="Y"]').check()
    alice.locator('input[name="r.MH1.relevance"][value="high"]').check()
    alice.get_by_role("button", name="Save draft").click()
    alice.wait_for_url("**saved=2")
    _check_page(alice, "assessment draft")
    assert alice.locator('#live-panel [data-status="raised"]').count() >= 1
    alice.get_by_role("button", name="Finalise").click()
    alice.wait_for_load_state()
    _check_page(alice, "assessment with errors")
    for path, what in (
        ("/history", "history"),
        ("/changes", "changes"),
        ("/report", "report"),
        ("/double-rating", "double rating"),
    ):
        alice.goto(url + path)
        _check_page(alice, what)
    alice.goto("/cases/CASE-A11Y-0001")
    _check_page(alice, "case")
    alice.goto("/stats/agreement")
    _check_page(alice, "agreement")

    # a conflicting save
    rita = _sign_in(browser, server, "rita")
    alice.goto(url)
    rita.goto(url)
    rita.locator("#f-formulation").fill("Synthetic formulation by the reviewer.")
    rita.get_by_role("button", name="Save draft").click()
    rita.wait_for_url("**saved=3")
    alice.locator("#f-formulation").fill("Synthetic formulation by the assessor.")
    alice.get_by_role("button", name="Save draft").click()
    assert alice.get_by_role("heading", name="Someone else saved this assessment").is_visible()
    _check_page(alice, "conflict")

    # 404s: a missing record and an unknown address are the same titled page, not bare JSON
    for path in ("/assessments/A-missing", "/no/such/page"):
        response = alice.goto(path)
        assert response is not None and response.status == 404
        _check_page(alice, f"404 {path}")
        assert alice.get_by_role("heading", name="Not found").is_visible()
    api = alice.request.get(server + "/api/v1/no-such-endpoint")
    assert api.status == 404 and api.headers["content-type"].startswith("application/json")


def test_focus_is_visible_and_the_skip_link_moves_focus_to_main(server: str, browser: Any) -> None:
    page = _sign_in(browser, server, "alice")
    page.goto("/new")  # a page without autofocus: the first Tab lands on the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    ring = page.evaluate(FOCUS_RING)
    assert ring["outline"] or ring["shadow"], ring
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # the next Tab goes into the main content, not back to the header
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")
    for selector in ("#instrument", "#case_id", "main button[type=submit]", "#language-select", ".topbar nav a"):
        page.locator(selector).first.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        assert ring["outline"], f"no visible focus ring on {selector}: {ring}"


def test_keyboard_only_sign_in_rating_and_save(server: str, browser: Any) -> None:
    page = _context(browser, server).new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the question before finalising, answered "yes"
    page.goto("/login")
    assert page.evaluate("() => document.activeElement.id") == "username"  # autofocus
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases")

    page.goto("/new")
    page.get_by_label("Case pseudonym").fill("CASE-A11Y-0002")
    page.keyboard.press("Enter")
    page.wait_for_url("**/assessments/**")

    # Tab to the first rating group; arrows choose a level (from "not rated", Down wraps to the first level)
    page.keyboard.press("Tab")  # from the body: the skip link
    page.keyboard.press("Enter")
    _tab_to(page, lambda s: s["name"] == "r.PS1.presence")
    page.keyboard.press("ArrowDown")
    assert page.locator('input[name="r.PS1.presence"][value="N"]').is_checked()
    # Shift-Tab leaves the group backwards without a trap; Tab comes back
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUS_STATE)["name"] != "r.PS1.presence"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_STATE)["name"] == "r.PS1.presence"
    # onwards through the whole form: no field ever hides under the sticky save bar; then save with Enter
    _tab_to(page, lambda s: s["tag"] == "BUTTON" and s["text"] == "Save draft")
    page.keyboard.press("Enter")
    page.wait_for_url("**saved=2")
    assert page.locator('input[name="r.PS1.presence"][value="N"]').is_checked()

    # finalising an incomplete assessment: the error summary is focused and its links reach the fields
    page.locator('button[value="finalise"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'error-summary'")
    links = page.locator("#error-summary a")
    assert links.count() > 0
    for href in links.evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert page.locator(href).count() == 1, href
    assert "r.PS" not in page.locator("#error-summary").inner_text()  # labels, not field names
    links.first.focus()
    page.keyboard.press("Enter")
    focused = page.evaluate(FOCUS_STATE)
    assert focused["tag"] == "INPUT" and not focused["hidden"], focused
    # each field's message is tied to it
    described = page.locator("[aria-describedby]").evaluate_all(
        "els => els.filter(e => e.closest('form')).map(e => e.getAttribute('aria-describedby'))"
    )
    assert described, "no field is described by its error"
    for ids in described:
        for one in ids.split():
            assert page.locator(f"#{one}").inner_text().strip(), one


@pytest.mark.parametrize(
    "options",
    [
        {"viewport": {"width": 400, "height": 800}},
        {"viewport": {"width": 680, "height": 450}, "device_scale_factor": 2},  # 1360 x 900 at 200 %
    ],
    ids=["400px", "zoom-200"],
)
def test_pages_reflow_without_sideways_scrolling(server: str, browser: Any, options: dict[str, Any]) -> None:
    page = _sign_in(browser, server, "alice", **options)
    url = _new_assessment(page, "CASE-A11Y-REFLOW-0003")
    page.locator('input[name="r.MH1.presence"][value="Y"]').check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**saved=2")
    for path in (url, url + "/history", "/cases", "/new", "/cases/CASE-A11Y-REFLOW-0003"):
        page.goto(path)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways at {options}"
    # the sticky save bar never covers the field being typed in
    page.goto(url)
    page.locator("#f-formulation").focus()
    assert not page.evaluate(FOCUS_STATE)["hidden"]
    page.locator('textarea[name="r.HF4.against"]').focus()
    assert not page.evaluate(FOCUS_STATE)["hidden"]
