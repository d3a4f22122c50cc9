"""Property: no markup put into user text or instrument labels comes out as markup in a report.

Hostile fragments are planted in every free-text place an expert or a
methodologist writes (labels, guidance, messages, evidence, reasons,
formulation, scenarios, rationale, source descriptions, the case pseudonym),
then the HTML and Markdown reports of a random evaluation are rendered.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import dump, instrument_and_assessment

import spj
from spj.assessment import assessment_from_data
from spj.report import render_report

# Tags the report templates never use themselves: if one appears, user text leaked as markup.
HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '"><iframe src="javascript:alert(1)"></iframe>',
    "{{ 7 * 7 }}{% if true %}x{% endif %}",
    "[click](javascript:alert(1))",
]
LEAK = re.compile(r"<\s*(script|img|svg|iframe)\b", re.IGNORECASE)
# In Markdown a backslash makes the next character literal (CommonMark): `\<script\>` is text.
MD_LEAK = re.compile(r"(?<!\\)<\s*(script|img|svg|iframe)\b|(?<!\\)\]\(javascript:", re.IGNORECASE)

hostile_text = st.builds(
    lambda prefix, fragment, suffix: f"{prefix}{fragment}{suffix}",
    st.text(alphabet="abc <>&\"'*_|#", max_size=8),
    st.sampled_from(HOSTILE),
    st.text(alphabet="xyz <>&\"'", max_size=8),
)


def _plant(inst: dict[str, Any], assessment: dict[str, Any], texts: list[str]) -> None:
    pick = iter(texts * 50)
    lang = inst["languages"][0]
    for section in ("domains", "indicators", "rules", "interventions", "judgements"):
        for item in inst.get(section, []):
            key = "message" if section == "rules" else "title"
            item[key] = {lang: next(pick)}
            if section == "indicators":
                item["guidance"] = {lang: next(pick)}
    for rating in assessment["ratings"].values():
        if rating.get("omitted"):
            rating["reason"] = next(pick)
        elif rating:
            rating["evidence"] = {"for": next(pick), "against": next(pick)}
    assessment["case"]["id"] = next(pick)
    assessment["sources"] = [{"id": "S1", "kind": "interview", "description": next(pick)}]
    assessment["formulation"] = "{{ 7 * 7 }} " + next(pick)
    assessment["scenarios"] = [{"kind": "escalation", "text": next(pick)}]
    assessment["judgements"] = {
        j["id"]: {"level": j["levels"][0], "rationale": next(pick)} for j in inst.get("judgements", [])
    }


@settings(max_examples=40, deadline=None)
@given(instrument_and_assessment(), st.lists(hostile_text, min_size=1, max_size=6))
def test_no_user_markup_comes_out_as_markup(pair: tuple[dict[str, Any], dict[str, Any]], texts: list[str]) -> None:
    inst_data, assessment_data = pair
    _plant(inst_data, assessment_data, texts)
    instrument = spj.parse_instrument(dump(inst_data))
    assessment = assessment_from_data(assessment_data, instrument)
    evaluation = spj.evaluate(instrument, assessment)

    html = render_report(instrument, assessment, evaluation, format="html")
    assert isinstance(html, str)
    assert not LEAK.search(html), LEAK.search(html)
    assert 'href="javascript' not in html
    assert "{{ 7 * 7 }}" in html  # shown as written, never evaluated as a template

    markdown = render_report(instrument, assessment, evaluation, format="md")
    assert isinstance(markdown, str)
    assert not MD_LEAK.search(markdown), MD_LEAK.search(markdown)
