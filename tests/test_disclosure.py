"""Deployment and need-to-know disclosure (DESIGN 4.7): what each partner sees, the secrets kept, the log."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import spj
from spj.cli.app import app
from spj.disclosure import parse_deployment
from spj.disclosure.log import read_log, verify_log
from spj.errors import DeploymentError, DisclosureError
from spj.report.extract import disclose
from tests.helpers import HEADER

INSTRUMENT = HEADER + textwrap.dedent("""\
    domains:
      - {id: social, title: {en: Social network}}
      - {id: wellbeing, title: {en: Wellbeing}}
    indicators:
      - {id: SO1, domain: social, kind: risk, title: {en: Extremist peers}}
      - {id: WB1, domain: wellbeing, kind: risk, title: {en: Trauma}}
      - {id: WB2, domain: wellbeing, kind: risk, title: {en: Daily structure}}
    rules:
      - {id: peers, when: 'ratings.SO1.presence >= 1', message: {en: FLAGTEXT peers in contact.}}
    interventions:
      - {id: trauma_care, title: {en: STEPTRAUMA}, domain: wellbeing, provider: mh, duration_weeks: 4,
         recommend_when: 'ratings.WB1.presence >= 1'}
      - {id: guidance, title: {en: STEPGUIDANCE}, domain: social, provider: hoj, duration_weeks: 4,
         recommend_when: 'ratings.SO1.presence >= 1'}
    """)

DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: hoj-example, kind: probation, title: {en: House of justice (example)}}
  - {id: care-example, kind: care}
  - {id: police-example, kind: security}
  - {id: school-example, kind: education}
profiles:
  care:
    basis: {en: Consent of the client}
    sees: [case, plan.own, ratings.wellbeing, evidence.wellbeing]
  security:
    basis: {en: Case consultation}
    sees: [case, flags, plan.all, evidence]
"""


def assessment_text(*, secret: tuple[str, ...] = ("S2",), formulation: str = "FORMULATIONTEXT") -> str:
    confidential = {s: ", confidential: professional-secret" if s in secret else "" for s in ("S1", "S2")}
    return textwrap.dedent(f"""\
        format: spj-assessment/2
        instrument: {{id: test-instrument, version: 1.0.0}}
        id: A-1
        case: {{id: CASE-1}}
        assessor: {{id: u-1, agency: hoj-example}}
        date: 2020-01-01
        status: draft
        sources:
          - {{id: S1, kind: interview, description: SOURCEONE{confidential["S1"]}}}
          - {{id: S2, kind: collateral, description: SOURCETWO{confidential["S2"]}}}
        ratings:
          SO1: {{presence: "P", relevance: low, evidence: {{for: EVIDSO1}}, sources: [S1]}}
          WB1: {{presence: "Y", relevance: high, evidence: {{for: EVIDWB1}}, sources: [S2]}}
          WB2: {{presence: "N", evidence: {{against: EVIDWB2}}}}
        formulation: {formulation}
        plan:
          decisions:
            trauma_care: {{decision: accept, partner: {{agency: care-example}}}}
            guidance: {{decision: accept, partner: {{agency: hoj-example}}}}
        """)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "i.yaml").write_text(INSTRUMENT)
    (tmp_path / "a.yaml").write_text(assessment_text())
    (tmp_path / "d.yaml").write_text(DEPLOYMENT)
    return tmp_path


def extract(files: Path, agency: str, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(files / "i.yaml"),
            str(files / "a.yaml"),
            "--deployment",
            str(files / "d.yaml"),
            "--for",
            agency,
            "--format",
            "md",
            *extra,
        ],
    )
    return result.exit_code, result.stdout, result.stderr


BAD_DEPLOYMENTS = [
    ("profiles:\n  faith: {basis: B, sees: [case]}\n", "unknown-kind", 6),
    ("profiles:\n  care: {basis: B, sees: [case, ratings, evidnce]}\n", "unknown-section", 6),
    ("  - {id: care-example, kind: care}\n", "duplicate-id", 5),
    ("profiles:\n  care: {basis: B, sees: [plan]}\n", "unknown-section", 6),
]


@pytest.mark.parametrize(("extra", "code", "line"), BAD_DEPLOYMENTS)
def test_a_bad_deployment_is_refused_with_located_codes(extra: str, code: str, line: int) -> None:
    head = (
        "format: spj-deployment/1\nagencies:\n  - {id: hoj-example, kind: probation}\n"
        "  - {id: care-example, kind: care}\n"
    )
    with pytest.raises(DeploymentError) as caught:
        parse_deployment(head + extra, file="d.yaml")
    assert [(p.code.value, p.location.line) for p in caught.value.problems] == [(code, line)]


