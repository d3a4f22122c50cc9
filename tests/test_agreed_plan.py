"""The agreed plan (DESIGN 4.6): the engine proposes, the expert decides; findings located."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import spj
from spj.authoring.checking import check_file
from spj.cli.app import app
from tests.helpers import HEADER

INSTRUMENT = HEADER + textwrap.dedent("""\
    domains:
      - {id: social, title: {en: Social}}
      - {id: wellbeing, title: {en: Wellbeing}}
    indicators:
      - {id: SO1, domain: social, kind: risk, title: {en: Peers}}
      - {id: WB1, domain: wellbeing, kind: risk, title: {en: Trauma}}
      - {id: WB2, domain: wellbeing, kind: risk, title: {en: Daily structure}}
    interventions:
      - {id: stabilisation, title: {en: Stabilise}, domain: wellbeing, provider: probation, duration_weeks: 4,
         recommend_when: 'ratings.WB2.presence >= 1'}
      - {id: trauma_care, title: {en: Trauma care}, domain: wellbeing, provider: mental-health, duration_weeks: 12,
         recommend_when: 'ratings.WB1.presence >= 1', requires: [stabilisation]}
      - {id: psychosocial, title: {en: Guidance}, domain: social, provider: probation, duration_weeks: 8,
         recommend_when: 'ratings.SO1.presence >= 1'}
      - {id: mentoring, title: {en: Mentoring}, domain: social, provider: ngo, duration_weeks: 6,
         recommend_when: 'ratings.SO1.presence == 2', after: [psychosocial]}
    judgements:
      - {id: case_priority, title: {en: Priority}, levels: [low, high], rationale_required: true}
    """)

HEAD = """\
format: spj-assessment/2
instrument: {id: test-instrument, version: 1.0.0}
id: A-0002
case: {id: CASE-0001}
assessor: {id: u-1, agency: hoj-example}
date: 2020-01-01
status: STATUS
ratings:
  SO1: {presence: "P", relevance: low}
  WB1: {presence: "Y", relevance: high}
  WB2: {presence: "N"}
judgements:
  case_priority: {level: high, rationale: Synthetic.}
