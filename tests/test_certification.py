"""Certification (issue 10, item 3): requirements in the deployment, the register, the check when an expert
finalises, and recertification when a new version changes what raters do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers import assert_spj_error
from typer.testing import CliRunner

import spj
from spj.authoring.certification import (
    Certification,
    CertificationError,
    append_certification,
    assess,
    finalising_problems,
    rater_facing_changes,
    read_register,
)
from spj.authoring.training import load_vignette, progress, read_submissions, submit, vignette_paths
from spj.authoring.versioning.diff import diff_instruments
from spj.cli.app import app
from spj.disclosure import parse_deployment
from spj.errors import DeploymentError

pytest.importorskip("statsmodels")

ROOT = Path(__file__).resolve().parents[1]
ERF = ROOT / "instruments" / "extremism-risk-formulation" / "instrument.yaml"
EXAMPLE = ROOT / "instruments" / "extremism-risk-formulation" / "examples" / "case-0201.assessment.yaml"
RUNNER = CliRunner()

DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: house-of-justice-example, kind: probation}
certification:
  on_uncertified: {mode}
  requirements:
    - instrument: extremism-risk-formulation
      version: 2.0.0
      min_vignettes: {vignettes}
      min_kappa: {kappa}
      min_judgement_agreement: 0.75
"""


def deployment(mode: str = "warn", *, vignettes: int = 5, kappa: float = 0.6) -> str:
    return DEPLOYMENT.replace("{mode}", mode).replace("{vignettes}", str(vignettes)).replace("{kappa}", str(kappa))


# --- the deployment's requirement ----------------------------------------------------------------------------


def test_a_requirement_loads() -> None:
    settings = parse_deployment(deployment()).certification
    assert settings is not None and settings.on_uncertified == "warn"
    requirement = settings.requirement("extremism-risk-formulation", "2.0.0")
    assert requirement is not None and requirement.min_kappa == 0.6
    assert settings.requirement("extremism-risk-formulation", "3.0.0") is None
    assert settings.requirement("disengagement-trajectory", "2.0.0") is None


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (deployment(kappa=1.5), 10, "min_kappa is 1.5, outside its range [-1, 1]"),
        (deployment(kappa=-2), 10, "min_kappa is -2, outside its range [-1, 1]"),
        (deployment().replace("0.75", "75"), 11, "min_judgement_agreement is 75, outside its range [0, 1]"),
        (deployment(vignettes=0), 9, "min_vignettes is 0; at least one vignette is needed"),
    ],
)
def test_a_threshold_outside_its_range_is_refused_and_located(text: str, line: int, message: str) -> None:
    assert_spj_error(
        lambda: parse_deployment(text, file="d.yaml"),
        spj.Code.THRESHOLD_RANGE,
        error=DeploymentError,
        line=line,
        message=message,
        count=1,
    )


def test_unknown_settings_are_refused() -> None:
    assert_spj_error(lambda: parse_deployment(deployment("ignore")), spj.Code.SCHEMA, error=DeploymentError, line=5)
    assert_spj_error(
        lambda: parse_deployment(deployment() + "      min_alpha: 0.7\n"), spj.Code.SCHEMA, error=DeploymentError
    )


# --- assessing a trainee --------------------------------------------------------------------------------------


def train(record: Path, expert: str, count: int, *, wrong: int = 0) -> None:
    """`expert` submits `count` ERF vignettes, each rated as the reference except `wrong` presence ratings."""
    instrument = spj.load_instrument(ERF)
    for path in vignette_paths(ERF)[:count]:
        vignette = load_vignette(path, instrument)
        data = vignette.reference.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["assessor"] = {"id": expert}
        for indicator in [i.id for i in instrument.indicators][:wrong]:
            rating = data["ratings"][indicator]
            if not rating.get("omitted"):
                rating["presence"] = "Y" if rating["presence"] == "N" else "N"
        mine = spj.parse_assessment(yaml.safe_dump(data), instrument)
        submit(instrument, vignette, mine, record=record)


