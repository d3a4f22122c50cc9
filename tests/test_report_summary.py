"""Page 1 of the report is a summary for a colleague; the evidence, indicator by indicator, is an annex (issue 9, 7).

The summary: who assessed (name, function) and when, the legal frame (mandate, phase, …), the formulation,
then the scenarios' slot, the expert's summary judgements with their rationale, the review (date, and what
would bring it forward: "Not recorded." when the assessment does not say), and the agreed plan as a table
(step, objective, need addressed, partner by name, status). Then the life areas, without the evidence; the
evidence of every rated indicator is in the annex at the end, in the instrument's order. The PDF is read
back with pypdf: page 1 holds the start of the summary and no life area.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

import spj
from spj.report import render_report
from spj.report.partners import partner_names
from spj.report.signoff import SignOff

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENT = ROOT / "instruments" / "disengagement-trajectory" / "instrument.yaml"
EXAMPLE = ROOT / "instruments" / "disengagement-trajectory" / "examples" / "case-0101b.assessment.yaml"

# (lang, summary, assessed by, date, mandate label, phase label, formulation, life areas, annex)
WORDS = [
    (
        "en",
        "Summary",
        "Assessed by",
        "April 14, 2027",
        "Sentence-implementation court",
        "Supervision in the community",
        "Formulation",
        "Life areas",
        "Annex: the evidence, indicator by indicator",
    ),
    (
        "nl",
        "Samenvatting",
        "Beoordeeld door",
        "14 april 2027",
        "Strafuitvoeringsrechtbank",
        "Toezicht in de samenleving",
        "Formulering",
        "Levensdomeinen",
        "Bijlage: de aanwijzingen, indicator per indicator",
    ),
    (
        "fr",
        "Synthèse",
        "Évalué par",
        "14 avril 2027",
        "Tribunal de l'application des peines",
        "Suivi dans la communauté",
        "Formulation",
        "Domaines de vie",
        "Annexe\u00a0: les éléments, indicateur par indicateur",
    ),
]


@pytest.fixture(scope="module")
def case() -> tuple[spj.Instrument, spj.Assessment, spj.Evaluation]:
    instrument = spj.load_instrument(INSTRUMENT)
    assessment = spj.load_assessment(EXAMPLE, instrument)
    return instrument, assessment, spj.evaluate(instrument, assessment)


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.mark.parametrize(("lang", "summary", "by", "date", "mandate", "phase", "formulation", "areas", "annex"), WORDS)
def test_page_one_of_the_pdf_is_the_summary(
    case, lang, summary, by, date, mandate, phase, formulation, areas, annex
) -> None:
    pdf = render_report(*case, format="pdf", lang=lang)
    assert isinstance(pdf, bytes)
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    first = pages[0]
    for expected in (summary, by, date, mandate, phase, formulation, "Six months into probation, daily life"):
        assert flat(expected) in first, f"page 1 lacks {expected!r}"
    assert flat(areas) not in first and "Lack of daily structure (PS1)" not in first
    # The life areas start on a page of their own, after the whole summary; the annex comes last.
    areas_page = next(n for n, text in enumerate(pages) if text.startswith(flat(areas)) or f" {flat(areas)} " in text)
    plan_page = next(n for n, text in enumerate(pages) if "Debt mediation" in text or "Schuldbemiddeling" in text)
    annex_page = next(n for n, text in enumerate(pages) if flat(annex) in text)
    assert 0 < plan_page < areas_page < annex_page
    assert "Occasional late mornings on days without training." in " ".join(pages[annex_page:])
    assert "Occasional late mornings on days without training." not in " ".join(pages[:annex_page])


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_summary_holds_what_a_colleague_needs_in_order(case, fmt) -> None:
    text = render_report(*case, format=fmt, lang="en")
    assert isinstance(text, str)
    marks = [
        "Summary",
        "Assessed by",
        "Function",
        "Not recorded.",
        "April 14, 2027",
        "Mandating authority",
        "Sentence-implementation court",
        "Phase of the criminal procedure",
        "Supervision in the community",
        "Formulation",
        "Scenarios",
        "Summary judgements",
        "Case priority",
        "Low",
        "Stable housing, daily structure",  # the rationale
        "Review date",
        "October 14, 2027",
        "An earlier review if",
        "Not recorded.",
        "The agreed plan",
        "Need addressed",
        "Life areas",
        "Proposed trajectory",
        "Annex: the evidence, indicator by indicator",
    ]
    position = 0
    for mark in marks:
        found = text.find(mark, position)
        assert found >= 0, f"{mark!r} missing or out of order"
        position = found + len(mark)


def test_the_plan_is_a_table_with_partners_by_name_and_statuses_by_label(case) -> None:
    md = render_report(*case, format="md", lang="nl")
    assert isinstance(md, str)
    table = md[md.index("| Stap | Doel |") : md.index("## Levensdomeinen")]
    assert "| Inkomen en administratie op orde | Income secured and letters dealt with every week. |" in table
    assert "| Social welfare centre example (social worker on duty) | Lopend |" in table
    assert "| Dagstructuur opbouwen |  |  | Justitiehuis | Afgerond |" in table  # provider by name
    assert "running" not in table and "social-welfare-centre-example" not in table


def test_the_evidence_is_in_the_annex_in_the_instruments_order(case) -> None:
    instrument = case[0]
    html = render_report(*case, format="html", lang="en")
    assert isinstance(html, str)
    areas = html[html.index('id="areas"') : html.index('id="completeness"')]
    annex = html[html.index('id="annex"') :]
    assert "Evidence for" not in areas and "Occasional late mornings" not in areas
    assert "Occasional late mornings" in annex
    shown = re.findall(r"\(([A-Z]{2}\d+)\) is rated", annex)
    order = [i.id for i in instrument.indicators]
    assert shown == sorted(shown, key=order.index) and len(shown) > 10
    # Each life area of the annex starts on a new printed page.
    assert ".annex-area + .annex-area { break-before: page; }" in html


def test_what_is_not_recorded_is_said_and_the_function_comes_from_the_signoff(case) -> None:
    instrument, assessment, _ = case
    bare = assessment.model_copy(
        update={"plan": None, "format": "spj-assessment/1", "case": assessment.case.model_copy(update={"fields": {}})}
    )
    signoff = SignOff(
        assessor="Ann Example", finalised_at=dt.datetime(2027, 4, 14, 10), assessor_function="Justice assistant"
    )
    md = render_report(instrument, bare, spj.evaluate(instrument, bare), format="md", signoff=signoff)
    assert isinstance(md, str)
    summary = md[md.index("## Summary") : md.index("## Life areas")]
    assert "- **Assessed by:** Ann Example" in summary and "- **Function:** Justice assistant" in summary
    assert "- **Mandating authority:** Not recorded." in summary
    assert "- **Review date:** Not recorded." in summary
    assert "No plan has been agreed yet" in summary
    assert "u-17" not in summary  # a person by name when the workspace knows it


def test_partners_are_named_from_the_deployment(case) -> None:
    deployment = spj.load_deployment(ROOT / "examples" / "deployment.example.yaml")
    names = partner_names(deployment, "nl")
    assert names["mental-health-centre-example"] == "Centrum geestelijke gezondheidszorg (voorbeeld)"
    md = render_report(*case, format="md", lang="nl", partners=names)
    assert isinstance(md, str)
    table = md[md.index("| Stap | Doel |") : md.index("## Levensdomeinen")]
    assert "| Centrum geestelijke gezondheidszorg (voorbeeld) | Lopend |" in table
    assert "Mental health centre example" not in table
