"""`spj.compare`: what changed between two assessments of one case, and `spj compare` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import assert_spj_error, make_assessment, make_instrument
from typer.testing import CliRunner

import spj
from spj.cli.app import app
from spj.evaluation.compare import compare

RULES = """\
rules:
  - {id: peers, when: 'ratings.SO1.presence >= 1', severity: concern, message: {en: In contact with peers.}}
  - {id: trauma, when: 'ratings.WB1.presence == 2', severity: critical, message: {en: Trauma present.}}
  - {id: lonely, when: 'ratings.SO2.presence == 0', severity: info, message: {en: No family support.}}
interventions:
  - {id: mentor, title: {en: Mentoring}, domain: social, provider: probation, duration_weeks: 4,
     recommend_when: 'flags.peers'}
  - {id: therapy, title: {en: Therapy}, domain: wellbeing, provider: mental-health, duration_weeks: 30,
     recommend_when: 'flags.trauma'}
  - {id: family, title: {en: Family work}, domain: social, provider: family-support, duration_weeks: 6,
     recommend_when: 'flags.lonely'}
judgements:
  - {id: case_priority, title: {en: Case priority}, levels: [low, moderate, high],
     labels: {low: {en: Low priority}, high: {en: High priority}}}
"""

OLD = """\
ratings:
  SO1: {presence: "P", relevance: high}
  SO2: {omitted: true, reason: not known yet}
  WB1: {presence: "Y", relevance: high}
judgements:
  case_priority: {level: high}
"""

NEW = """\
ratings:
  SO1: {presence: "N", relevance: high}
  SO2: {presence: "N", relevance: low}
  WB1: {presence: "Y", relevance: moderate}
judgements:
  case_priority: {level: low}
