"""`spj.api.asgi:app` (issue 12, point 8): the app a process manager imports, configured from the environment.

`SPJ_DATABASE_URL` and `SPJ_SECRET_KEY` are required (several workers must share the key); instruments,
deployment, HTTPS-only and trusted proxies are optional, as for `spj serve`. Synthetic data only.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from conftest import TestClient

from spj.api import asgi
from spj.errors import Code, SpjError


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"SPJ_DATABASE_URL": f"sqlite:///{tmp_path / 'spj.db'}", "SPJ_SECRET_KEY": "s" * 32, **extra}


def test_app_from_the_environment_serves(tmp_path: Path) -> None:
    app = asgi.app_from_environment(_env(tmp_path))
    try:
        with TestClient(app) as client:
            assert client.get("/readyz").json()["status"] == "ready"
        assert app.state.secret_key == "s" * 32
        assert (tmp_path / "spj.db").exists()
        assert app.state.workspace.store.get_user_by_username("admin") is None  # no demo accounts here
    finally:
        app.state.workspace.store.close()


def test_extra_instruments_folder(tmp_path: Path) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    app = asgi.app_from_environment(_env(tmp_path, SPJ_INSTRUMENTS=str(folder)))
    try:
        assert len(app.state.workspace.instruments) >= 1
    finally:
        app.state.workspace.store.close()


@pytest.mark.parametrize(
    ("missing", "names"),
    [
        (("SPJ_DATABASE_URL",), ["SPJ_DATABASE_URL"]),
        (("SPJ_SECRET_KEY",), ["SPJ_SECRET_KEY"]),
        (("SPJ_DATABASE_URL", "SPJ_SECRET_KEY"), ["SPJ_DATABASE_URL", "SPJ_SECRET_KEY"]),
    ],
)
def test_a_missing_variable_is_named(tmp_path: Path, missing: tuple[str, ...], names: list[str]) -> None:
    env = {k: v for k, v in _env(tmp_path).items() if k not in missing}
    with pytest.raises(SpjError) as caught:
        asgi.app_from_environment(env)
    assert [p.code for p in caught.value.problems] == [Code.ENVIRONMENT] * len(names)
    assert [p.location.path for p in caught.value.problems] == [(n,) for n in names]
    assert all("is not set" in p.message for p in caught.value.problems)


def test_a_short_secret_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpjError, match="SPJ_SECRET_KEY"):
        asgi.app_from_environment(_env(tmp_path, SPJ_SECRET_KEY="short"))


def test_a_missing_deployment_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpjError):
        asgi.app_from_environment(_env(tmp_path, SPJ_DEPLOYMENT=str(tmp_path / "nope.yaml")))


def test_importing_the_module_builds_nothing_until_app_is_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SPJ_DATABASE_URL", raising=False)
    module = importlib.reload(asgi)  # no error: the app is built on first access
    with pytest.raises(SpjError, match="SPJ_DATABASE_URL"):
        _ = module.app
    for name, value in _env(tmp_path).items():
        monkeypatch.setenv(name, value)
    app = module.app
    try:
        assert module.app is app
    finally:
        app.state.workspace.store.close()
