"""The plan's own start date (an optional `plan.start_date`, an extension of DESIGN 4.6): week 0 of the agreed
plan, the assessment's date when not given. Progress and the programme figures count from it; a reassessment
(`spj new --from`) starts its plan afresh."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import spj
from spj.cli.app import app
from spj.evaluation.programme import intervention_figures
from spj.evaluation.progress import progress
from tests.test_agreed_plan import HEAD, INSTRUMENT
from tests.test_programme import CASE

PLAN = """\
plan:
  review_date: 2020-06-01
  {start}
  decisions:
    stabilisation: {{decision: accept}}
    trauma_care: {{decision: accept}}
    psychosocial: {{decision: accept}}
"""


@pytest.fixture
def instrument() -> spj.Instrument:
    return spj.parse_instrument(INSTRUMENT)


def evaluated(instrument: spj.Instrument, start: str = "") -> spj.Evaluation:
    text = HEAD.replace("STATUS", "final") + textwrap.dedent(PLAN.format(start=start))
    return spj.evaluate(instrument, spj.parse_assessment(text, instrument))


def test_without_a_start_date_the_plan_starts_on_the_assessments_date(instrument: spj.Instrument) -> None:
    agreed = evaluated(instrument).agreed_plan
    assert agreed is not None and agreed.start_date == "2020-01-01"


def test_the_plan_carries_its_own_start_date(instrument: spj.Instrument) -> None:
    agreed = evaluated(instrument, "start_date: 2020-03-02").agreed_plan
    assert agreed is not None and agreed.start_date == "2020-03-02"
    assert agreed.to_dict()["start_date"] == "2020-03-02"
    assert agreed.findings == ()


def test_a_start_date_that_is_no_date_is_refused_at_its_place(instrument: spj.Instrument) -> None:
    text = HEAD.replace("STATUS", "final") + textwrap.dedent(PLAN.format(start="start_date: next spring"))
    with pytest.raises(spj.AssessmentError) as caught:
        spj.parse_assessment(text, instrument)
    assert any(p.location.path[:2] == ("plan", "start_date") for p in caught.value.problems)


def test_score_json_shows_the_start_date(tmp_path: Path) -> None:
    (tmp_path / "i.yaml").write_text(INSTRUMENT)
    (tmp_path / "a.yaml").write_text(HEAD.replace("STATUS", "final") + PLAN.format(start="start_date: 2020-03-02"))
    result = CliRunner().invoke(app, ["score", str(tmp_path / "i.yaml"), str(tmp_path / "a.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["agreed_plan"]["start_date"] == "2020-03-02"


def test_progress_counts_from_the_plans_start(instrument: spj.Instrument) -> None:
    later = evaluated(instrument, "start_date: 2020-03-02").agreed_plan
    assert later is not None
    first = later.steps[0]
    today = dt.date(2020, 2, 1)  # a month after the assessment, a month before the plan starts
    from_assessment = progress(later, start=dt.date(2020, 1, 1), today=today, records={})
    from_start = progress(later, start=dt.date.fromisoformat(str(later.start_date)), today=today, records={})
    assert from_assessment[first.id].verdict == "not-started"
    assert from_start[first.id].verdict == "planned"


def test_the_programme_figures_count_weeks_from_the_plans_start(instrument: spj.Instrument) -> None:
    pairs = []
    for n in range(5):
        text = CASE.format(n=n, case=n, date="2020-01-01", status="completed").replace(
            "plan:\n", "plan:\n  start_date: 2020-01-15\n"
        )
        assessment = spj.parse_assessment(text, instrument)
        pairs.append((assessment, spj.evaluate(instrument, assessment)))
    [figures] = intervention_figures(pairs)
    assert figures.median_weeks_to_start == 2.0 and figures.median_weeks_to_end == 10.0  # not 4 and 12


def test_a_reassessment_starts_its_plan_afresh(tmp_path: Path) -> None:
    (tmp_path / "i.yaml").write_text(INSTRUMENT)
    (tmp_path / "old.yaml").write_text(HEAD.replace("STATUS", "final") + PLAN.format(start="start_date: 2020-03-02"))
    out = tmp_path / "new.yaml"
    result = CliRunner().invoke(
        app, ["new", str(tmp_path / "i.yaml"), "--from", str(tmp_path / "old.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    new = spj.load_assessment(out, spj.load_instrument(tmp_path / "i.yaml"))
    assert new.plan is not None and new.plan.start_date is None and new.plan.decisions
