"""`spj.chart`: one deterministic, accessible, escaped SVG chart per life area."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from helpers import make_assessment, make_instrument

import spj
from spj.report.chart import SERIES, ChartLabels, life_area_charts

BODY = """\
domains:
  - {id: social, title: {en: "Social <b>&</b> \\"network\\""}}
  - {id: wellbeing, title: {en: Wellbeing}}
indicators:
  - {id: SO1, domain: social, kind: risk, title: {en: Peers}}
  - {id: SO2, domain: social, kind: protective, title: {en: Family}}
  - {id: WB1, domain: wellbeing, kind: risk, title: {en: Trauma}}
"""

RATINGS = [
    (
        "A-1",
        "2026-01-01",
        "SO1: {presence: 'Y', relevance: high}\n  SO2: {presence: 'N', relevance: low}\n"
        "  WB1: {omitted: true, reason: x}",
    ),
    (
        "A-2",
        "2026-04-01",
        "SO1: {presence: 'P', relevance: high}\n  SO2: {presence: 'Y', relevance: low}\n"
        "  WB1: {presence: 'P', relevance: low}",
    ),
    (
        "A-3",
        "2026-07-01",
        "SO1: {presence: 'N', relevance: low}\n  SO2: {presence: 'Y', relevance: low}\n"
        "  WB1: {presence: 'N', relevance: low}",
    ),
]

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def history():
    instrument = make_instrument(body=BODY)
    pairs = []
    for assessment_id, date, ratings in RATINGS:
        header = (
            "format: spj-assessment/1\ninstrument: {id: test-instrument, version: 1.0.0}\n"
            f"id: {assessment_id}\ncase: {{id: CASE-0001}}\nassessor: {{id: u-1}}\ndate: {date}\n"
        )
        assessment = make_assessment(instrument, f"ratings:\n  {ratings}\n", header=header)
        pairs.append((assessment, spj.evaluate(instrument, assessment)))
    return instrument, pairs


def test_byte_identical_for_the_same_input(history) -> None:
    instrument, pairs = history
    first = life_area_charts(instrument, pairs)
    second = life_area_charts(instrument, list(pairs))
    assert [c.svg.encode() for c in first] == [c.svg.encode() for c in second]
    assert not re.search(r"\d{4}-\d\d-\d\dT|random|uuid", first[0].svg)


def test_one_chart_per_life_area_with_every_series(history) -> None:
    instrument, pairs = history
    charts = life_area_charts(instrument, pairs)
    assert [c.domain for c in charts] == ["social", "wellbeing"]
    for chart in charts:
        root = ET.fromstring(chart.svg)
        groups = [g.get("data-series") for g in root.iter(f"{SVG}g") if g.get("data-series")]
        assert groups == [s.key for s in SERIES]


def test_values_are_the_domain_counts(history) -> None:
    instrument, pairs = history
    social = life_area_charts(instrument, pairs)[0].svg
    # desc lists every value: present risks 1, 0, 0; partial 0, 1, 0; protective 0, 1, 1
    assert "Risk indicators present — 2026-01-01: 1; 2026-04-01: 0; 2026-07-01: 0." in social
    assert "Risk indicators partially present — 2026-01-01: 0; 2026-04-01: 1; 2026-07-01: 0." in social
    assert "Protective indicators present — 2026-01-01: 0; 2026-04-01: 1; 2026-07-01: 1." in social
    wellbeing = life_area_charts(instrument, pairs)[1].svg
    assert "1 omitted" in wellbeing
    assert "Protective indicators present: none in this life area." in wellbeing


def test_accessibility_attributes(history) -> None:
    instrument, pairs = history
    for chart in life_area_charts(instrument, pairs, id_prefix="c"):
        root = ET.fromstring(chart.svg)
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title")
        desc = root.find(f"{SVG}desc")
        assert title is not None and desc is not None
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.get("id") == f"c-{chart.domain}-title"
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert "Risk indicators present" in texts and "2026-04-01" in texts
        # Greyscale: the series differ by dash and marker shape, not only colour.
        lines = {g.get("data-series"): g.find(f"{SVG}polyline") for g in root.iter(f"{SVG}g") if g.get("data-series")}
        dashes = {k: (v.get("stroke-dasharray") if v is not None else None) for k, v in lines.items()}
        if all(v is not None for v in lines.values()):
            assert len(set(dashes.values())) == 3
    svg = life_area_charts(instrument, pairs)[0].svg
    assert "<circle" in svg and "<rect x=" in svg and "<polygon" in svg


def test_all_text_is_escaped(history) -> None:
    instrument, pairs = history
    labels = ChartLabels(risk_present="<script>alert(1)</script>", y_axis='a"b')
    chart = life_area_charts(instrument, pairs, labels=labels, date_label=lambda d: f"<{d}>")[0]
    assert "<script" not in chart.svg
    assert "&lt;script&gt;" in chart.svg
    assert "Social &lt;b&gt;&amp;&lt;/b&gt; &quot;network&quot;" in chart.svg
    assert "&lt;2026-01-01&gt;" in chart.svg
    ET.fromstring(chart.svg)  # still well-formed XML


def test_dates_in_order_whatever_the_input_order(history) -> None:
    instrument, pairs = history
    shuffled = [pairs[2], pairs[0], pairs[1]]
    assert life_area_charts(instrument, shuffled)[0].svg == life_area_charts(instrument, pairs)[0].svg


def test_a_single_assessment_draws_markers_without_lines(history) -> None:
    instrument, pairs = history
    svg = life_area_charts(instrument, pairs[:1])[0].svg
    assert "<polyline" not in svg and "<circle" in svg
