"""Evaluation: completeness, domain counts, flags, recommendations (DESIGN 4.1, 4.3)."""

from __future__ import annotations

import pytest
from helpers import make_assessment, make_instrument

import spj
from spj.evaluation.results import Ref, render_ref

INSTRUMENT = make_instrument(
    """\
    omission: {max_omitted_ratio: 0.34}
    case_fields:
      - {id: status, type: choice, choices: [convict, pve]}
    rules:
      - {id: peers, when: 'ratings.SO1.presence >= 1', message: m, severity: critical}
      - {id: isolated, when: 'flags.peers && ratings.SO2.presence == 0', message: m}
      - {id: convict, when: 'case.status == "convict"', message: m, severity: info}
      - {id: either, when: 'flags.peers || ratings.WB1.presence == 2', message: m}
      - {id: busy, when: 'domains.social.risk.present + domains.social.protective.absent >= 2', message: m}
    interventions:
      - {id: mentor, title: x, domain: social, provider: p, duration_weeks: 4,
         recommend_when: 'flags.isolated'}
      - {id: therapy, title: x, domain: wellbeing, provider: p, duration_weeks: 8,
         recommend_when: 'ratings.WB1.presence >= 1 && case.status == "pve"'}
    """
)


def run(rest):
    return spj.evaluate(INSTRUMENT, make_assessment(INSTRUMENT, rest))


def flag(evaluation, rule_id):
    return next(f for f in evaluation.rule_results if f.id == rule_id)


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        (
            "{}",
            {
                "indicators": 3,
                "rated": 0,
                "omitted": 0,
                "unrated": 3,
                "omitted_ratio": 0.0,
                "sufficient": True,
                "complete": False,
            },
        ),
        (
            '{SO1: {presence: "Y"}, SO2: {presence: "N"}, WB1: {presence: "P"}}',
            {"rated": 3, "omitted": 0, "unrated": 0, "omitted_ratio": 0.0, "sufficient": True},
        ),
        (
            '{SO1: {presence: "Y"}, SO2: {omitted: true, reason: r}, WB1: {presence: "P"}}',
            {"rated": 2, "omitted": 1, "unrated": 0, "omitted_ratio": 0.3333, "sufficient": True},
        ),
        (
            "{SO1: {omitted: true, reason: r}, SO2: {omitted: true, reason: r}, WB1: {presence: P}}",
            {"rated": 1, "omitted": 2, "omitted_ratio": 0.6667, "sufficient": False},
        ),
        # relevance alone does not make an indicator rated
        ('{SO1: {relevance: high}, SO2: {presence: "N"}, WB1: {presence: "P"}}', {"rated": 2, "unrated": 1}),
    ],
)
def test_completeness(ratings, expected):
    result = run(f"ratings: {ratings}\n").completeness.to_dict()
    assert {k: result[k] for k in expected} == expected
    assert result["max_omitted_ratio"] == 0.34


def test_domain_counts():
    evaluation = run(
        """\
        ratings:
          SO1: {presence: "Y", relevance: high}
          SO2: {presence: "P", relevance: high}
          WB1: {omitted: true, reason: r}
        """
    )
    domains = evaluation.to_dict()["domains"]
    assert domains["social"] == {
        "risk": {"present": 1, "partial": 0, "absent": 0},
        "protective": {"present": 0, "partial": 1, "absent": 0},
        "rated": 2,
        "omitted": 0,
        "unrated": 0,
        "high_relevance": 2,
    }
    assert domains["wellbeing"]["omitted"] == 1
    assert domains["wellbeing"]["risk"] == {"present": 0, "partial": 0, "absent": 0}


@pytest.mark.parametrize(
    ("rest", "statuses"),
    [
        (
            'ratings: {SO1: {presence: "Y"}, SO2: {presence: "N"}, WB1: {presence: "N"}}\n',
            {"peers": "raised", "isolated": "raised", "convict": "unknown", "either": "raised", "busy": "raised"},
        ),
        (
            'ratings: {SO1: {presence: "N"}, SO2: {presence: "Y"}, WB1: {presence: "N"}}\n',
            {"peers": "clear", "isolated": "clear", "either": "clear", "busy": "clear"},
        ),
        (
            # SO1 omitted: peers unknown; isolated unknown; either decided by WB1 alone
            'ratings: {SO1: {omitted: true, reason: r}, SO2: {presence: "N"}, WB1: {presence: "Y"}}\n',
            {"peers": "unknown", "isolated": "unknown", "either": "raised"},
        ),
        (
            # SO1 omitted but SO2 present: `flags.peers && false` is false whatever peers is
            'ratings: {SO1: {omitted: true, reason: r}, SO2: {presence: "Y"}, WB1: {presence: "N"}}\n',
            {"peers": "unknown", "isolated": "clear", "either": "unknown"},
        ),
    ],
)
def test_flag_statuses(rest, statuses):
    evaluation = run(rest)
    assert {k: flag(evaluation, k).status for k in statuses} == statuses
    listed = [f["id"] for f in evaluation.to_dict()["flags"]]
    assert listed == [r.id for r in INSTRUMENT.rules if flag(evaluation, r.id).status != "clear"]


