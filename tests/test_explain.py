"""Rule expressions in plain language (`spj.report.explain`)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spj
from spj.report.explain import explain_expression

INSTRUMENT = """\
format: spj/1
id: explain-test
version: 1.0.0
title: {en: Explain test, nl: Uitlegtest}
languages: [en, nl]
license: CC0-1.0
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent, nl: Afwezig}}
    - {code: "P", value: 1, label: {en: Partially present, nl: Gedeeltelijk aanwezig}}
    - {code: "Y", value: 2, label: {en: Present, nl: Aanwezig}}
  relevance:
    - {code: low, value: 0, label: {en: Low, nl: Laag}}
    - {code: moderate, value: 1, label: {en: Moderate, nl: Matig}}
    - {code: high, value: 2, label: {en: High, nl: Hoog}}
domains:
  - {id: social, title: {en: Social network, nl: Sociaal netwerk}}
  - {id: wellbeing, title: {en: Wellbeing, nl: Welzijn}}
indicators:
  - {id: SO1, domain: social, kind: risk, title: {en: Extremist peers, nl: Extremistische contacten}}
  - {id: SO2, domain: social, kind: protective, title: {en: Supportive family, nl: Steunende familie}}
  - {id: WB1, domain: wellbeing, kind: risk, title: {en: Unprocessed trauma, nl: Onverwerkt trauma}}
case_fields:
  - {id: phase, type: choice, choices: [pre_trial, detention]}
  - {id: returnee, type: boolean, title: {en: Returnee}}
  - {id: age, type: integer, title: {en: Age}}
rules:
  - {id: isolation, title: {en: Isolated, nl: Geïsoleerd}, when: 'ratings.SO2.presence == 0', message: {en: m}}
  - {id: plain, when: 'ratings.SO1.presence >= 1', message: {en: m}}