def test_meeting_the_requirement(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    train(record, "u-42", 5, wrong=1)
    requirement = parse_deployment(deployment()).certification.requirement("extremism-risk-formulation", "2.0.0")  # type: ignore[union-attr]
    assert requirement is not None
    verdict = assess(
        progress("u-42", read_submissions(record, trainee="u-42"), instrument=("extremism-risk-formulation", "2.0.0")),
        requirement,
    )
    assert verdict.met, verdict.shortfalls
    assert verdict.figures["vignettes"] == 5 and verdict.figures["judgement_agreement"] == 1.0
    assert 0.6 <= verdict.figures["kappa_quadratic"]["presence"] < 1


def test_cli_certifies_and_registers(tmp_path: Path) -> None:
    record, register, dep = tmp_path / "record.jsonl", tmp_path / "register.jsonl", tmp_path / "d.yaml"
    dep.write_text(deployment(), encoding="utf-8")
    train(record, "u-42", 5)
    args = ["certify", "check", str(ERF), "--expert", "u-42", "--deployment", str(dep)]
    result = RUNNER.invoke(app, [*args, "--record", str(record), "--register", str(register)])
    assert result.exit_code == 0, result.output
    assert "certified u-42 on extremism-risk-formulation 2.0.0" in result.stderr
    [entry] = read_register(register)
    assert (entry.expert, entry.instrument, entry.version) == ("u-42", "extremism-risk-formulation", "2.0.0")
    assert entry.basis["vignettes"] == 5 and entry.basis["requirement"]["min_kappa"] == 0.6
    listed = RUNNER.invoke(app, ["certify", "list", "--register", str(register)])
    assert json.loads(listed.stdout)["expert"] == "u-42"


@pytest.mark.parametrize(
    ("count", "wrong", "message"),
    [
        (3, 0, "3 vignette(s) submitted; 5 are required"),
        (5, 8, "kappa on presence is"),
    ],
)
def test_cli_refuses_to_certify_below_the_requirement(tmp_path: Path, count: int, wrong: int, message: str) -> None:
    record, register, dep = tmp_path / "record.jsonl", tmp_path / "register.jsonl", tmp_path / "d.yaml"
    dep.write_text(deployment(), encoding="utf-8")
    train(record, "u-42", count, wrong=wrong)
    args = ["certify", "check", str(ERF), "--expert", "u-42", "--deployment", str(dep), "--record", str(record)]
    result = RUNNER.invoke(app, [*args, "--register", str(register)])
    assert result.exit_code == 1
    assert "not-certified u-42 is not certified on extremism-risk-formulation 2.0.0" in result.stderr
    assert message in result.stderr and not register.exists()


def test_an_instrument_without_a_requirement_cannot_be_certified(tmp_path: Path) -> None:
    dep = tmp_path / "d.yaml"
    dep.write_text(deployment(), encoding="utf-8")
    other = ROOT / "instruments" / "disengagement-trajectory" / "instrument.yaml"
    result = RUNNER.invoke(
        app, ["certify", "check", str(other), "--expert", "u-1", "--deployment", str(dep), "--record", str(dep)]
    )
    assert result.exit_code == 1 and "sets no certification requirement" in result.stderr


# --- finalising ----------------------------------------------------------------------------------------------


def test_finalising_warns_or_refuses_an_uncertified_expert(tmp_path: Path) -> None:
    register = tmp_path / "register.jsonl"
    instrument = spj.load_instrument(ERF)
    final = spj.load_assessment(EXAMPLE, instrument)
    assert final.status == "final"
    warn = parse_deployment(deployment("warn")).certification
    refuse = parse_deployment(deployment("refuse")).certification
    assert warn is not None and refuse is not None
    [problem] = finalising_problems(warn, register, final)
    assert problem.code == spj.Code.UNCERTIFIED_EXPERT and "u-17 is not certified" in problem.message
    assert_spj_error(
        lambda: finalising_problems(refuse, register, final), spj.Code.UNCERTIFIED_EXPERT, error=CertificationError
    )
    draft = final.model_copy(update={"status": "draft"})
    assert finalising_problems(refuse, register, draft) == []
    append_certification(register, Certification("u-17", "extremism-risk-formulation", "2.0.0", "2026-01-01", {}))
    assert finalising_problems(refuse, register, final) == []


def test_validate_applies_the_deployment(tmp_path: Path) -> None:
    register, dep = tmp_path / "register.jsonl", tmp_path / "d.yaml"
    dep.write_text(deployment("refuse"), encoding="utf-8")
    args = ["validate", "-i", str(ERF), str(EXAMPLE), "--deployment", str(dep), "--register", str(register)]
    refused = RUNNER.invoke(app, args)
    assert refused.exit_code == 1
    assert f"{EXAMPLE}:17:16: uncertified-expert u-17 is not certified" in refused.stderr
    dep.write_text(deployment("warn"), encoding="utf-8")
    warned = RUNNER.invoke(app, args)
    assert warned.exit_code == 0 and "warning uncertified-expert" in warned.stderr
    append_certification(register, Certification("u-17", "extremism-risk-formulation", "2.0.0", "2026-01-01", {}))
    clean = RUNNER.invoke(app, args)
    assert clean.exit_code == 0 and "uncertified" not in clean.output
    assert RUNNER.invoke(app, ["validate", "-i", str(ERF), str(EXAMPLE)]).exit_code == 0  # no deployment: no check


# --- recertification ----------------------------------------------------------------------------------------


def new_version(tmp_path: Path, old: str, new: str) -> Path:
    text = ERF.read_text(encoding="utf-8").replace("version: 2.0.0", "version: 2.1.0", 1)
    assert old in text
    path = tmp_path / "instrument-2.1.0.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_version_that_changes_only_rules_carries_certifications_over(tmp_path: Path) -> None:
    register = tmp_path / "register.jsonl"
    append_certification(register, Certification("u-17", "extremism-risk-formulation", "2.0.0", "2026-01-01", {}))
    newer = new_version(tmp_path, "Two or more engagement indicators are clearly present.", "Two engagement signs.")
    assert rater_facing_changes(diff_instruments(spj.load_instrument(ERF), spj.load_instrument(newer))) == []
    result = RUNNER.invoke(app, ["certify", "carry", str(ERF), str(newer), "--register", str(register)])
    assert result.exit_code == 0 and "carried u-17 to extremism-risk-formulation 2.1.0" in result.stdout
    carried = read_register(register)[-1]
    assert carried.version == "2.1.0" and carried.basis["carried_from"] == "2.0.0"


def test_a_version_that_changes_guidance_needs_recertification(tmp_path: Path) -> None:
    register = tmp_path / "register.jsonl"
    append_certification(register, Certification("u-17", "extremism-risk-formulation", "2.0.0", "2026-01-01", {}))
    newer = new_version(
        tmp_path, "Rate how strongly the person sees the group", "Rate how firmly the person sees the group"
    )
    changes = rater_facing_changes(diff_instruments(spj.load_instrument(ERF), spj.load_instrument(newer)))
    assert changes == ["text indicators.EN1.guidance (en) changed"]
    result = RUNNER.invoke(app, ["certify", "carry", str(ERF), str(newer), "--register", str(register)])
    assert result.exit_code == 0 and "changes what raters do; recertify: u-17" in result.stdout
    assert len(read_register(register)) == 1


def test_a_damaged_register_is_refused(tmp_path: Path) -> None:
    register = tmp_path / "register.jsonl"
    register.write_text("{}\n", encoding="utf-8")
    assert_spj_error(lambda: read_register(register), spj.Code.CERTIFICATION_REGISTER, error=CertificationError)
    result = RUNNER.invoke(app, ["certify", "list", "--register", str(register)])
    assert result.exit_code == 1 and "certification-register" in result.stderr
