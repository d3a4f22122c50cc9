"""`spj export key|research|audit`: the commands, their refusals, and nothing half-written."""

from __future__ import annotations

import csv
import shutil
import stat
from pathlib import Path

import frictionless
from typer.testing import CliRunner

from spj.cli.app import app
from spj.store import open_store

ROOT = Path(__file__).parent.parent.parent
EXAMPLES = sorted((ROOT / "instruments/disengagement-trajectory/examples").glob("*.assessment.yaml"))
RUNNER = CliRunner()


def invoke(*args: object) -> tuple[int, str]:
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stderr


def test_key_then_a_deidentified_export_of_a_folder(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for example in EXAMPLES:
        shutil.copy(example, cases)
    key = tmp_path / "secrets" / "research.key"
    key.parent.mkdir()
    code, err = invoke("export", "key", key)
    assert code == 0, err
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert invoke("export", "key", key)[0] == 1  # never overwritten
    out = tmp_path / "export"
    code, err = invoke("export", "research", cases, "--key", key, "-o", out)
    assert code == 0, err
    assert f"{len(EXAMPLES)} assessment(s), de-identified with key" in err
    assert frictionless.validate(str(out / "datapackage.json")).valid
    with open(out / "observations.csv", encoding="utf-8", newline="") as handle:
        cases_seen = {row["case"] for row in csv.DictReader(handle)}
    assert all(case.startswith("C-") for case in cases_seen)


def test_research_needs_a_key_or_identified(tmp_path: Path) -> None:
    code, err = invoke("export", "research", tmp_path, "-o", tmp_path / "out")
    assert code == 1
    assert "export-key" in err
    assert not (tmp_path / "out").exists()


def test_an_invalid_assessment_stops_the_export_with_every_problem(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(EXAMPLES[0], cases)
    for name in ("a.yaml", "b.yaml"):
        (cases / name).write_text("format: spj-assessment/1\ninstrument: {id: nope, version: 1.0.0}\n")
    code, err = invoke("export", "research", cases, "--identified", "-o", tmp_path / "out")
    assert code == 1
    assert err.count("instrument-not-found") == 2
    assert not (tmp_path / "out").exists()


def test_the_audit_export_from_a_store(tmp_path: Path) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'spj.db'}"
    store = open_store(url)
    try:
        store.create_agency("a1", "Agency")
        store.record("a1", actor="u1", action="read-report", assessment_id=None, revision=None, detail="synthetic")
    finally:
        store.close()
    code, err = invoke("export", "audit", "--db", url, "--agency", "a1", "-o", tmp_path / "audit")
    assert code == 0, err
    assert frictionless.validate(str(tmp_path / "audit" / "datapackage.json")).valid
    assert "read-report" in (tmp_path / "audit" / "audit.csv").read_text(encoding="utf-8")
