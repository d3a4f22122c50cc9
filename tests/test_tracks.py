"""Two follow-up tracks (issue 14): interventions and partners carry one; plan, report, extracts show them apart."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import spj
from spj.disclosure import parse_deployment
from spj.disclosure.extract import build_extract
from spj.errors import DeploymentError
from spj.report.codebook import render_codebook
from spj.report.extract import render_extract
from tests.helpers import HEADER, assert_spj_error, make_instrument

ROOT = Path(__file__).resolve().parent.parent
RISK = ROOT / "instruments" / "extremism-risk-formulation"
SHIPPED = sorted((ROOT / "instruments").glob("*/instrument.yaml"))

INSTRUMENT = HEADER + textwrap.dedent("""\
    domains:
      - {id: social, title: {en: Social network}}
    indicators:
      - {id: SO1, domain: social, kind: risk, title: {en: Extremist peers}}
    interventions:
      - {id: task_force, title: {en: STEPTASKFORCE}, domain: social, provider: ltf, duration_weeks: 4,
         track: security, recommend_when: 'ratings.SO1.presence >= 1'}
      - {id: cell, title: {en: STEPCELL}, domain: social, provider: livc, duration_weeks: 6,
         track: social-preventive, recommend_when: 'ratings.SO1.presence >= 1'}
      - {id: untracked, title: {en: STEPUNTRACKED}, domain: social, provider: hoj, duration_weeks: 2,
         recommend_when: 'ratings.SO1.presence >= 1'}
    """)

ASSESSMENT = """\
format: spj-assessment/2
instrument: {id: test-instrument, version: 1.0.0}
id: A-1
case: {id: CASE-1}
assessor: {id: u-1, agency: hoj-example}
date: 2020-01-01
status: draft
ratings:
  SO1: {presence: "Y", relevance: high}
plan:
  decisions:
    task_force: {decision: accept, partner: {agency: police-example}}
    cell: {decision: accept, partner: {agency: cell-example}}
    untracked: {decision: accept, partner: {agency: hoj-example}}
  added:
    - {id: mentor, title: STEPMENTOR, duration_weeks: 3, reason: A mentor is available., track: social-preventive}
"""

DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: hoj-example, kind: probation}
  - {id: police-example, kind: security, track: security}
  - {id: cell-example, kind: local-cell, track: social-preventive}
profiles:
  security:
    basis: {en: Case consultation}
    sees: [case, plan.track.security]
  local-cell:
    basis: {en: Case consultation}
    sees: [case, plan.own, plan.track.social-preventive]
"""


@pytest.fixture(scope="module")
def case() -> tuple[spj.Instrument, spj.Assessment, spj.Evaluation]:
    instrument = spj.parse_instrument(INSTRUMENT, file="inst.yaml")
    assessment = spj.parse_assessment(ASSESSMENT, instrument, file="case.yaml")
    return instrument, assessment, spj.evaluate(instrument, assessment)


def test_an_intervention_carries_a_track_and_only_the_two_tracks_are_accepted() -> None:
    rest = """\
    interventions:
      - {id: a, title: {en: A}, domain: social, provider: p, duration_weeks: 2, recommend_when: 'true', track: police}
    """
    assert_spj_error(lambda: make_instrument(rest), "schema", line=24, message="social-preventive")


def test_the_plan_shows_the_tracks_apart(case: tuple[spj.Instrument, spj.Assessment, spj.Evaluation]) -> None:
    _, _, evaluation = case
    data = evaluation.to_dict()
    assert [(i["id"], i["track"]) for i in data["interventions"]] == [
        ("task_force", "security"),
        ("cell", "social-preventive"),
        ("untracked", None),
    ]
    assert data["plan"]["tracks"] == {"security": ["task_force"], "social-preventive": ["cell"]}
    agreed = {s["id"]: s["track"] for s in data["agreed_plan"]["steps"]}
    assert agreed == {
        "task_force": "security",
        "cell": "social-preventive",
        "untracked": None,
        "mentor": "social-preventive",
    }


