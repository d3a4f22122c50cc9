"""The narrative report: HTML, Markdown and PDF, translated, never showing raw markup from user text."""

from __future__ import annotations

import re

import pytest

import spj
from spj.report import render_report
from spj.report.escaping import md_escape

INSTRUMENT = """\
format: spj/1
id: report-test
version: 1.2.0
title: {en: Report test instrument, nl: Rapporttestinstrument}
languages: [en, nl]
license: CC0-1.0
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent, nl: Afwezig}}
    - {code: "P", value: 1, label: {en: Partially present, nl: Gedeeltelijk aanwezig}}
    - {code: "Y", value: 2, label: {en: Present, nl: Aanwezig}}
  relevance:
    - {code: low, value: 0, label: {en: Low, nl: Laag}}
    - {code: high, value: 2, label: {en: High, nl: Hoog}}
domains:
  - {id: social, title: {en: Social network, nl: Sociaal netwerk}}
  - {id: wellbeing, title: {en: Mental health, nl: Geestelijke gezondheid}}
indicators:
  - {id: SO1, domain: social, kind: risk,
     title: {en: Contact with extremist peers, nl: Contact met extremistische peers}}
  - {id: SO2, domain: social, kind: protective, title: {en: Supportive family ties}}
  - {id: WB1, domain: wellbeing, kind: risk, title: {en: "Unprocessed trauma <b>x</b>", nl: Onverwerkt trauma}}
  - {id: WB2, domain: wellbeing, kind: risk, title: {en: Unstable daily structure}}
rules:
  - id: isolation
    when: 'ratings.SO2.presence == 0 && ratings.SO1.presence >= 1'
    severity: concern
    message: {en: No family support while in contact with extremist peers.}
  - id: trauma_high
    when: 'ratings.WB1.presence == 2 && ratings.WB1.relevance == 2'
    severity: critical
    message: {en: Trauma is present and highly relevant.}
  - id: unsettled
    when: 'ratings.WB2.presence >= 1'
    severity: info
    message: {en: Daily life is unsettled.}
interventions:
  - {id: stabilisation, title: {en: Stabilise daily life}, domain: wellbeing, provider: probation,
     duration_weeks: 4, recommend_when: 'ratings.SO1.presence >= 1'}
  - {id: trauma_care, title: {en: Trauma treatment, nl: Traumabehandeling}, domain: wellbeing,
     provider: mental-health, duration_weeks: 12, recommend_when: 'flags.trauma_high', requires: [stabilisation]}
  - {id: daily_support, title: {en: Daily support}, domain: wellbeing, provider: social-services,
     duration_weeks: 6, recommend_when: 'ratings.WB2.presence >= 1'}
judgements:
  - id: case_priority
    title: {en: Case priority, nl: Prioriteit van de casus}
    levels: [low, moderate, high]
    rationale_required: true
"""

ASSESSMENT = """\
format: spj-assessment/1
instrument: {id: report-test, version: 1.2.0}
id: A-0042
case: {id: "CASE-<i>9</i>"}
assessor: {id: u-7, agency: house-of-justice-example}
date: 2026-03-05
status: draft
sources:
  - {id: S1, kind: interview, date: 2026-03-01, description: "Intake <script>alert(1)</script>"}
ratings:
  SO1: {presence: "P", relevance: high, sources: [S1],
        evidence: {for: "Peers seen twice. <script>alert(1)</script>", against: "[x](javascript:alert(1)) *bold*"}}
  SO2: {presence: "N", relevance: low}
  WB1: {presence: "Y", relevance: high, evidence: {for: "{{ 7*7 }} and | pipes"}}
  WB2: {omitted: true, reason: "No information on daily routine yet."}
formulation: "First paragraph <b>bold</b>.\\n\\nSecond paragraph {{ 7*7 }} [x](javascript:alert(1))"
scenarios: [{kind: escalation, text: "Renewed contact <img src=x onerror=alert(1)>"}]
judgements:
  case_priority: {level: moderate, rationale: "Rationale <script>alert(2)</script>"}
"""


@pytest.fixture(scope="module")
def case() -> tuple[spj.Instrument, spj.Assessment, spj.Evaluation]:
    instrument = spj.parse_instrument(INSTRUMENT)
    assessment = spj.parse_assessment(ASSESSMENT, instrument)
    return instrument, assessment, spj.evaluate(instrument, assessment)


def render(case: tuple[spj.Instrument, spj.Assessment, spj.Evaluation], **options: str | None) -> str:
    out = render_report(*case, **options)  # type: ignore[arg-type]
    assert isinstance(out, str)
    return out


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize(
    ("lang", "heading", "label"),
    [
        ("en", "Life areas", "Contact with extremist peers"),
        ("nl", "Levensdomeinen", "Contact met extremistische peers"),
        ("fr", "Domaines de vie", "Contact with extremist peers"),
    ],
)
def test_renders_translated_headings_and_instrument_labels(case, fmt, lang, heading, label) -> None:
    text = render(case, format=fmt, lang=lang)
    assert heading in text
    assert label in text


def test_missing_translation_falls_back_to_default_language(case) -> None:
    text = render(case, format="html", lang="nl")
    assert "Supportive family ties" in text  # no nl label: the default language's
    assert "Traumabehandeling" in text
    assert "Stabilise daily life" in text


def test_default_language_is_the_instruments_first(case) -> None:
    assert '<html lang="en">' in render(case)


def test_html_is_self_contained(case) -> None:
    html = render(case, format="html")
    assert "<style>" in html
    assert not re.search(r"<script|<link|src=\"http|@import|url\(", html)
    assert "@media print" in html


