"""Versions of an instrument: `diff`, declared migrations (checked at load time) and `migrate`."""

from __future__ import annotations

import json
import textwrap

import pytest
from helpers import assert_spj_error
from typer.testing import CliRunner

import spj
from spj import Code, InstrumentError
from spj.authoring.versioning import diff_instruments, format_diff, format_migration_report, migrate_assessment
from spj.cli.app import app

RUNNER = CliRunner()

V1 = """\
format: spj/1
id: toolkit-test
version: 1.0.0
title: {en: Toolkit test, nl: Toolkit test}
languages: [en, nl]
license: CC0-1.0
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent}}
    - {code: "P", value: 1, label: {en: Partly}}
    - {code: "Y", value: 2, label: {en: Present}}
  relevance:
    - {code: low, value: 0, label: {en: Low}}
    - {code: moderate, value: 1, label: {en: Moderate}}
    - {code: high, value: 2, label: {en: High}}
domains:
  - {id: social, title: {en: Social}}
  - {id: wellbeing, title: {en: Wellbeing}}
indicators:
  - {id: SO1, domain: social, kind: risk, title: {en: Peers, nl: Vrienden}}
  - {id: SO2, domain: social, kind: protective, title: {en: Family}}
  - {id: SO3, domain: social, kind: risk, title: {en: Online contacts}}
  - {id: SO4, domain: social, kind: risk, title: {en: Offline contacts}}
  - {id: WB1, domain: wellbeing, kind: risk, title: {en: Trauma and health}}
  - {id: WB2, domain: wellbeing, kind: risk, title: {en: Housing}}
case_fields:
  - {id: status, type: choice, choices: [convict, pve]}
rules:
  - id: isolation
    when: 'ratings.SO2.presence == 0 && ratings.SO1.presence >= 1'
    severity: concern
    message: {en: Isolated among peers.}
interventions:
  - id: trauma_care
    title: {en: Trauma care}
    domain: wellbeing
    provider: mental-health
    duration_weeks: 12
    recommend_when: 'ratings.WB1.presence >= 1'
judgements:
  - {id: case_priority, title: {en: Case priority}, levels: [low, moderate, high], rationale_required: true}
"""

V2_BODY = """\
format: spj/1
id: toolkit-test
version: 2.0.0
title: {en: Toolkit test, nl: Toolkit test}
languages: [en, nl]
license: CC0-1.0
scales:
  presence:
    - {code: A, value: 0, label: {en: Absent}}
    - {code: S, value: 1, label: {en: Somewhat}}
    - {code: "Y", value: 2, label: {en: Present}}
  relevance:
    - {code: low, value: 0, label: {en: Low}}
    - {code: high, value: 1, label: {en: High}}
domains:
  - {id: social, title: {en: Social}}
  - {id: wellbeing, title: {en: Wellbeing}}
indicators:
  - {id: SO1, domain: wellbeing, kind: risk, title: {en: Peers, nl: Vriendenkring}}
  - {id: SO5, domain: social, kind: protective, title: {en: Family}}
  - {id: SO34, domain: social, kind: risk, title: {en: Contacts}}
  - {id: WB1a, domain: wellbeing, kind: risk, title: {en: Trauma}}
  - {id: WB1b, domain: wellbeing, kind: risk, title: {en: Health}}
  - {id: WB3, domain: wellbeing, kind: protective, title: {en: Work}}
case_fields:
  - {id: status, type: choice, choices: [convict, pve]}
rules:
  - id: isolation
    when: 'ratings.SO5.presence == 0 && ratings.SO1.presence >= 1'
    severity: critical
    message: {en: Isolated among peers.}
  - id: no_work
    when: 'ratings.WB3.presence == 0'
    message: {en: No work.}
interventions:
  - id: stabilisation
    title: {en: Stabilisation}
    domain: social
    provider: probation
    duration_weeks: 4
    recommend_when: 'true'
  - id: trauma_care
    title: {en: Trauma care}
    domain: wellbeing
    provider: trauma-centre
    duration_weeks: 16
    recommend_when: 'ratings.WB1a.presence >= 1'
    requires: [stabilisation]
judgements:
  - {id: case_priority, title: {en: Case priority}, levels: [low, moderate, high], rationale_required: true}
"""

