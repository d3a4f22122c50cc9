"""`spj token add|list|revoke`: API tokens for case systems, on a named database (`--db`, `--data-dir`).

A token acts for an account (its agency and role); `--label` names the case system that holds it,
`--scope read` limits it to GET, `--expires-in 90d` gives it a lifetime. The token is printed once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from spj.cli.commands.serve import DataDirOption, DbOption, admin_database_url


def _token_json(listing: Any) -> dict[str, Any]:
    """A `TokenListing` as JSON (dates in ISO 8601)."""
    import dataclasses

    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in dataclasses.asdict(listing).items()}


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj token add|list|revoke` to `app`."""
    token_app = typer.Typer(name="token", help="API tokens for case systems.", no_args_is_help=True)

    @token_app.command("add")
    @handles_errors
    def token_add(
        username: Annotated[str, typer.Argument(help="The account the token acts for (its agency and role).")],
        label: Annotated[
            str, typer.Option("--label", help="What the token is for: the name of the case system that holds it.")
        ] = "api",
        scope: Annotated[
            str, typer.Option("--scope", help="write (read and change) or read (GET only: a case system that reads).")
        ] = "write",
        expires_in: Annotated[
            str | None,
            typer.Option("--expires-in", help="Lifetime: a number and m, h, d or w (90d); default: until revoked."),
        ] = None,
        db: DbOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Create an API token (printed once: store it in the case system)."""
        from spj.errors import Code, Location, Problem, SpjError
        from spj.service import InstrumentRegistry, Workspace
        from spj.service.tokens import check_scope, parse_expires_in
        from spj.store import open_store

        lifetime = None if expires_in is None else parse_expires_in(expires_in)  # refused before the database opens
        check_scope(scope)
        store = open_store(admin_database_url(db, data_dir))
        try:
            user = store.get_user_by_username(username.strip().lower())
            if user is None:
                raise SpjError(Problem(Code.NOT_FOUND, f"no account {username!r}", Location()))
            record, token = Workspace(store, InstrumentRegistry()).create_token(
                user, label=label, scope=scope, expires_in=lifetime
            )
            typer.echo(token)
            until = "until revoked" if record.expires_at is None else f"until {record.expires_at:%Y-%m-%d %H:%M} UTC"
            typer.echo(
                f"token {record.id} ({record.scope}, {until}) for {user.username} in {user.agency_id}; "
                f"it is not shown again (revoke it with: spj token revoke {record.id})",
                err=True,
            )
        finally:
            store.close()

    @token_app.command("list")
    @handles_errors
    def token_list(
        agency: Annotated[str | None, typer.Option("--agency", help="Only this agency's tokens.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSON, one object per token.")] = False,
        db: DbOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """List the API tokens (never the tokens themselves): id, account, label, scope, state, expiry."""
        import json

        from spj.service.tokens import TokenListing
        from spj.store import open_store
        from spj.store.hashing import utc_now

        store = open_store(admin_database_url(db, data_dir))
        try:
            now = utc_now()
            listed = [TokenListing.of(t, now) for t in store.list_tokens(agency)]
        finally:
            store.close()
        if as_json:
            typer.echo(json.dumps([_token_json(t) for t in listed], indent=2))
            return
        for t in listed:
            until = "-" if t.expires_at is None else f"{t.expires_at:%Y-%m-%d %H:%M}"
            typer.echo(f"{t.id}  {t.agency_id:<16} {t.username:<16} {t.scope:<5} {t.state:<7} {until:<16} {t.label}")
        if not listed:
            typer.echo("no tokens", err=True)

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

        store = open_store(admin_database_url(db, data_dir))
        try:
            if not Workspace(store, InstrumentRegistry()).revoke_token(token_id.strip()):
                raise SpjError(Problem(Code.NOT_FOUND, f"no token {token_id!r}", Location()))
            typer.echo(f"token {token_id.strip()} revoked")
        finally:
            store.close()

    app.add_typer(token_app)
