"""`spj batch score|report`: the command over a folder or the store; bad input is a located message, exit 1."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import spj
from spj.cli.app import app
from spj.store import open_store

ROOT = Path(__file__).parent.parent.parent
TRAJECTORY = ROOT / "instruments/disengagement-trajectory"
EXAMPLES = sorted((TRAJECTORY / "examples").glob("*.assessment.yaml"))
RUNNER = CliRunner()


def invoke(*args: object) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    cases.mkdir()
    for example in EXAMPLES:
        shutil.copy(example, cases)
    return cases


def test_score_a_folder_with_two_workers_then_resume(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.jsonl"
    code, _, err = invoke(
        "batch", "score", folder, "-o", out, "--workers", 2, "--instrument", TRAJECTORY / "instrument.yaml"
    )
    assert code == 0, err
    assert f"{len(EXAMPLES)} assessment(s): 0 already in {out}, {len(EXAMPLES)} done now, 0 with problems" in err
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["assessment"] for line in lines] == [
        spj.load_assessment(e, spj.load_instrument(TRAJECTORY / "instrument.yaml")).id for e in EXAMPLES
    ]
    code, _, err = invoke("batch", "score", folder, "-o", out, "--no-progress")
    assert (code, f"{len(EXAMPLES)} already in") == (0, f"{len(EXAMPLES)} already in")
    assert f"{len(EXAMPLES)} already in {out}, 0 done now" in err


def test_a_file_with_problems_gives_exit_1_and_its_line(folder: Path, tmp_path: Path) -> None:
    (folder / "bad.yaml").write_text(
        "format: spj-assessment/1\ninstrument: {id: no-such-instrument, version: 1.0.0}\n", encoding="utf-8"
    )
    out = tmp_path / "scores.jsonl"
    code, _, err = invoke("batch", "score", folder, "-o", out, "--workers", 1)
    assert code == 1
    assert "1 with problems" in err
    bad = next(json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if "bad.yaml" in line)
    assert bad["problems"][0]["code"] == "instrument-not-found"
    assert bad["problems"][0]["line"] == 2


def test_report_the_store_in_html(tmp_path: Path) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'spj.db'}"
    store = open_store(url)
    try:
        store.create_agency("a1", "Agency")
        content = spj.load_assessment(EXAMPLES[0], spj.load_instrument(TRAJECTORY / "instrument.yaml")).model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        store.create_case("a1", content["case"]["id"], actor="u1")
        store.create_assessment(
            "a1",
            assessment_id=content["id"],
            case_id=content["case"]["id"],
            instrument_id=content["instrument"]["id"],
            instrument_version=content["instrument"]["version"],
            content=content,
            actor="u1",
        )
    finally:
        store.close()
    out = tmp_path / "reports.jsonl"
    code, _, err = invoke("batch", "report", "--db", url, "--agency", "a1", "-o", out, "-f", "html")
    assert code == 0, err
    (line,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert line["source"] == f"store:a1/{content['id']}/1"
    assert line["report"].lstrip().lower().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give a folder or --db"),
        (("cases", "--db", "memory:"), "give a folder or --db"),
        (("--db", "memory:"), "--db needs --agency"),
        (("no-such-folder",), "not a folder"),
        (("cases", "--workers", 0), "workers must be at least 1"),
    ],
)
def test_bad_usage_is_a_message_not_a_traceback(tmp_path: Path, args: tuple[object, ...], message: str) -> None:
    (tmp_path / "cases").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "spj", "batch", "score", *map(str, args), "-o", str(tmp_path / "o.jsonl")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
