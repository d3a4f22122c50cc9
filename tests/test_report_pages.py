"""The printed report's pages: running header, page numbers, the draft mark, and fonts that cover what users type.

The PDF is read back with pypdf: the text of every page, and the fonts WeasyPrint embedded in it.
"""

from __future__ import annotations

import io
import re

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from test_report import ASSESSMENT, INSTRUMENT

import spj
from spj.report import render_report
from spj.report.page import css_string, page_counter_content

NBSP = "\u00a0"
# (lang, header, confidentiality line, page-number pattern, draft mark)
PAGE_WORDS = [
    (
        "en",
        "Case CASE-<i>9</i>",
        "Confidential: for the professionals working on this case only",
        r"Page (\d+) of (\d+)",
        "DRAFT",
    ),
    (
        "nl",
        "Casus CASE-<i>9</i>",
        "Vertrouwelijk: uitsluitend voor de professionals die bij deze casus betrokken zijn",
        r"Pagina (\d+) van (\d+)",
        "ONTWERP",
    ),
    (
        "fr",
        "Cas CASE-<i>9</i>",
        f"Confidentiel{NBSP}: réservé aux professionnels qui suivent ce dossier",
        r"Page (\d+) sur (\d+)",
        "PROJET",
    ),
]


def report_pdf(assessment_yaml: str, *, lang: str) -> PdfReader:
    instrument = spj.parse_instrument(INSTRUMENT)
    assessment = spj.parse_assessment(assessment_yaml, instrument)
    pdf = render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="pdf", lang=lang)
    assert isinstance(pdf, bytes)
    return PdfReader(io.BytesIO(pdf))


def page_texts(reader: PdfReader) -> list[str]:
    # pypdf puts the margin boxes' text on their own lines; a wrapped confidentiality line is joined back.
    return [" ".join(page.extract_text().split()).replace(f"{NBSP} ", NBSP) for page in reader.pages]


@pytest.mark.parametrize(("lang", "header", "confidential", "page_of", "draft"), PAGE_WORDS)
def test_every_page_of_a_draft_has_the_header_the_page_number_and_the_draft_mark(
    lang: str, header: str, confidential: str, page_of: str, draft: str
) -> None:
    texts = page_texts(report_pdf(ASSESSMENT, lang=lang))
    assert len(texts) > 1, "the test needs a report of several pages"
    for number, text in enumerate(texts, start=1):
        assert header in text, f"page {number}"
        assert confidential.replace(NBSP, " ") in text.replace(NBSP, " "), f"page {number}"
        assert re.search(rf"\b{draft}\b", text), f"page {number}"
        found = re.findall(page_of, text)
        assert found == [(str(number), str(len(texts)))], f"page {number}: {found}"


def test_a_final_report_has_no_draft_mark_but_keeps_the_header() -> None:
    final = ASSESSMENT.replace("status: draft", "status: final")
    texts = page_texts(report_pdf(final, lang="en"))
    for number, text in enumerate(texts, start=1):
        assert "DRAFT" not in text, f"page {number}"
        assert "Case CASE-<i>9</i>" in text
        assert f"Page {number} of {len(texts)}" in text


ARABIC = "تقييم تجريبي للحالة"  # synthetic: "a trial assessment of the case"
CYRILLIC = "Пробная оценка случая"  # synthetic: the same in Russian
EMOJI = "\U0001f600"


def embedded_fonts(reader: PdfReader) -> dict[str, set[int]]:
    """Each embedded font's name (WeasyPrint's subset name, e.g. ABCDEF+NotoSansArabic) and the code points it maps."""
    fonts: dict[str, set[int]] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            file = descendant["/FontDescriptor"].get_object().get("/FontFile2")
            if file is None:
                continue
            cmap = TTFont(io.BytesIO(file.get_object().get_data())).getBestCmap() or {}
            fonts.setdefault(str(font["/BaseFont"]), set()).update(cmap)
    return fonts


def test_non_latin_text_is_printed_with_a_font_that_covers_it() -> None:
    without = embedded_fonts(report_pdf(ASSESSMENT, lang="en"))
    assert not any("Arabic" in name for name in without), sorted(without)
    reader = report_pdf(ASSESSMENT.replace("Peers seen twice.", f"{ARABIC} / {CYRILLIC} {EMOJI}"), lang="en")
    fonts = embedded_fonts(reader)
    # Digits stay in the text font: an emoji font named in the stylesheet would take them (keycaps).
    assert [name for name, points in fonts.items() if "Emoji" in name and ord(EMOJI) in points], sorted(fonts)
    assert not [name for name, points in fonts.items() if "Emoji" in name and ord("7") in points], sorted(fonts)
    # Arabic is shaped (joined letter forms are glyphs the cmap does not list): the subset's name tells.
    assert [name for name in fonts if re.fullmatch(r"/[A-Z]{6}\+Noto-(Sans|Naskh)-Arabic", name)], sorted(fonts)
    cyrillic = {ord(ch) for ch in CYRILLIC if ch.isalpha()}
    assert [name for name, points in fonts.items() if "Noto" in name and cyrillic <= points], sorted(fonts)
    assert CYRILLIC in " ".join(page_texts(reader))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Case 0101", '"Case 0101"'),
        ('a"b', '"a\\000022 b"'),
        ("</style>", '"\\00003C \\00002F style\\00003E "'),
        ("x\\y\n", '"x\\00005C y\\00000A "'),
        ("Casus é", '"Casus é"'),
    ],
)
def test_css_string_cannot_close_the_string_or_the_style(text: str, expected: str) -> None:
    assert css_string(text) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Page %(page)s of %(pages)s", '"Page " counter(page) " of " counter(pages)'),
        ("%(page)s/%(pages)s", 'counter(page) "\\00002F " counter(pages)'),
    ],
)
def test_the_page_number_is_a_css_content_with_counters(message: str, expected: str) -> None:
    assert page_counter_content(message) == expected
