"""Assessments: loading and validation against an instrument (DESIGN 4.2)."""

from __future__ import annotations

import json

import pytest
from helpers import ASSESSMENT_HEADER, assert_spj_error, make_assessment, make_instrument

import spj
from spj import AssessmentError, Code

INSTRUMENT = make_instrument(
    """\
    case_fields:
      - {id: status, type: choice, choices: [convict, pve]}
      - {id: age, type: integer}
      - {id: detained, type: boolean}
      - {id: note, type: text}
    judgements:
      - {id: priority, title: x, levels: [low, high], rationale_required: true}
      - {id: outlook, title: x, levels: [poor, good]}
    """
)

NO_CASE = ASSESSMENT_HEADER.replace("case: {id: CASE-0001}\n", "")


def check(rest, header=ASSESSMENT_HEADER):
    return make_assessment(INSTRUMENT, rest, header=header)


def test_draft_assessment_loads():
    assessment = check(
        """\
        sources: [{id: S1, kind: interview, date: 2020-01-01}]
        ratings:
          SO1: {presence: "P", relevance: moderate, sources: [S1], evidence: {for: a, against: b}}
          SO2: {omitted: true, reason: no information}
        """
    )
    assert assessment.ratings["SO1"].codes == {"presence": "P", "relevance": "moderate"}
    assert assessment.ratings["SO1"].evidence.for_ == "a"
    assert assessment.ratings["SO2"].omitted


@pytest.mark.parametrize(
    ("rest", "code", "line", "message"),
    [
        ('ratings:\n  SO1: {presence: "X"}\n', Code.UNKNOWN_CODE, 8, "use one of N, P, Y"),
        ("ratings:\n  SO1: {presence: P, relevance: huge}\n", Code.UNKNOWN_CODE, 8, "low, moderate, high"),
        ("ratings:\n  SO1: {presence: 7}\n", Code.UNKNOWN_CODE, 8, "N, P, Y"),
        ('ratings:\n  SO9: {presence: "N"}\n', Code.UNKNOWN_INDICATOR, 8, "did you mean 'SO"),
        ('ratings:\n  SO1: {presence: "N", relevanse: low}\n', Code.UNKNOWN_SCALE, 8, "did you mean 'relevance'"),
        ("ratings:\n  SO1: {omitted: true}\n", Code.OMISSION, 8, "without a reason"),
        ("ratings:\n  SO1: {omitted: true, reason: '  '}\n", Code.OMISSION, 8, "without a reason"),
        ('ratings:\n  SO1: {omitted: true, reason: r, presence: "Y"}\n', Code.OMISSION, 8, "also rated"),
        ('ratings:\n  SO1: {presence: "Y", sources: [S2]}\n', Code.UNKNOWN_SOURCE, 8, "S2"),
        (
            'sources: [{id: S1, kind: file}]\nratings:\n  SO1: {presence: "Y", sources: [S11]}\n',
            Code.UNKNOWN_SOURCE,
            9,
            "did you mean 'S1'",
        ),
        ("judgements:\n  prio: {level: low}\n", Code.UNKNOWN_JUDGEMENT, 8, "did you mean 'priority'"),
        ("judgements:\n  priority: {level: mid}\n", Code.UNKNOWN_CODE, 8, "low, high"),
        ("ratings:\n  SO1: {presence: N, colour: red}\n", Code.UNKNOWN_SCALE, 8, ""),
        ("status: done\n", Code.SCHEMA, 7, "draft"),
        ("date: yesterday\n", Code.SCHEMA, None, ""),
        ("ratings: [SO1]\n", Code.SCHEMA, 7, ""),
        ("colour: blue\n", Code.SCHEMA, 7, "unknown key"),
    ],
)
def test_invalid_assessments_are_located(rest, code, line, message):
    header = ASSESSMENT_HEADER.replace("date: 2020-01-01\n", "") if rest.startswith("date:") else ASSESSMENT_HEADER
    assert_spj_error(lambda: check(rest, header=header), code=code, error=AssessmentError, line=line, message=message)


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ("{colour: red}", Code.UNKNOWN_CASE_FIELD, "no case field 'colour'"),
        ("{stattus: pve}", Code.UNKNOWN_CASE_FIELD, "did you mean 'status'"),
        ("{status: conv}", Code.UNKNOWN_CODE, "convict, pve"),
        ("{age: old}", Code.SCHEMA, "whole number"),
        ("{age: true}", Code.SCHEMA, "whole number"),
        ("{detained: 1}", Code.SCHEMA, "true or false"),
        ("{note: 5}", Code.SCHEMA, "text"),
    ],
)
def test_case_fields(fields, code, message):
    rest = f"case: {{id: C-1, fields: {fields}}}\n"
    assert_spj_error(lambda: check(rest, header=NO_CASE), code=code, line=6, message=message)


def test_valid_case_fields():
    assessment = check("case: {id: C-1, fields: {status: pve, age: 30, detained: false, note: x}}\n", header=NO_CASE)
    assert assessment.case.fields == {"status": "pve", "age": 30, "detained": False, "note": "x"}


FINAL_OK = """\
status: final
ratings:
  SO1: {presence: "Y", relevance: high}
  SO2: {presence: "N"}
  WB1: {omitted: true, reason: no information}
judgements:
  priority: {level: low, rationale: because}
  outlook: {level: good}
"""


def test_final_assessment_complete():
    assessment = check(FINAL_OK)
    assert assessment.status == "final"


