"""Reasons (issue 14): only what made a flag raised or a step recommended is its reason.

`because` keeps everything an expression read (DESIGN 4.3); the report shows
the decisive part of it (`spj.evaluation.decisive`), and flags found not raised
apart, never as a reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import spj
from spj.evaluation.decisive import decisive_reasons, is_negated
from spj.instrument import index_of
from spj.report.context import report_context
from tests.helpers import make_assessment, make_instrument

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "instruments").glob("*/examples/*.assessment.yaml"))

RULES = """\
rules:
  - {id: peers, when: 'ratings.SO1.presence >= 1', message: {en: Peers.}}
  - {id: calm, when: 'ratings.WB1.presence == 0', message: {en: Calm.}}
  - {id: probe, when: '{expr}', message: {en: Probe.}}
"""


def _reasons(expression: str, ratings: str) -> tuple[str, bool | None, list[str], list[str]]:
    instrument = make_instrument(RULES.replace("{expr}", expression))
    assessment = make_assessment(instrument, ratings)
    evaluation = spj.evaluate(instrument, assessment)
    flag = next(f for f in evaluation.rule_results if f.id == "probe")
    outcome = {"raised": True, "clear": False}.get(flag.status)
    tree = index_of(instrument).rules["probe"].expression.tree
    chosen = decisive_reasons(tree, outcome, flag.because)
    return flag.status, outcome, [str(r.ref) for r in flag.because], [str(r.ref) for r in chosen]


RATED = """\
ratings:
  SO1: {presence: "Y", relevance: high}
  SO2: {presence: "N", relevance: low}
  WB1: {presence: "N", relevance: low}
"""
SO2_OMITTED = """\
ratings:
  SO1: {presence: "Y", relevance: high}
  SO2: {omitted: true, reason: not yet known}
  WB1: {presence: "N", relevance: low}
"""


@pytest.mark.parametrize(
    ("expression", "ratings", "status", "expected"),
    [
        # a true `||`: only its true side
        ("ratings.SO1.presence >= 1 || ratings.WB1.presence >= 1", RATED, "raised", ["ratings.SO1.presence"]),
        ("flags.peers || ratings.SO2.presence >= 1", RATED, "raised", ["flags.peers"]),
        ("ratings.SO2.presence >= 1 || flags.peers", RATED, "raised", ["flags.peers"]),
        # an omitted rating on the side that did not decide is not a reason
        ("ratings.SO1.presence == 2 || ratings.SO2.presence >= 1", SO2_OMITTED, "raised", ["ratings.SO1.presence"]),
        # a true `&&`: every side
        (
            "ratings.SO1.presence >= 1 && ratings.WB1.presence == 0",
            RATED,
            "raised",
            ["ratings.SO1.presence", "ratings.WB1.presence"],
        ),
        # arithmetic over ratings reads both
        (
            "ratings.SO1.presence + ratings.WB1.presence >= 2",
            RATED,
            "raised",
            ["ratings.SO1.presence", "ratings.WB1.presence"],
        ),
        # nested: the false branch of an inner `||` is dropped
        (
            "flags.calm && (flags.peers || ratings.SO2.presence == 2)",
            RATED,
            "raised",
            ["flags.calm", "flags.peers"],
        ),
        # a negated flag that is not raised made the result: it stays (shown apart in the report)
        ("flags.peers && !flags.calm", RATED.replace('WB1: {presence: "N"', 'WB1: {presence: "Y"'), "raised", None),
        # unknown: everything read stays
        ("ratings.SO2.presence >= 1 || ratings.WB1.presence >= 1", SO2_OMITTED, "unknown", None),
    ],
)
def test_only_what_decided_the_result_is_a_reason(
    expression: str, ratings: str, status: str, expected: list[str] | None
) -> None:
    got_status, _, everything, chosen = _reasons(expression, ratings)
    assert got_status == status
    assert chosen == (everything if expected is None else expected)


def test_an_expression_outside_the_subset_keeps_every_reason() -> None:
    expression = "[ratings.SO1.presence, ratings.WB1.presence].exists(x, x >= 2)"
    status, _, everything, chosen = _reasons(expression, RATED)
    assert status == "raised"
    assert chosen == everything


@pytest.mark.parametrize(
    ("expression", "negated"),
    [
        ("!flags.calm", True),
        ("flags.peers && !flags.calm", True),
        ("flags.calm == false", True),
        ("flags.calm != true", True),
        ("flags.calm", False),
        ("!(!flags.calm)", False),
        ("flags.calm == true", False),
    ],
)
def test_a_flag_read_through_a_negation_is_known_as_such(expression: str, negated: bool) -> None:
    instrument = make_instrument(RULES.replace("{expr}", expression))
    tree = index_of(instrument).rules["probe"].expression.tree
    assert is_negated(tree, ("flags", "calm")) is negated


def _listed(context: dict[str, object]) -> list[tuple[str, dict[str, object]]]:
    items: list[tuple[str, dict[str, object]]] = []
    for key in ("raised", "unknown_flags"):
        items += [(key, f) for f in context[key]]  # type: ignore[attr-defined]
    for phase in context["phases"]:  # type: ignore[attr-defined]
        items += [("step", s) for s in phase["steps"]]
    return items


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_no_report_of_a_shipped_example_lists_an_unraised_flag_as_a_reason(path: Path, lang: str) -> None:
    instrument = spj.load_instrument(path.parent.parent / "instrument.yaml")
    assessment = spj.load_assessment(path, instrument)
    evaluation = spj.evaluate(instrument, assessment)
    context = report_context(instrument, assessment, evaluation, lang=lang, kind="md", spj_version="test")
    not_raised = {"en": "not raised", "nl": "niet gesignaleerd"}[lang]
    listed = _listed(context)
    assert listed, "the example shows no flags and no steps"
    for where, item in listed:
        for reason in item["reasons"]:  # type: ignore[attr-defined]
            assert reason["value"] != not_raised, f"{where}: {reason['subject']} listed as a reason"


def test_a_negated_flag_is_shown_apart_in_the_report() -> None:
    path = ROOT / "instruments" / "disengagement-trajectory" / "examples" / "case-0103.assessment.yaml"
    instrument = spj.load_instrument(path.parent.parent / "instrument.yaml")
    assessment = spj.load_assessment(path, instrument)
    evaluation = spj.evaluate(instrument, assessment)
    markdown = spj.render_report(instrument, assessment, evaluation, format="md", lang="en")
    assert isinstance(markdown, str)
    window = markdown[markdown.index("A solid base and openness to dialogue") :]
    window = window[: window.index("## ")]
    because, _, apart = window.partition("Also checked, and not raised:")
    assert "Violence is openly justified" not in because
    assert "Violence is openly justified" in apart
    assert ": not raised" not in window


def test_a_step_recommended_by_one_side_of_an_or_does_not_list_the_other() -> None:
    path = ROOT / "instruments" / "disengagement-trajectory" / "examples" / "case-0101.assessment.yaml"
    instrument = spj.load_instrument(path.parent.parent / "instrument.yaml")
    assessment = spj.load_assessment(path, instrument)
    evaluation = spj.evaluate(instrument, assessment)
    markdown = spj.render_report(instrument, assessment, evaluation, format="md", lang="en")
    assert isinstance(markdown, str)
    step = markdown[markdown.index("**Income and paperwork in order**") :]
    step = step[: step.index("\n- **")]
    assert "Financial problems and debts (HF2)" in step
    assert "(HF3)" not in step  # omitted, and not what recommended it
