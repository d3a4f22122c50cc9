"""`spj.api.asgi:app`: the app for a process manager (`uvicorn spj.api.asgi:app`, gunicorn with Uvicorn workers).

Configured from the environment, as `spj serve` is from its options (`spj serve --workers N` hands its
options down to its workers through these same variables):

- `SPJ_DATABASE_URL` (required): the database; migrated to the newest schema on start.
- `SPJ_SECRET_KEY` (required, 32 characters or more): signs the sessions; the same in every worker.
- `SPJ_INSTRUMENTS`: extra folders of instruments, separated by `os.pathsep`.
- `SPJ_DEPLOYMENT`: the deployment file (spj-deployment/1); `SPJ_CONSULTATIONS` its consultation records.
- `SPJ_HTTPS_ONLY` (`1`/`true`): the session cookie is `Secure`.
- `SPJ_FORWARDED_ALLOW_IPS`: the reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
- `SPJ_ROOT_PATH`: the prefix a reverse proxy publishes spj under (`/spj`).
- `SPJ_METRICS_TOKEN` (16 characters or more): `/metrics` for a scraper with this bearer token; none without.
  With several workers, set `PROMETHEUS_MULTIPROC_DIR` to an empty folder (`spj.api.metrics`).
- `SPJ_LOG_FORMAT`: `json` (default) or `text`, for the `spj` logs on standard error (`spj.api.log_format`).

Unlike `spj serve`, no demo accounts are ever created: add accounts with `spj user add`.
Every missing or malformed variable is named in one `SpjError` (code `environment`).
The app is built when `app` is first read, not on import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from spj.api.app import create_app
from spj.api.metrics import MIN_TOKEN_LENGTH
from spj.api.urls import normalise_root_path
from spj.errors import Code, Location, Problem, SpjError

REQUIRED = ("SPJ_DATABASE_URL", "SPJ_SECRET_KEY")
MIN_SECRET_KEY = 32
LOG_FORMATS = ("json", "text")
_TRUE = ("1", "true", "yes", "on")


def _problem(name: str, message: str) -> Problem:
    return Problem(Code.ENVIRONMENT, message, Location(path=(name,)))


def _path(value: str | None) -> Path | None:
    return Path(value.strip()) if value and value.strip() else None


def _paths(value: str | None) -> tuple[Path, ...]:
    return tuple(Path(part) for part in (value or "").split(os.pathsep) if part.strip())


@dataclass(frozen=True)
class ServerSettings:
    """What the server is configured with: from `spj serve`'s options or from the environment."""

    database_url: str
    secret_key: str
    instruments: tuple[Path, ...] = ()
    deployment: Path | None = None
    consultations: tuple[Path, ...] = ()
    https_only: bool = False
    forwarded_allow_ips: str | None = None
    root_path: str = ""
    metrics_token: str | None = None
    log_format: str = "json"
    certification_register: Path | None = None
    """The register of certified experts the capacity page counts (default: the user's state folder)."""
    training_record: Path | None = None
    """The trainees' record of vignette ratings (default: the user's state folder, as `spj train`)."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ServerSettings:
        """The settings the `SPJ_*` variables give; `SpjError` naming each missing or malformed one."""
        problems = [
            _problem(name, f"{name} is not set: the server needs it (see spj.api.asgi)")
            for name in REQUIRED
            if not environ.get(name, "").strip()
        ]
        if problems:
            raise SpjError(problems)
        deployment = environ.get("SPJ_DEPLOYMENT", "").strip()
        settings = cls(
            database_url=environ["SPJ_DATABASE_URL"].strip(),
            secret_key=environ["SPJ_SECRET_KEY"].strip(),
            instruments=_paths(environ.get("SPJ_INSTRUMENTS")),
            deployment=Path(deployment) if deployment else None,
            consultations=_paths(environ.get("SPJ_CONSULTATIONS")),
            https_only=environ.get("SPJ_HTTPS_ONLY", "").strip().lower() in _TRUE,
            forwarded_allow_ips=environ.get("SPJ_FORWARDED_ALLOW_IPS") or None,
            root_path=environ.get("SPJ_ROOT_PATH", ""),
            metrics_token=environ.get("SPJ_METRICS_TOKEN", "").strip() or None,
            log_format=environ.get("SPJ_LOG_FORMAT", "").strip().lower() or "json",
            certification_register=_path(environ.get("SPJ_CERTIFICATION_REGISTER")),
            training_record=_path(environ.get("SPJ_TRAINING_RECORD")),
        )
        settings.check()
        return settings

    def problems(self) -> list[Problem]:
        """Every setting that is malformed, each named by its variable."""
        problems = []
        if len(self.secret_key) < MIN_SECRET_KEY:
            problems.append(
                _problem(
                    "SPJ_SECRET_KEY",
                    f"SPJ_SECRET_KEY is too short: use {MIN_SECRET_KEY} characters or more "
                    '(python -c "import secrets; print(secrets.token_urlsafe(32))")',
                )
            )
        if self.metrics_token is not None and len(self.metrics_token) < MIN_TOKEN_LENGTH:
            problems.append(
                _problem(
                    "SPJ_METRICS_TOKEN", f"SPJ_METRICS_TOKEN is too short: use {MIN_TOKEN_LENGTH} characters or more"
                )
            )
        if self.log_format not in LOG_FORMATS:
            problems.append(_problem("SPJ_LOG_FORMAT", f"SPJ_LOG_FORMAT is {self.log_format!r}: use json or text"))
        if self.consultations and self.deployment is None:
            problems.append(_problem("SPJ_CONSULTATIONS", "SPJ_CONSULTATIONS needs SPJ_DEPLOYMENT"))
        try:
            normalise_root_path(self.root_path, setting="SPJ_ROOT_PATH")
        except SpjError as exc:
            problems += exc.problems
        return problems

    def check(self) -> None:
        """`SpjError` with every problem of `problems()`, if any."""
        if problems := self.problems():
            raise SpjError(problems)

    def root_path_prefix(self) -> str:
        return normalise_root_path(self.root_path, setting="SPJ_ROOT_PATH")

    def app_options(self) -> dict[str, Any]:
        """The keyword arguments of `create_app` these settings give (the store, deployment and records aside)."""
        return {
            "instruments_dirs": self.instruments,
            "secret_key": self.secret_key,
            "https_only": self.https_only,
            "forwarded_allow_ips": self.forwarded_allow_ips,
            "root_path": self.root_path_prefix(),
            "metrics_token": self.metrics_token,
            "certification_register": self.certification_register,
            "training_record": self.training_record,
        }

    def environment(self) -> dict[str, str]:
        """The variables that give these settings back (`from_environment`): what a worker process is handed."""
        values = {
            "SPJ_DATABASE_URL": self.database_url,
            "SPJ_SECRET_KEY": self.secret_key,
            "SPJ_INSTRUMENTS": os.pathsep.join(str(p) for p in self.instruments),
            "SPJ_DEPLOYMENT": str(self.deployment) if self.deployment is not None else "",
            "SPJ_CONSULTATIONS": os.pathsep.join(str(p) for p in self.consultations),
            "SPJ_HTTPS_ONLY": "1" if self.https_only else "",
            "SPJ_FORWARDED_ALLOW_IPS": self.forwarded_allow_ips or "",
            "SPJ_ROOT_PATH": self.root_path_prefix(),
            "SPJ_METRICS_TOKEN": self.metrics_token or "",
            "SPJ_LOG_FORMAT": self.log_format,
            "SPJ_CERTIFICATION_REGISTER": str(self.certification_register) if self.certification_register else "",
            "SPJ_TRAINING_RECORD": str(self.training_record) if self.training_record else "",
        }
        return values


def app_from_environment(environ: Mapping[str, str]) -> FastAPI:
    """The app as the variables in `environ` configure it; `SpjError` naming every missing or malformed one."""
    from spj.disclosure import load_deployment
    from spj.disclosure.consultation import load_consultation
    from spj.store import open_store

    settings = ServerSettings.from_environment(environ)
    deployment = load_deployment(settings.deployment) if settings.deployment else None  # refused before the store
    records = [load_consultation(path, deployment=deployment) for path in settings.consultations]
    store = open_store(settings.database_url)
    return create_app(store, deployment=deployment, consultations=records, **settings.app_options())


_built: dict[str, FastAPI] = {}


def __getattr__(name: str) -> Any:
    """`app`, built from `os.environ` on first access (module attributes of PEP 562); the `spj` logs configured
    when nothing configured logging before (gunicorn's or uvicorn's own configuration is kept)."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if "app" not in _built:
        from spj.api.log_format import configure_logging

        built = app_from_environment(os.environ)
        configure_logging(os.environ.get("SPJ_LOG_FORMAT", "").strip().lower() or "json")  # unless already set up
        _built["app"] = built
    return _built["app"]
