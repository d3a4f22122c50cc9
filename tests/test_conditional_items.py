"""Conditional items (issue 11, point 3): `applies_when` on indicators, `scale_applies_when` on their scales.

Not applicable is neither missing nor false: the item is not asked, its rating
is absent from the rule bindings (`has()` is false), completeness does not
count it, and a value given for it is a warning, never a refusal.
"""

from __future__ import annotations

import textwrap

import pytest
from helpers import ASSESSMENT_HEADER, assert_spj_error, make_assessment, make_instrument

import spj
from spj.assessment.validate import applicability_warnings
from spj.authoring.checking import check_assessment_document
from spj.files.yamlsource import parse_yaml

CONDITIONAL = """\
domains:
  - {id: social, title: {en: Social}}
  - {id: wellbeing, title: {en: Wellbeing}}
case_fields:
  - {id: status, type: choice, choices: [convict, pve]}
indicators:
  - {id: SO1, domain: social, kind: risk, title: {en: Peers},
     scale_applies_when: {relevance: 'ratings.SO1.presence != 0'}}
  - {id: SO2, domain: social, kind: protective, title: {en: Family}}
  - {id: WB1, domain: wellbeing, kind: risk, title: {en: Trauma},
     applies_when: 'case.status == "convict"'}
"""

RULES = """\
rules:
  - {id: relevant_peers, when: 'has(ratings.SO1.relevance) && ratings.SO1.relevance == 2', message: m}
  - {id: trauma, when: 'ratings.WB1.presence >= 1', message: m}
  - {id: peers_or_trauma, when: 'ratings.SO1.presence >= 1 || ratings.WB1.presence >= 1', message: m}
"""


def conditional(rest: str = RULES) -> spj.Instrument:
    return make_instrument(rest, body=CONDITIONAL)


NO_CASE = ASSESSMENT_HEADER.replace("case: {id: CASE-0001}\n", "")


def with_case(instrument: spj.Instrument, rest: str) -> spj.Assessment:
    return make_assessment(instrument, rest, header=NO_CASE)


def flag(evaluation: spj.Evaluation, rule_id: str):
    return next(f for f in evaluation.rule_results if f.id == rule_id)


# -- load time


@pytest.mark.parametrize(
    ("indicator", "code", "words"),
    [
        ("applies_when: 'ratings.SO9.presence == 0'", "rule-reference", "no indicator 'SO9'"),
        ("applies_when: 'case.statut == \"pve\"'", "rule-reference", "did you mean 'status'"),
        ("applies_when: 'ratings.WB1.presence == 0'", "cycle", "its own answer"),
        ("scale_applies_when: {relevance: 'ratings.WB1.relevance == 0'}", "cycle", "its own answer"),
        ("applies_when: 'ratings.SO1.presence == \"Y\"'", "rule-type", "is a number"),
        ("applies_when: 'ratings.SO1.presence == 7'", "rule-out-of-range", "never 7"),
        ("applies_when: 'ratings.SO1.presence'", "rule-type", "not true or false"),
        ("applies_when: 'flags.x'", "rule-reference", "ratings and case fields only"),
        ("applies_when: 'domains.social.rated > 0'", "rule-reference", "ratings and case fields only"),
        ("scale_applies_when: {relevence: 'ratings.SO1.presence != 0'}", "unresolved-reference", "relevance"),
        ("scale_applies_when: {presence: 'ratings.SO1.presence != 0'}", "schema", "first scale"),
        ("applies_when: 'ratings.SO1.presence >'", "rule-syntax", ""),
    ],
)
def test_a_bad_condition_is_a_located_load_error(indicator: str, code: str, words: str) -> None:
    body = f"""\
    domains:
      - {{id: social, title: {{en: Social}}}}
    case_fields:
      - {{id: status, type: choice, choices: [convict, pve]}}
    rules:
      - {{id: x, when: 'true', message: m}}
    indicators:
      - {{id: SO1, domain: social, kind: risk, title: {{en: Peers}}}}
      - id: WB1
        domain: social
        kind: risk
        title: {{en: Trauma}}
        {indicator}
    """
    with pytest.raises(spj.InstrumentError) as caught:
        make_instrument(body=textwrap.dedent(body))
    problems = [p for p in caught.value.problems if p.code.value == code]
    assert problems, caught.value
    assert words in problems[0].message
    assert problems[0].location.line == 28  # the condition's own line
    assert problems[0].location.path[:2] == ("indicators", 1)


