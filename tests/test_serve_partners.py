"""`spj serve --deployment FILE` and `spj user add --role partner`: a bad deployment refused with located problems
(exit 1, no server), a good one registered with its partner agencies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from spj.cli.app import app
from spj.store import SqlStore

GOOD = """\
format: spj-deployment/1
agencies:
  - {id: hoj-example, kind: probation, title: {en: House of justice (synthetic)}}
  - {id: care-example, kind: care, title: {en: Care centre (synthetic)}}
profiles:
  care: {basis: {en: Consent of the client}, sees: [case, plan.own]}
"""


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The apps `spj serve` would run (uvicorn is not started)."""
    apps: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: apps.append(app))
    return apps


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (GOOD.replace("kind: care,", "kind: caer,"), "unknown-kind", 6),
        (GOOD.replace("[case, plan.own]", "[case, plan]"), "unknown-section", 6),
        ("format: spj-deployment/1\nagencies: []\n", "schema", 2),
        ("format: spj-deployment/9\n", "schema", 1),
    ],
)
def test_a_bad_deployment_is_refused_with_its_located_problems(
    tmp_path: Path, served: list[Any], text: str, code: str, line: int
) -> None:
    (tmp_path / "deployment.yaml").write_text(text)
    result = CliRunner().invoke(
        app, ["serve", "--deployment", str(tmp_path / "deployment.yaml"), "--data-dir", str(tmp_path / "data")]
    )
    assert result.exit_code == 1, result.output
    assert f"deployment.yaml:{line}:" in result.stderr and code in result.stderr
    assert "Traceback" not in result.output
    assert served == []  # no server
    assert not (tmp_path / "data").exists()  # nothing written


def test_a_missing_deployment_file_is_refused(tmp_path: Path, served: list[Any]) -> None:
    result = CliRunner().invoke(app, ["serve", "--deployment", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1 and "file-not-found" in result.stderr and served == []


def test_serve_with_a_deployment_registers_its_agencies_and_partners_sign_up(tmp_path: Path, served: list[Any]) -> None:
    (tmp_path / "deployment.yaml").write_text(GOOD)
    url = f"sqlite+pysqlite:///{tmp_path / 'spj.sqlite3'}"
    result = CliRunner().invoke(app, ["serve", "--deployment", str(tmp_path / "deployment.yaml"), "--db", url])
    assert result.exit_code == 0, result.output
    assert "2 agencies" in result.output
    (served_app,) = served
    deployment = served_app.state.workspace.deployment
    assert [a.id for a in deployment.agencies] == ["hoj-example", "care-example"]
    again = CliRunner().invoke(app, ["serve", "--deployment", str(tmp_path / "deployment.yaml"), "--db", url])
    assert again.exit_code == 0, again.output  # the agencies are there already: nothing to add
    added = CliRunner().invoke(
        app,
        ["user", "add", "carla", "--role", "partner", "--agency", "care-example", "--db", url],
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert added.exit_code == 0, added.output
    assert "added carla (partner) to care-example" in added.output
    store = SqlStore(url)
    try:
        user = store.get_user_by_username("carla")
        assert user is not None and (user.role, user.agency_id) == ("partner", "care-example")
    finally:
        store.close()
    refused = CliRunner().invoke(
        app,
        ["user", "add", "dave", "--role", "partner-ish", "--agency", "care-example", "--db", url],
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert refused.exit_code == 1 and "unknown role 'partner-ish'" in refused.output
