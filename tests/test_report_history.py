"""The report with a history: "Changes since the last assessment" and the charts (HTML), en and nl."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_report import ASSESSMENT, INSTRUMENT

import spj
from spj.report import render_report

LATER = (
    ASSESSMENT.replace("id: A-0042", "id: A-0043\nprevious: A-0042")
    .replace("date: 2026-03-05", "date: 2026-09-03")
    .replace('WB1: {presence: "Y"', 'WB1: {presence: "P"')
    .replace(
        'WB2: {omitted: true, reason: "No information on daily routine yet."}', 'WB2: {presence: "Y", relevance: high}'
    )
    .replace('SO2: {presence: "N", relevance: low}', 'SO2: {omitted: true, reason: "Family <b>not</b> reached"}')
    .replace("level: moderate", "level: high")
)


@pytest.fixture(scope="module")
def case():
    instrument = spj.parse_instrument(INSTRUMENT)
    earlier = spj.parse_assessment(ASSESSMENT, instrument)
    later = spj.parse_assessment(LATER, instrument)
    return instrument, (earlier, spj.evaluate(instrument, earlier)), (later, spj.evaluate(instrument, later))


def render(case, **options) -> str:
    instrument, earlier, (later, evaluation) = case
    out = render_report(instrument, later, evaluation, history=[earlier], **options)
    assert isinstance(out, str)
    return out


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_changes_section_in_english(case, fmt) -> None:
    text = render(case, format=fmt, lang="en")
    assert "Changes since the last assessment" in text
    assert "Compared with assessment A-0042 of March 5, 2026, 26 weeks earlier." in text
    assert "(WB1) changed from “Present” to “Partially present”." in text
    assert "Unstable daily structure (WB2) was omitted for lack of information and is now rated “Present”." in text
    assert "Supportive family ties (SO2) was rated “Absent” and is now omitted" in text
    assert "No longer raised: Trauma is present and highly relevant." in text
    assert "Added to the plan: Daily support (by Public social welfare centre)." in text
    assert "No longer in the plan, presumably completed: Trauma treatment" in text
    assert "The assessor changed “Case priority” from “Moderate” to “High”." in text


def test_changes_section_in_dutch(case) -> None:
    html = render(case, format="html", lang="nl")
    assert "Wijzigingen sinds de vorige beoordeling" in html
    assert "26 weken eerder" in html
    assert "Onverwerkt trauma (WB1) veranderde van “Aanwezig” naar “Gedeeltelijk aanwezig”." in html
    assert "Levensdomeinen in de tijd" in html
    assert "Risico-indicatoren aanwezig" in html  # chart labels translated


def test_user_text_stays_escaped(case) -> None:
    html = render(case, format="html")
    assert "Family <b>not</b> reached" not in html
    assert "Family &lt;b&gt;not&lt;/b&gt; reached" in html
    assert "Unprocessed trauma <b>x</b>" not in html
    md = render(case, format="md")
    assert "Family \\<b\\>not\\</b\\> reached" in md


def test_html_embeds_one_inline_svg_per_life_area(case) -> None:
    html = render(case, format="html")
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="spj-chart" role="img"') == 2
    assert 'id="area-chart-social-title"' in html
    assert "<img" not in html and "<script" not in html.lower().replace("&lt;script", "")


def test_markdown_has_the_changes_but_no_chart(case) -> None:
    md = render(case, format="md")
    assert "## Changes since the last assessment" in md
    assert "<svg" not in md


def test_same_input_same_report(case) -> None:
    assert render(case) == render(case)


def test_without_history_nothing_changes(case) -> None:
    instrument, _, (later, evaluation) = case
    html = render_report(instrument, later, evaluation)
    assert html == render_report(instrument, later, evaluation, history=None)
    assert "Changes since the last assessment" not in html and "<svg" not in html


def test_history_of_another_case_is_refused(case) -> None:
    instrument, _, (later, evaluation) = case
    other = spj.parse_assessment(ASSESSMENT.replace('case: {id: "CASE-<i>9</i>"}', "case: {id: CASE-7}"), instrument)
    with pytest.raises(spj.AssessmentError) as info:
        render_report(instrument, later, evaluation, history=[(other, spj.evaluate(instrument, other))])
    assert info.value.codes == ["invalid-request"]


EXAMPLES = Path(__file__).resolve().parent.parent / "instruments" / "disengagement-trajectory"


def test_cli_report_with_previous(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "spj",
            "report",
            EXAMPLES / "instrument.yaml",
            EXAMPLES / "examples" / "case-0101b.assessment.yaml",
            "--previous",
            EXAMPLES / "examples" / "case-0101.assessment.yaml",
            "-o",
            out,
            "--lang",
            "nl",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "Wijzigingen sinds de vorige beoordeling" in html
    assert html.count('class="spj-chart"') == 7


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_changed_evidence_is_among_the_changes_briefly_and_escaped(fmt) -> None:
    instrument = spj.parse_instrument(INSTRUMENT)
    earlier = spj.parse_assessment(ASSESSMENT, instrument)
    long_text = "Seen at the station <b>again</b> " + "and again " * 30
    later = spj.parse_assessment(
        LATER.replace("Peers seen twice. <script>alert(1)</script>", long_text.strip()).replace(
            ', against: "[x](javascript:alert(1)) *bold*"', ""
        ),
        instrument,
    )
    text = render_report(
        instrument,
        later,
        spj.evaluate(instrument, later),
        history=[(earlier, spj.evaluate(instrument, earlier))],
        format=fmt,
    )
    assert isinstance(text, str)
    changes = text[text.index("Changes since the last assessment") : text.index("Life areas")]
    assert "Evidence for Contact with extremist peers (SO1) changed: “Peers seen twice." in changes
    assert "Evidence against Contact with extremist peers (SO1) removed (it read “" in changes
    assert "→ “Seen at the station" in changes
    assert "and again and…”" in changes  # shown briefly: cut at a word, never the whole text
    assert "and again " * 20 not in changes
    assert "<script>" not in changes and "<b>again" not in changes  # escaped