def test_missing_is_resolved_through_flags():
    evaluation = run('ratings: {SO1: {omitted: true, reason: r}, SO2: {presence: "N"}}\n')
    assert flag(evaluation, "peers").missing == ("SO1",)
    assert flag(evaluation, "isolated").missing == ("SO1",)
    assert flag(evaluation, "either").missing == ("SO1", "WB1")
    undetermined = {r.id: r for r in evaluation.undetermined}
    assert undetermined["mentor"].missing == ("SO1",)
    assert "mentor" not in evaluation.plan.steps


def test_case_fields_decide_flags():
    header_rest = 'ratings: {WB1: {presence: "Y"}}\n'
    given = spj.evaluate(
        INSTRUMENT,
        make_assessment(
            INSTRUMENT,
            header_rest,
            header=make_header("{id: C-1, fields: {status: convict}}"),
        ),
    )
    assert flag(given, "convict").status == "raised"
    assert given.recommendations["therapy"].value is False
    pve = spj.evaluate(
        INSTRUMENT,
        make_assessment(INSTRUMENT, header_rest, header=make_header("{id: C-1, fields: {status: pve}}")),
    )
    assert flag(pve, "convict").status == "clear"
    assert "therapy" in pve.plan.steps
    missing = run(header_rest)
    assert flag(missing, "convict").status == "unknown"
    assert flag(missing, "convict").missing_case_fields == ("status",)
    assert missing.recommendations["therapy"].value is None
    assert missing.recommendations["therapy"].missing_case_fields == ("status",)
    assert [u["id"] for u in missing.to_dict()["undetermined"]] == ["mentor", "therapy"]


def make_header(case):
    from helpers import ASSESSMENT_HEADER

    return ASSESSMENT_HEADER.replace("case: {id: CASE-0001}", f"case: {case}")


def test_because_lists_values_and_codes():
    evaluation = run('ratings: {SO1: {presence: "P"}, SO2: {omitted: true, reason: r}}\n')
    because = [r.to_dict() for r in flag(evaluation, "isolated").because]
    assert because == [
        {"ref": "flags.peers", "value": True},
        {"ref": "ratings.SO2.presence", "value": None, "status": "omitted"},
    ]
    busy = [r.to_dict() for r in flag(evaluation, "busy").because]
    assert busy == [
        {"ref": "domains.social.risk.present", "value": 0},
        {"ref": "domains.social.protective.absent", "value": 0},
    ]
    peers = flag(evaluation, "peers").to_dict()
    assert peers["because"] == [{"ref": "ratings.SO1.presence", "value": 1, "code": "P"}]
    assert peers["severity"] == "critical"
    assert peers["rule"] == "ratings.SO1.presence >= 1"


def test_reasons_are_structured_and_rendered_once():
    evaluation = run('ratings: {SO1: {presence: "P"}, SO2: {omitted: true, reason: r}}\n')
    refs = [r.ref for r in flag(evaluation, "isolated").because + flag(evaluation, "busy").because]
    assert refs == [
        Ref("flags", ("peers",)),
        Ref("ratings", ("SO2", "presence")),
        Ref("domains", ("social", "risk", "present")),
        Ref("domains", ("social", "protective", "absent")),
    ]
    assert [render_ref(ref) for ref in refs[:2]] == ["flags.peers", "ratings.SO2.presence"]
    assert (refs[1].name, refs[1].rest) == ("SO2", ("presence",))


@pytest.mark.parametrize(
    ("ref", "dotted"),
    [
        (Ref("ratings", ("SO1", "presence")), "ratings.SO1.presence"),
        (Ref("ratings", ("SO1",)), "ratings.SO1"),
        (Ref("case", ("status",)), "case.status"),
        (Ref("domains", ("social",)), "domains.social"),
    ],
)
def test_render_ref(ref, dotted):
    assert render_ref(ref) == str(ref) == dotted


def test_because_for_unrated_and_case():
    evaluation = run("ratings: {}\n")
    assert flag(evaluation, "peers").because[0].status == "unrated"
    reason = flag(evaluation, "convict").because[0].to_dict()
    assert reason == {"ref": "case.status", "value": None, "status": "not given"}


