"""`spj serve`: the web workspace and the JSON API; `spj user add`, `spj token add|revoke`: accounts and tokens.

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


def _announce(workspace: Any, url: str, deployment: Path | None, partners: Any, base: str, *, demo: bool) -> None:
    """What `spj serve` says on start-up: where the data is, the deployment, the instruments, first accounts."""
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


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj serve`, `spj user add` and `spj token add|revoke` to `app`."""

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
        register_path: Annotated[
            Path | None,
            typer.Option(
                "--register",
                help="The certification register the capacity page counts (default: certifications.jsonl in the"
                " user's state folder, as spj certify).",
            ),
        ] = None,
    ) -> None:
        """Run the web workspace and the JSON API (OpenAPI at /openapi.json)."""
        import uvicorn

        from spj.api import create_app
        from spj.disclosure import load_deployment
        from spj.store import open_store

        partners = load_deployment(deployment) if deployment is not None else None  # refused before anything starts
        records = _consultations(consultation or [], partners)
        url = _database_url(db, data_dir)
        store = open_store(url)
        app_ = create_app(
            store,
            instruments_dirs=instruments or (),
            secret_key=_secret_key(url),
            https_only=https_only,
            deployment=partners,
            consultations=records,
            forwarded_allow_ips=forwarded_allow_ips,
            certification_register=register_path,
        )
        _announce(app_.state.workspace, url, deployment, partners, f"http://{host}:{port}", demo=demo)
        try:
            uvicorn.run(app_, host=host, port=port, log_level=workers_log, proxy_headers=False, access_log=access_log)
        finally:
            close = getattr(store, "close", None)
            if close is not None:
                close()

    user_app = typer.Typer(name="user", help="Accounts of the workspace.", no_args_is_help=True)
    token_app = typer.Typer(name="token", help="API tokens for case systems.", no_args_is_help=True)

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

        store = open_store(_database_url(db, data_dir))
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

    @token_app.command("add")
    @handles_errors
    def token_add(
        username: Annotated[str, typer.Argument(help="The account the token acts for (its agency and role).")],
        label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "api",
        db: DbOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Create an API token (printed once: store it in the case system)."""
        from spj.errors import Code, Location, Problem, SpjError
        from spj.service import InstrumentRegistry, Workspace
        from spj.store import open_store

        store = open_store(_database_url(db, data_dir))
        try:
            user = store.get_user_by_username(username.strip().lower())
            if user is None:
                raise SpjError(Problem(Code.NOT_FOUND, f"no account {username!r}", Location()))
            record, token = Workspace(store, InstrumentRegistry()).create_token(user, label=label)
            typer.echo(token)
            typer.echo(
                f"token {record.id} for {user.username} in {user.agency_id}; it is not shown again "
                f"(revoke it with: spj token revoke {record.id})",
                err=True,
            )
        finally:
            store.close()

    @token_app.command("revoke")
    @handles_errors
    def token_revoke(
        token_id: Annotated[str, typer.Argument(help="The token's id (printed by `spj token add`).")],
        db: DbOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Revoke an API token: the next request with it is refused (401), also on a running server."""
        from spj.errors import Code, Location, Problem, SpjError
        from spj.service import InstrumentRegistry, Workspace
        from spj.store import open_store

        store = open_store(_database_url(db, data_dir))
        try:
            if not Workspace(store, InstrumentRegistry()).revoke_token(token_id.strip()):
                raise SpjError(Problem(Code.NOT_FOUND, f"no token {token_id!r}", Location()))
            typer.echo(f"token {token_id.strip()} revoked")
        finally:
            store.close()

    app.add_typer(user_app)
    app.add_typer(token_app)
