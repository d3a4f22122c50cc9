"""Background and scenarios as data (issue 14, point 2): typed fields the instrument declares, checked, shown.

An instrument may declare a structured background step (`background`) and a
scenario schema (`scenario_fields`); an assessment records their values
(`background`, and `details` and `management` on each scenario) and the
triggers for an earlier review (`review_triggers`). Rules do not read them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import spj
from spj.report.codebook import render_codebook
from tests.helpers import assert_spj_error, make_assessment, make_instrument

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "instruments").glob("*/instrument.yaml"))

RECORDS = """\
interventions:
  - {id: mentor, title: {en: Mentor}, domain: social, provider: probation, duration_weeks: 4, recommend_when: "true"}
background:
  - {id: history, type: text, title: {en: History, nl: Geschiedenis}, guidance: {en: In a few lines.}}
  - id: prior
    type: choice
    choices: [none_known, violence]
    title: {en: Prior violence}
    labels: {none_known: {en: None known, nl: Niet gekend}, violence: {en: Violence, nl: Geweld}}
scenario_fields:
  - {id: victims, type: text, title: {en: Likely victims}}
  - id: severity
    type: choice
    choices: [low, high]
    title: {en: Severity, nl: Ernst}
    labels: {low: {en: Low, nl: Laag}, high: {en: High severity, nl: Hoge ernst}}