MIGRATIONS = """\
migrations:
  - from: 1.0.0
    renamed: {SO2: SO5}
    merged: [{into: SO34, from: [SO3, SO4], rule: max}]
    split: [{from: WB1, into: [WB1a, WB1b]}]
    recoded:
      - {scale: presence, map: {"N": A, "P": S}}
      - {scale: relevance, map: {moderate: [low, high]}}
    removed: [WB2]
    added: [WB3]
"""

V2 = V2_BODY + MIGRATIONS

ASSESSMENT = """\
format: spj-assessment/1
instrument: {id: toolkit-test, version: 1.0.0}
id: A-0042
case: {id: CASE-0042, fields: {status: convict}}
assessor: {id: u-1}
date: 2020-01-01
status: final
sources:
  - {id: S1, kind: interview}
  - {id: S2, kind: file}
ratings:
  SO1: {presence: "P", relevance: moderate}
  SO2: {presence: "Y", relevance: high, evidence: {for: Visits weekly.}}
  SO3: {presence: "P", relevance: low, sources: [S1], evidence: {for: Chat groups.}}
  SO4: {presence: "Y", relevance: moderate, sources: [S2], evidence: {for: Meetings.}}
  WB1: {presence: "P", relevance: high}
  WB2: {presence: "Y", relevance: low}
judgements:
  case_priority: {level: moderate, rationale: Synthetic example.}
"""


@pytest.fixture
def v1() -> spj.Instrument:
    return spj.parse_instrument(V1, file="v1.yaml")


@pytest.fixture
def v2() -> spj.Instrument:
    return spj.parse_instrument(V2, file="v2.yaml")


def changes_of(diff, section):
    return {(c.id, c.status): {f.field: (f.old, f.new) for f in c.changes} for c in diff.in_section(section)}


# --- diff -----------------------------------------------------------------


def test_diff_lists_indicator_changes(v1, v2):
    diff = diff_instruments(v1, v2)
    indicators = changes_of(diff, "indicators")
    assert indicators[("SO1", "changed")] == {"domain": ("social", "wellbeing")}
    assert ("SO5", "renamed") in indicators  # followed through the declared migration
    assert {("SO34", "added"), ("WB1a", "added"), ("WB1b", "added"), ("WB3", "added")} <= set(indicators)
    assert {("SO3", "removed"), ("SO4", "removed"), ("WB1", "removed"), ("WB2", "removed")} <= set(indicators)
    assert diff.migration_declared


def test_diff_lists_scales_rules_interventions(v1, v2):
    diff = diff_instruments(v1, v2)
    presence = changes_of(diff, "scales")[("presence", "changed")]
    assert presence["levels.A"] == (None, 0) and presence["levels.N"] == (0, None)
    relevance = changes_of(diff, "scales")[("relevance", "changed")]
    assert relevance["levels.moderate"] == (1, None) and relevance["levels.high.value"] == (2, 1)
    isolation = changes_of(diff, "rules")[("isolation", "changed")]
    assert isolation["severity"] == ("concern", "critical") and "when" in isolation
    assert ("no_work", "added") in changes_of(diff, "rules")
    trauma = changes_of(diff, "interventions")[("trauma_care", "changed")]
    assert trauma["provider"] == ("mental-health", "trauma-centre")
    assert trauma["duration_weeks"] == (12, 16)
    assert trauma["requires"] == ([], ["stabilisation"])
    assert "recommend_when" in trauma
    assert ("stabilisation", "added") in changes_of(diff, "interventions")
    assert changes_of(diff, "instrument")[("toolkit-test", "changed")]["version"] == ("1.0.0", "2.0.0")


def test_diff_texts_per_language(v1, v2):
    texts = diff_instruments(v1, v2).texts_by_language()
    assert [(t.path, t.status) for t in texts["nl"]] == [("indicators.SO1.title", "changed")]
    en = {(t.path, t.status) for t in texts["en"]}
    assert ("scales.presence.S.label", "added") in en
    assert ("indicators.SO1.title", "changed") not in en


def test_diff_lists_what_an_indicator_informs(v1):
    informing = V1.replace("title: {en: Family}}", "title: {en: Family}, informs: formulation}")
    diff = diff_instruments(v1, spj.parse_instrument(informing, file="v1b.yaml"))
    assert changes_of(diff, "indicators") == {("SO2", "changed"): {"informs": (None, "formulation")}}


