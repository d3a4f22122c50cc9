"""The codebook (`spj codebook`): content, languages, escaping, the graph, the command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import spj
from spj.cli.app import app
from spj.report.codebook import graph_layout, intervention_phases, render_codebook

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "instruments").glob("*/instrument.yaml"))
RUNNER = CliRunner()

HOSTILE = "<script>alert(1)</script> **bold** [x](javascript:alert(1)) & `tick`"

INSTRUMENT = """\
format: spj/1
id: codebook-test
version: 2.1.0
title: {en: Codebook test, nl: Codeboektest}
languages: [en, nl]
license: CC0-1.0
citation: "Synthetic (2026)."
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent, nl: Afwezig}}
    - {code: "P", value: 1, label: {en: Partially present, nl: Gedeeltelijk aanwezig}}
    - {code: "Y", value: 2, label: {en: Present, nl: Aanwezig}, description: {en: Clearly there}}
  relevance:
    - {code: low, value: 0, label: {en: Low}}
    - {code: high, value: 1, label: {en: High}}
domains:
  - {id: social, title: {en: Social network, nl: Sociaal netwerk}, description: {en: Who they see.}}
  - {id: wellbeing, title: {en: Wellbeing}}
indicators:
  - id: SO1
    domain: social
    kind: risk
    title: {en: Extremist peers, nl: Extremistische contacten}
    guidance: {en: Ask who they meet.}
    anchors: {"N": {en: No such contact.}, "Y": {en: Weekly contact.}}
  - {id: SO2, domain: social, kind: protective, title: {en: Supportive family}}
  - {id: WB1, domain: wellbeing, kind: risk, title: {en: Unprocessed trauma}}
case_fields:
  - {id: phase, type: choice, choices: [detention, probation], title: {en: Phase}}
rules:
  - {id: isolation, title: {en: Isolated}, when: 'ratings.SO2.presence == 0', message: {en: Isolated.}}
  - {id: odd, when: 'ratings.SO1.presence + ratings.WB1.presence >= 3', message: {en: Odd.}}
interventions:
  - {id: stabilise, title: {en: Stabilisation}, domain: social, provider: probation, duration_weeks: 4,
     recommend_when: 'flags.isolation'}
  - {id: trauma, title: {en: Trauma care}, domain: wellbeing, provider: mental-health, duration_weeks: 12,
     recommend_when: 'ratings.WB1.presence >= 1 && ratings.WB1.relevance >= 1', requires: [stabilise]}
  - {id: dialogue, title: {en: Dialogue}, domain: social, provider: ngo, duration_weeks: 1,
     recommend_when: "case.phase == 'probation'", after: [trauma]}
  - {id: alone, title: {en: Alone}, domain: social, provider: ngo, duration_weeks: 2,
     recommend_when: 'domains.social.risk.present >= 1'}
judgements:
  - {id: case_priority, title: {en: Case priority}, levels: [low, high], rationale_required: true}
  - {id: readiness, title: {en: Readiness}, levels: [low, high]}
