"""Caseload and capacity (`spj stats capacity`, issue 10 item 6): the synthetic demo's yearly intake, small cells
suppressed, no case id in any output, shortages found ahead, and bad input refused with a code, never a figure."""

from __future__ import annotations

import datetime as dt
import json
import runpy
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import spj
from spj.cli.app import app
from spj.disclosure.loader import parse_deployment
from spj.evaluation.caseload import CaseFacts, Entry, PlacedStep, TooFewCasesError, case_facts, caseload
from spj.report.capacity import answer_lines, capacity_csv, capacity_json, capacity_svg
from tests.helpers import assert_spj_error

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENT = ROOT / "instruments" / "disengagement-trajectory" / "instrument.yaml"
AS_OF = "2018-12-31"  # every case of the demo: the last intake is in December 2018
SEPTEMBER = "2018-09-03"  # 64 of the 68 cases had come in
MONDAY = dt.date(2018, 9, 3)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic demo (examples/caseload-demo), written once for the module."""
    out = tmp_path_factory.mktemp("demo")
    generate = runpy.run_path(str(ROOT / "examples" / "caseload-demo" / "generate.py"))
    generate["write"](out)
    return out


def run(demo: Path, *args: str, cases: list[Path] | None = None, as_of: str = AS_OF) -> Any:
    files = [str(p) for p in (cases if cases is not None else sorted((demo / "cases").glob("*.yaml")))]
    return CliRunner().invoke(
        app,
        [
            "stats",
            "capacity",
            str(INSTRUMENT),
            *files,
            "--register",
            str(demo / "certifications.jsonl"),
            "--as-of",
            as_of,
            *args,
        ],
    )


def test_the_demo_reproduces_the_yearly_intake_2015_to_2018(demo: Path) -> None:
    result = run(demo, "--deployment", str(demo / "deployment.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [(y["year"], y["cases"]) for y in body["cases_per_year"]] == [(2015, 7), (2016, 23), (2017, 24), (2018, 14)]
    assert body["cases"] == 68
    csv_rows = run(demo, "--format", "csv").stdout.splitlines()
    assert [r for r in csv_rows if r.endswith(("cases,7", "cases,23", "cases,24", "cases,14"))] == [
        "cases_per_year,2015,cases,7",
        "cases_per_year,2016,cases,23",
        "cases_per_year,2017,cases,24",
        "cases_per_year,2018,cases,14",
    ]
    text = run(demo).stdout
    assert "2015: 7" in text and "2016: 23" in text and "2017: 24" in text and "2018: 14" in text


def test_the_demo_answers_how_many_more_experts_and_places_next_quarter(demo: Path) -> None:
    deployment = str(demo / "deployment.yaml")
    body = json.loads(run(demo, "--deployment", deployment, "-f", "json", as_of=SEPTEMBER).stdout)
    # on 3 September 2018 the figures are as they stood then: the four later cases of 2018 are not there yet
    assert [(y["year"], y["cases"]) for y in body["cases_per_year"]] == [(2015, 7), (2016, 23), (2017, 24), (2018, 10)]
    # 22 open cases at 6 per expert need 4 experts; 3 are certified
    assert body["open_cases"] == 22
    assert body["next_quarter"]["experts"] == {
        "caseload_per_expert": 6,
        "experts_needed": 4,
        "certified_experts": 3,
        "more_experts_next_quarter": 1,
    }
    partners = {p["partner"]: p for p in body["next_quarter"]["partners"]}
    assert partners["mental-health-centre-example"] == {
        "partner": "mental-health-centre-example",
        "first_shortage_week": "2018-09-17",
        "more_places": 1,
    }
    assert partners["community-organisation-example"]["first_shortage_week"] == "2018-09-03"
    assert partners["house-of-justice-example"]["first_shortage_week"] is None
    answer = body["next_quarter"]["answer"]
    assert answer[0].startswith("Experts: 1 more trained expert(s) needed next quarter")
    assert any(line.startswith("mental-health-centre-example: 1 more place(s) per week") for line in answer)
    # the caseload per expert given on the command line wins over the deployment's
    again = run(demo, "--deployment", deployment, "--caseload", "13", "-f", "json", as_of=SEPTEMBER)
    assert json.loads(again.stdout)["next_quarter"]["experts"]["more_experts_next_quarter"] == 0


def test_the_categories_are_a_multiple_choice_counted_once_each(demo: Path) -> None:
    body = json.loads(run(demo, "-f", "json").stdout)
    year = next(y for y in body["cases_per_year"] if y["year"] == 2016)
    # each case holds one or two codes: the categories add up to more than the year's 23 cases
    assert sum(v for v in year["categories"].values() if v) > 23
    assert "each of its categories" in body["counting"]["categories"]


@pytest.mark.parametrize("fmt", ["text", "csv", "json", "svg"])
def test_no_case_id_and_no_expert_id_in_any_output(demo: Path, fmt: str) -> None:
    result = run(demo, "--deployment", str(demo / "deployment.yaml"), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "DEMO" not in result.stdout.upper().replace("CASELOAD", "")
    assert "expert-0" not in result.stdout
    if fmt == "svg":
        ET.fromstring(result.stdout)  # one well-formed SVG document


def facts(n: int, *, year: int = 2017, categories: tuple[str, ...] = ("convict",), **kwargs: Any) -> list[CaseFacts]:
    base = {"phase": "probation", "expert": "x-1", "open": True, "steps": ()}
    return [CaseFacts(year=year, categories=categories, **(base | kwargs)) for _ in range(n)]


def figures(cases: list[CaseFacts], **kwargs: Any) -> spj.evaluation.caseload_model.CaseloadFigures:  # type: ignore[name-defined]
    options = {"as_of": MONDAY, "certified": (), "capacity": {}, "caseload_per_expert": None} | kwargs
    return caseload(cases, **options)


def test_cells_from_one_to_four_are_suppressed_in_every_table_and_format() -> None:
    step = PlacedStep("care-example", MONDAY, MONDAY + dt.timedelta(weeks=2))
    cases = facts(6, year=2017, steps=(step,)) + facts(3, year=2018, categories=("htf",), expert="x-2")
    result = figures(cases, capacity={"care-example": 10})
    by_year = {y.year: y for y in result.years}
    assert by_year[2017].cases == 6 and by_year[2018].cases is None  # 3 cases: suppressed
    assert by_year[2018].categories == {"htf": None}
    assert [(e.pseudonym, e.open_cases) for e in result.experts] == [("E1", 6), ("E2", None)]
    [care] = result.partners
    assert [w.demand for w in care.weeks[:3]] == [6, 6, 0]  # zero is not suppressed
    csv_text = capacity_csv(result)
    assert "cases_per_year,2018,cases,<5" in csv_text and "open_cases_per_expert,E2,open_cases,<5" in csv_text
    assert ",3\n" not in csv_text
    body = json.loads(capacity_json(result))
    assert body["cases_per_year"][1]["cases"] is None and body["open_cases_per_expert"][1]["open_cases"] is None
    assert ">3<" not in capacity_svg(result)


def test_demand_per_week_against_capacity_shows_the_first_shortage_and_the_places_needed() -> None:
    later = MONDAY + dt.timedelta(weeks=5)
    early = [PlacedStep("care-example", MONDAY, MONDAY + dt.timedelta(weeks=20))]
    late = [PlacedStep("care-example", later, later + dt.timedelta(weeks=4))]
    cases = facts(6, steps=tuple(early)) + facts(3, steps=tuple(late))
    result = figures(cases, capacity={"care-example": 7, "idle-example": None})
    care, idle = result.partners
    assert care.first_short_week == later and care.more_places_next_quarter == 2
    assert [w.short for w in care.weeks[4:10]] == [False, True, True, True, True, False]
    assert idle.capacity is None and idle.first_short_week is None and idle.more_places_next_quarter is None
    lines = answer_lines(result)
    assert "care-example: 2 more place(s) per week needed next quarter" in lines[1]
    assert "2018-10-08" in lines[1] and "no capacity declared" in lines[2]


def test_a_shortage_whose_demand_is_under_five_shows_its_week_but_no_count() -> None:
    cases = facts(5, open=False) + facts(3, steps=(PlacedStep("care-example", MONDAY, MONDAY + dt.timedelta(weeks=1)),))
    [care] = figures(cases, capacity={"care-example": 1}).partners
    assert care.first_short_week == MONDAY and care.more_places_next_quarter is None
    assert care.weeks[0].demand is None and care.weeks[0].short


def test_a_partner_plans_name_but_the_deployment_does_not_list_has_no_capacity_to_compare() -> None:
    cases = facts(5, steps=(PlacedStep("stranger-example", MONDAY, MONDAY + dt.timedelta(weeks=1)),))
    [stranger] = figures(cases, capacity={}).partners
    assert not stranger.known and stranger.capacity is None and stranger.more_places_next_quarter is None
    assert "not in the deployment" in answer_lines(figures(cases))[1]


def test_experts_needed_is_open_cases_over_the_caseload_rounded_up_minus_the_certified() -> None:
    cases = facts(11, expert="x-1") + facts(2, open=False)
    need = figures(cases, certified=["x-1", "x-9"], caseload_per_expert=4).experts_needed
    assert need is not None and (need.needed, need.certified, need.more) == (3, 2, 1)
    assert figures(cases).experts_needed is None
    assert "no caseload per expert is declared" in answer_lines(figures(cases))[0]


def test_too_few_cases_is_refused_never_a_figure(demo: Path) -> None:
    assert_spj_error(lambda: figures(facts(4)), "too-few-cases", error=TooFewCasesError)
    few = sorted((demo / "cases").glob("*.yaml"))[:4]
    result = run(demo, "--format", "json", cases=few)
    assert result.exit_code == 1 and "too-few-cases" in result.stderr and result.stdout == ""


def test_an_unknown_partner_is_refused_with_a_suggestion(demo: Path) -> None:
    result = run(demo, "--deployment", str(demo / "deployment.yaml"), "--partner", "mental-health-center-example")
    assert result.exit_code == 1 and result.stdout == ""
    assert "unknown-agency" in result.stderr and "mental-health-centre-example" in result.stderr
    only = run(demo, "--deployment", str(demo / "deployment.yaml"), "--partner", "police-example", "-f", "json")
    assert [p["partner"] for p in json.loads(only.stdout)["partner_demand"]] == ["police-example"]


def test_a_capacity_outside_its_range_is_refused_located(demo: Path, tmp_path: Path) -> None:
    text = (demo / "deployment.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "deployment.yaml"
    bad.write_text(text.replace("capacity: 5\n", "capacity: -3\n", 1), encoding="utf-8")
    line = next(n for n, row in enumerate(bad.read_text().splitlines(), start=1) if "capacity: -3" in row)
    assert_spj_error(lambda: spj.load_deployment(bad), "capacity-range", line=line)
    result = run(demo, "--deployment", str(bad))
    assert result.exit_code == 1 and "capacity-range" in result.stderr and result.stdout == ""
    result = run(demo, "--caseload", "0")
    assert result.exit_code == 1 and "capacity-range" in result.stderr and result.stdout == ""


def test_a_caseload_per_expert_outside_its_range_is_refused_in_the_deployment() -> None:
    text = textwrap.dedent("""\
        format: spj-deployment/1
        agencies:
          - {id: care-example, kind: care, capacity: 20000}
        planning:
          caseload_per_expert: 0
        """)
    error = assert_spj_error(lambda: parse_deployment(text), "capacity-range", line=3, count=2)
    assert any(p.location.path == ("planning", "caseload_per_expert") for p in error.problems)


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--category-field", "mandat"], "unknown-case-field"), (["--as-of", "2018-13-01"], "invalid-request")],
)
def test_other_bad_options_are_refused_with_a_code(demo: Path, args: list[str], code: str) -> None:
    result = run(demo, *args)
    assert result.exit_code == 1 and code in result.stderr and result.stdout == ""


@pytest.mark.parametrize("value", ["true", "2.5", '"7"'])
def test_a_capacity_that_is_not_a_whole_number_is_refused_located(value: str) -> None:
    text = f"format: spj-deployment/1\nagencies:\n  - {{id: care-example, kind: care, capacity: {value}}}\n"
    assert_spj_error(lambda: parse_deployment(text), "schema", line=3)


CASE_FACTS = st.builds(
    CaseFacts,
    year=st.integers(2015, 2018),
    categories=st.lists(st.sampled_from(["convict", "htf", "pve"]), max_size=3).map(tuple),
    phase=st.sampled_from(["probation", "detention", None]),
    expert=st.sampled_from(["x-1", "x-2", "x-3"]),
    open=st.booleans(),
    steps=st.lists(
        st.builds(
            lambda partner, start, length: PlacedStep(
                partner, MONDAY + dt.timedelta(weeks=start), MONDAY + dt.timedelta(weeks=start + length)
            ),
            st.sampled_from(["care-example", "work-example"]),
            st.integers(-4, 20),
            st.integers(1, 10),
        ),
        max_size=3,
    ).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(CASE_FACTS, min_size=5, max_size=40), st.integers(0, 8))
def test_no_count_from_one_to_four_ever_leaves_and_shortages_match_the_true_counts(
    cases: list[CaseFacts], places: int
) -> None:
    result = figures(cases, capacity={"care-example": places}, caseload_per_expert=3)
    body = json.loads(capacity_json(result))
    counts = [y["cases"] for y in body["cases_per_year"]]
    counts += [v for y in body["cases_per_year"] for v in (*y["categories"].values(), *y["phases"].values())]
    counts += [e["open_cases"] for e in body["open_cases_per_expert"]] + [body["open_cases"]]
    counts += [w["demand"] for p in body["partner_demand"] for w in p["weeks"]]
    assert all(c is None or c == 0 or c >= 5 for c in counts)
    # the true demand, recounted here, decides the shortage weeks
    care = next(p for p in result.partners if p.partner == "care-example")
    for week in care.weeks:
        true = sum(
            1
            for f in cases
            if f.open
            for s in f.steps
            if s.partner == "care-example" and s.first < week.week + dt.timedelta(weeks=1) and s.until > week.week
        )
        assert week.short == (true > places)
        assert week.demand == (None if 0 < true < 5 else true)
    assert sum(y.cases or 0 for y in result.years) <= len(cases)


def test_an_assessment_dated_after_the_reference_date_is_left_out() -> None:
    def entry(case: str, day: str, status: str = "final") -> Entry:
        return Entry(case, f"A-{case}-{day}", dt.date.fromisoformat(day), status, {"status": ("htf",)}, "x-1", ())

    entries = [entry("C-1", "2017-12-01"), entry("C-1", "2018-10-01", "draft"), entry("C-2", "2018-10-01")]
    [before] = case_facts(entries, as_of=MONDAY)
    assert before.year == 2017 and not before.open  # the later draft did not exist on 3 September 2018
    later = case_facts(entries, as_of=dt.date(2018, 12, 31))
    assert len(later) == 2 and later[0].open