def test_relevance_may_be_left_out_when_presence_is_the_bottom_level():
    assert check(FINAL_OK).ratings["SO2"].codes == {"presence": "N"}


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (("  WB1: {omitted: true, reason: no information}\n", ""), Code.INCOMPLETE, "WB1 is neither rated nor omitted"),
        (('SO1: {presence: "Y", relevance: high}', 'SO1: {presence: "Y"}'), Code.INCOMPLETE, "no relevance"),
        (('SO1: {presence: "Y", relevance: high}', 'SO1: {presence: "P"}'), Code.INCOMPLETE, "no relevance"),
        (('SO1: {presence: "Y", relevance: high}', "SO1: {relevance: high}"), Code.INCOMPLETE, "no presence"),
        (("{level: low, rationale: because}", "{level: low}"), Code.MISSING_RATIONALE, "priority"),
        (("{level: low, rationale: because}", "{level: low, rationale: ' '}"), Code.MISSING_RATIONALE, "priority"),
        (("  outlook: {level: good}\n", ""), Code.MISSING_JUDGEMENT, "outlook"),
        (("{level: good}", "{level: null}"), Code.MISSING_JUDGEMENT, "outlook"),
        (
            ("judgements:\n  priority: {level: low, rationale: because}\n  outlook: {level: good}\n", ""),
            Code.MISSING_JUDGEMENT,
            "priority",
        ),
    ],
)
def test_final_assessment_incomplete(change, code, message):
    rest = FINAL_OK.replace(*change)
    assert rest != FINAL_OK
    assert_spj_error(lambda: check(rest), code=code, message=message)


def test_the_same_gaps_are_fine_in_a_draft():
    rest = FINAL_OK.replace("status: final", "status: draft").replace("  outlook: {level: good}\n", "")
    rest = rest.replace("{level: low, rationale: because}", "{level: low}")
    assert check(rest).status == "draft"


@pytest.mark.parametrize(
    ("instrument_ref", "message"),
    [
        ("{id: test-instrument, version: 2.0.0}", "test-instrument 2.0.0, not test-instrument 1.0.0"),
        ("{id: other-instrument, version: 1.0.0}", "other-instrument 1.0.0"),
    ],
)
def test_instrument_mismatch(instrument_ref, message):
    header = ASSESSMENT_HEADER.replace("{id: test-instrument, version: 1.0.0}", instrument_ref)
    assert_spj_error(lambda: check("", header=header), code=Code.INSTRUMENT_MISMATCH, line=2, message=message)


def test_not_an_assessment():
    assert_spj_error(lambda: spj.parse_assessment("format: spj/1\n", INSTRUMENT), code=Code.SCHEMA, line=1)
    assert_spj_error(lambda: spj.parse_assessment("[1]\n", INSTRUMENT), code=Code.SCHEMA)


def test_problems_are_all_reported_in_line_order():
    rest = 'ratings:\n  SO1: {presence: "X"}\n  SO9: {presence: "N"}\n  SO2: {omitted: true}\n'
    exc = assert_spj_error(lambda: check(rest), code=Code.UNKNOWN_CODE, count=3)
    assert [p.location.line for p in exc.problems] == [8, 9, 10]


def test_codes_written_unquoted_are_kept_as_strings():
    # `N` and `Y` must not turn into booleans, and `no`/`yes` stay text.
    assessment = check("ratings:\n  SO1: {presence: Y, relevance: low}\n  SO2: {presence: N}\n")
    assert assessment.ratings["SO1"].codes["presence"] == "Y"
    assert assessment.ratings["SO2"].codes["presence"] == "N"


def _json_assessment(**changes):
    data = {
        "format": "spj-assessment/1",
        "instrument": {"id": "test-instrument", "version": "1.0.0"},
        "id": "A-1",
        "case": {"id": "C-1", "fields": {"status": "pve"}},
        "assessor": {"id": "u-1"},
        "date": "2020-01-01",
        "ratings": {"SO1": {"presence": "Y", "relevance": "high"}, "SO2": {"omitted": True, "reason": "r"}},
    }
    data.update(changes)
    return json.dumps(data)


def test_json_input():
    assessment = spj.parse_assessment_json(_json_assessment(), INSTRUMENT)
    assert assessment.ratings["SO1"].codes == {"presence": "Y", "relevance": "high"}
    assert spj.parse_assessment_json(_json_assessment().encode(), INSTRUMENT).id == "A-1"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", Code.YAML_SYNTAX),
        ("[" * 100_000 + "]" * 100_000, None),
        (_json_assessment(ratings={"SO1": {"presence": "Q"}}), Code.UNKNOWN_CODE),
        (_json_assessment(ratings={"XX": {"presence": "Y"}}), Code.UNKNOWN_INDICATOR),
        (_json_assessment(instrument={"id": "test-instrument", "version": "9.9.9"}), Code.INSTRUMENT_MISMATCH),
        (_json_assessment(date=5), Code.SCHEMA),
    ],
)
def test_json_input_problems(text, code):
    with pytest.raises(AssessmentError) as info:
        spj.parse_assessment_json(text, INSTRUMENT, file="a.json")
    if code is not None:
        assert code in info.value.codes


def test_load_assessment_from_file(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(ASSESSMENT_HEADER + 'ratings:\n  SO1: {presence: "X"}\n')
    exc = assert_spj_error(lambda: spj.load_assessment(path, INSTRUMENT), code=Code.UNKNOWN_CODE)
    assert exc.problems[0].location.file == str(path)
    assert_spj_error(lambda: spj.load_assessment(tmp_path / "none.yaml", INSTRUMENT), code=Code.FILE_NOT_FOUND)


def test_assessment_is_frozen():
    assessment = check("")
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        assessment.id = "other"  # type: ignore[misc]