def test_unknown_section_suggests_the_close_one() -> None:
    text = "format: spj-deployment/1\nagencies: [{id: a, kind: care}]\nprofiles: {care: {basis: B, sees: [flag]}}\n"
    with pytest.raises(DeploymentError, match="did you mean 'flags'"):
        parse_deployment(text)


def test_the_care_partner_sees_its_step_and_its_area_and_no_secret(files: Path) -> None:
    code, out, _ = extract(files, "care-example")
    assert code == 0
    for shown in ("Consent of the client", "STEPTRAUMA", "EVIDWB2", "CASE-1", "Absent"):
        assert shown in out
    for hidden in ("EVIDSO1", "EVIDWB1", "STEPGUIDANCE", "FLAGTEXT", "SOURCEONE", "SOURCETWO", "FORMULATIONTEXT"):
        assert hidden not in out
    assert "rating withheld" in out  # WB1 cites only the secret source: shown as withheld, without its value


def test_the_security_partner_sees_flags_plan_and_evidence_but_no_ratings(files: Path) -> None:
    code, out, _ = extract(files, "police-example")
    assert code == 0
    for shown in ("FLAGTEXT", "STEPTRAUMA", "STEPGUIDANCE", "EVIDSO1", "EVIDWB2"):
        assert shown in out
    for hidden in ("EVIDWB1", "Partly", "Present", "SOURCETWO", "FORMULATIONTEXT"):
        assert hidden not in out


def test_an_agency_whose_kind_has_no_profile_sees_nothing_of_the_case(files: Path) -> None:
    code, out, _ = extract(files, "school-example")
    assert code == 0
    for hidden in ("CASE-1", "STEP", "EVID", "FLAGTEXT", "SOURCE", "FORMULATIONTEXT"):
        assert hidden not in out


def test_the_assessing_agency_gets_the_whole_report_and_no_log_entry(files: Path) -> None:
    code, out, _ = extract(files, "hoj-example")
    assert code == 0 and "EVIDWB1" in out and "FORMULATIONTEXT" in out
    assert read_log(files / "state" / "spj" / "disclosures.jsonl") == []


def test_an_agency_outside_the_deployment_gets_nothing(files: Path) -> None:
    code, out, err = extract(files, "care-exampel")
    assert code == 1 and out == ""
    assert "unknown-agency" in err and "did you mean 'care-example'" in err
    assert not (files / "state" / "spj" / "disclosures.jsonl").exists()


def test_every_extract_is_logged_in_a_chain_that_detects_edits_and_deletions(files: Path) -> None:
    log = files / "log.jsonl"
    for agency in ("care-example", "police-example", "school-example"):
        assert extract(files, agency, "--log", str(log), "--by", "tester")[0] == 0
    entries = read_log(log)
    assert [(e["seq"], e["agency"], e["by"], e["case"]) for e in entries] == [
        (1, "care-example", "tester", "CASE-1"),
        (2, "police-example", "tester", "CASE-1"),
        (3, "school-example", "tester", "CASE-1"),
    ]
    assert entries[0]["sections"] == ["case", "ratings.wellbeing", "evidence.wellbeing", "plan.own"]
    assert entries[0]["basis"] == "Consent of the client" and verify_log(log) == []
    lines = log.read_text().splitlines()
    log.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert {p.code.value for p in verify_log(log)} == {"disclosure-log"}
    log.write_text("\n".join([lines[0], lines[1].replace("police-example", "other-agency"), lines[2]]) + "\n")
    assert any("changed" in p.message for p in verify_log(log))
    result = CliRunner().invoke(app, ["audit", "verify", "--log", str(log)])
    assert result.exit_code == 1


def test_an_extract_whose_log_entry_cannot_be_written_is_refused(files: Path) -> None:
    blocked = files / "blocked"
    blocked.mkdir()
    code, out, err = extract(files, "care-example", "--log", str(blocked))
    assert code == 1 and out == "" and "disclosure-log" in err


def test_audit_disclosures_lists_what_was_shared_about_a_case(files: Path) -> None:
    log = files / "log.jsonl"
    extract(files, "police-example", "--log", str(log))
    result = CliRunner().invoke(app, ["audit", "disclosures", "CASE-1", "--log", str(log), "--json"])
    assert result.exit_code == 0
    [entry] = json.loads(result.stdout)
    assert entry["agency"] == "police-example" and entry["basis"] == "Case consultation"