def test_conditions_that_read_each_other_in_a_cycle_are_named() -> None:
    body = """\
    domains:
      - {id: social, title: {en: Social}}
    indicators:
      - {id: A1, domain: social, kind: risk, title: {en: A}, applies_when: 'ratings.B1.relevance != 0'}
      - {id: B1, domain: social, kind: risk, title: {en: B},
         scale_applies_when: {relevance: 'ratings.C1.presence != 0'}}
      - {id: C1, domain: social, kind: risk, title: {en: C}, applies_when: 'has(ratings.A1)'}
    """
    assert_spj_error(
        lambda: make_instrument(body=textwrap.dedent(body)),
        "cycle",
        message="conditions depend on each other in a cycle: A1 -> B1.relevance -> C1 -> A1",
    )


def test_a_scale_may_depend_on_another_scale_of_its_own_indicator() -> None:
    instrument = conditional()
    index = spj.instrument.index_of(instrument)
    assert set(index.conditions) == {("SO1", "relevance"), ("WB1", None)}


def test_an_instrument_without_conditions_keeps_its_content_hash() -> None:
    plain = make_instrument()
    assert "applies_when" not in plain.model_dump(mode="json")["indicators"][0]


# -- the engine


def test_relevance_of_an_absent_indicator_is_not_applicable_not_missing() -> None:
    instrument = conditional()
    assessment = with_case(
        instrument,
        """\
        case: {id: C-1, fields: {status: pve}}
        ratings: {SO1: {presence: "N", relevance: high}, SO2: {presence: "Y"}}
        """,
    )
    evaluation = spj.evaluate(instrument, assessment)
    # Relevance was given but does not apply: rules do not see it (has() is false), it is not missing.
    assert flag(evaluation, "relevant_peers").status == "clear"
    # WB1 does not apply to a pve case: not rated, not omitted, not to rate, not in the total.
    completeness = evaluation.to_dict()["completeness"]
    assert completeness["indicators"] == 2
    assert completeness["not_applicable"] == 1
    assert completeness["unrated"] == 0
    assert completeness["complete"] is True
    assert evaluation.domains["wellbeing"].unrated == 0
    trauma = flag(evaluation, "trauma")
    assert trauma.status == "unknown"
    assert trauma.missing == ()  # neither missing (nothing to go and find) ...
    assert any(r.status == "not applicable" for r in trauma.because)
    assert flag(evaluation, "peers_or_trauma").status == "unknown"  # ... nor false


def test_a_condition_whose_inputs_are_unknown_leaves_the_item_to_rate() -> None:
    instrument = conditional()
    assessment = make_assessment(instrument, "ratings: {SO1: {presence: Y}, SO2: {presence: N}}\n")
    evaluation = spj.evaluate(instrument, assessment)
    assert evaluation.applicability.applies("WB1") is None
    assert evaluation.applicability.waits_for("WB1") == ("case.status",)
    assert evaluation.completeness.unrated == 1
    assert evaluation.completeness.indicators == 3


def test_an_applicable_item_is_asked_as_before() -> None:
    instrument = conditional()
    assessment = with_case(
        instrument,
        """\
        case: {id: C-1, fields: {status: convict}}
        ratings: {SO1: {presence: Y, relevance: high}, SO2: {presence: N}, WB1: {presence: P}}
        """,
    )
    evaluation = spj.evaluate(instrument, assessment)
    assert flag(evaluation, "relevant_peers").status == "raised"
    assert flag(evaluation, "trauma").status == "raised"
    assert evaluation.completeness.not_applicable == 0


# -- validation of assessments