@pytest.mark.parametrize(
    ("lang", "security", "social"),
    [("en", "Security track", "Social-preventive track"), ("nl", "Veiligheidsspoor", "Sociaal-preventief spoor")],
)
def test_the_report_shows_the_tracks_apart(
    case: tuple[spj.Instrument, spj.Assessment, spj.Evaluation], lang: str, security: str, social: str
) -> None:
    instrument, assessment, evaluation = case
    for fmt in ("md", "html"):
        text = spj.render_report(instrument, assessment, evaluation, format=fmt, lang=lang)
        assert isinstance(text, str)
        security_line = next(line for line in text.splitlines() if line.lstrip("-<li> ").startswith(f"{security}:"))
        social_line = next(line for line in text.splitlines() if line.lstrip("-<li> ").startswith(f"{social}:"))
        assert "STEPTASKFORCE" in security_line and "STEPCELL" not in security_line
        assert "STEPCELL" in social_line and "STEPTASKFORCE" not in social_line
        assert "STEPUNTRACKED" not in security_line + social_line


def test_a_report_without_tracks_says_nothing_of_them() -> None:
    rest = """\
    interventions:
      - {id: a, title: {en: A}, domain: social, provider: p, duration_weeks: 2, recommend_when: 'true'}
    """
    instrument = make_instrument(rest)
    assessment = spj.parse_assessment(
        "format: spj-assessment/1\ninstrument: {id: test-instrument, version: 1.0.0}\nid: A-1\n"
        "case: {id: C-1}\nassessor: {id: u-1}\ndate: 2020-01-01\nstatus: draft\n",
        instrument,
        file="case.yaml",
    )
    text = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="md")
    assert isinstance(text, str)
    assert "track" not in text.lower()


@pytest.mark.parametrize(
    ("agency", "shown", "hidden", "scope"),
    [
        ("police-example", {"task_force"}, {"cell", "untracked", "mentor"}, "track"),
        # plan.own and a track: the cell's own step and the social-preventive steps (an added one too)
        ("cell-example", {"cell", "mentor"}, {"task_force", "untracked"}, "track"),
    ],
)
def test_a_disclosure_profile_can_grant_the_steps_of_one_track(
    case: tuple[spj.Instrument, spj.Assessment, spj.Evaluation],
    agency: str,
    shown: set[str],
    hidden: set[str],
    scope: str,
) -> None:
    instrument, assessment, evaluation = case
    deployment = parse_deployment(DEPLOYMENT, file="deploy.yaml")
    extract = build_extract(instrument, assessment, evaluation, deployment, agency, lang="en")
    assert extract.plan is not None
    assert {s.id for s in extract.plan} == shown
    assert extract.plan_scope == scope
    text, _ = render_extract(instrument, assessment, evaluation, deployment, agency, format="md", lang="nl")
    assert isinstance(text, str)
    assert "Het afgesproken plan: " in text
    for step in hidden:
        assert f"STEP{step.upper().replace('_', '')}" not in text


def test_an_unknown_track_section_is_refused_with_a_suggestion() -> None:
    bad = DEPLOYMENT.replace("plan.track.security]", "plan.track.securty]")
    exc = assert_spj_error(lambda: parse_deployment(bad, file="deploy.yaml"), "unknown-section", error=DeploymentError)
    assert "plan.track.security" in str(exc)


def test_an_agency_track_must_be_one_of_the_two() -> None:
    bad = DEPLOYMENT.replace("kind: security, track: security", "kind: security, track: intelligence")
    assert_spj_error(lambda: parse_deployment(bad, file="deploy.yaml"), "schema", error=DeploymentError)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_every_intervention_of_the_shipped_instruments_has_a_track(path: Path) -> None:
    instrument = spj.load_instrument(path)
    assert all(iv.track in ("security", "social-preventive") for iv in instrument.interventions)
    tracks = {iv.track for iv in instrument.interventions}
    assert tracks == {"security", "social-preventive"}


def test_the_local_cell_is_social_preventive_and_waits_for_no_security_measure() -> None:
    instrument = spj.load_instrument(RISK / "instrument.yaml")
    by_provider = {iv.provider: iv for iv in instrument.interventions}
    cell = by_provider["local-integral-security-cell"]
    task_force = by_provider["local-task-force"]
    assert cell.track == "social-preventive" and task_force.track == "security"
    for iv in (cell, task_force):
        assert not iv.requires and not iv.after


def test_the_codebook_names_each_interventions_track() -> None:
    instrument = spj.load_instrument(RISK / "instrument.yaml")
    text = render_codebook(instrument, format="md", lang="fr")
    assert isinstance(text, str)
    assert text.count("Volet sécuritaire") == 2
    assert text.count("Volet socio-préventif") == 5