SECTIONS = [
    "case",
    "sources",
    "ratings",
    "ratings.social",
    "ratings.wellbeing",
    "evidence",
    "evidence.social",
    "evidence.wellbeing",
    "flags",
    "formulation",
    "scenarios",
    "judgements",
    "plan.all",
    "plan.own",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sees=st.lists(st.sampled_from(SECTIONS), unique=True, max_size=8),
    secret=st.lists(st.sampled_from(["S1", "S2"]), unique=True),
    fmt=st.sampled_from(["md", "html", "json"]),
    lang=st.sampled_from(["en", "nl", "fr"]),
)
def test_disclosure_matrix(
    tmp_path_factory: pytest.TempPathFactory, sees: list[str], secret: list[str], fmt: str, lang: str
) -> None:
    """For random profiles and secrecy marks, an extract holds exactly what its profile allows, never a secret."""
    instrument = spj.parse_instrument(INSTRUMENT)
    assessment = spj.parse_assessment(assessment_text(secret=tuple(secret)), instrument)
    evaluation = spj.evaluate(instrument, assessment)
    deployment = parse_deployment(
        "format: spj-deployment/1\nagencies: [{id: hoj-example, kind: probation}, {id: care-example, kind: care}]\n"
        f"profiles: {{care: {{basis: BASISTEXT, sees: {json.dumps(sees)}}}}}\n"
    )
    log = tmp_path_factory.mktemp("log") / "log.jsonl"
    out = disclose(
        instrument,
        assessment,
        evaluation,
        deployment,
        "care-example",
        log=log,
        by="t",
        channel="test",
        format=fmt,
        lang=lang,
    )
    assert isinstance(out, str)
    if fmt == "json":
        json.loads(out)  # a well-formed document for a partner's case system
    source_secret = {"S1": "S1" in secret, "S2": "S2" in secret}

    def sees_area(kind: str, domain: str) -> bool:
        return kind in sees or f"{kind}.{domain}" in sees

    expected = {
        "EVIDSO1": sees_area("evidence", "social") and not source_secret["S1"],
        "EVIDWB1": sees_area("evidence", "wellbeing") and not source_secret["S2"],
        "EVIDWB2": sees_area("evidence", "wellbeing"),  # cites no source: not secret
        "SOURCEONE": "sources" in sees and not source_secret["S1"],
        "SOURCETWO": "sources" in sees and not source_secret["S2"],
        "FORMULATIONTEXT": "formulation" in sees,
        "FLAGTEXT": "flags" in sees,
        "STEPTRAUMA": "plan.all" in sees or "plan.own" in sees,
        "STEPGUIDANCE": "plan.all" in sees,
        "CASE-1": "case" in sees,
        "BASISTEXT": True,
    }
    for token, shown in expected.items():
        assert (token in out) == shown, (token, sees, secret)
    [entry] = read_log(log)
    assert entry["agency"] == "care-example" and set(entry["sections"]) == set(sees)


def test_disclose_for_an_unknown_agency_raises_before_rendering(tmp_path: Path) -> None:
    instrument = spj.parse_instrument(INSTRUMENT)
    assessment = spj.parse_assessment(assessment_text(), instrument)
    with pytest.raises(DisclosureError) as caught:
        disclose(
            instrument,
            assessment,
            spj.evaluate(instrument, assessment),
            parse_deployment(DEPLOYMENT),
            "nobody",
            log=tmp_path / "l",
            by="t",
            channel="test",
        )
    assert caught.value.codes == ["unknown-agency"] and not (tmp_path / "l").exists()


def test_a_pdf_extract_is_written_and_logged(files: Path) -> None:
    pytest.importorskip("weasyprint")
    out = files / "extract.pdf"
    code, _, err = extract(files, "care-example", "--log", str(files / "log.jsonl"), "-o", str(out), "--format", "pdf")
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF") and len(read_log(files / "log.jsonl")) == 1


def test_json_is_refused_for_a_whole_report(files: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(files / "i.yaml"), str(files / "a.yaml"), "--format", "json"])
    assert result.exit_code == 1 and "spj score --json" in result.stderr


def test_the_python_api_discloses_with_a_log(files: Path) -> None:
    instrument = spj.load_instrument(files / "i.yaml")
    assessment = spj.load_assessment(files / "a.yaml", instrument)
    deployment = spj.load_deployment(files / "d.yaml")
    out = spj.disclose(
        instrument,
        assessment,
        spj.evaluate(instrument, assessment),
        deployment,
        "police-example",
        log=files / "api.jsonl",
        by="integrator",
        format="json",
    )
    assert isinstance(out, str) and json.loads(out)["recipient_id"] == "police-example"
    [entry] = read_log(files / "api.jsonl")
    assert (entry["channel"], entry["by"]) == ("python", "integrator")
    with pytest.raises(spj.DisclosureError):
        spj.disclose(
            instrument,
            assessment,
            spj.evaluate(instrument, assessment),
            deployment,
            "x",
            log=files / "api.jsonl",
            by="integrator",
        )
