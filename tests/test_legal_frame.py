"""The case's legal frame (issue 14): multiple-choice case fields and the shipped instruments' legal facts.

A `choice` case field may be `multiple: true`: the assessment gives a list of
codes (one code alone reads as a list of one), rules read a list, and forms,
the codebook, workbooks and reports show every code.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import spj
from spj.authoring.versioning.migrate import migrate_assessment
from spj.authoring.xlsx import export_workbook, workbook_to_yaml
from spj.report.codebook import render_codebook
from spj.report.explain import explain_expression
from tests.helpers import HEADER, assert_spj_error

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "instruments").glob("*/instrument.yaml"))
EXAMPLES = sorted((ROOT / "instruments").glob("*/examples/*.assessment.yaml"))

BODY = """\
domains:
  - {id: wellbeing, title: {en: Wellbeing}}
indicators:
  - {id: WB1, domain: wellbeing, kind: risk, title: {en: Trauma}}
case_fields:
  - id: status
    type: choice
    multiple: true
    choices: [ftf_returned, convict, not_registered]
    title: {en: Category, nl: Categorie}
    labels: {ftf_returned: {en: Returned fighter, nl: Teruggekeerde strijder}, convict: {en: Convicted}}
  - {id: phase, type: choice, choices: [detention, probation]}
rules:
  - {id: returned, when: "'ftf_returned' in case.status && ratings.WB1.presence >= 1", message: {en: RETURNEDFLAG}}
