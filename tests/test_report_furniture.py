"""The case report's page furniture (running header with the case pseudonym, confidentiality line, page
numbers, DRAFT) belongs to the case report only: the codebook and a partner's extract do not carry it.

The codebook is about an instrument, not a case; an extract is a disclosure with its own legal basis line.
Both are rendered as HTML and as PDF, and the PDF text is read back with pypdf.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

import spj
from spj.report.codebook import render_codebook
from spj.report.extract import render_extract

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENT = ROOT / "instruments" / "disengagement-trajectory" / "instrument.yaml"
EXAMPLE = ROOT / "instruments" / "disengagement-trajectory" / "examples" / "case-0101b.assessment.yaml"
DEPLOYMENT = ROOT / "examples" / "deployment.example.yaml"
# What the case report prints in its margins, in every language (spj.report.page), and its stylesheet's marks.
FURNITURE = (
    "Confidential: for the professionals",
    "Vertrouwelijk: uitsluitend",
    "Confidentiel",
    "Page 1 of",
    "Pagina 1 van",
    "Page 1 sur",
    "DRAFT",
    "ONTWERP",
    "PROJET",
    "Case CASE-0101",
    "Casus CASE-0101",
    "Cas CASE-0101",
)
CSS_MARKS = ("@top-left", "@top-center", "@top-right", "@bottom-right", "counter(page)")


@pytest.fixture(scope="module")
def instrument() -> spj.Instrument:
    return spj.load_instrument(INSTRUMENT)


def pdf_text(pdf: bytes | str) -> str:
    assert isinstance(pdf, bytes)
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_check_sees_the_furniture_of_a_case_report(instrument) -> None:
    """The marks looked for are those a case report carries (so the tests below can fail)."""
    assessment = spj.load_assessment(EXAMPLE, instrument)
    draft = assessment.model_copy(update={"status": "draft"})
    html = spj.render_report(instrument, draft, spj.evaluate(instrument, draft), format="html")
    assert isinstance(html, str)
    assert all(mark in html for mark in CSS_MARKS)
    text = pdf_text(spj.render_report(instrument, draft, spj.evaluate(instrument, draft), format="pdf"))
    assert "Confidential: for the professionals" in text and "DRAFT" in text and "Page 1 of" in text


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_the_codebook_has_no_case_report_furniture(instrument, lang) -> None:
    html = render_codebook(instrument, format="html", lang=lang)
    assert isinstance(html, str)
    assert not [mark for mark in CSS_MARKS if mark in html]
    assert not [word for word in FURNITURE if word in html]


def test_the_printed_codebook_has_no_case_report_furniture(instrument) -> None:
    text = pdf_text(render_codebook(instrument, format="pdf", lang="nl"))
    assert "Codeboek" in text or "codeboek" in text
    assert not [word for word in FURNITURE if word in text]


@pytest.mark.parametrize("fmt", ["html", "md", "pdf"])
def test_a_partners_extract_has_no_case_report_furniture(instrument, fmt) -> None:
    assessment = spj.load_assessment(EXAMPLE, instrument)
    draft = assessment.model_copy(update={"status": "draft"})
    deployment = spj.load_deployment(DEPLOYMENT)
    content, _ = render_extract(
        instrument, draft, spj.evaluate(instrument, draft), deployment, "mental-health-centre-example", format=fmt
    )
    text = pdf_text(content) if fmt == "pdf" else str(content)
    assert not [mark for mark in CSS_MARKS if mark in text]
    # The extract names its own status in words ("draft"); it never prints the report's margin marks.
    assert not [word for word in FURNITURE if word in text and word not in ("Case CASE-0101",)]
