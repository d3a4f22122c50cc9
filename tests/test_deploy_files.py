"""The Containerfile and the compose example (issue 12, point 8), checked by parsing them: no container runtime
is available here. A non-root user, the ASGI app, a health check on /healthz, configuration from the
environment that `spj.api.asgi` reads, PostgreSQL beside it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from spj.api.asgi import REQUIRED, ServerSettings

ROOT = Path(__file__).resolve().parents[1]
CONTAINERFILE = ROOT / "deploy" / "Containerfile"
COMPOSE = ROOT / "deploy" / "compose.yaml"
KNOWN_VARIABLES = set(ServerSettings(database_url="x", secret_key="x").environment())
OTHER_VARIABLES = {"PYTHONUNBUFFERED", "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR"}  # Python's, uvicorn's, metrics'


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Containerfile: comments dropped, continued lines joined."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


@pytest.fixture(scope="module")
def containerfile() -> list[tuple[str, str]]:
    return instructions(CONTAINERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def _final_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def _env(args: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(args))


def test_every_instruction_is_known(containerfile: list[tuple[str, str]]) -> None:
    known = {"FROM", "WORKDIR", "COPY", "RUN", "ENV", "USER", "EXPOSE", "HEALTHCHECK", "CMD", "ARG", "LABEL"}
    assert {k for k, _ in containerfile} <= known


def test_the_image_runs_as_a_non_root_user(containerfile: list[tuple[str, str]]) -> None:
    final = _final_stage(containerfile)
    users = [(i, args) for i, (k, args) in enumerate(final) if k == "USER"]
    assert users, "no USER in the final stage"
    index, user = users[-1]
    assert user.split(":")[0] not in ("root", "0")
    assert [k for k, _ in final[index + 1 :] if k == "RUN"] == []  # every RUN before it; nothing after as root


def test_the_image_serves_the_asgi_app(containerfile: list[tuple[str, str]]) -> None:
    (command,) = [args for k, args in _final_stage(containerfile) if k == "CMD"]
    assert "spj.api.asgi:app" in command and "--no-access-log" in command
    assert ("EXPOSE", "8000") in containerfile


def test_the_health_check_asks_healthz(containerfile: list[tuple[str, str]], compose: dict[str, Any]) -> None:
    (check,) = [args for k, args in containerfile if k == "HEALTHCHECK"]
    assert "http://127.0.0.1:8000/healthz" in check and "CMD" in check
    assert "/healthz" in " ".join(compose["services"]["spj"]["healthcheck"]["test"])


def test_the_build_installs_the_pinned_versions(containerfile: list[tuple[str, str]]) -> None:
    runs = " ".join(args for k, args in containerfile if k == "RUN")
    assert "--constraint constraints.txt" in runs and "postgres" in runs


def test_every_copied_source_is_in_the_repository(containerfile: list[tuple[str, str]]) -> None:
    for keyword, args in containerfile:
        if keyword == "COPY" and not args.startswith("--from"):
            *sources, _ = shlex.split(args)
            for source in sources:
                assert (ROOT / source).exists(), source


def test_the_environment_is_what_the_app_reads(containerfile: list[tuple[str, str]], compose: dict[str, Any]) -> None:
    image = {name for k, args in containerfile if k == "ENV" for name in _env(args)}
    service = set(compose["services"]["spj"]["environment"])
    assert image | service <= KNOWN_VARIABLES | OTHER_VARIABLES, (image | service) - KNOWN_VARIABLES - OTHER_VARIABLES
    assert set(REQUIRED) <= service


def test_compose_runs_spj_on_postgresql(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["db"]["image"].split(":")[0].endswith("postgres")
    spj = services["spj"]
    assert spj["depends_on"]["db"]["condition"] == "service_healthy"
    url = spj["environment"]["SPJ_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url
    assert (ROOT / "deploy" / spj["build"]["context"] / spj["build"]["dockerfile"]).resolve() == CONTAINERFILE
    assert "user" not in spj or str(spj["user"]).split(":")[0] not in ("root", "0")


def test_compose_secrets_come_from_the_environment(compose: dict[str, Any]) -> None:
    environment = compose["services"]["spj"]["environment"]
    assert re.fullmatch(r"\$\{SPJ_SECRET_KEY:\?[^}]+\}", environment["SPJ_SECRET_KEY"])
    assert "${SPJ_DB_PASSWORD:?" in environment["SPJ_DATABASE_URL"]
    assert compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${SPJ_DB_PASSWORD:?")
    text = COMPOSE.read_text(encoding="utf-8")
    assert not re.search(r"(?i)password:\s*[A-Za-z0-9]{6,}\s*$", text, re.M)  # no password written down


def test_the_parser_reads_continued_lines() -> None:
    parsed = instructions("FROM a\n# note\nRUN one \\\n    two\nUSER 1:1\n")
    assert parsed == [("FROM", "a"), ("RUN", "one      two"), ("USER", "1:1")]
