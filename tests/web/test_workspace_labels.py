"""The expert's words on every workspace page (issue 9, point 3): no raw instrument code, no expression path.

A demo assessment (the shipped example case-0101, its free texts replaced by neutral synthetic text) is
walked page by page in English, Dutch and French: the case list, the case, a new assessment, the form, the
plan, the history, a revision, a comparison, the report page, the final form a countersigner sees, the
changes since the last assessment, and the form refused with errors. The codes searched for are built
from the instrument itself (case-field choices, judgement levels, scale codes, intervention, provider,
domain, rule and field ids) and the workspace's own codes (statuses, scenario kinds). A code is only
looked for in a language whose own words it is not (`moderate` is an English word, not a Dutch one).
Synthetic data only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po

from spj.api.web.forms import SCENARIO_KINDS
from spj.instrument.model import Instrument
from spj.service.case_list import STATUSES
from tests.web.conftest import (
    TestClient,
    accept_every_step,
    csrf_of,
    form_fields,
    plan_fields,
    post_form,
    post_plan,
    start_assessment,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "instruments" / "disengagement-trajectory" / "examples" / "case-0101.assessment.yaml"
LOCALE = ROOT / "spj" / "api" / "web" / "locale"
FREE_TEXT = {
    "for", "against", "description", "formulation", "rationale", "text", "title", "reason", "note",
    "index_offence", "conditions_note", "kind_note", "comment",
}  # fmt: skip
EXPRESSION_PATH = re.compile(r"\b(ratings|domains|flags|case|judgements|scales|fields|plan)\.[A-Za-z_]")
Login = Callable[[str], TestClient]


class _Visible(HTMLParser):
    """The text a person sees or hears: text nodes (not scripts, styles or templates) and the names
    given in attributes (aria-label, title, placeholder, alt, a button's value). A `<code>` element is an id
    the expert types on purpose (the plan's added steps name other steps by id), shown beside its title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template", "datalist", "code"):
            self.hidden += 1
        a = {k: v or "" for k, v in attrs}
        for name in ("aria-label", "title", "placeholder", "alt", "data-confirm"):
            if a.get(name):
                self.parts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button"):
            self.parts.append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "datalist", "code") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.parts


def instrument_codes(instrument: Instrument) -> set[str]:
    """Every code of the instrument a page could show instead of its label."""
    codes: set[str] = set(STATUSES) | set(SCENARIO_KINDS)
    for field in instrument.case_fields:
        codes.add(field.id)
        codes.update(str(c) for c in field.choices or ())
    for judgement in instrument.judgements:
        codes.add(judgement.id)
        codes.update(judgement.levels)
    for levels in instrument.scales.values():
        codes.update(level.code for level in levels)
    codes.update(d.id for d in instrument.domains)
    codes.update(r.id for r in instrument.rules)
    for intervention in instrument.interventions:
        codes.add(intervention.id)
        codes.update(str(p) for p in getattr(intervention, "providers", None) or ())
        provider = getattr(intervention, "provider", None)
        if isinstance(provider, str):
            codes.add(provider)
    # Short codes ("Y", "N", "P") and codes that are indicator ids (shown on purpose, as "PS1") are no words.
    return {c for c in codes if len(c) > 2 and not re.fullmatch(r"[A-Z]{1,4}\d+", c)}


def _words_of(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[\w-]+", text)}


def language_words(instrument: Instrument, lang: str) -> set[str]:
    """The words of a language as this workspace writes it: the instrument's texts and the page catalog."""
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if lang in node and isinstance(node[lang], str):
                words.update(_words_of(node[lang]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load((ROOT / "instruments" / "disengagement-trajectory" / "instrument.yaml").read_text()))
    if lang == "en":
        with (LOCALE / "nl" / "LC_MESSAGES" / "web.po").open("rb") as handle:
            words.update(w for m in read_po(handle) if m.id for w in _words_of(str(m.id)))
    else:
        with (LOCALE / lang / "LC_MESSAGES" / "web.po").open("rb") as handle:
            words.update(w for m in read_po(handle) if m.string for w in _words_of(str(m.string)))
    return words


def raw_codes(parts: list[str], codes: set[str]) -> list[str]:
    """The visible strings that show a code or an expression path."""
    found = []
    for part in parts:
        tokens = set(re.findall(r"[\w-]+", part))
        hits = sorted(tokens & codes)
        if hits or EXPRESSION_PATH.search(part):
            found.append(f"{part!r} ({', '.join(hits) or 'path'})")
    return found


def _neutral(node: Any, key: str = "") -> Any:
    """The example's content with every free text replaced (people's words are not under test here)."""
    if isinstance(node, dict):
        return {k: _neutral(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_neutral(v, key) for v in node]
    if isinstance(node, str) and key in FREE_TEXT:
        return "Synthetic text."
    return node


def _demo_content(base: dict[str, Any]) -> dict[str, Any]:
    example = _neutral(yaml.safe_load(EXAMPLE.read_text()))
    content = dict(base)
    for key in ("sources", "ratings", "formulation", "scenarios", "judgements"):
        content[key] = example[key]
    content["case"] = {**base["case"], "fields": example["case"]["fields"]}
    for source in content["sources"]:
        source["kind"] = "interview"  # free text typed by the expert, not an instrument code
    return content


def _set_language(client: TestClient, lang: str) -> None:
    page = client.get("/cases")
    response = client.post("/language", data={"csrf_token": csrf_of(page.text), "lang": lang, "next": "/cases"})
    assert response.status_code in (200, 303), response.text


@pytest.fixture
def demo(app: Any, login: Login) -> dict[str, Any]:
    """A demo draft with two revisions, and a final assessment reassessed (changes page)."""
    alice = login("alice")
    workspace = app.state.workspace
    user = workspace.store.get_user_by_username("alice")
    draft = start_assessment(alice, "CASE-0101")
    view = workspace.get(user, draft)
    view = workspace.save(user, draft, view.head, _demo_content(view.content))
    changed = {**view.content, "formulation": "Synthetic text, changed."}
    view = workspace.save(user, draft, view.head, changed)
    final = _final(alice, "CASE-0102")
    started = alice.post(
        f"/assessments/{final}/reassess", data={"csrf_token": csrf_of(alice.get("/cases").text)}, follow_redirects=False
    )
    again = started.headers["location"].split("/assessments/")[1].split("?")[0]
    view = workspace.get(user, again)
    workspace.save(user, again, view.head, _demo_content(view.content))
    return {
        "alice": alice,
        "rita": login("rita"),
        "draft": draft,
        "final": final,
        "again": again,
        "instrument": view.instrument,
        "head": 3,
    }


def _final(client: TestClient, case_id: str) -> str:
    """A final assessment, finalised through the pages (every indicator absent, every step accepted)."""
    assessment_id = start_assessment(client, case_id)
    fields = form_fields(client.get(f"/assessments/{assessment_id}").text)
    for name in [n for n in fields if n.startswith("r.") and n.endswith(".presence")]:
        fields[name] = ["N"]
    for judgement in ("case_priority", "trajectory_readiness"):
        fields[f"j.{judgement}.level"] = ["moderate"]
        fields[f"j.{judgement}.rationale"] = ["Synthetic text."]
    fields["case.mandate"] = ["sentence_implementation_court"]
    fields["case.status"] = ["hate_propagandist"]
    assert post_form(client, assessment_id, fields).status_code == 303
    finalised = post_plan(
        client, assessment_id, accept_every_step(plan_fields(client, assessment_id)), action="finalise"
    )
    assert finalised.status_code == 303, finalised.text
    return assessment_id


def _pages(demo: dict[str, Any]) -> Iterator[str]:
    draft = demo["draft"]
    yield from ("/cases", "/cases?mine=1", "/cases/CASE-0101", "/new", "/new?case=CASE-0101")
    for tail in ("", "/plan", "/history", "/revisions/1", "/report", f"/compare?from=1&to={demo['head']}"):
        yield f"/assessments/{draft}{tail}"
    for tail in ("", "/plan", "/history", "/report"):
        yield f"/assessments/{demo['final']}{tail}"
    yield f"/assessments/{demo['again']}/changes"


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_no_workspace_page_shows_a_raw_code(demo: dict[str, Any], lang: str) -> None:
    alice: TestClient = demo["alice"]
    instrument: Instrument = demo["instrument"]
    words = language_words(instrument, lang)
    codes = {c for c in instrument_codes(instrument) if c.casefold() not in words}
    assert {"hate_propagandist", "sentence_implementation_court"} <= codes
    _set_language(alice, lang)
    found: dict[str, list[str]] = {}
    # The countersigner's view of the final assessment.
    _set_language(demo["rita"], lang)
    countersign = demo["rita"].get(f"/assessments/{demo['final']}")
    assert 'name="comment"' in countersign.text
    bad = raw_codes(visible_text(countersign.text), codes)
    if bad:
        found["the countersigner's final view"] = bad
    for path in _pages(demo):
        response = alice.get(path)
        assert response.status_code == 200, (path, response.status_code)
        bad = raw_codes(visible_text(response.text), codes)
        if bad:
            found[path] = bad
    # The form refused with errors: each message in plain words, no path and no code.
    page = alice.get(f"/assessments/{demo['draft']}").text
    fields = form_fields(page)
    refused = post_form(alice, demo["draft"], fields, s__0__date="14/10/2026", j__case_priority__level="urgent")
    assert refused.status_code == 422
    summary = refused.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    date_label = {"en": "Source 1 — Date", "nl": "Bron 1 — Datum", "fr": "Source 1 — Date"}[lang]
    assert f">{date_label}</a>:" in summary, "the message does not name the field by its visible label"
    assert not re.search(r">(s|sc|r|j|case)\.[\w.]+</a>", summary), "a message names a form field by its code"
    bad = raw_codes(visible_text(refused.text), codes)
    if bad:
        found["form with errors"] = bad
    # Finalising refused, on the form and on the plan page: the reasons in plain words too.
    fields = form_fields(alice.get(f"/assessments/{demo['draft']}").text)
    refused = post_form(alice, demo["draft"], fields, action="finalise")
    assert refused.status_code == 422
    bad = raw_codes(visible_text(refused.text), codes)
    if bad:
        found["finalise refused"] = bad
    refused = post_plan(alice, demo["draft"], plan_fields(alice, demo["draft"]), action="finalise")
    assert refused.status_code == 422
    bad = raw_codes(visible_text(refused.text), codes)
    if bad:
        found["finalise refused on the plan page"] = bad
    assert found == {}, "\n".join(f"{k}: {v}" for k, vs in found.items() for v in vs)