@pytest.mark.parametrize(
    "raw",
    ["<script>alert(1)</script>", "<b>bold</b>", "<img src=x", "<i>9</i>", "<b>x</b>"],
)
def test_html_escapes_user_text_and_labels(case, raw) -> None:
    html = render(case, format="html")
    assert raw not in html


def test_html_shows_escaped_text_and_does_not_evaluate_templates_in_it(case) -> None:
    html = render(case, format="html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Second paragraph {{ 7*7 }}" in html
    assert "Second paragraph 49" not in html
    assert "<p>First paragraph &lt;b&gt;bold&lt;/b&gt;.</p>" in html  # blank lines become paragraphs


@pytest.mark.parametrize("raw", ["<script>", "<b>", "<img", "[x](javascript:", "*bold*", "<i>9</i>", "| pipes"])
def test_markdown_escapes_user_text_and_labels(case, raw) -> None:
    md = render(case, format="md")
    assert re.search(r"(?<!\\)" + re.escape(raw), md) is None  # only its escaped form may appear


def test_markdown_keeps_the_text_readable(case) -> None:
    md = render(case, format="md")
    assert r"\[x\](javascript:alert(1)) \*bold\*" in md
    assert r"\<script\>alert(1)\</script\>" in md
    assert r"Second paragraph \{\{ 7\*7 \}\}" in md
    assert "Second paragraph 49" not in md


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
        ("<b>", r"\<b\>"),
        ("a | b", r"a \| b"),
        ("*_`#", r"\*\_\`\#"),
        ("line\nbreak", "line break"),
    ],
)
def test_md_escape(text, expected) -> None:
    assert md_escape(text) == expected


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_draft_is_marked(case, fmt) -> None:
    assert "DRAFT" in render(case, format=fmt)
    assert "ONTWERP" in render(case, format=fmt, lang="nl")


def test_final_is_not_marked_draft() -> None:
    instrument = spj.parse_instrument(INSTRUMENT)
    final = ASSESSMENT.replace("status: draft", "status: final").replace(
        'WB2: {omitted: true, reason: "No information on daily routine yet."}', 'WB2: {presence: "N", relevance: low}'
    )
    assessment = spj.parse_assessment(final, instrument)
    html = render((instrument, assessment, spj.evaluate(instrument, assessment)))
    assert "DRAFT" not in html


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_flags_say_why(case, fmt) -> None:
    text = render(case, format=fmt)
    assert "No family support while in contact with extremist peers." in text
    assert "Raised because:" in text
    assert "is rated “Partially present”" in text
    assert "(P)" not in text  # a level by its label, never its code
    assert "ratings." not in text and "domains." not in text  # reasons as sentences, no expression paths
    assert "Critical" in text and "Concern" in text


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_unknown_flag_names_what_is_missing(case, fmt) -> None:
    text = render(case, format=fmt)
    assert "Daily life is unsettled." in text
    assert "It depends on what is not known about: Unstable daily structure (WB2)" in text


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_omitted_indicator_has_reason_and_prompt(case, fmt) -> None:
    text = render(case, format=fmt)
    assert "Unstable daily structure (WB2) is not known: No information on daily routine yet." in text
    assert "To find out:" in text


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_trajectory_has_phases_providers_and_reasons(case, fmt) -> None:
    text = render(case, format=fmt)
    assert "Phase 1 (weeks 0–4)" in text
    assert "Phase 2 (weeks 4–16)" in text
    assert "by Mental health care, weeks 4–16." in text  # providers by name, not their ids
    assert "by House of justice, weeks 0–4." in text
    assert "Requires Stabilise daily life to be completed first."  # a step by its title, not its id in text
    assert "critical path" in text
    assert "16 weeks" in text


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_undetermined_interventions_name_the_missing_information(case, fmt) -> None:
    text = render(case, format=fmt)
    assert "Daily support" in text
    assert "it would be decided by information on Unstable daily structure (WB2)" in text


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_judgements_are_stated_as_the_experts(case, fmt) -> None:
    text = render(case, format=fmt)
    assert "spj did not compute them" in text
    assert ("<strong>Case priority</strong>: Moderate" if fmt == "html" else "**Case priority**: Moderate") in text
    nl = render(case, format=fmt, lang="nl")
    assert "spj heeft ze niet berekend" in nl
    assert "Matig" in nl and "moderate" not in nl  # the level's label in Dutch, never the code


def test_header_and_footer(case) -> None:
    instrument = case[0]
    html = render(case)
    for value in ("report-test", "1.2.0", instrument.sha256, "A-0042", "u-7", "House of justice example"):
        assert value in html
    assert "March 5, 2026" in html
    assert "5 maart 2026" in render(case, lang="nl")
    assert f"spj {spj.__version__}" in html


@pytest.mark.parametrize("lang", ["de", "xx", "en-GB"])
def test_unknown_language_raises(case, lang) -> None:
    with pytest.raises(spj.RenderError) as info:
        render_report(*case, lang=lang)
    assert info.value.codes == ["language"]
    assert "en, fr, nl" in str(info.value)


def test_unknown_format_raises(case) -> None:
    with pytest.raises(spj.RenderError):
        render_report(*case, format="docx")


def test_pdf_renders(case) -> None:
    pytest.importorskip("weasyprint")
    pdf = render_report(*case, format="pdf")
    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF")


def test_every_catalog_entry_is_translated_in_every_plural_form() -> None:
    """Regression: the fr catalog has three plural forms; an empty one showed English for most counts."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    import spj.report

    locale = Path(spj.report.__file__).parent / "locale"
    for po in sorted(locale.glob("*/LC_MESSAGES/messages.po")):
        with open(po, "rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(forms), f"{po.parent.parent.name}: untranslated {message.id!r}"