def test_a_final_assessment_need_not_rate_what_does_not_apply() -> None:
    instrument = conditional("judgements: []\n")
    assessment = with_case(
        instrument,
        """\
        status: final
        case: {id: C-1, fields: {status: pve}}
        ratings: {SO1: {presence: "P", relevance: low}, SO2: {presence: "Y", relevance: low}}
        """,
    )
    assert assessment.status == "final"


def test_a_final_assessment_rates_an_item_whose_applicability_is_unknown() -> None:
    instrument = conditional("judgements: []\n")
    text = """\
        status: final
        case: {id: C-1}
        ratings: {SO1: {presence: "N"}, SO2: {presence: "Y", relevance: low}}
        """
    with pytest.raises(spj.AssessmentError) as caught:
        with_case(instrument, text)
    assert caught.value.codes == ["incomplete"]
    assert "depends on case.status" in caught.value.problems[0].message


def test_a_value_given_for_a_non_applicable_item_is_a_located_warning() -> None:
    instrument = conditional()
    text = textwrap.dedent(
        """\
        format: spj-assessment/1
        instrument: {id: test-instrument, version: 1.0.0}
        id: A-1
        case: {id: C-1, fields: {status: pve}}
        assessor: {id: u-1}
        date: 2020-01-01
        ratings:
          SO1: {presence: "N", relevance: high}
          WB1: {presence: "Y"}
        """
    )
    doc = parse_yaml(text, file="case.yaml")
    warnings = check_assessment_document(doc, instrument)  # valid: a warning, not a refusal
    assert [(w.code.value, w.location.path, w.location.line) for w in warnings] == [
        ("not-applicable", ("ratings", "SO1", "relevance"), 8),
        ("not-applicable", ("ratings", "WB1"), 9),
    ]
    assert "case.status" in warnings[1].message
    assessment = spj.parse_assessment(text, instrument)
    assert applicability_warnings(assessment, instrument, doc) == warnings


# -- lint, codebook, report


def test_lint_warns_of_a_condition_that_never_or_always_holds() -> None:
    from spj.authoring.lint import lint_text

    text = textwrap.dedent(
        """\
        format: spj/1
        id: t
        version: 1.0.0
        title: T
        license: CC0-1.0
        scales:
          presence:
            - {code: "N", value: 0, label: A}
            - {code: "Y", value: 2, label: P}
          relevance:
            - {code: low, value: 0, label: L}
            - {code: high, value: 2, label: H}
        domains: [{id: d, title: D}]
        indicators:
          - {id: A1, domain: d, kind: risk, title: A, guidance: g, anchors: {N: a, Y: b}}
          - {id: B1, domain: d, kind: risk, title: B, guidance: g, anchors: {N: a, Y: b},
             applies_when: 'ratings.A1.presence > 0 && ratings.A1.presence < 1'}
          - {id: C1, domain: d, kind: risk, title: C, guidance: g, anchors: {N: a, Y: b},
             scale_applies_when: {relevance: 'ratings.A1.presence >= 0'}}
          - {id: D1, domain: d, kind: risk, title: D, guidance: g, anchors: {N: a, Y: b},
             scale_applies_when: {relevance: 'ratings.D1.presence != 0'}}
        rules:
          - {id: r, when: 'ratings.A1.presence + ratings.B1.presence + ratings.C1.relevance
                          + ratings.D1.relevance > 0', message: m}
        """
    )
    report = lint_text(text, file="t.yaml")
    found = [(w.code.value, w.location.path, w.location.line) for w in report.warnings]
    assert found == [
        ("condition-never-true", ("indicators", 1, "applies_when"), 17),
        ("condition-always-true", ("indicators", 2, "scale_applies_when", "relevance"), 19),
    ]


def test_the_codebook_says_when_an_item_is_asked_in_each_language() -> None:
    from spj.report.codebook import render_codebook

    instrument = conditional()
    expected = {
        "en": ("Relevance: asked only when Peers (SO1) is at least partly.", "Asked only when the case is in status"),
        "nl": ("Relevantie: alleen gevraagd wanneer", "Alleen gevraagd wanneer"),
        "fr": ("question posée seulement si Peers (SO1) est au moins", "Question posée seulement si"),
    }
    for lang, sentences in expected.items():
        text = render_codebook(instrument, format="md", lang=lang)
        assert isinstance(text, str)
        for sentence in sentences:
            assert sentence in text, (lang, sentence)


