"""`spj serve`: the web workspace and the JSON API; `spj user add`: accounts (tokens: `tokens.py`).

Thin: load the deployment when given (a bad one is refused before anything
starts), open the store, build the app (`spj.api.create_app`), run uvicorn.
On the first start (no administrator yet) a demo agency with an administrator
and an assessor is created, their random passwords printed once; never with
`--no-demo`. The
deployment's agencies are registered in the store, so that their users can
be added (`spj user add --role partner --agency AGENCY`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, cast

import typer

WORKER_START_SECONDS = 60
DEMO_AGENCY = ("demo-agency", "Demo agency (synthetic cases only)")
DEMO_ACCOUNTS = (("admin", "administrator", "Administrator"), ("assessor", "assessor", "Demo assessor"))

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: SQLite in the data folder, or $SPJ_DATABASE_URL)."),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder of the SQLite file (default: $SPJ_DATA_DIR or ~/.local/share/spj)."),
]


def _database_url(db: str | None, data_dir: Path | None) -> str:
    if db or os.environ.get("SPJ_DATABASE_URL"):
        return db or os.environ["SPJ_DATABASE_URL"]
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+pysqlite:///{data_dir.resolve() / 'spj.sqlite3'}"
    from spj.store import default_database_url

    return default_database_url()


def admin_database_url(db: str | None, data_dir: Path | None) -> str:
    """The database an account or token command works on: named, never guessed.

    `spj serve` may start on the default SQLite file under the home folder; a command that adds an account
    or a token must not write there unnoticed while the server uses another database.
    """
    if db or os.environ.get("SPJ_DATABASE_URL") or data_dir is not None or os.environ.get("SPJ_DATA_DIR"):
        return _database_url(db, data_dir)  # SPJ_DATA_DIR is the default data folder's setting
    from spj.errors import Code, Location, Problem, SpjError

    raise SpjError(
        Problem(
            Code.ENVIRONMENT,
            "which database? give --db URL (or set SPJ_DATABASE_URL), or --data-dir FOLDER (or set SPJ_DATA_DIR) "
            "for the SQLite file there; the server's own setting, so that the account or token is where it looks",
            Location(path=("SPJ_DATABASE_URL",)),
        )
    )


def _secret_key(url: str) -> str:
    """$SPJ_SECRET_KEY, else a key kept next to the SQLite file (sessions survive a restart), else a random one."""
    if key := os.environ.get("SPJ_SECRET_KEY"):
        return key
    if url.startswith("sqlite") and "///" in url:
        path = Path(url.split("///", 1)[1]).with_name("secret_key")
        try:
            if path.exists():
                return path.read_text(encoding="ascii").strip()
            key = secrets.token_urlsafe(32)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key)
            return key
        except OSError:
            pass
    return secrets.token_urlsafe(32)


def _first_start(workspace: Any) -> list[tuple[str, str, str]]:
    """Create the demo agency and accounts when there is no administrator yet; (username, role, password)."""
    if workspace.store.count_users(role="administrator") > 0:
        return []
    from spj.errors import StoreError

    with contextlib.suppress(StoreError):  # already there: an earlier start stopped half-way
        workspace.store.create_agency(*DEMO_AGENCY)
    created = []
    for username, role, name in DEMO_ACCOUNTS:
        if workspace.store.get_user_by_username(username) is not None:
            continue
        password = secrets.token_urlsafe(12)
        workspace.create_user(
            username=username, password=password, role=role, agency_id=DEMO_AGENCY[0], display_name=name
        )
        created.append((username, role, password))
    return created


def _consultations(paths: list[Path], deployment: Any) -> list[Any]:
    """The consultation records, each checked against the deployment; refused without one."""
    from spj.disclosure.consultation import load_consultation
    from spj.errors import Code, DisclosureError, Problem

    if paths and deployment is None:
        raise DisclosureError(
            Problem(Code.UNKNOWN_AGENCY, "--consultation needs --deployment: its participants are the deployment's")
        )
    return [load_consultation(path, deployment=deployment) for path in paths]


def _register_agencies(workspace: Any, deployment: Any) -> int:
    """Create the deployment's agencies the store does not have yet; how many were created."""
    from spj.errors import StoreError

    created = 0
    for agency in deployment.agencies:
        title = agency.title
        name = title if isinstance(title, str) else (title or {}).get("en") or next(iter((title or {}).values()), "")
        with contextlib.suppress(StoreError):  # already registered
            workspace.store.create_agency(agency.id, name or agency.id)
            created += 1
    return created


def _where(url: str) -> str:
    if url.startswith("sqlite") and "///" in url:
        return f"SQLite file {url.split('///', 1)[1]}"
    from sqlalchemy.engine import make_url

    return f"database {make_url(url).render_as_string(hide_password=True)}"