"""


@pytest.fixture(scope="module")
def instrument() -> spj.Instrument:
    return spj.parse_instrument(INSTRUMENT, file="codebook.yaml")


def hostile_instrument() -> spj.Instrument:
    text = (
        INSTRUMENT.replace("Extremist peers, nl", f"{json.dumps(HOSTILE)}, nl")
        .replace("Ask who they meet.", "<img src=x onerror=alert(1)>")
        .replace("{en: Isolated}", "{en: '<b>isolated</b>'}")
        .replace("provider: ngo, duration_weeks: 1", "provider: '<i>ngo</i>', duration_weeks: 1")
        .replace("title: {en: Dialogue}", f"title: {{en: {json.dumps(HOSTILE)}}}")
        .replace("'ratings.SO1.presence + ratings.WB1.presence >= 3'", "\"case.phase == '<script>x</script>'\"")
    )
    return spj.parse_instrument(text, file="hostile.yaml")


def test_html_contains_every_part(instrument: spj.Instrument) -> None:
    html = render_codebook(instrument, format="html", lang="en")
    assert isinstance(html, str)
    for expected in (
        "Codebook test",
        "2.1.0",
        f"sha256:{instrument.sha256}",
        "CC0-1.0",
        "Synthetic (2026).",
        "known unknown",
        "Partially present",
        "Clearly there",
        "Who they see.",
        "Ask who they meet.",
        "No such contact.",
        "Weekly contact.",
        "protective indicator",
        "Phase",
        "Raised when Supportive family (SO2) is absent.",
        "Recommended when Unprocessed trauma (WB1) is at least partially present and its relevance is exactly high.",
        "Recommended when the flag “Isolated” is raised.",
        "Recommended when the case is in phase “probation”.",
        "Recommended when at least 1 risk indicator of Social network is present.",
        "mental-health",
        "12 weeks",
        "A written rationale is required.",
        "A written rationale is optional.",
        "<svg",
    ):
        assert expected in html, expected
    # An expression outside the explained subset is shown as code.
    assert "when: <code>ratings.SO1.presence + ratings.WB1.presence &gt;= 3</code>" in html
    assert "<script" not in html


def test_markdown_contains_every_part(instrument: spj.Instrument) -> None:
    md = render_codebook(instrument, format="md", lang="en")
    assert isinstance(md, str)
    assert md.startswith("# Codebook test")
    assert "Recommended when the flag “Isolated” is raised." in md
    assert "when: `ratings.SO1.presence + ratings.WB1.presence >= 3`" in md
    assert "- **Phase 1:** Stabilisation, Alone" in md
    assert "**Requires:** Stabilisation (stabilise)" in md


def test_dutch_with_fallback_to_default_language(instrument: spj.Instrument) -> None:
    html = render_codebook(instrument, format="html", lang="nl")
    assert "Codeboektest" in html
    assert "Sociaal netwerk" in html
    assert "Unprocessed trauma" in html  # no Dutch title: the default language's text
    assert "Aanbevolen als: het signaal “Isolated” geldt." in html


def test_language_without_instrument_texts_uses_report_catalog(instrument: spj.Instrument) -> None:
    html = render_codebook(instrument, format="html", lang="fr")
    assert "Manuel de cotation" in html
    assert "Extremist peers" in html


def test_unknown_language_and_format(instrument: spj.Instrument) -> None:
    with pytest.raises(spj.RenderError) as info:
        render_codebook(instrument, lang="xx")
    assert info.value.codes == ["language"]
    with pytest.raises(spj.RenderError):
        render_codebook(instrument, format="docx")


def test_hostile_labels_are_escaped_in_html() -> None:
    html = render_codebook(hostile_instrument(), format="html")
    assert isinstance(html, str)
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>isolated" not in html
    assert "<i>ngo" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;isolated&lt;/b&gt;" in html  # in a sentence: the flag “<b>isolated</b>” is raised


def test_hostile_labels_are_escaped_in_markdown() -> None:
    md = render_codebook(hostile_instrument(), format="md")
    assert isinstance(md, str)
    outside_code = md.replace("`case.phase == '<script>x</script>'`", "")
    assert not re.search(r"(?<!\\)<(script|img|b>|i>)", outside_code)  # markup only ever escaped
    assert not re.search(r"(?<!\\)\]\(javascript", md)  # no live link
    assert "\\<script\\>" in md
    assert "\\[x\\]" in md
    assert "\\*\\*bold\\*\\*" in md


def test_graph_layers_by_phase(instrument: spj.Instrument) -> None:
    assert intervention_phases(instrument) == [["stabilise", "alone"], ["trauma"], ["dialogue"]]
    graph = graph_layout(instrument)
    assert [c.number for c in graph.columns] == [1, 2, 3]
    xs = {b.id: b.x for b in graph.boxes}
    assert xs["stabilise"] == xs["alone"] < xs["trauma"] < xs["dialogue"]
    assert [e.kind for e in graph.edges] == ["requires", "after"]
    assert graph_layout(instrument) == graph  # deterministic
    html = render_codebook(instrument)
    assert 'class="edge requires"' in html
    assert 'class="edge after"' in html


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_codebook_phases_are_the_plan_of_every_intervention(path: Path) -> None:
    """The codebook draws the phases a plan holding every intervention would have (one definition: plan.py)."""
    instrument = spj.load_instrument(path)
    plan = spj.build_plan(instrument, [i.id for i in instrument.interventions])
    assert intervention_phases(instrument) == [list(phase) for phase in plan.phases]
    numbers = {node: n for n, phase in enumerate(plan.phases, start=1) for node in phase}
    md = render_codebook(instrument, format="md", lang="en")
    assert isinstance(md, str)
    for iv in instrument.interventions:
        title = iv.title["en"] if isinstance(iv.title, dict) else iv.title
        heading = next(line for line in md.splitlines() if line.startswith(f"### {title} ("))
        assert heading.endswith(f"(Phase {numbers[iv.id]})")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_shipped_instruments_render(path: Path, lang: str) -> None:
    instrument = spj.load_instrument(path)
    html = render_codebook(instrument, format="html", lang=lang)
    md = render_codebook(instrument, format="md", lang=lang)
    assert isinstance(html, str)
    assert isinstance(md, str)
    for indicator in instrument.indicators:
        assert f'id="indicator-{indicator.id}"' in html
        assert indicator.id in md
    # Every shipped rule and recommendation is explained in plain language.
    assert "<code>" not in html.split('id="rules"')[1]
    assert html.count('class="when"') == len(instrument.rules) + len(instrument.interventions)


def test_pdf_starts_with_magic(instrument: spj.Instrument) -> None:
    pytest.importorskip("weasyprint")
    pdf = render_codebook(instrument, format="pdf")
    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF")


def test_command_writes_the_file(tmp_path: Path) -> None:
    source = tmp_path / "inst.yaml"
    source.write_text(INSTRUMENT, encoding="utf-8")
    target = tmp_path / "codebook.md"
    result = RUNNER.invoke(app, ["codebook", str(source), "-o", str(target), "--format", "md", "--lang", "nl"])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Codeboektest")


def test_command_refuses_a_bad_instrument(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text(INSTRUMENT.replace("domain: wellbeing, provider", "domain: wellbeng, provider"), encoding="utf-8")
    target = tmp_path / "codebook.html"
    result = RUNNER.invoke(app, ["codebook", str(source), "-o", str(target)])
    assert result.exit_code == 1
    assert f"{source}:" in result.output
    assert "wellbeing" in result.output  # did you mean
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_command_refuses_an_unknown_language(tmp_path: Path) -> None:
    source = tmp_path / "inst.yaml"
    source.write_text(INSTRUMENT, encoding="utf-8")
    target = tmp_path / "codebook.html"
    result = RUNNER.invoke(app, ["codebook", str(source), "-o", str(target), "--lang", "xx"])
    assert result.exit_code == 1
    assert not target.exists()


INFORMS = "Informs the formulation: no rule reads this indicator; weigh it when you write the formulation."


@pytest.mark.parametrize(
    ("lang", "kind", "expected"),
    [
        ("en", "html", f'<p class="informs">{INFORMS}</p>'),
        ("en", "md", f"*{INFORMS}*"),
        ("nl", "html", "Informeert de formulering"),
        ("fr", "md", "Éclaire la formulation"),
    ],
)
def test_an_indicator_that_informs_the_formulation_says_so(lang: str, kind: str, expected: str) -> None:
    text = INSTRUMENT.replace(
        "{id: SO2, domain: social, kind: protective, title: {en: Supportive family}}",
        "{id: SO2, domain: social, kind: protective, title: {en: Supportive family}, informs: formulation}",
    )
    rendered = render_codebook(spj.parse_instrument(text, file="codebook.yaml"), format=kind, lang=lang)
    assert isinstance(rendered, str)
    assert expected in rendered
    assert rendered.count(expected) == 1  # SO2 only


def test_an_indicator_that_informs_nothing_says_nothing(instrument: spj.Instrument) -> None:
    for kind in ("html", "md"):
        rendered = render_codebook(instrument, format=kind, lang="en")
        assert isinstance(rendered, str)
        assert "Informs the formulation" not in rendered