def test_determinism():
    rest = 'ratings: {SO1: {presence: "Y"}, SO2: {presence: "N"}, WB1: {omitted: true, reason: r}}\n'
    assessment = make_assessment(INSTRUMENT, rest)
    assert spj.evaluate(INSTRUMENT, assessment).to_dict() == spj.evaluate(INSTRUMENT, assessment).to_dict()
    assert run(rest).to_dict() == run(rest).to_dict()


@pytest.mark.parametrize("code", ["N", "P", "Y"])
def test_unknown_is_never_counted_as_false(code):
    """If the result with SO1 rated depends on SO1's level, the omitted result is unknown."""
    rated = {c: flag(run(f'ratings: {{SO1: {{presence: "{c}"}}}}\n'), "peers").status for c in "NPY"}
    omitted = flag(run("ratings: {SO1: {omitted: true, reason: r}}\n"), "peers").status
    assert len(set(rated.values())) > 1
    assert omitted == "unknown"
    assert rated[code] in ("raised", "clear")


def test_to_dict_has_the_minimum_keys():
    data = run('ratings: {SO1: {presence: "Y"}, SO2: {presence: "N"}}\n').to_dict()
    assert {"instrument", "completeness", "domains", "flags", "interventions", "undetermined", "plan"} <= set(data)
    assert data["instrument"] == {"id": "test-instrument", "version": "1.0.0", "sha256": INSTRUMENT.sha256}
    assert {"phases", "total_weeks", "critical_path"} <= set(data["plan"])
    [mentor] = data["interventions"]
    assert mentor["id"] == "mentor"
    assert mentor["phase"] == 1 and mentor["start_week"] == 0 and mentor["provider"] == "p"
    assert mentor["reason"] == "recommended" and mentor["required_by"] == []
    assert mentor["because"][0]["ref"] == "flags.isolated"


def test_a_loaded_instrument_is_shared_safely_between_threads():
    from concurrent.futures import ThreadPoolExecutor

    texts = [
        'ratings: {SO1: {presence: "Y"}, SO2: {presence: "N"}}\n',
        "ratings: {SO1: {omitted: true, reason: r}}\n",
        'ratings: {SO1: {presence: "N"}, WB1: {presence: "P"}}\n',
    ] * 10
    expected = [run(text).to_dict() for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda text: run(text).to_dict(), texts))
    assert results == expected


def test_an_expression_failing_on_one_assessment_is_unknown_with_its_reason() -> None:
    """A rule may fail only for some ratings (a division by zero here); the rest of the evaluation stands."""
    instrument = make_instrument(
        "rules:\n"
        "  - {id: odd, when: '100 / (ratings.SO1.presence - 1) > 0', message: m}\n"
        "  - {id: peers, when: 'ratings.SO1.presence >= 1', message: m}\n"
    )
    evaluation = spj.evaluate(instrument, make_assessment(instrument, "ratings: {SO1: {presence: P}}\n"))
    flags = {f.id: f for f in evaluation.rule_results}
    assert flags["odd"].status == "unknown"
    assert flags["odd"].error is not None and "rule-evaluation" in flags["odd"].error
    assert flags["peers"].status == "raised"
    assert evaluation.to_dict()["flags"][0]["error"] == flags["odd"].error


def test_one_pass_keeps_for_rules_what_is_given_even_without_presence() -> None:
    """Relevance alone leaves an indicator unrated in the counts, and rules still read it."""
    instrument = make_instrument(
        """\
        rules:
          - {id: relevant, when: 'has(ratings.SO1.relevance) && ratings.SO1.relevance == 2', message: m}
          - {id: whole, when: 'has(ratings.SO2.presence)', message: m}
        """
    )
    evaluation = spj.evaluate(
        instrument, make_assessment(instrument, 'ratings: {SO1: {relevance: high}, WB1: {presence: "Y"}}\n')
    )
    assert flag(evaluation, "relevant").status == "raised"
    assert [r.to_dict() for r in flag(evaluation, "relevant").because] == [
        {"ref": "ratings.SO1.relevance", "value": 2, "code": "high"}
    ]
    assert flag(evaluation, "whole").status == "unknown"  # SO2 not rated yet: unknown, never false
    assert evaluation.indicator_status == {"SO1": "unrated", "SO2": "unrated", "WB1": "rated"}
    social = evaluation.to_dict()["domains"]["social"]
    assert (social["rated"], social["unrated"], social["high_relevance"]) == (0, 2, 0)