def _announce(workspace: Any, settings: Any, partners: Any, options: dict[str, Any], *, demo: bool) -> None:
    """What `spj serve` says on start-up: where the data is, the deployment, the instruments, first accounts."""
    url, deployment = settings.database_url, settings.deployment
    base = f"http://{options['host']}:{options['port']}{settings.root_path_prefix()}"
    typer.echo(f"spj: data in {_where(url)}")
    if partners is not None:
        added = _register_agencies(workspace, partners)
        typer.echo(
            f"spj: deployment {deployment}: {len(partners.agencies)} agencies, {len(partners.profiles)} profiles"
            + (f" ({added} new in the store)" if added else "")
        )
    typer.echo(f"spj: {len(workspace.instruments)} instrument(s) loaded")
    for problem in workspace.instruments.problems:
        typer.echo(f"spj: instrument not loaded: {problem}", err=True)
    created = _first_start(workspace) if demo else []
    if not demo and workspace.store.count_users(role="administrator") == 0:
        typer.echo("spj: no administrator yet: add one with  spj user add NAME --role administrator --agency ID")
    if created:
        typer.echo("spj: first start: created the agency 'demo-agency' with these accounts (shown only now):")
        for username, role, password in created:
            typer.echo(f"    {username:<10} {role:<14} password: {password}")
    typer.echo(f"spj: open {base}/  (API: {base}/api/v1, docs /api/docs)")


def _run_one(settings: Any, partners: Any, records: list[Any], **options: Any) -> None:
    """One process: the app built here, served by uvicorn."""
    import uvicorn

    from spj.api import create_app
    from spj.store import open_store

    store = open_store(settings.database_url)
    try:
        app_ = create_app(store, deployment=partners, consultations=records, **settings.app_options())
        _announce(app_.state.workspace, settings, partners, options, demo=options["demo"])
        uvicorn.run(app_, proxy_headers=False, **_uvicorn_options(settings, options))
    finally:
        store.close()


def _run_workers(settings: Any, partners: Any, records: list[Any], **options: Any) -> None:
    """Several processes: the database migrated and announced here, then each worker builds `spj.api.asgi:app`
    from the environment this process hands down (one secret key for all; metrics summed across workers)."""
    import tempfile

    import uvicorn

    from spj.api import create_app
    from spj.api.metrics import MULTIPROC_DIR
    from spj.store import open_store

    store = open_store(settings.database_url)
    try:
        workspace = create_app(
            store, deployment=partners, consultations=records, **settings.app_options()
        ).state.workspace
        _announce(workspace, settings, partners, options, demo=options["demo"])
    finally:
        store.close()
    os.environ.update(settings.environment())
    if settings.metrics_token and not os.environ.get(MULTIPROC_DIR):
        os.environ[MULTIPROC_DIR] = tempfile.mkdtemp(prefix="spj-metrics-")
    uvicorn.run(
        "spj.api.asgi:app",
        workers=options["workers"],
        proxy_headers=False,
        # a worker builds the app (every instrument loaded and compiled) before it answers uvicorn's health
        # check: measured above uvicorn's 5 s default on a busy two-core machine, where it was killed and restarted
        timeout_worker_healthcheck=WORKER_START_SECONDS,
        **_uvicorn_options(settings, options),
    )