"""
INSTRUMENT = HEADER + BODY


def _assessment(fields: str, instrument: spj.Instrument | None = None) -> spj.Assessment:
    text = textwrap.dedent(f"""\
        format: spj-assessment/1
        instrument: {{id: test-instrument, version: 1.0.0}}
        id: A-1
        case: {{id: C-1, fields: {fields}}}
        assessor: {{id: u-1}}
        date: 2020-01-01
        ratings:
          WB1: {{presence: "Y"}}
        """)
    return spj.parse_assessment(text, instrument or _instrument(), file="case.yaml")


def _instrument() -> spj.Instrument:
    return spj.parse_instrument(INSTRUMENT, file="inst.yaml")


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ("{status: [ftf_returned, convict]}", "raised"),
        ("{status: ftf_returned}", "raised"),  # one code alone reads as a list of one
        ("{status: [convict]}", "clear"),
        ("{status: []}", "clear"),
        ("{}", "unknown"),
    ],
)
def test_rules_read_a_multiple_choice_as_a_list(fields: str, status: str) -> None:
    instrument = _instrument()
    evaluation = spj.evaluate(instrument, _assessment(fields, instrument))
    flag = next(f for f in evaluation.rule_results if f.id == "returned")
    assert flag.status == status
    if status == "unknown":
        assert flag.missing_case_fields == ("status",)


@pytest.mark.parametrize(
    ("fields", "code", "line", "column"),
    [
        ("{status: [ftf_returned, bogus]}", "unknown-code", 4, 49),
        ("{status: bogus}", "unknown-code", 4, 34),
        ("{status: [convict, convict]}", "duplicate-id", 4, 26),
        ("{phase: [detention, probation]}", "schema", 4, 26),
    ],
)
def test_a_bad_multiple_choice_is_refused_where_it_is(fields: str, code: str, line: int, column: int) -> None:
    assert_spj_error(lambda: _assessment(fields), code, error=spj.AssessmentError, line=line, column=column)


def test_the_report_shows_every_code_by_its_label() -> None:
    instrument = _instrument()
    assessment = _assessment("{status: [ftf_returned, convict], phase: detention}", instrument)
    evaluation = spj.evaluate(instrument, assessment)
    markdown = spj.render_report(instrument, assessment, evaluation, format="md", lang="nl")
    assert isinstance(markdown, str)
    assert "**Categorie:** Teruggekeerde strijder, Convicted" in markdown
    html = spj.render_report(instrument, assessment, evaluation, format="html", lang="en")
    assert isinstance(html, str)
    assert "Returned fighter, Convicted" in html


def test_the_codebook_and_the_rule_wording_speak_of_several_codes() -> None:
    instrument = _instrument()
    text = render_codebook(instrument, format="md", lang="en")
    assert isinstance(text, str)
    assert "several may apply" in text
    sentence = explain_expression("'ftf_returned' in case.status", instrument, lang="en")
    assert sentence == "the case's category includes “Returned fighter”"
    assert explain_expression("'ftf_returned' in case.status", instrument, lang="nl") == (
        "categorie van de casus omvat “Teruggekeerde strijder”"
    )


def test_a_workbook_keeps_a_multiple_choice() -> None:
    instrument = _instrument()
    imported, _ = workbook_to_yaml(export_workbook(instrument), name="x.xlsx")
    assert imported.case_fields[0].multiple is True
    assert imported.case_fields[1].multiple is False
    assert imported.sha256 == instrument.sha256


def test_a_migration_recodes_a_choice_into_a_multiple_one() -> None:
    old_body = BODY.replace("    multiple: true\n", "").replace(
        "choices: [ftf_returned, convict, not_registered]", "choices: [ftf, convict]"
    )
    old = spj.parse_instrument(
        HEADER + old_body.replace("'ftf_returned' in", "'ftf' ==").replace("in case.status", "case.status"),
        file="old.yaml",
    )
    new = spj.parse_instrument(
        HEADER.replace("version: 1.0.0", "version: 2.0.0")
        + BODY
        + "migrations:\n  - from: 1.0.0\n    case_fields:\n"
        + "      - {field: status, map: {ftf: [ftf_returned, not_registered]}}\n",
        file="new.yaml",
    )
    carried = migrate_assessment(_assessment("{status: convict}", old), old, new)
    assert carried.assessment.case.fields["status"] == ("convict",)
    split = migrate_assessment(_assessment("{status: ftf}", old), old, new)
    assert "status" not in split.assessment.case.fields
    assert any("one or more of ftf_returned, not_registered" in note for note in split.notes)


def test_a_migration_naming_an_unknown_code_is_refused() -> None:
    text = (
        HEADER.replace("version: 1.0.0", "version: 2.0.0")
        + BODY
        + "migrations:\n  - from: 1.0.0\n    case_fields:\n      - {field: status, map: {ftf: [ftf_gone]}}\n"
    )
    assert_spj_error(lambda: spj.parse_instrument(text, file="new.yaml"), "unresolved-reference", message="ftf_gone")


# --- the shipped instruments --------------------------------------------------

LEGAL_FIELDS = {"status", "mandate", "modality", "judicial_conditions", "index_offence", "conditions_note", "phase"}
CATEGORIES = {
    "ftf_left",
    "ftf_tried_to_leave",
    "ftf_stopped",
    "ftf_returned",
    "htf",
    "hate_propagandist",
    "pve",
    "convict",
    "not_registered",
}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_the_shipped_instruments_record_the_legal_frame(path: Path) -> None:
    instrument = spj.load_instrument(path)
    fields = {f.id: f for f in instrument.case_fields}
    assert set(fields) == LEGAL_FIELDS
    assert fields["status"].multiple and set(fields["status"].choices) == CATEGORIES
    assert fields["judicial_conditions"].multiple
    assert {"court", "sentence_implementation_court", "prosecutor"} <= set(fields["mandate"].choices)
    assert {"pre_trial_conditions", "probation", "parole", "electronic_monitoring"} <= set(fields["modality"].choices)
    for field in fields.values():
        for text in (field.title, *field.labels.values()):
            assert isinstance(text, dict) and set(text) == set(instrument.languages), field.id
        assert set(field.labels) == set(field.choices), field.id


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_rules_that_mean_returned_say_so(path: Path) -> None:
    instrument = spj.load_instrument(path)
    reading_status = [r for r in instrument.rules if "case.status" in r.when]
    assert reading_status, "a shipped instrument has a rule on the category"
    for rule in reading_status:
        assert "'ftf_returned' in case.status" in rule.when, rule.id
        assert "returned" in str(rule.message).lower() or "teruggekeerde" in str(rule.message).lower()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_shipped_example_validates_and_records_its_legal_frame(path: Path) -> None:
    instrument = spj.load_instrument(path.parent.parent / "instrument.yaml")
    assessment = spj.load_assessment(path, instrument)
    fields = assessment.case.fields
    assert {"status", "phase", "mandate", "modality", "index_offence"} <= set(fields), sorted(fields)
    assert isinstance(fields["status"], tuple)


def test_a_convicted_fighter_who_tried_to_leave_is_recorded_as_both() -> None:
    path = ROOT / "instruments" / "extremism-risk-formulation" / "examples" / "case-0201.assessment.yaml"
    instrument = spj.load_instrument(path.parent.parent / "instrument.yaml")
    assessment = spj.load_assessment(path, instrument)
    assert assessment.case.fields["status"] == ("ftf_tried_to_leave", "convict")
    evaluation = spj.evaluate(instrument, assessment)
    assert next(f for f in evaluation.rule_results if f.id == "combat_experience").status == "clear"