"""


@pytest.fixture(scope="module")
def instrument() -> spj.Instrument:
    return spj.parse_instrument(INSTRUMENT, file="explain.yaml")


@pytest.mark.parametrize(
    ("expression", "sentence"),
    [
        (
            "ratings.WB1.presence >= 1 && ratings.WB1.relevance >= 1",
            "Unprocessed trauma (WB1) is at least partially present and its relevance is at least moderate",
        ),
        ("ratings.SO1.presence == 2", "Extremist peers (SO1) is exactly present"),
        ("ratings.SO1.presence == 0", "Extremist peers (SO1) is absent"),
        ("ratings.SO1.presence <= 1", "Extremist peers (SO1) is at most partially present"),
        ("ratings.SO1.presence < 1", "Extremist peers (SO1) is absent"),
        ("ratings.SO1.presence != 1", "Extremist peers (SO1) is not partially present"),
        ("ratings.SO1.presence > 0", "Extremist peers (SO1) is at least partially present"),
        ("1 <= ratings.SO1.presence", "Extremist peers (SO1) is at least partially present"),
        ("ratings.SO1.presence >= 0", "Extremist peers (SO1) is rated at any level"),
        ("ratings.SO1.relevance == 2", "the relevance of Extremist peers (SO1) is exactly high"),
        (
            "ratings.SO1.presence >= 1 && ratings.SO1.presence <= 1",
            "Extremist peers (SO1) is at least partially present and it is at most partially present",
        ),
        ("flags.isolation", "the flag “Isolated” is raised"),
        ("flags.plain", "the flag “plain” is raised"),
        ("!flags.isolation", "the flag “Isolated” is not raised"),
        ("flags.isolation == false", "the flag “Isolated” is not raised"),
        ("true != flags.isolation", "the flag “Isolated” is not raised"),
        (
            "domains.social.risk.present + domains.social.risk.partial >= 2",
            "at least 2 risk indicators of Social network are present or partially present",
        ),
        ("domains.social.protective.present >= 1", "at least 1 protective indicator of Social network is present"),
        ("domains.social.risk.present == 0", "no risk indicators of Social network are present"),
        ("domains.social.risk.absent < 3", "fewer than 3 risk indicators of Social network are absent"),
        (
            "domains.social.risk.present + domains.wellbeing.risk.present >= 2",
            "at least 2 risk indicators of Social network and Wellbeing are present",
        ),
        ("domains.social.omitted > 1", "more than 1 indicators of Social network are omitted"),
        ("domains.wellbeing.high_relevance == 1", "exactly 1 indicator of Wellbeing is of the highest relevance"),
        ("case.phase == 'detention'", "the case is in phase “detention”"),
        ('case.phase != "detention"', "the case is not in phase “detention”"),
        ("case.returnee", "“returnee” holds for the case"),
        ("!case.returnee", "“returnee” does not hold for the case"),
        ("case.age >= 18", "the case's age is at least 18"),
        ("has(ratings.SO1)", "Extremist peers (SO1) has been rated"),
        ("has(case.phase)", "“phase” is known for the case"),
        (
            "(ratings.SO1.presence >= 1 || ratings.SO2.presence == 0) && flags.isolation",
            "(Extremist peers (SO1) is at least partially present or Supportive family (SO2) is absent)"
            " and the flag “Isolated” is raised",
        ),
        (
            "flags.plain || ratings.SO1.presence == 2 && flags.isolation",
            "the flag “plain” is raised or"
            " (Extremist peers (SO1) is exactly present and the flag “Isolated” is raised)",
        ),
        (
            "!(flags.isolation && flags.plain)",
            "it is not the case that (the flag “Isolated” is raised and the flag “plain” is raised)",
        ),
        ("((flags.plain))", "the flag “plain” is raised"),
    ],
)
def test_explains_in_english(instrument: spj.Instrument, expression: str, sentence: str) -> None:
    assert explain_expression(expression, instrument, lang="en") == sentence


@pytest.mark.parametrize(
    ("expression", "sentence"),
    [
        (
            "ratings.WB1.presence >= 1 && ratings.WB1.relevance >= 1",
            "Onverwerkt trauma (WB1) is minstens gedeeltelijk aanwezig en de relevantie ervan is minstens matig",
        ),
        (
            "flags.isolation || !flags.plain",
            "het signaal “Geïsoleerd” geldt of het signaal “plain” geldt niet",
        ),
        (
            "domains.social.risk.present + domains.social.risk.partial >= 2",
            "minstens 2 risico-indicatoren van Sociaal netwerk zijn aanwezig of gedeeltelijk aanwezig",
        ),
        ("domains.social.protective.present >= 1", "minstens 1 beschermende indicator van Sociaal netwerk is aanwezig"),
        ("case.phase == 'detention'", "de casus is in phase “detention”"),
    ],
)
def test_explains_in_dutch(instrument: spj.Instrument, expression: str, sentence: str) -> None:
    assert explain_expression(expression, instrument, lang="nl") == sentence


def test_language_without_catalog_falls_back(instrument: spj.Instrument) -> None:
    sentence = explain_expression("ratings.WB1.presence == 0", instrument, lang="de")
    assert sentence == "Unprocessed trauma (WB1) is absent"


@pytest.mark.parametrize(
    "expression",
    [
        "ratings.SO1.presence + ratings.SO2.presence >= 2",  # arithmetic on ratings
        "ratings.SO1.presence in [1, 2]",
        "ratings.SO1.presence >= 1 ? true : false",
        "ratings.SO1.presence > 1.5",
        "ratings.SO1.presence >= 3",  # never true
        "domains.social.risk.present - domains.social.protective.present >= 1",
        "domains.social.risk.present + domains.wellbeing.protective.present >= 1",
        "ratings.SO1.presence > ratings.SO2.presence",
        "size(ratings) > 0",
        "ratings['SO1'].presence >= 1",
        "flags.isolation.exists(x, x)",
        "ratings.NOPE.presence >= 1",
        "flags.nope",
        "'<script>' == '<script>'",
        "r'raw' == case.phase",
        "true",
        "",
        "&& &&",
        "ratings.SO1.presence >=",
        "'unterminated",
        "(" * 60 + "flags.plain" + ")" * 60,
        "!" * 100 + "flags.plain",
    ],
)
def test_unsupported_constructs_fall_back(instrument: spj.Instrument, expression: str) -> None:
    assert explain_expression(expression, instrument) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ratings.SO1presnce flags.isolation domains.social.risk &|!=<>()+-'\"0123 ", max_size=60))
def test_never_raises(text: str) -> None:
    instrument = spj.parse_instrument(INSTRUMENT, file="explain.yaml")
    result = explain_expression(text, instrument)
    assert result is None or isinstance(result, str)