def test_the_report_says_an_item_was_not_asked_not_that_it_is_missing() -> None:
    instrument = conditional()
    assessment = with_case(
        instrument,
        """\
        case: {id: C-1, fields: {status: pve}}
        ratings: {SO1: {presence: "N", relevance: high}, SO2: {presence: "Y", relevance: low}}
        """,
    )
    text = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="md")
    assert "Not asked for this case (its condition does not hold): Trauma (WB1)." in text
    assert "WB1) has not been rated yet" not in text
    assert "not asked for this case" in text  # the reason of the flag that reads WB1
    nl = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="md", lang="nl")
    assert "Niet gevraagd voor deze casus (de voorwaarde is niet vervuld): Trauma (WB1)." in nl
    assert "High" not in text.split("Peers (SO1)")[1].split("\n")[0]  # the relevance set aside is not shown


def test_an_instrument_without_conditions_scores_the_same_json_as_before() -> None:
    plain = make_instrument()
    evaluation = spj.evaluate(plain, make_assessment(plain, "ratings: {SO1: {presence: Y}}\n"))
    assert "not_applicable" not in evaluation.to_dict()["completeness"]
    conditional_json = spj.evaluate(conditional(), make_assessment(conditional(), "ratings: {}\n")).to_dict()
    assert conditional_json["completeness"]["not_applicable"] == 0


def test_the_form_says_why_an_indicator_or_a_scale_is_not_asked() -> None:
    from spj.api.web.conditions import not_asked
    from spj.api.web.progress import form_progress

    instrument = conditional()
    content = {
        "case": {"id": "C-1", "fields": {"status": "pve"}},
        "ratings": {"SO1": {"presence": "N"}, "SO2": {"presence": "Y", "relevance": "low"}},
    }
    why = not_asked(instrument, content, "en")
    assert why == {
        "SO1.relevance": "Not asked here. Relevance: asked only when Peers (SO1) is at least partly.",
        "WB1": "Not asked for this case. Asked only when the case is in status “convict”.",
    }
    assert not_asked(instrument, content, "nl")["WB1"].startswith("Niet gevraagd voor deze casus. Alleen gevraagd")
    progress = form_progress(instrument, content)
    assert (progress.to_do, progress.not_applicable, progress.per_domain["wellbeing"]) == ((), ("WB1",), (0, 0))
    # Unknown applicability (no case category yet): WB1 is asked, and still to do.
    content["case"] = {"id": "C-1"}
    assert "WB1" not in not_asked(instrument, content, "en")
    assert form_progress(instrument, content).to_do == ("WB1",)


def test_spj_diff_shows_a_changed_condition() -> None:
    from spj.authoring.versioning.diff import diff_instruments

    before = make_instrument(body=CONDITIONAL.replace("applies_when: 'case.status == \"convict\"'", ""))
    after = conditional()
    changes = diff_instruments(before, after)
    changed = {item.id for item in changes.items if item.section == "indicators"}
    assert changed == {"WB1"}


def test_a_research_export_leaves_out_a_value_not_asked() -> None:
    from spj.interop.research.rows import Privacy, observations
    from spj.interop.research.variables import Dictionary, Names

    instrument = conditional()
    assessment = with_case(
        instrument,
        """\
        case: {id: C-1, fields: {status: pve}}
        ratings: {SO1: {presence: "N", relevance: high}, SO2: {presence: "Y", relevance: low}, WB1: {presence: Y}}
        """,
    )
    evaluation = spj.evaluate(instrument, assessment)
    rows = observations(instrument, assessment, evaluation, Dictionary(Names([instrument])), Privacy(key=None))
    variables = {row["variable"] for row in rows}
    assert {"presence.SO1", "presence.SO2", "relevance.SO2"} <= variables
    assert "relevance.SO1" not in variables and "presence.WB1" not in variables
