"""The report lists a life area's indicators in the instrument's order (the form's), whatever their ratings."""

from __future__ import annotations

import re

import pytest

import spj
from spj.report import render_report

INSTRUMENT = """\
format: spj/1
id: order-test
version: 1.0.0
title: {en: Order test}
languages: [en]
license: CC0-1.0
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent}}
    - {code: "Y", value: 2, label: {en: Present}}
domains:
  - {id: life, title: {en: Daily life}}
indicators:
  - {id: OA1, domain: life, kind: risk, title: {en: First absent}}
  - {id: OP2, domain: life, kind: risk, title: {en: Second present}}
  - {id: OO3, domain: life, kind: risk, title: {en: Third omitted}}
  - {id: OE4, domain: life, kind: risk, title: {en: Fourth absent with evidence}}
  - {id: OA5, domain: life, kind: risk, title: {en: Fifth absent}}
  - {id: OU6, domain: life, kind: risk, title: {en: Sixth unrated}}
  - {id: OP7, domain: life, kind: protective, title: {en: Seventh present}}
"""

ASSESSMENT = """\
format: spj-assessment/1
instrument: {id: order-test, version: 1.0.0}
id: A-ORDER
case: {id: CASE-ORDER}
assessor: {id: u-1}
date: 2026-03-05
status: draft
ratings:
  OA1: {presence: "N"}
  OP2: {presence: "Y"}
  OO3: {omitted: true, reason: "Not known yet."}
  OE4: {presence: "N", evidence: {against: "Seen working daily."}}
  OA5: {presence: "N"}
  OP7: {presence: "Y"}
"""

ORDER = ["OA1", "OP2", "OO3", "OE4", "OA5", "OU6", "OP7"]


@pytest.mark.parametrize("format", ["html", "md"])
def test_indicators_follow_the_instruments_order(format: str) -> None:
    instrument = spj.parse_instrument(INSTRUMENT)
    assessment = spj.parse_assessment(ASSESSMENT, instrument)
    out = render_report(instrument, assessment, spj.evaluate(instrument, assessment), format=format, lang="en")
    assert isinstance(out, str)
    area = out[out.index("Daily life") :]
    area = area[: area.index("Completeness")]
    seen = [m.group(1) for m in re.finditer(r"\((O[A-Z]\d)\)", area)]
    assert sorted(set(seen), key=seen.index) == ORDER, seen
    # consecutive indicators rated absent without evidence still share one sentence
    assert re.search(r"Rated absent: First absent \(OA1\)\.", area), area
