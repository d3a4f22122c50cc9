"""Programme evaluation across cases: counts per intervention, one case once, small cells suppressed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import spj
from spj.cli.app import app
from spj.evaluation.programme import intervention_figures
from tests.test_agreed_plan import INSTRUMENT

CASE = """\
format: spj-assessment/2
instrument: {{id: test-instrument, version: 1.0.0}}
id: A-{n}
case: {{id: CASE-{case}}}
assessor: {{id: u-1}}
date: {date}
ratings:
  SO1: {{presence: "P"}}
  WB1: {{presence: "N"}}
  WB2: {{presence: "N"}}
plan:
  decisions:
    psychosocial: {{decision: accept, status: {status}, started_on: 2020-01-29, ended_on: 2020-03-25}}
"""


def pairs(statuses: list[str], *, repeat_first: bool = False) -> list[tuple[spj.Assessment, spj.Evaluation]]:
    instrument = spj.parse_instrument(INSTRUMENT)
    texts = [CASE.format(n=n, case=n, date="2020-01-01", status=s) for n, s in enumerate(statuses)]
    if repeat_first:  # an older assessment of case 0, which must not count
        texts.append(CASE.format(n=99, case=0, date="2019-01-01", status="stopped"))
    out = []
    for text in texts:
        assessment = spj.parse_assessment(text, instrument)
        out.append((assessment, spj.evaluate(instrument, assessment)))
    return out


def test_counts_per_intervention_with_the_latest_assessment_of_each_case() -> None:
    [figures] = intervention_figures(pairs(["completed"] * 5 + ["running"] * 5 + ["stopped"] * 5, repeat_first=True))
    assert figures.id == "psychosocial"
    assert figures.counts == {"proposed": 15, "agreed": 15, "referred": 15, "started": 15, "completed": 5, "stopped": 5}
    assert figures.median_weeks_to_start == 4.0 and figures.median_weeks_to_end == 12.0


@pytest.mark.parametrize(
    ("statuses", "completed"), [(["completed"] * 4 + ["running"] * 6, None), (["running"] * 10, 0)]
)
def test_cells_from_one_to_four_are_suppressed_zero_is_not(statuses: list[str], completed: int | None) -> None:
    [figures] = intervention_figures(pairs(statuses))
    assert figures.counts["completed"] == completed and figures.counts["agreed"] == 10


def test_stats_command_writes_csv_json_and_svg_without_case_ids(tmp_path: Path) -> None:
    (tmp_path / "i.yaml").write_text(INSTRUMENT)
    files = []
    for n in range(6):
        path = tmp_path / f"a{n}.yaml"
        path.write_text(CASE.format(n=n, case=f"SECRETID{n}", date=dt.date(2020, 1, 1), status="running"))
        files.append(str(path))
    runner = CliRunner()
    out = {}
    for fmt in ("csv", "json", "svg"):
        result = runner.invoke(app, ["stats", "interventions", str(tmp_path / "i.yaml"), *files, "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "SECRETID" not in result.stdout
        out[fmt] = result.stdout
    assert out["csv"].splitlines()[1] == "psychosocial,6,6,6,6,0,0,4.0,12.0"
    assert json.loads(out["json"])["interventions"][0]["started"] == 6
    assert out["svg"].startswith("<svg") and "psychosocial" in out["svg"]
    again = runner.invoke(app, ["stats", "interventions", str(tmp_path / "i.yaml"), *files, "--format", "svg"])
    assert again.stdout == out["svg"]  # deterministic: the same figures draw the same bytes
