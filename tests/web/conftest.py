"""Fixtures for the web pages: an app over an in-memory store, two agencies, signed-in clients.

Synthetic data only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.exceptions import StarletteDeprecationWarning

from spj.api.app import create_app
from spj.store import MemoryStore

with warnings.catch_warnings():
    # starlette asks for `httpx2` (not a dependency of spj); `httpx` works the same for the test client.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient as TestClient

PASSWORD = "correct horse battery"
INSTRUMENT = "disengagement-trajectory@2.0.0"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def app() -> Any:
    store = MemoryStore()
    app = create_app(store, secret_key="test-secret", hasher=FAST_HASHER)
    workspace = app.state.workspace
    store.create_agency("hoj-gent", "House of Justice Gent (synthetic)")
    store.create_agency("hoj-brugge", "House of Justice Brugge (synthetic)")
    for username, role, agency in (
        ("alice", "assessor", "hoj-gent"),
        ("rita", "reviewer", "hoj-gent"),
        ("bob", "assessor", "hoj-brugge"),
    ):
        workspace.create_user(username=username, password=PASSWORD, role=role, agency_id=agency)
    return app


@pytest.fixture
def login(app: Any) -> Iterator[Callable[[str], TestClient]]:
    clients: list[TestClient] = []

    def sign_in(username: str) -> TestClient:
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        page = client.get("/login")
        response = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": ""},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return client

    yield sign_in
    for client in clients:
        client.__exit__(None, None, None)


def page_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) of the web pages: the routers the app includes, walked (FastAPI keeps them nested)."""

    def walk(routes: Any) -> Iterator[tuple[str, str]]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from walk(inner.routes)
                continue
            for method in getattr(route, "methods", None) or ():
                yield method, route.path

    return {(m, p) for m, p in walk(app.routes) if m != "HEAD" and not p.startswith("/api/")}


def start_assessment(client: TestClient, case_id: str = "CASE-0001") -> str:
    """Start an assessment through the pages; returns its id."""
    page = client.get("/new")
    response = client.post(
        "/new",
        data={"csrf_token": csrf_of(page.text), "instrument": INSTRUMENT, "case_id": case_id},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/assessments/")[1].split("?")[0]


class _FormParser(HTMLParser):
    """Collects what a browser would post from one form (by its id)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.fields: dict[str, list[str]] = {}
        self.in_form = False
        self.textarea: str | None = None
        self.select: str | None = None
        self.multiple = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.in_form = True
        name = a.get("name")
        if not self.in_form:
            return
        if tag == "input" and name:
            self._input(name, a)
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields.setdefault(name, []).append("")
        elif tag == "select" and name:
            self.select = name
            self.multiple = "multiple" in a
            self.fields.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in a:
            self._option(a.get("value", ""))

    def _input(self, name: str, a: dict[str, str]) -> None:
        kind = a.get("type", "text")
        if kind in ("radio", "checkbox"):
            if "checked" in a:
                self.fields.setdefault(name, []).append(a.get("value", "on"))
        elif kind != "submit":
            self.fields.setdefault(name, []).append(a.get("value", ""))

    def _option(self, value: str) -> None:
        assert self.select is not None
        if self.multiple:
            self.fields[self.select].append(value)
        else:
            self.fields[self.select] = [value]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            if self.select and not self.fields[self.select] and not self.multiple:
                self.fields[self.select] = [""]
            self.select = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.fields[self.textarea][-1] += data


def form_fields(html: str, form_id: str = "assessment-form") -> dict[str, list[str]]:
    """The values a browser would post from a form (checked radios/boxes, texts, selects); the assessment form
    unless `form_id` names another."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return parser.fields


def post_form(client: TestClient, assessment_id: str, fields: dict[str, list[str]], **changes: Any) -> Any:
    """Post the assessment form with `changes` (`r.SO1.presence="P"`: dots written as `__`)."""
    data = {k: list(v) for k, v in fields.items()}
    for key, value in changes.items():
        name = key.replace("__", ".")
        data[name] = value if isinstance(value, list) else [value]
    return client.post(f"/assessments/{assessment_id}", data=data, follow_redirects=False)


def plan_fields(client: TestClient, assessment_id: str) -> dict[str, list[str]]:
    """The plan form as a browser would post it."""
    return form_fields(client.get(f"/assessments/{assessment_id}/plan").text, "plan-form")


def post_plan(client: TestClient, assessment_id: str, fields: dict[str, list[str]], **changes: Any) -> Any:
    """Post the plan form with `changes` (`p.trauma_treatment.decision="accept"`: dots written as `__`)."""
    data = {k: list(v) for k, v in fields.items()}
    for key, value in changes.items():
        data[key.replace("__", ".")] = value if isinstance(value, list) else [value]
    return client.post(f"/assessments/{assessment_id}/plan", data=data, follow_redirects=False)


def accept_every_step(fields: dict[str, list[str]], review_date: str = "2027-03-01") -> dict[str, list[str]]:
    """The plan form with every proposed step accepted and a review date."""
    out = {k: list(v) for k, v in fields.items()}
    for name in [n for n in out if n.startswith("p.") and n.endswith(".decision")]:
        out[name] = ["accept"]
    out["plan.review_date"] = [review_date]
    return out