def test_diff_of_identical_instruments(v1):
    diff = diff_instruments(v1, v1)
    assert diff.identical and not diff.items and not diff.texts
    assert "identical" in format_diff(diff)


def test_diff_cli_text_and_json(tmp_path):
    (tmp_path / "v1.yaml").write_text(V1)
    (tmp_path / "v2.yaml").write_text(V2)
    text = RUNNER.invoke(app, ["diff", str(tmp_path / "v1.yaml"), str(tmp_path / "v2.yaml")])
    assert text.exit_code == 0, text.output
    assert "> SO2 -> SO5: renamed" in text.stdout and "moved domain: social -> wellbeing" in text.stdout
    as_json = RUNNER.invoke(app, ["diff", str(tmp_path / "v1.yaml"), str(tmp_path / "v2.yaml"), "--json"])
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert {"section": "rules", "id": "no_work", "status": "added"} in data["changes"]["rules"]
    assert data["texts"]["nl"] == [{"path": "indicators.SO1.title", "status": "changed"}]


# --- migrations at load time ------------------------------------------------


def test_instrument_without_migrations_keeps_its_hash(v1):
    assert "migrations" not in v1.model_dump()
    assert spj.parse_instrument(V2_BODY).sha256 != spj.parse_instrument(V2).sha256


def _v2_with(migrations: str) -> str:
    return V2_BODY + "migrations:\n" + textwrap.indent(textwrap.dedent(migrations), "  ")


@pytest.mark.parametrize(
    ("migrations", "code", "line", "message"),
    [
        ("- from: 1.0.0\n  renamed: {SO2: SO6}\n", Code.UNRESOLVED_REFERENCE, 53, "did you mean 'SO5'"),
        ("- from: 1.0.0\n  merged: [{into: SO35, from: [SO3, SO4]}]\n", Code.UNRESOLVED_REFERENCE, 53, "SO35"),
        ("- from: 1.0.0\n  split: [{from: WB1, into: [WB1a, WB1c]}]\n", Code.UNRESOLVED_REFERENCE, 53, "WB1c"),
        ("- from: 1.0.0\n  added: [WB9]\n", Code.UNRESOLVED_REFERENCE, 53, "WB9"),
        ("- from: 1.0.0\n  recoded: [{scale: presence, map: {N: X}}]\n", Code.UNRESOLVED_REFERENCE, 53, "'X'"),
        ("- from: 1.0.0\n  recoded: [{scale: presense, map: {N: A}}]\n", Code.UNRESOLVED_REFERENCE, 53, "presence"),
        ("- from: 2.0.0\n", Code.MIGRATION, 52, "older version"),
        ("- from: 1.0.0\n- from: 1.0.0\n", Code.MIGRATION, 53, "second migration"),
        ("- from: 1.0.0\n  removed: [SO1]\n", Code.MIGRATION, 53, "still has it"),
        ("- from: 1.0.0\n  renamed: {SO2: SO5, SO3: SO5}\n", Code.MIGRATION, 53, "more than one"),
        ("- from: 1.0.0\n  merged: [{into: SO34, from: [SO3]}]\n", Code.SCHEMA, 53, ""),
        ("- from: '1.0'\n", Code.SCHEMA, 52, "a version such as 1.0.0"),
    ],
)
def test_bad_migrations_are_refused_with_locations(migrations, code, line, message):
    assert_spj_error(
        lambda: spj.parse_instrument(_v2_with(migrations), file="v2.yaml"),
        code=code,
        error=InstrumentError,
        line=line,
        message=message,
    )


# --- migrate -----------------------------------------------------------------


