"""Behind a proxy at `/spj` (`spj serve --root-path /spj`): every `Location` and every link, form action and
asset of the pages keeps the prefix (issue 12, point 8). Two ways in: the server's root path (TestClient's
`root_path`), and the app's own `root_path` setting with requests as a proxy sends them, prefix kept or
stripped. Synthetic data only."""

from __future__ import annotations

import re
from typing import Any

import pytest

from spj.api.app import create_app
from spj.store import MemoryStore

from .conftest import FAST_HASHER, INSTRUMENT, PASSWORD, TestClient, csrf_of

PREFIX = "/spj"
URL_ATTRIBUTE = re.compile(r'\b(?:href|action|src)="(/[^"]*)"')


def _app(root_path: str = "") -> Any:
    app = create_app(MemoryStore(), secret_key="test-secret", hasher=FAST_HASHER, root_path=root_path)
    app.state.workspace.store.create_agency("hoj-gent", "House of Justice Gent (synthetic)")
    app.state.workspace.create_user(username="alice", password=PASSWORD, role="assessor", agency_id="hoj-gent")
    return app


def _walk(client: TestClient, ask: str) -> tuple[list[str], list[str]]:
    """Sign in, start an assessment, open its pages: (every Location header, every absolute link on the pages)."""
    locations: list[str] = []
    links: list[str] = []

    def visit(path: str) -> str:
        response = client.get(path, follow_redirects=False)
        while response.status_code in (302, 303, 307):
            locations.append(response.headers["location"])
            response = client.get(_inside(response.headers["location"]), follow_redirects=False)
        assert response.status_code == 200, (path, response.status_code)
        links.extend(URL_ATTRIBUTE.findall(response.text))
        return response.text

    def _inside(location: str) -> str:
        return location if ask == PREFIX else location.removeprefix(PREFIX)

    def post(path: str, data: dict[str, str]) -> str:
        response = client.post(path, data=data, follow_redirects=False)
        assert response.status_code == 303, (path, response.text[:300])
        locations.append(response.headers["location"])
        return _inside(response.headers["location"])

    base = ask if ask == PREFIX else ""
    page = visit(f"{base}/")  # not signed in: to the sign-in page
    target = post(f"{base}/login", {"username": "alice", "password": PASSWORD, "csrf_token": csrf_of(page), "next": ""})
    visit(target)
    page = visit(f"{base}/new")
    opened = post(f"{base}/new", {"csrf_token": csrf_of(page), "instrument": INSTRUMENT, "case_id": "CASE-0001"})
    visit(opened)
    assessment = opened.split("/assessments/")[1].split("?")[0]
    for tail in ("", "/plan", "/history"):
        visit(f"{base}/assessments/{assessment}{tail}")
    return locations, links


def _assert_prefixed(locations: list[str], links: list[str]) -> None:
    assert locations and links
    assert [x for x in locations if not x.startswith(PREFIX + "/")] == []
    assert sorted({x for x in links if not x.startswith(PREFIX + "/")}) == []


def test_the_server_root_path() -> None:
    with TestClient(_app(), root_path=PREFIX) as client:
        _assert_prefixed(*_walk(client, ask=""))


@pytest.mark.parametrize("ask", [PREFIX, ""], ids=["proxy-keeps-the-prefix", "proxy-strips-the-prefix"])
def test_the_app_root_path_as_a_proxy_sends_it(ask: str) -> None:
    with TestClient(_app(root_path=PREFIX)) as client:
        _assert_prefixed(*_walk(client, ask=ask))