"""


@pytest.fixture
def instrument() -> spj.Instrument:
    return spj.parse_instrument(INSTRUMENT)


def assess(plan: str, *, status: str = "final", instrument: spj.Instrument) -> spj.Assessment:
    return spj.parse_assessment(HEAD.replace("STATUS", status) + textwrap.dedent(plan), instrument)


def agreed(plan: str, instrument: spj.Instrument, *, status: str = "final") -> dict:
    evaluation = spj.evaluate(instrument, assess(plan, instrument=instrument, status=status))
    return evaluation.to_dict()["agreed_plan"]


def test_decisions_make_the_agreed_plan_and_leave_the_proposal_alone(instrument: spj.Instrument) -> None:
    plan = """\
        plan:
          review_date: 2020-04-01
          decisions:
            stabilisation: {decision: accept, partner: {agency: hoj-example, contact: desk 3}, status: running}
            trauma_care: {decision: amend, start_week: 6, duration_weeks: 10, reason: Diagnosis first.,
                          objective: Sleep again., addresses: [WB1]}
            psychosocial: {decision: decline, reason: Already followed elsewhere.}
          added:
            - {id: debt_help, title: Debt counselling, provider: social, duration_weeks: 3, reason: Debts.,
               requires: [stabilisation]}
        """
    evaluation = spj.evaluate(instrument, assess(plan, instrument=instrument))
    out = evaluation.to_dict()
    assert [i["id"] for i in out["interventions"]] == ["stabilisation", "psychosocial", "trauma_care"]
    result = out["agreed_plan"]
    steps = [(s["id"], s["origin"], s["decision"], s["phase"], s["start_week"], s["end_week"]) for s in result["steps"]]
    assert steps == [
        ("stabilisation", "prerequisite", "accept", 1, 0, 4),
        ("trauma_care", "recommended", "amend", 2, 6, 16),
        ("debt_help", "added", "add", 2, 4, 7),
    ]
    first = result["steps"][0]
    assert (first["partner"], first["contact"], first["status"]) == ("hoj-example", "desk 3", "running")
    assert result["steps"][1]["addresses"] == ["WB1"] and result["steps"][1]["objective"] == "Sleep again."
    declined = {"id": "psychosocial", "origin": "recommended", "reason": "Already followed elsewhere."}
    assert result["declined"] == [declined]
    assert result["undecided"] == [] and result["problems"] == []
    assert result["total_weeks"] == 16 and result["review_date"] == "2020-04-01"


def test_version_1_loads_unchanged_without_an_agreed_plan(instrument: spj.Instrument) -> None:
    text = HEAD.replace("STATUS", "final").replace("spj-assessment/2", "spj-assessment/1")
    evaluation = spj.evaluate(instrument, spj.parse_assessment(text, instrument))
    assert "agreed_plan" not in evaluation.to_dict() and evaluation.agreed_plan is None


def test_a_plan_in_version_1_is_refused(instrument: spj.Instrument) -> None:
    text = HEAD.replace("STATUS", "draft").replace("spj-assessment/2", "spj-assessment/1") + "plan: {}\n"
    with pytest.raises(spj.AssessmentError) as caught:
        spj.parse_assessment(text, instrument)
    assert "spj-assessment/2" in str(caught.value) and caught.value.problems[0].location.line == 14


def test_undecided_steps_are_listed_in_proposal_order_and_left_out_of_the_schedule(
    instrument: spj.Instrument,
) -> None:
    result = agreed("plan: {review_date: 2020-04-01, decisions: {trauma_care: {decision: accept}}}\n", instrument)
    assert result["undecided"] == ["stabilisation", "psychosocial"]
    assert [s["id"] for s in result["steps"]] == ["trauma_care"]
    assert result["steps"][0]["start_week"] == 0  # its prerequisite is not agreed (yet), so nothing comes first
    assert [p["code"] for p in result["problems"]] == ["undecided-intervention", "undecided-intervention"]


def test_an_amended_start_before_its_dependency_is_moved_and_reported(instrument: spj.Instrument) -> None:
    plan = """\
        plan:
          review_date: 2020-04-01
          decisions:
            stabilisation: {decision: accept}
            trauma_care: {decision: amend, start_week: 2, reason: Sooner.}
            psychosocial: {decision: accept}
        """
    result = agreed(plan, instrument)
    trauma = next(s for s in result["steps"] if s["id"] == "trauma_care")
    assert trauma["start_week"] == 4
    assert [(p["code"], p["path"]) for p in result["problems"]] == [
        ("start-before-dependency", "plan.decisions.trauma_care.start_week")
    ]


def test_a_decision_on_an_intervention_not_proposed_is_kept_without_effect(instrument: spj.Instrument) -> None:
    plan = """\
        plan:
          review_date: 2020-04-01
          decisions:
            stabilisation: {decision: accept}
            trauma_care: {decision: accept}
            psychosocial: {decision: accept}
            mentoring: {decision: accept}
        """
    result = agreed(plan, instrument)
    assert "mentoring" not in [s["id"] for s in result["steps"]] and result["problems"] == []


def test_added_steps_in_a_cycle_are_reported_and_still_scheduled(instrument: spj.Instrument) -> None:
    plan = """\
        plan:
          review_date: 2020-04-01
          decisions: {stabilisation: {decision: accept}, trauma_care: {decision: accept},
                      psychosocial: {decision: accept}}
          added:
            - {id: one, title: One, duration_weeks: 2, reason: R., after: [two]}
            - {id: two, title: Two, duration_weeks: 2, reason: R., requires: [one]}
        """
    result = agreed(plan, instrument)
    assert [p["code"] for p in result["problems"]] == ["cycle"]
    assert {"one", "two"} <= {s["id"] for s in result["steps"]}


FINDINGS = [
    ("trauma_care: {decision: decline}", "decision-needs-reason", 17),
    ("trauma_care: {decision: amend, start_week: 5}", "decision-needs-reason", 17),
    ("stabilisation: {decision: decline, reason: Stable.}", "declined-prerequisite", 18),
    ("job_coaching: {decision: accept}", "unknown-intervention", 17),
]


@pytest.mark.parametrize(("decision", "code", "line"), FINDINGS)
def test_a_final_with_a_plan_finding_is_refused_with_its_location(
    tmp_path: Path, instrument: spj.Instrument, decision: str, code: str, line: int
) -> None:
    decisions = {
        "stabilisation": "stabilisation: {decision: accept}",
        "trauma_care": "trauma_care: {decision: accept}",
        "psychosocial": "psychosocial: {decision: accept}",
    }
    key = decision.split(":")[0]
    decisions[key] = decision
    lines = [decisions.pop(key), *decisions.values()] if key != "stabilisation" else list(decisions.values())
    body = "plan:\n  review_date: 2020-04-01\n  decisions:\n" + "".join(f"    {d}\n" for d in lines)
    path = tmp_path / "a.yaml"
    path.write_text(HEAD.replace("STATUS", "final") + body)
    with pytest.raises(spj.AssessmentError) as caught:
        check_file(path, instrument=instrument)
    found = [(p.code.value, p.location.line) for p in caught.value.problems]
    assert (code, line) in found, found
    if code == "declined-prerequisite":
        message = caught.value.problems[0].message
        assert "trauma_care" in message and "stabilisation" in message


def test_a_final_without_review_date_is_refused_at_the_plan_key(tmp_path: Path, instrument: spj.Instrument) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        HEAD.replace("STATUS", "final")
        + "plan:\n  decisions: {stabilisation: {decision: accept}, trauma_care: {decision: accept},"
        " psychosocial: {decision: accept}}\n"
    )
    with pytest.raises(spj.AssessmentError) as caught:
        check_file(path, instrument=instrument)
    [problem] = caught.value.problems
    assert problem.code.value == "missing-review-date" and "plan.review_date" in problem.message
    assert problem.location.line == 14


def test_a_draft_reports_the_same_findings_as_warnings(tmp_path: Path, instrument: spj.Instrument) -> None:
    (tmp_path / "i.yaml").write_text(INSTRUMENT)
    (tmp_path / "a.yaml").write_text(HEAD.replace("STATUS", "draft") + "plan: {decisions: {x: {decision: accept}}}\n")
    result = CliRunner().invoke(app, ["validate", "-i", str(tmp_path / "i.yaml"), str(tmp_path / "a.yaml")])
    assert result.exit_code == 0, result.output
    assert "warning unknown-intervention" in result.output and "warning undecided-intervention" in result.output
    assert "missing-review-date" not in result.output  # a draft may leave the review date for later


def test_score_json_adds_the_agreed_plan(tmp_path: Path) -> None:
    (tmp_path / "i.yaml").write_text(INSTRUMENT)
    (tmp_path / "a.yaml").write_text(
        HEAD.replace("STATUS", "draft") + "plan: {decisions: {psychosocial: {decision: accept}}}\n"
    )
    result = CliRunner().invoke(app, ["score", str(tmp_path / "i.yaml"), str(tmp_path / "a.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["agreed_plan"]["undecided"] == ["stabilisation", "trauma_care"]
    assert [s["id"] for s in data["agreed_plan"]["steps"]] == ["psychosocial"]


def test_new_from_previous_carries_ratings_sources_and_plan_but_not_judgements(tmp_path: Path) -> None:
    (tmp_path / "i.yaml").write_text(INSTRUMENT)
    previous = HEAD.replace("STATUS", "final").replace(
        "ratings:", "sources:\n  - {id: S1, kind: interview, confidential: professional-secret}\nratings:"
    ) + textwrap.dedent("""\
        formulation: Old formulation.
        plan:
          review_date: 2020-04-01
          decisions:
            stabilisation: {decision: accept, status: completed}
            trauma_care: {decision: accept, status: running, partner: {agency: mh-example}}
            psychosocial: {decision: decline, reason: Elsewhere.}
        """)
    (tmp_path / "old.yaml").write_text(previous)
    out = tmp_path / "new.yaml"
    result = CliRunner().invoke(
        app, ["new", str(tmp_path / "i.yaml"), "--from", str(tmp_path / "old.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    instrument = spj.load_instrument(tmp_path / "i.yaml")
    new = spj.load_assessment(out, instrument)
    old = spj.load_assessment(tmp_path / "old.yaml", instrument)
    assert new.status == "draft" and new.previous == old.id and new.format == "spj-assessment/2"
    assert new.ratings == old.ratings and new.sources == old.sources
    assert new.plan is not None and old.plan is not None
    assert new.plan.decisions == old.plan.decisions and new.plan.review_date is None
    assert new.judgements["case_priority"].level is None and not new.formulation
    assert 'presence: "Y"' in out.read_text()  # codes that other YAML readers take for booleans are quoted


def test_steps_under_way_count_from_today(instrument: spj.Instrument) -> None:
    """A reassessment plans what is left: a completed prerequisite takes no weeks, a running step starts now."""
    plan = """\
        plan:
          review_date: 2020-04-01
          decisions:
            stabilisation: {decision: accept, status: completed}
            trauma_care: {decision: accept, status: proposed}
            psychosocial: {decision: accept, status: running}
        """
    result = agreed(plan, instrument)
    weeks = {s["id"]: (s["start_week"], s["end_week"]) for s in result["steps"]}
    assert weeks == {"stabilisation": (0, 0), "trauma_care": (0, 12), "psychosocial": (0, 8)}
    assert result["problems"] == [] and result["total_weeks"] == 12


def test_a_plan_on_insufficient_information_is_provisional(instrument: spj.Instrument) -> None:
    text = HEAD.replace("STATUS", "draft").replace(
        '  WB2: {presence: "N"}\n', "  WB2: {omitted: true, reason: Unknown.}\n"
    )
    text = text.replace('  SO1: {presence: "P", relevance: low}\n', "  SO1: {omitted: true, reason: Unknown.}\n")
    evaluation = spj.evaluate(instrument, spj.parse_assessment(text, instrument))
    assert evaluation.completeness.sufficient is False
    assert evaluation.to_dict()["plan"]["provisional"] is True
    full = spj.evaluate(instrument, spj.parse_assessment(HEAD.replace("STATUS", "draft"), instrument))
    assert full.to_dict()["plan"]["provisional"] is False


def test_the_report_leads_with_the_agreed_plan_and_keeps_the_proposal(instrument: spj.Instrument) -> None:
    plan = """\
        plan:
          review_date: 2020-04-01
          decisions:
            stabilisation: {decision: accept, partner: {agency: hoj-example}, status: completed}
            trauma_care: {decision: amend, start_week: 2, reason: Intake first., objective: Sleep <again>.}
            psychosocial: {decision: decline, reason: Followed elsewhere.}
        """
    assessment = assess(plan, instrument=instrument)
    md = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="md")
    assert isinstance(md, str)
    agreed, proposed = md.index("### The agreed plan"), md.index("## Proposed trajectory")
    assert agreed < md.index("## Life areas") < proposed  # it leads (in the summary); the proposal stays
    summary = md[agreed : md.index("## Life areas")]
    assert "| Stabilise |  |  | Hoj example | Completed |" in summary  # the plan as a table, partner by name
    assert "| Trauma care | Sleep \\<again\\>. |  | Mental health care | Proposed |" in summary
    assert "Declined:" in summary and "**Guidance**: Followed elsewhere." in summary
    detail = md[md.index("## The agreed plan, step by step") : proposed]
    assert "To be reviewed on April 1, 2020." in detail
    assert "**Stabilise** — Hoj example, completed; accepted as proposed" in detail
    assert "**Trauma care** — Mental health care, weeks 2–14, proposed; amended: Intake first." in detail
    assert "Objective: Sleep \\<again\\>." in detail  # user text escaped
    html = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="html", lang="nl")
    assert "Het afgesproken plan" in html and "Sleep &lt;again&gt;." in html


def test_the_report_says_what_is_still_to_decide(instrument: spj.Instrument) -> None:
    assessment = assess("plan: {decisions: {trauma_care: {decision: accept}}}\n", instrument=instrument, status="draft")
    md = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="md")
    assert "Still to decide: Stabilise, Guidance." in md
    assert "No review date is set yet." in md


def test_a_version_1_report_has_no_agreed_plan_section(instrument: spj.Instrument) -> None:
    text = HEAD.replace("STATUS", "draft").replace("spj-assessment/2", "spj-assessment/1")
    assessment = spj.parse_assessment(text, instrument)
    md = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="md")
    assert "No plan has been agreed yet" in md and "step by step" not in md and "## Proposed trajectory" in md
