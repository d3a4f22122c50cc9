"""Manual accessibility audit with axe-core (not a test; CI does not need axe-core): see README.md.

`python tests/browser/axe_audit.py /path/to/axe.min.js [screenshot-folder]` starts the workspace on a temp
SQLite file, walks the main pages with synthetic data (login, cases, new assessment, a draft with flags and
errors, a conflict, history, changes, report, 404), runs axe on each and prints every violation. Exit status 1
when any violation is serious or critical. The pages' Content-Security-Policy forbids injected scripts, so the
audit's browser context bypasses CSP (the audit only).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from conftest import ARGS, CHROMIUM, PASSWORD  # noqa: E402


def main(axe: str, shots: Path | None) -> int:
    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    db = Path(tempfile.mkdtemp()) / "spj.sqlite"
    server = subprocess.Popen([sys.executable, str(HERE / "serve_app.py"), f"sqlite+pysqlite:///{db}", str(port)])
    url = f"http://127.0.0.1:{port}"
    found: dict[str, list[dict[str, Any]]] = {}
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/login", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)

    def audit(page: Any, name: str) -> None:
        page.add_script_tag(path=axe)
        found[name] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
        for v in found[name]:
            print(f"[{name}] {v['impact']:8} {v['id']}: {v['help']} ({len(v['nodes'])})")
            for node in v["nodes"][:3]:
                print("     ", node["target"])
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    def sign_in(browser: Any, who: str) -> Any:
        page = browser.new_context(base_url=url, viewport={"width": 1360, "height": 900}, bypass_csp=True).new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # confirm finalising
        page.goto("/login")
        page.fill("#username", who)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/cases")
        return page

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            anonymous = browser.new_context(base_url=url, bypass_csp=True).new_page()
            anonymous.goto("/login")
            audit(anonymous, "login")
            page = sign_in(browser, "alice")
            audit(page, "cases")
            page.goto("/new")
            audit(page, "new")
            page.fill("#case_id", "CASE-AXE-0001")
            page.click("main button[type=submit]")
            page.wait_for_url("**/assessments/**")
            assessment = page.url.split("?")[0]
            page.check('input[name="r.MH1.presence"][value="Y"]')
            page.check('input[name="r.MH1.relevance"][value="high"]')
            page.click("button[value=save]")
            page.wait_for_url("**saved=2")
            audit(page, "assessment")
            page.click("button[value=finalise]")
            page.wait_for_load_state()
            audit(page, "assessment-errors")
            rita = sign_in(browser, "rita")
            page.goto(assessment)
            rita.goto(assessment)
            rita.fill("#f-formulation", "Synthetic formulation.")
            rita.click("button[value=save]")
            rita.wait_for_url("**saved=3")
            page.check('input[name="r.EW1.presence"][value="P"]')
            page.click("button[value=save]")
            page.wait_for_load_state()
            audit(page, "conflict")
            for path, name in (("/history", "history"), ("/changes", "changes"), ("/report", "report")):
                page.goto(assessment + path)
                audit(page, name)
            page.goto(assessment + "/report.html")
            audit(page, "report-html")
            page.goto("/no/such/page")
            audit(page, "404")
            browser.close()
    finally:
        server.terminate()
        server.wait()
    bad = sum(1 for vs in found.values() for v in vs if v["impact"] in ("serious", "critical"))
    print(f"{len(found)} pages, {sum(map(len, found.values()))} violations, {bad} serious or critical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]) if len(sys.argv) > 2 else None))
