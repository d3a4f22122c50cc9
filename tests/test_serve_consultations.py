"""`spj serve --consultation RECORD`: the case consultations of the deployment, each checked against it before
anything starts (a bad one: exit 1, located, no server, nothing written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from spj.cli.app import app
from spj.store.interface import User

ROOT = Path(__file__).resolve().parents[1]
DEPLOYMENT = ROOT / "examples" / "deployment.example.yaml"
CONSULTATION = ROOT / "examples" / "case-consultation.example.yaml"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The apps `spj serve` would run (uvicorn is not started)."""
    apps: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: apps.append(app))
    return apps


def serve(tmp_path: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path / "data"), *args])


def test_serve_gives_the_workspace_the_consultations(tmp_path: Path, served: list[Any]) -> None:
    result = serve(tmp_path, "--deployment", str(DEPLOYMENT), "--consultation", str(CONSULTATION))
    assert result.exit_code == 0, result.output
    (served_app,) = served
    workspace = served_app.state.workspace
    reader = User(id="u", username="p", display_name="p", role="partner", agency_id="police-example", password_hash="")
    assert [c.id for c in workspace.consultations.for_agency(reader)] == ["CC-0101-02"]


def test_a_consultation_needs_the_deployment(tmp_path: Path, served: list[Any]) -> None:
    result = serve(tmp_path, "--consultation", str(CONSULTATION))
    assert result.exit_code == 1 and "--consultation needs --deployment" in result.stderr
    assert served == [] and not (tmp_path / "data").exists()


def test_a_consultation_with_a_participant_the_deployment_does_not_list_is_refused(
    tmp_path: Path, served: list[Any]
) -> None:
    record = tmp_path / "cc.yaml"
    record.write_text(CONSULTATION.read_text().replace("police-example]", "police-exmaple]"))
    result = serve(tmp_path, "--deployment", str(DEPLOYMENT), "--consultation", str(record))
    assert result.exit_code == 1, result.output
    assert "cc.yaml:" in result.stderr and "unknown-agency" in result.stderr and "police-example" in result.stderr
    assert "Traceback" not in result.output
    assert served == [] and not (tmp_path / "data").exists()
