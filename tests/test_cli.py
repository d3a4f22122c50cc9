"""The `spj` command: help, exit codes, JSON shape, output files, bad input without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from helpers import ASSESSMENT_HEADER, BODY, HEADER, instrument_text
from typer.testing import CliRunner

import spj
from spj.cli.app import app

RUNNER = CliRunner()

RULES = """\
rules:
  - {id: peers, when: 'ratings.SO1.presence >= 1', message: {en: Peers}}
interventions:
  - {id: mentor, title: {en: Mentor}, domain: social, provider: probation, duration_weeks: 4,
     recommend_when: 'flags.peers'}
  - {id: therapy, title: {en: Therapy}, domain: wellbeing, provider: care, duration_weeks: 6,
     recommend_when: 'ratings.WB1.presence >= 1', requires: [mentor]}
"""

GOOD_ASSESSMENT = (
    ASSESSMENT_HEADER
    + """\
ratings:
  SO1: {presence: "Y", relevance: high}
  SO2: {omitted: true, reason: not known}
  WB1: {presence: "P", relevance: low}
"""
)


def run(*args, cwd=None):
    """Run `python -m spj` for real: what a user sees, tracebacks included."""
    return subprocess.run(
        [sys.executable, "-m", "spj", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def invoke(*args):
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def files(tmp_path):
    inst = tmp_path / "inst.yaml"
    inst.write_text(instrument_text(RULES))
    case = tmp_path / "case.yaml"
    case.write_text(GOOD_ASSESSMENT)
    return tmp_path, inst, case


@pytest.mark.parametrize("command", [[], ["validate"], ["new"], ["score"], ["plan"], ["report"], ["schema"], ["test"]])
def test_help_exits_zero(command):
    result = RUNNER.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_help_via_python_m():
    result = run("--help")
    assert result.returncode == 0
    assert "validate" in result.stdout


def test_validate_exit_codes(files):
    tmp_path, inst, case = files
    ok = invoke("validate", inst, case, "--instrument", inst)
    assert ok.exit_code == 0, ok.output
    assert f"ok {inst}" in ok.stdout and f"ok {case}" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(instrument_text().replace("domain: wellbeing", "domain: wellbeeing"))
    invalid = invoke("validate", inst, bad)
    assert invalid.exit_code == 1
    assert f"{bad}:22:" in invalid.stderr and "unresolved-reference" in invalid.stderr
    assert invoke("validate").exit_code == 2
    assert invoke("validate", "--nope", inst).exit_code == 2


def test_validate_finds_the_instrument_in_instruments_folder(files):
    tmp_path, inst, _ = files
    (tmp_path / "instruments").mkdir()
    inst.rename(tmp_path / "instruments" / "inst.yaml")
    result = run("validate", "case.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_validate_unknown_format(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("format: other/1\n")
    result = invoke("validate", path)
    assert result.exit_code == 1
    assert f"{path}:1:1: schema" in result.stderr


def test_score_json_shape(files):
    _, inst, case = files
    result = invoke("score", inst, case, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["instrument"]) >= {"id", "version", "sha256"}
    assert data["instrument"]["sha256"] == spj.load_instrument(inst).sha256
    assert data["completeness"] == {
        "indicators": 3,
        "rated": 2,
        "omitted": 1,
        "unrated": 0,
        "omitted_ratio": 0.3333,
        "sufficient": False,
        "complete": True,
        "max_omitted_ratio": 0.25,
    }
    assert set(data["domains"]["social"]) >= {"risk", "protective", "rated", "omitted", "high_relevance"}
    assert data["flags"][0]["id"] == "peers" and data["flags"][0]["status"] == "raised"
    assert [(i["id"], i["phase"], i["start_week"], i["reason"]) for i in data["interventions"]] == [
        ("mentor", 1, 0, "recommended"),
        ("therapy", 2, 4, "recommended"),
    ]
    assert data["interventions"][0]["required_by"] == ["therapy"]
    assert data["plan"]["phases"] == [["mentor"], ["therapy"]]
    assert data["plan"]["total_weeks"] == 10
    assert data["plan"]["critical_path"] == ["mentor", "therapy"]
    assert data["undetermined"] == []


def test_score_text(files):
    _, inst, case = files
    result = invoke("score", inst, case)
    assert result.exit_code == 0 and "peers" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "dot", "mermaid"])
def test_plan_formats(files, fmt):
    _, inst, case = files
    result = invoke("plan", inst, case, "--format", fmt)
    assert result.exit_code == 0
    assert "mentor" in result.stdout and "therapy" in result.stdout


def test_new_gives_a_loadable_draft(files):
    _, inst, _ = files
    result = invoke("new", inst)
    assert result.exit_code == 0, result.output
    instrument = spj.load_instrument(inst)
    assessment = spj.parse_assessment(result.stdout, instrument)
    assert assessment.status == "draft"
    assert set(assessment.ratings) == {"SO1", "SO2", "WB1"}
    assert spj.evaluate(instrument, assessment).completeness.unrated == 3


def test_new_with_case_fields_and_judgements(tmp_path):
    inst = tmp_path / "i.yaml"
    inst.write_text(
        instrument_text(
            "case_fields:\n  - {id: status, type: choice, choices: [a, b]}\n"
            "judgements:\n  - {id: priority, title: x, levels: [low, high]}\n"
        )
    )
    result = invoke("new", inst)
    assert result.exit_code == 0
    spj.parse_assessment(result.stdout, spj.load_instrument(inst))


@pytest.mark.parametrize("kind", ["instrument", "assessment"])
def test_schema(kind):
    result = invoke("schema", kind)
    assert result.exit_code == 0
    assert "properties" in json.loads(result.stdout)
    assert invoke("schema", "other").exit_code == 2


def test_output_file_is_written(files):
    tmp_path, inst, case = files
    out = tmp_path / "out"
    out.mkdir()
    target = out / "score.json"
    result = invoke("score", inst, case, "--json", "-o", target)
    assert result.exit_code == 0
    assert json.loads(target.read_text())["instrument"]["id"] == "test-instrument"
    assert sorted(p.name for p in out.iterdir()) == ["score.json"]


@pytest.mark.parametrize("command", ["score", "plan", "new"])
def test_failing_command_leaves_no_file(files, command):
    tmp_path, inst, _ = files
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD_ASSESSMENT.replace('presence: "Y"', 'presence: "X"'))
    out = tmp_path / "out"
    out.mkdir()
    if command == "new":
        inst.write_text(instrument_text(RULES).replace("domain: wellbeing", "domain: nowhere"))
        args = ["new", inst]
    else:
        args = [command, inst, bad]
    result = run(*args, "-o", out / "result.txt")
    assert result.returncode == 1
    assert list(out.iterdir()) == []


def test_output_to_a_missing_folder_fails_cleanly(files):
    tmp_path, inst, case = files
    result = run("score", inst, case, "-o", tmp_path / "no" / "such" / "out.json")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "no").exists()


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [" + ", ".join([f"*{chr(97 + n)}"] * 9) + "]\n" for n in range(8)
)


def _deep():
    return "a: " + "[" * 200 + "]" * 200 + "\n"


# (name, instrument text or None for the good one, assessment text or None, expected "file:line" prefix)
BAD_INPUTS = [
    ("yaml-syntax", HEADER + "domains: [\n", None, "inst.yaml:17:1"),
    (
        "wrong-type",
        HEADER + BODY.replace("kind: risk, title: {en: Peers}", "kind: 5, title: {en: Peers}"),
        None,
        "inst.yaml:20",
    ),
    ("unknown-id", instrument_text().replace("domain: wellbeing", "domain: wellbeeing"), None, "inst.yaml:22"),
    ("duplicate-id", instrument_text().replace("id: SO2", "id: SO1"), None, "inst.yaml:21"),
    ("duplicate-key", instrument_text() + "license: again\n", None, "inst.yaml:23"),
    (
        "unresolved-rule",
        instrument_text("rules:\n  - {id: r, when: 'ratings.XX.presence > 0', message: m}\n"),
        None,
        "inst.yaml:24",
    ),
    (
        "cycle",
        instrument_text("rules:\n  - {id: r, when: 'flags.s', message: m}\n  - {id: s, when: 'flags.r', message: m}\n"),
        None,
        "inst.yaml:24",
    ),
    (
        "no-compile",
        instrument_text("rules:\n  - {id: r, when: 'ratings.SO1.presence >', message: m}\n"),
        None,
        "inst.yaml:24",
    ),
    ("alias-bomb", ALIAS_BOMB, None, "inst.yaml:2"),
    ("too-deep", _deep(), None, "inst.yaml:1"),
    ("unknown-code", None, GOOD_ASSESSMENT.replace('presence: "Y"', 'presence: "X"'), "case.yaml:8"),
    ("other-version", None, GOOD_ASSESSMENT.replace("version: 1.0.0", "version: 1.1.0"), "case.yaml:2"),
    ("assessment-syntax", None, ASSESSMENT_HEADER + "ratings: {SO1: \n", "case.yaml:"),
    ("assessment-alias", None, ASSESSMENT_HEADER + "ratings: &r {}\nsources: *r\n", "case.yaml:8"),
    ("assessment-dup-key", None, GOOD_ASSESSMENT + "id: again\n", "case.yaml:11"),
]


@pytest.mark.parametrize(("name", "inst_text", "case_text", "where"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
@pytest.mark.parametrize("command", ["validate", "score"])
def test_bad_input_is_located_without_traceback(tmp_path, name, inst_text, case_text, where, command):
    inst = tmp_path / "inst.yaml"
    inst.write_text(inst_text if inst_text is not None else instrument_text(RULES))
    case = tmp_path / "case.yaml"
    case.write_text(case_text if case_text is not None else GOOD_ASSESSMENT)
    if command == "validate":
        args = ["validate", "inst.yaml"]
        if inst_text is None:
            args = ["validate", "--instrument", "inst.yaml", "case.yaml"]
    else:
        args = ["score", "inst.yaml", "case.yaml", "--json"]
    result = run(*args, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert where in result.stderr, output


@pytest.mark.parametrize("which", ["instrument", "assessment"])
def test_oversized_file(tmp_path, which):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (8 * 1024 * 1024 + 10) + b"\n")
    good = tmp_path / "inst.yaml"
    good.write_text(instrument_text(RULES))
    args = ["score", big, good] if which == "instrument" else ["score", good, big]
    result = run(*args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{big}: file-too-large" in result.stderr


def test_missing_file(tmp_path):
    result = run("score", tmp_path / "none.yaml", tmp_path / "none2.yaml")
    assert result.returncode == 1
    assert f"{tmp_path / 'none.yaml'}: file-not-found" in result.stderr
    assert "Traceback" not in result.stderr


def test_non_utf8_file(tmp_path):
    path = tmp_path / "inst.yaml"
    path.write_bytes(instrument_text().encode() + "x: caf\xe9\n".encode("latin-1"))
    result = run("validate", path)
    assert result.returncode == 1
    assert "file-encoding" in result.stderr and "Traceback" not in result.stderr


def test_bad_assessment_reports_every_problem(files):
    tmp_path, inst, _ = files
    case = tmp_path / "bad.yaml"
    case.write_text(
        ASSESSMENT_HEADER + 'ratings:\n  SO1: {presence: "X"}\n  SO9: {presence: "N"}\n  SO2: {omitted: true}\n'
    )
    result = invoke("validate", "--instrument", inst, case)
    assert result.exit_code == 1
    for line, code in [(8, "unknown-code"), (9, "unknown-indicator"), (10, "omission")]:
        assert f"{case}:{line}:" in result.stderr and code in result.stderr


def test_test_command_on_an_inline_instrument(files):
    tmp_path, inst, _ = files
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "pass.case.yaml").write_text(
        yaml.safe_dump(
            {
                "format": "spj-case/1",
                "assessment": "../case.yaml",
                "expect": {"flags": [{"id": "peers", "status": "raised"}], "plan": {"total_weeks": 10}},
            }
        )
    )
    (cases / "fail.case.yaml").write_text(
        "format: spj-case/1\n"
        "assessment:\n"
        + "".join("  " + line + "\n" for line in GOOD_ASSESSMENT.splitlines())
        + "expect:\n  plan: {total_weeks: 11}\n  completeness: {omitted: 1}\n"
    )
    result = run("test", inst)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"ok   {cases / 'pass.case.yaml'}" in result.stdout
    assert f"FAIL {cases / 'fail.case.yaml'}" in result.stdout
    assert "$.plan.total_weeks: expected 11, got 10" in result.stdout
    assert "1 passed, 1 failed" in result.stdout
    only_pass = run("test", inst, cases / "pass.case.yaml")
    assert only_pass.returncode == 0
    assert "1 passed, 0 failed" in only_pass.stdout


def test_test_command_without_cases(files):
    _, inst, _ = files
    result = run("test", inst)
    assert result.returncode == 1
    assert "file-not-found" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("change", "where", "code"),
    [
        (("version: 1.0.0", "version: 1.1.0"), "case.yaml:2:", "instrument-not-found"),
        (("instrument: {id: test-instrument, version: 1.0.0}\n", ""), "case.yaml:1:", "schema"),
    ],
)
def test_validate_without_its_instrument_is_located(tmp_path, change, where, code):
    (tmp_path / "case.yaml").write_text(GOOD_ASSESSMENT.replace(*change))
    result = run("validate", "case.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert where in result.stderr and code in result.stderr
    assert "Traceback" not in result.stderr


def test_assessment_given_as_instrument_and_vice_versa(files):
    _, inst, case = files
    for args in (["score", inst, inst], ["score", case, case]):
        result = run(*args)
        assert result.returncode == 1
        assert "schema" in result.stderr and "Traceback" not in result.stderr


def test_failing_command_keeps_an_existing_output_file(files):
    tmp_path, inst, _ = files
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD_ASSESSMENT.replace('presence: "Y"', 'presence: "X"'))
    target = tmp_path / "out.json"
    target.write_text("previous\n")
    result = run("score", inst, bad, "--json", "-o", target)
    assert result.returncode == 1
    assert target.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "case.yaml", "inst.yaml", "out.json"]


def test_output_onto_a_folder_fails_cleanly(files):
    tmp_path, inst, case = files
    target = tmp_path / "folder"
    target.mkdir()
    result = run("score", inst, case, "--json", "-o", target)
    assert result.returncode == 1
    assert "output" in result.stderr and "Traceback" not in result.stderr
    assert list(target.iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_written_files_get_the_usual_permissions(tmp_path):
    """Regression: files were written through mkstemp and kept its owner-only mode (0600)."""
    import os
    import stat

    from spj.files.output import write_atomic

    target = tmp_path / "report.html"
    write_atomic(target, "<p>x</p>")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    target.chmod(0o640)
    write_atomic(target, "<p>y</p>")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize("command", ["report", "score", "plan"])
def test_output_cannot_overwrite_an_input(tmp_path, command):
    """Regression: `-o` naming the assessment replaced it with the output."""
    import shutil

    inst = tmp_path / "i.yaml"
    inst.write_text(instrument_text(), encoding="utf-8")
    assessment = tmp_path / "a.yaml"
    assessment.write_text(ASSESSMENT_HEADER + "status: draft\n", encoding="utf-8")
    before = assessment.read_bytes()
    shutil.copy(assessment, tmp_path / "copy.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "spj", command, str(inst), str(assessment), "-o", str(assessment)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "overwrite" in done.stderr
    assert assessment.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{inst}"],
        ["validate", "{case}", "--instrument", "{inst}"],
        ["validate", "{inst}", "{case}"],
        ["validate"],
        ["validate", "--nope"],
        ["validate", "--help"],
        ["score", "{inst}", "{case}", "--json"],
        ["plan", "{inst}", "{case}", "--format", "mermaid"],
        ["report", "{inst}", "{case}", "--format", "md"],
        ["schema", "assessment"],
        ["test", "--help"],
        ["diff", "--help"],
        ["xlsx", "--help"],
        ["--help"],
        ["nope"],
    ],
)
def test_the_console_script_builds_only_the_command_it_runs_and_behaves_the_same(files, args):
    """`spj.cli.app.main` builds the parser of the command named, not of all: what the user sees is unchanged."""
    from spj.cli.app import app_for

    _, inst, case = files
    argv = [a.format(inst=inst, case=case) for a in args]
    whole, narrow = RUNNER.invoke(app, argv), RUNNER.invoke(app_for(argv), argv)
    assert (narrow.exit_code, narrow.output) == (whole.exit_code, whole.output)
    if args and args[0] in ("validate", "score", "report"):
        assert app_for(argv) is not app