def _uvicorn_options(settings: Any, options: dict[str, Any]) -> dict[str, Any]:
    from spj.api.log_format import logging_config

    return {
        "host": options["host"],
        "port": options["port"],
        "log_level": options["log_level"],
        "access_log": options["access_log"],
        "log_config": logging_config(settings.log_format),  # applied by uvicorn, in each worker too
    }


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj serve` and `spj user add` to `app` (`spj token ...`: `spj.cli.commands.tokens`)."""

    @app.command("serve")
    @handles_errors
    def serve(
        db: DbOption = None,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        data_dir: DataDirOption = None,
        instruments: Annotated[
            list[Path] | None, typer.Option("--instruments", help="Extra folder of instruments (repeatable).")
        ] = None,
        workers_log: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
        access_log: Annotated[
            bool,
            typer.Option(
                "--access-log/--no-access-log",
                help="Log every request line. Off by default: paths name cases and assessments.",
            ),
        ] = False,
        https_only: Annotated[
            bool,
            typer.Option(
                "--https-only/--no-https-only",
                envvar="SPJ_HTTPS_ONLY",
                help="Mark the session cookie Secure (sent over HTTPS only): use behind TLS. Env: SPJ_HTTPS_ONLY=1.",
            ),
        ] = False,
        deployment: Annotated[
            Path | None,
            typer.Option(
                "--deployment",
                help="The partner agencies and what each may see of a case referred to it (spj-deployment/1).",
            ),
        ] = None,
        consultation: Annotated[
            list[Path] | None,
            typer.Option(
                "--consultation",
                help="A case consultation record (spj-consultation/1) of the deployment; repeat for more.",
            ),
        ] = None,
        demo: Annotated[
            bool,
            typer.Option(
                "--demo/--no-demo",
                envvar="SPJ_DEMO",
                help="On a first start (no administrator yet), create a demo agency and accounts. Env: SPJ_DEMO=0.",
            ),
        ] = True,
        forwarded_allow_ips: Annotated[
            str | None,
            typer.Option(
                "--forwarded-allow-ips",
                envvar="SPJ_FORWARDED_ALLOW_IPS",
                help="Addresses or networks (comma-separated) of the reverse proxies in front of spj: only from them "
                "is X-Forwarded-For believed, so sign-in limits count per real client. Env: SPJ_FORWARDED_ALLOW_IPS.",
            ),
        ] = None,
        training_record: Annotated[
            Path | None,
            typer.Option(
                "--training-record",
                envvar="SPJ_TRAINING_RECORD",
                help="The trainees' record of vignette ratings (default: training.jsonl in the user's state folder, "
                "as spj train). Env: SPJ_TRAINING_RECORD.",
            ),
        ] = None,
        register_path: Annotated[
            Path | None,
            typer.Option(
                "--register",
                help="The certification register the capacity page counts (default: certifications.jsonl in the"
                " user's state folder, as spj certify).",
            ),
        ] = None,
        proxy_headers: Annotated[
            bool,
            typer.Option(
                "--proxy-headers/--no-proxy-headers",
                help="Believe X-Forwarded-For and X-Forwarded-Proto from the proxies of --forwarded-allow-ips "
                "(127.0.0.1 when that is not given).",
            ),
        ] = False,
        root_path: Annotated[
            str,
            typer.Option(
                "--root-path",
                envvar="SPJ_ROOT_PATH",
                help="The path prefix a reverse proxy publishes spj under (/spj): links and redirects keep it, "
                "whether the proxy strips it or not. Env: SPJ_ROOT_PATH.",
            ),
        ] = "",
        workers: Annotated[
            int,
            typer.Option(
                "--workers",
                min=1,
                max=64,
                help="Worker processes (each answers requests; use a database server such as PostgreSQL for more "
                "than one). The secret key is shared by all.",
            ),
        ] = 1,
        metrics_token: Annotated[
            str | None,
            typer.Option(
                "--metrics-token",
                envvar="SPJ_METRICS_TOKEN",
                help="Serve Prometheus metrics at /metrics to a scraper that sends this bearer token (16 characters "
                "or more); no /metrics without it. Env: SPJ_METRICS_TOKEN.",
            ),
        ] = None,
        log_format: Annotated[
            str,
            typer.Option(
                "--log-format",
                envvar="SPJ_LOG_FORMAT",
                help="json (one object a line) or text: one line a request, with its X-Request-ID and route "
                "template, never a case. Env: SPJ_LOG_FORMAT.",
            ),
        ] = "json",
    ) -> None:
        """Run the web workspace and the JSON API (OpenAPI at /openapi.json)."""
        from spj.api.asgi import ServerSettings
        from spj.disclosure import load_deployment

        partners = load_deployment(deployment) if deployment is not None else None  # refused before anything starts
        records = _consultations(consultation or [], partners)
        url = _database_url(db, data_dir)
        settings = ServerSettings(
            database_url=url,
            secret_key=_secret_key(url),
            instruments=tuple(instruments or ()),
            deployment=deployment,
            consultations=tuple(consultation or ()),
            https_only=https_only,
            forwarded_allow_ips=forwarded_allow_ips or ("127.0.0.1" if proxy_headers else None),
            root_path=root_path,
            metrics_token=metrics_token,
            log_format=log_format,
            certification_register=register_path,
            training_record=training_record,
        )
        settings.check()  # every bad setting named before anything starts
        run = _run_workers if workers > 1 else _run_one
        run(
            settings,
            partners,
            records,
            host=host,
            port=port,
            log_level=workers_log,
            access_log=access_log,
            demo=demo,
            workers=workers,
        )

    user_app = typer.Typer(name="user", help="Accounts of the workspace.", no_args_is_help=True)

    @user_app.command("add")
    @handles_errors
    def user_add(
        username: Annotated[str, typer.Argument(help="Login name (lower-case).")],
        agency: Annotated[str, typer.Option("--agency", help="The agency's id.")],
        role: Annotated[
            str,
            typer.Option("--role", help="assessor, reviewer, administrator, or partner (a user of a partner agency)."),
        ] = "assessor",
        name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
        new_agency: Annotated[
            str | None, typer.Option("--new-agency", help="Create the agency first, with this display name.")
        ] = None,
        db: DbOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Add an account; the password is asked for (twice), never passed on the command line."""
        from spj.service import InstrumentRegistry, Workspace
        from spj.store import open_store

        store = open_store(admin_database_url(db, data_dir))
        try:
            workspace = Workspace(store, InstrumentRegistry())
            if new_agency:
                store.create_agency(agency, new_agency)
            password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
            user = workspace.create_user(
                username=username,
                password=password,
                role=cast(Any, role),  # checked by the service
                agency_id=agency,
                display_name=name,
            )
            typer.echo(f"added {user.username} ({user.role}) to {user.agency_id}")
        finally:
            store.close()

    app.add_typer(user_app)