"""


@pytest.fixture(scope="module")
def instrument() -> spj.Instrument:
    return make_instrument(RECORDS)


def test_values_of_declared_fields_are_accepted_and_kept(instrument: spj.Instrument) -> None:
    assessment = make_assessment(
        instrument,
        """\
        background: {history: Grew up in a small town., prior: none_known}
        scenarios:
          - {kind: repeat, text: Shares propaganda again., details: {victims: None directly, severity: low},
             management: [mentor]}
        review_triggers: A new conviction of a close friend.
        """,
    )
    assert assessment.background == {"history": "Grew up in a small town.", "prior": "none_known"}
    assert assessment.scenarios[0].details["severity"] == "low"
    assert assessment.scenarios[0].management == ("mentor",)
    assert assessment.review_triggers == "A new conviction of a close friend."


def test_an_undeclared_background_field_is_located_with_a_suggestion(instrument: spj.Instrument) -> None:
    assert_spj_error(
        lambda: make_assessment(instrument, "background: {histroy: Grew up.}\n"),
        "unknown-field",
        line=7,
        message="did you mean 'history'",
    )


def test_a_scenario_detail_outside_its_choices_is_located(instrument: spj.Instrument) -> None:
    exc = assert_spj_error(
        lambda: make_assessment(
            instrument, "scenarios:\n  - kind: repeat\n    text: x\n    details: {severity: extreme}\n"
        ),
        "unknown-code",
        line=10,
        message="use one of low, high",
    )
    assert any(p.location.path == ("scenarios", 0, "details", "severity") for p in exc.problems)


def test_a_scenario_detail_of_the_wrong_type_is_refused(instrument: spj.Instrument) -> None:
    assert_spj_error(
        lambda: make_assessment(instrument, "scenarios:\n  - {kind: repeat, text: x, details: {victims: 3}}\n"),
        "schema",
        message="victims must be text",
    )


def test_management_names_an_intervention_of_the_instrument(instrument: spj.Instrument) -> None:
    assert_spj_error(
        lambda: make_assessment(instrument, "scenarios:\n  - {kind: repeat, text: x, management: [mentr]}\n"),
        "unknown-intervention",
        message="did you mean 'mentor'",
    )


def test_an_assessment_without_records_dumps_as_before(instrument: spj.Instrument) -> None:
    plain = make_assessment(instrument, "scenarios:\n  - {kind: repeat, text: x}\n")
    dumped = plain.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert "background" not in dumped and "review_triggers" not in dumped
    assert dumped["scenarios"] == [{"kind": "repeat", "text": "x"}]


def test_an_instrument_without_records_hashes_as_before() -> None:
    """Declaring nothing new must not change the content hash of existing instruments."""
    bare = make_instrument()
    assert "background" not in bare.model_dump(mode="json") and "scenario_fields" not in bare.model_dump()
    assert bare.sha256 == make_instrument().sha256


def test_a_choice_field_needs_choices_and_labels_name_a_choice() -> None:
    assert_spj_error(
        lambda: make_instrument("scenario_fields:\n  - {id: severity, type: choice, title: {en: S}}\n"),
        "schema",
        message="a choice field needs choices",
    )
    assert_spj_error(
        lambda: make_instrument(
            "background:\n  - {id: p, type: choice, choices: [a], labels: {b: {en: B}}, title: {en: P}}\n"
        ),
        "unresolved-reference",
        message="no choice 'b'",
    )


def test_duplicate_field_ids_are_refused() -> None:
    assert_spj_error(
        lambda: make_instrument("background:\n  - {id: h, title: {en: A}}\n  - {id: h, title: {en: B}}\n"),
        "duplicate-id",
    )


def test_a_required_language_covers_background_and_scenario_texts() -> None:
    exc = assert_spj_error(
        lambda: make_instrument(
            "required_languages: [en, nl]\nbackground:\n  - {id: h, title: {en: History}}\n",
            body="""\
            domains:
              - {id: social, title: {en: Social, nl: Sociaal}}
            indicators:
              - {id: SO1, domain: social, kind: risk, title: {en: Peers, nl: Peers}}
            """,
        ),
        "missing-translation",
    )
    assert any(p.location.path[:1] == ("background",) for p in exc.problems), exc


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_the_shipped_instruments_declare_a_background_step_and_a_scenario_schema(path: Path) -> None:
    instrument = spj.load_instrument(path)
    assert {"personal_history", "offence_circumstances", "previous_interventions"} <= {
        f.id for f in instrument.background
    }
    details = {f.id for f in instrument.scenario_fields}
    assert {"nature", "victims", "severity", "imminence", "likelihood", "triggers", "warning_signs"} <= details


def test_the_risk_formulation_asks_for_imminence_and_serious_harm() -> None:
    instrument = spj.load_instrument(ROOT / "instruments" / "extremism-risk-formulation" / "instrument.yaml")
    judgements = {j.id: j for j in instrument.judgements}
    assert {"risk_of_serious_harm", "imminent_violence"} <= set(judgements)
    assert judgements["imminent_violence"].rationale_required


def test_the_codebook_lists_the_background_and_the_scenario_schema() -> None:
    instrument = spj.load_instrument(ROOT / "instruments" / "extremism-risk-formulation" / "instrument.yaml")
    html = render_codebook(instrument, format="html", lang="nl")
    assert "Persoonlijke voorgeschiedenis" in html and "Waarschuwingssignalen" in html
    assert "Binnen enkele weken" in html  # a choice's label, not its code
    markdown = render_codebook(instrument, format="md", lang="en")
    assert "Circumstances of the index offence" in markdown and "Likely victims" in markdown


RISK = ROOT / "instruments" / "extremism-risk-formulation"


@pytest.fixture(scope="module")
def risk_case() -> tuple[spj.Instrument, spj.Assessment]:
    instrument = spj.load_instrument(RISK / "instrument.yaml")
    return instrument, spj.load_assessment(RISK / "examples" / "case-0201.assessment.yaml", instrument)


def test_the_report_shows_scenarios_as_a_table_with_labels_and_their_management(
    risk_case: tuple[spj.Instrument, spj.Assessment],
) -> None:
    instrument, assessment = risk_case
    html = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="html", lang="nl")
    table = html[
        html.index('<table class="scenarios">') : html.index("</table>", html.index('<table class="scenarios">'))
    ]
    assert "Hoe snel" in table and "Binnen enkele maanden" in table and "months" not in table
    assert "Herhaling" in table and "Escalatie" in table
    assert "Dialoog over grieven en narratieven" in table  # management by the intervention's title
    assert "Persoonlijke voorgeschiedenis" in html and "Niet gekend" in html
    assert "Wat de herbeoordeling zou vervroegen" in html and "breach of the travel ban" in html
    assert "Nabijheid van geweld" in html


def test_the_markdown_report_has_the_scenario_table(risk_case: tuple[spj.Instrument, spj.Assessment]) -> None:
    instrument, assessment = risk_case
    md = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="md", lang="fr")
    assert "| Scénario | Gravité | Dans quel délai | Probabilité | Pris en charge par |" in md
    assert "| Répétition | Modérée | Dans les mois | Modérée |" in md


def test_recorded_text_is_escaped_in_every_report(instrument: spj.Instrument) -> None:
    assessment = make_assessment(
        instrument,
        """\
        background: {history: "<script>alert(1)</script> *bold* | pipe"}
        scenarios:
          - {kind: repeat, text: x, details: {victims: "<b>all</b>", severity: high}}
        review_triggers: "<img src=x onerror=alert(1)>"
        """,
    )
    evaluation = spj.evaluate(instrument, assessment)
    html = spj.render_report(instrument, assessment, evaluation, format="html")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>all</b>" not in html and "<img src=x" not in html
    assert "High severity" in html
    md = spj.render_report(instrument, assessment, evaluation, format="md")
    assert "<script>" not in md and "*bold*" not in md


def test_a_report_without_records_says_nothing_of_them(instrument: spj.Instrument) -> None:
    assessment = make_assessment(instrument, "scenarios:\n  - {kind: twist, text: Something else.}\n")
    html = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="html")
    assert '<table class="scenarios">' not in html and "Background" not in html
    assert "Twist" in html and "Something else." in html
