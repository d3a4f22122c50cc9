"""Every failed write exits non-zero, names the output, and leaves nothing behind (issue 11, point 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from spj.cli.app import app

INSTRUMENT = "instruments/disengagement-trajectory/instrument.yaml"
ASSESSMENT = "instruments/disengagement-trajectory/examples/case-0101.assessment.yaml"


@pytest.mark.parametrize(
    "args",
    [
        ["codebook", INSTRUMENT],
        ["codebook", INSTRUMENT, "--format", "md"],
        ["report", INSTRUMENT, ASSESSMENT],
        ["score", INSTRUMENT, ASSESSMENT, "--json"],
        ["plan", INSTRUMENT, ASSESSMENT, "--format", "dot"],
        ["new", INSTRUMENT],
        ["schema", "instrument"],
        ["schema", "instrument", "--format", "markdown"],
        ["xlsx", "export", INSTRUMENT],
    ],
    ids=lambda args: "-".join(a for a in args if "/" not in a),
)
@pytest.mark.parametrize("where", ["missing-folder", "a-folder"])
def test_a_write_that_fails_exits_1(tmp_path: Path, args: list[str], where: str) -> None:
    target = tmp_path / "missing" / "out.file" if where == "missing-folder" else tmp_path
    result = CliRunner().invoke(app, [*args, "-o", str(target)])
    assert result.exit_code == 1, result.output
    assert "output" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "missing").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_new_assessment_quotes_its_date_for_other_yaml_readers() -> None:
    result = CliRunner().invoke(app, ["new", INSTRUMENT])
    assert result.exit_code == 0
    assert isinstance(yaml.safe_load(result.output)["date"], str)