"""


def header(
    assessment_id: str,
    date: str,
    *,
    case: str = "CASE-0001",
    instrument_id: str = "test-instrument",
    version: str = "1.0.0",
) -> str:
    return (
        "format: spj-assessment/1\n"
        f"instrument: {{id: {instrument_id}, version: {version}}}\n"
        f"id: {assessment_id}\ncase: {{id: {case}}}\nassessor: {{id: u-1}}\ndate: {date}\n"
    )


def pair(instrument: spj.Instrument, ratings: str, assessment_id: str, date: str, **kw: str):
    assessment = make_assessment(instrument, ratings, header=header(assessment_id, date, **kw))
    return assessment, spj.evaluate(instrument, assessment)


@pytest.fixture(scope="module")
def instrument() -> spj.Instrument:
    return make_instrument(RULES)


@pytest.fixture(scope="module")
def comparison(instrument):
    return compare(instrument, pair(instrument, OLD, "A-1", "2026-01-01"), pair(instrument, NEW, "A-2", "2026-03-05"))


def test_weeks_elapsed_are_whole_weeks(comparison) -> None:
    assert comparison.weeks_elapsed == 9  # 63 days
    assert (comparison.previous_id, comparison.current_id, comparison.case_id) == ("A-1", "A-2", "CASE-0001")


def test_indicator_changes_with_codes_and_labels(comparison) -> None:
    by_id = {c.id: c for c in comparison.indicators}
    assert list(by_id) == ["SO1", "SO2", "WB1"]  # instrument order
    so1 = by_id["SO1"]
    assert (so1.from_state, so1.to_state) == ("rated", "rated")
    assert [(c.scale, c.from_code, c.from_label, c.to_code, c.to_label) for c in so1.levels] == [
        ("presence", "P", "Partly", "N", "Absent")
    ]
    so2 = by_id["SO2"]
    assert (so2.from_state, so2.to_state) == ("omitted", "rated")
    assert so2.level("presence") is not None and so2.level("presence").to_code == "N"
    wb1 = by_id["WB1"]
    assert [(c.scale, c.from_code, c.to_code) for c in wb1.levels] == [("relevance", "high", "moderate")]


def test_rated_to_omitted_keeps_the_reason(instrument) -> None:
    old = pair(instrument, "ratings: {WB1: {presence: 'Y', relevance: high}}", "A-1", "2026-01-01")
    new = pair(instrument, "ratings: {WB1: {omitted: true, reason: report not received}}", "A-2", "2026-02-01")
    (change,) = compare(instrument, old, new).indicators
    assert (change.from_state, change.to_state, change.reason) == ("rated", "omitted", "report not received")
    assert change.level("presence").from_label == "Present"
    assert change.level("presence").to_code is None


@pytest.mark.parametrize(
    ("rule", "change", "before", "after"),
    [
        ("peers", "cleared", "raised", "clear"),
        ("lonely", "raised", "unknown", "raised"),
    ],
)
def test_flag_transitions(comparison, rule, change, before, after) -> None:
    flags = {f.id: f for f in comparison.flags}
    assert (flags[rule].change, flags[rule].from_status, flags[rule].to_status) == (change, before, after)
    assert "trauma" not in flags  # raised both times: no change


def test_flag_becomes_unknown_and_known(instrument) -> None:
    known = pair(instrument, "ratings: {SO1: {presence: 'N', relevance: low}}", "A-1", "2026-01-01")
    unknown = pair(instrument, "ratings: {SO1: {omitted: true, reason: x}}", "A-2", "2026-02-01")
    (flag,) = [f for f in compare(instrument, known, unknown).flags if f.id == "peers"]
    assert (flag.change, flag.missing) == ("unknown", ("SO1",))
    known_again = pair(instrument, "ratings: {SO1: {presence: 'N', relevance: low}}", "A-3", "2026-03-01")
    (flag,) = [f for f in compare(instrument, unknown, known_again).flags if f.id == "peers"]
    assert flag.change == "known"


def test_interventions_added_completed_dropped(comparison) -> None:
    # mentor (weeks 0-4) left the plan after 9 weeks: completed by the previous schedule.
    assert [s.id for s in comparison.completed] == ["mentor"]
    assert [s.id for s in comparison.added] == ["family"]
    assert comparison.dropped == ()


def test_an_intervention_that_leaves_before_its_end_is_dropped_not_completed(instrument) -> None:
    old = pair(instrument, OLD, "A-1", "2026-01-01")
    new = pair(
        instrument,
        "ratings: {SO1: {presence: 'N', relevance: low}, WB1: {presence: 'N', relevance: low}}",
        "A-2",
        "2026-01-29",
    )  # 4 weeks: mentor (ends week 4) completed, therapy (ends 30) dropped
    result = compare(instrument, old, new)
    assert [s.id for s in result.completed] == ["mentor"]
    assert [(s.id, s.start_week, s.end_week) for s in result.dropped] == [("therapy", 0, 30)]


def test_completed_needs_the_whole_duration(instrument) -> None:
    old = pair(instrument, OLD, "A-1", "2026-01-01")
    new = pair(instrument, "ratings: {SO1: {presence: 'N', relevance: low}}", "A-2", "2026-01-28")  # 3 weeks 6 days
    result = compare(instrument, old, new)
    assert result.weeks_elapsed == 3
    assert [s.id for s in result.dropped] == ["mentor", "therapy"]
    assert result.completed == ()


def test_judgement_changes_are_the_experts(comparison) -> None:
    (change,) = comparison.judgements
    assert (change.from_code, change.from_label, change.to_code, change.to_label) == (
        "high",
        "High priority",
        "low",
        "Low priority",
    )
    assert change.to_dict()["by"] == "expert"


def test_same_assessment_twice_has_no_changes(instrument) -> None:
    one = pair(instrument, OLD, "A-1", "2026-01-01")
    assert compare(instrument, one, one).unchanged


def test_to_dict_is_json(comparison) -> None:
    data = json.loads(json.dumps(comparison.to_dict()))
    assert data["interventions"]["completed"][0]["id"] == "mentor"
    assert "completed_rule" in data["interventions"]
    assert data["indicators"][0]["levels"][0]["from"] == {"code": "P", "label": "Partly"}


def test_other_case_is_refused(instrument) -> None:
    old = pair(instrument, OLD, "A-1", "2026-01-01", case="CASE-0002")
    assert_spj_error(
        lambda: compare(instrument, old, pair(instrument, NEW, "A-2", "2026-02-01")),
        "invalid-request",
        error=spj.AssessmentError,
        message="CASE-0002",
    )


def test_reverse_order_is_refused(instrument) -> None:
    old = pair(instrument, OLD, "A-1", "2026-05-01")
    assert_spj_error(
        lambda: compare(instrument, old, pair(instrument, NEW, "A-2", "2026-02-01")),
        "invalid-request",
        message="oldest first",
    )


def test_other_instrument_is_refused(instrument) -> None:
    other = spj.parse_instrument(make_instrument_text_with_id("other-instrument", "1.0.0"))
    old = pair(other, OLD, "A-1", "2026-01-01", instrument_id="other-instrument")
    assert_spj_error(
        lambda: compare(instrument, old, pair(instrument, NEW, "A-2", "2026-02-01")),
        "instrument-mismatch",
        message="other-instrument",
    )


def make_instrument_text_with_id(instrument_id: str, version: str, extra_indicator: str = "") -> str:
    from helpers import instrument_text

    text = instrument_text(RULES).replace("id: test-instrument", f"id: {instrument_id}")
    text = text.replace("version: 1.0.0", f"version: {version}")
    if extra_indicator:
        text = text.replace("indicators:\n", f"indicators:\n{extra_indicator}\n")
    return text


def test_an_older_version_with_the_same_indicators_is_accepted(instrument) -> None:
    older = spj.parse_instrument(make_instrument_text_with_id("test-instrument", "0.9.0"))
    old = pair(older, OLD, "A-1", "2026-01-01", version="0.9.0")
    result = compare(instrument, old, pair(instrument, NEW, "A-2", "2026-02-01"))
    assert (result.previous_version, result.current_version) == ("0.9.0", "1.0.0")


def test_an_older_version_with_other_indicators_is_refused(instrument) -> None:
    older = spj.parse_instrument(
        make_instrument_text_with_id(
            "test-instrument", "0.9.0", "  - {id: XX1, domain: social, kind: risk, title: {en: Gone}}"
        )
    )
    old = pair(older, OLD, "A-1", "2026-01-01", version="0.9.0")
    assert_spj_error(
        lambda: compare(instrument, old, pair(instrument, NEW, "A-2", "2026-02-01")),
        "instrument-mismatch",
        message="XX1",
    )


EXAMPLES = Path(__file__).resolve().parent.parent / "instruments" / "disengagement-trajectory"


def test_cli_compare_text_and_json() -> None:
    runner = CliRunner()
    args = [
        str(EXAMPLES / "instrument.yaml"),
        str(EXAMPLES / "examples" / "case-0101.assessment.yaml"),
        str(EXAMPLES / "examples" / "case-0101b.assessment.yaml"),
    ]
    result = runner.invoke(app, ["compare", *args])
    assert result.exit_code == 0, result.output
    assert "indicator FS1 (Contact with extremist peers or networks): rated (N) -> omitted" in result.output
    assert "intervention housing_support (Securing stable housing): completed" in result.output
    result = runner.invoke(app, ["compare", *args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["weeks_elapsed"] == 26
    assert [c["id"] for c in data["judgements"]] == ["case_priority", "trajectory_readiness"]


def test_cli_compare_refuses_another_case(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        (EXAMPLES / "examples" / "case-0101b.assessment.yaml")
        .read_text(encoding="utf-8")
        .replace("id: CASE-0101", "id: CASE-0999"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(EXAMPLES / "instrument.yaml"),
            str(EXAMPLES / "examples" / "case-0101.assessment.yaml"),
            str(other),
        ],
    )
    assert result.exit_code == 1
    assert "invalid-request" in result.output and "CASE-0999" in result.output


def test_edited_evidence_text_is_a_change_even_when_the_ratings_are_the_same(instrument) -> None:
    old = pair(
        instrument,
        "ratings: {SO1: {presence: 'P', relevance: high, evidence: {for: 'Seen twice.', against: 'Works daily.'}},"
        " WB1: {presence: 'Y', relevance: high, evidence: {for: ' Same text. '}}}",
        "A-1",
        "2026-01-01",
    )
    new = pair(
        instrument,
        "ratings: {SO1: {presence: 'P', relevance: high, evidence: {for: 'Seen three times.'}},"
        " WB1: {presence: 'Y', relevance: high, evidence: {for: 'Same text.'}},"
        " SO2: {omitted: true, reason: not known}}",
        "A-2",
        "2026-02-01",
    )
    comparison = compare(instrument, old, new)
    by_id = {c.id: c for c in comparison.indicators}
    assert "WB1" not in by_id  # whitespace at either end is no change
    so1 = by_id["SO1"]
    assert so1.levels == () and not so1.state_changed
    assert [(e.part, e.before, e.after) for e in so1.evidence] == [
        ("for", "Seen twice.", "Seen three times."),
        ("against", "Works daily.", ""),
    ]
    assert so1.to_dict()["evidence"] == [
        {"part": "for", "from": "Seen twice.", "to": "Seen three times."},
        {"part": "against", "from": "Works daily.", "to": ""},
    ]
    assert by_id["SO2"].evidence == ()  # no evidence either time
    assert not comparison.unchanged
