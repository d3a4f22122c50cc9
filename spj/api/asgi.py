"""`spj.api.asgi:app`: the app for a process manager (`uvicorn spj.api.asgi:app`, gunicorn with Uvicorn workers).

Configured from the environment, as `spj serve` is from its options:

- `SPJ_DATABASE_URL` (required): the database; migrated to the newest schema on start.
- `SPJ_SECRET_KEY` (required, 32 characters or more): signs the sessions; the same in every worker.
- `SPJ_INSTRUMENTS`: extra folders of instruments, separated by `os.pathsep`.
- `SPJ_DEPLOYMENT`: the deployment file (spj-deployment/1); `SPJ_CONSULTATIONS` its consultation records.
- `SPJ_HTTPS_ONLY` (`1`/`true`): the session cookie is `Secure`.
- `SPJ_FORWARDED_ALLOW_IPS`: the reverse proxies whose `X-Forwarded-For` is believed.

Unlike `spj serve`, no demo accounts are ever created: add accounts with `spj user add`.
Every missing or malformed variable is named in one `SpjError` (code `environment`).
The app is built when `app` is first read, not on import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from spj.api.app import create_app
from spj.errors import Code, Location, Problem, SpjError

REQUIRED = ("SPJ_DATABASE_URL", "SPJ_SECRET_KEY")
MIN_SECRET_KEY = 32
_TRUE = ("1", "true", "yes", "on")


def _problems(environ: Mapping[str, str]) -> list[Problem]:
    problems = [
        Problem(Code.ENVIRONMENT, f"{name} is not set: the server needs it (see spj.api.asgi)", Location(path=(name,)))
        for name in REQUIRED
        if not environ.get(name, "").strip()
    ]
    key = environ.get("SPJ_SECRET_KEY", "").strip()
    if key and len(key) < MIN_SECRET_KEY:
        problems.append(
            Problem(
                Code.ENVIRONMENT,
                f"SPJ_SECRET_KEY is too short: use {MIN_SECRET_KEY} characters or more "
                '(python -c "import secrets; print(secrets.token_urlsafe(32))")',
                Location(path=("SPJ_SECRET_KEY",)),
            )
        )
    return problems


def _paths(value: str | None) -> list[Path]:
    return [Path(part) for part in (value or "").split(os.pathsep) if part.strip()]


def app_from_environment(environ: Mapping[str, str]) -> FastAPI:
    """The app as the variables in `environ` configure it; `SpjError` naming every missing or malformed one."""
    from spj.disclosure import load_deployment
    from spj.disclosure.consultation import load_consultation
    from spj.store import open_store

    problems = _problems(environ)
    if problems:
        raise SpjError(problems)
    deployment_file = environ.get("SPJ_DEPLOYMENT", "").strip()
    deployment = load_deployment(Path(deployment_file)) if deployment_file else None  # refused before the store
    consultations = _paths(environ.get("SPJ_CONSULTATIONS"))
    if consultations and deployment is None:
        raise SpjError(
            Problem(Code.ENVIRONMENT, "SPJ_CONSULTATIONS needs SPJ_DEPLOYMENT", Location(path=("SPJ_CONSULTATIONS",)))
        )
    records = [load_consultation(path, deployment=deployment) for path in consultations]
    store = open_store(environ["SPJ_DATABASE_URL"].strip())
    return create_app(
        store,
        instruments_dirs=_paths(environ.get("SPJ_INSTRUMENTS")),
        secret_key=environ["SPJ_SECRET_KEY"].strip(),
        https_only=environ.get("SPJ_HTTPS_ONLY", "").strip().lower() in _TRUE,
        deployment=deployment,
        consultations=records,
        forwarded_allow_ips=environ.get("SPJ_FORWARDED_ALLOW_IPS") or None,
    )


_built: dict[str, FastAPI] = {}


def __getattr__(name: str) -> Any:
    """`app`, built from `os.environ` on first access (module attributes of PEP 562)."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if "app" not in _built:
        _built["app"] = app_from_environment(os.environ)
    return _built["app"]