def test_migrated_assessment_validates_against_v2(v1, v2):
    old = spj.parse_assessment(ASSESSMENT, v1, file="a.yaml")
    result = migrate_assessment(old, v1, v2)
    again = spj.parse_assessment(result.text, v2)  # what would be written validates on its own
    assert again == result.assessment
    migrated = result.assessment
    assert migrated.status == "draft" and result.was_final
    assert migrated.instrument.version == "2.0.0" and migrated.instrument.sha256 == v2.sha256
    assert migrated.id == "A-0042-2.0.0" and migrated.previous == "A-0042"
    ratings = {k: r.codes for k, r in migrated.ratings.items()}
    assert ratings["SO1"] == {"presence": "S"}  # relevance 'moderate' is ambiguous: left for the rater
    assert ratings["SO5"] == {"presence": "Y", "relevance": "high"}
    assert ratings["SO34"] == {"presence": "Y"}  # max of P and Y; relevance max 'moderate' is ambiguous
    assert ratings["WB1a"] == ratings["WB1b"] == {"presence": "S", "relevance": "high"}
    assert "WB3" not in ratings and "WB2" not in ratings
    assert migrated.ratings["SO34"].sources == ("S1", "S2")
    assert migrated.ratings["SO34"].evidence.for_ == "[SO3] Chat groups.\n[SO4] Meetings."
    assert migrated.judgements["case_priority"].level == "moderate"
    assert spj.evaluate(v2, migrated).to_dict()["instrument"]["sha256"] == v2.sha256


def test_rerate_report_names_the_right_indicators(v1, v2):
    result = migrate_assessment(spj.parse_assessment(ASSESSMENT, v1), v1, v2)
    by_reason: dict[str, set[str]] = {}
    for item in result.re_rate:
        by_reason.setdefault(item.reason, set()).add(item.indicator)
    assert by_reason == {
        "split": {"WB1a", "WB1b"},
        "merged": {"SO34"},
        "added": {"WB3"},
        "removed": {"WB2"},
        "recoded": {"SO1", "SO34"},
    }
    assert ("SO2", "SO5") in result.carried
    report = format_migration_report(result)
    assert "locked records" in report and "SO2 -> SO5" in report


def test_migration_needs_a_declared_migration(v1):
    v2_plain = spj.parse_instrument(V2_BODY, file="v2.yaml")
    old = spj.parse_assessment(ASSESSMENT, v1)
    assert_spj_error(lambda: migrate_assessment(old, v1, v2_plain), code=Code.MIGRATION, message="no migration from")


def test_migration_must_account_for_every_old_indicator(v1):
    incomplete = spj.parse_instrument(V2.replace("removed: [WB2]", "removed: []"))
    old = spj.parse_assessment(ASSESSMENT, v1)
    assert_spj_error(lambda: migrate_assessment(old, v1, incomplete), code=Code.MIGRATION, message="WB2")


def test_migrate_cli_writes_a_draft(tmp_path):
    for name, text in (("v1.yaml", V1), ("v2.yaml", V2), ("a.yaml", ASSESSMENT)):
        (tmp_path / name).write_text(text)
    out = tmp_path / "migrated.yaml"
    result = RUNNER.invoke(
        app,
        [
            "migrate",
            str(tmp_path / "a.yaml"),
            "--to",
            str(tmp_path / "v2.yaml"),
            "--from",
            str(tmp_path / "v1.yaml"),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "WB1a" in result.stdout and "split" in result.stdout
    text = out.read_text()
    assert text.startswith("# Migrated by spj") and "status: draft" in text
    v2 = spj.load_instrument(tmp_path / "v2.yaml")
    assert spj.load_assessment(out, v2).instrument.sha256 == v2.sha256


def test_migrate_cli_finds_the_old_instrument_and_keeps_a_draft_id(tmp_path, monkeypatch):
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "v1.yaml").write_text(V1)
    (tmp_path / "v2.yaml").write_text(V2)
    (tmp_path / "a.yaml").write_text(ASSESSMENT.replace("status: final", "status: draft"))
    monkeypatch.chdir(tmp_path)
    result = RUNNER.invoke(app, ["migrate", "a.yaml", "--to", "v2.yaml"])
    assert result.exit_code == 0, result.output
    assert "id: A-0042\n" in result.stdout and "locked" not in result.stderr
    assert any(line.split()[:2] == ["WB3", "added"] for line in result.stderr.splitlines())


def test_migrate_cli_without_migration_fails_and_writes_nothing(tmp_path):
    for name, text in (("v1.yaml", V1), ("v2.yaml", V2_BODY), ("a.yaml", ASSESSMENT)):
        (tmp_path / name).write_text(text)
    out = tmp_path / "migrated.yaml"
    result = RUNNER.invoke(
        app,
        [
            "migrate",
            str(tmp_path / "a.yaml"),
            "--to",
            str(tmp_path / "v2.yaml"),
            "--from",
            str(tmp_path / "v1.yaml"),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 1
    assert "migration" in result.stderr and "declares no migration from 1.0.0" in result.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
