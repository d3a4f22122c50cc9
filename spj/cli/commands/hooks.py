"""`spj hooks deliver|dead|retry`: the web hooks of a deployment, delivered apart from the server, and their dead
letters.

`deliver` runs the delivery worker (`spj.service.hooks`) over the store: once (`--once`), or until
interrupted. Run it with `SPJ_HOOKS_WORKER=external` on the server, so that only this process delivers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

DB_HELP = "Database URL (default: the SQLite file in the data folder, or $SPJ_DATABASE_URL)."


def _open(db: str | None) -> Any:
    import os

    from spj.store import open_store

    return open_store(db or os.environ.get("SPJ_DATABASE_URL"))


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj hooks` to `app`."""
    hooks = typer.Typer(name="hooks", help="Deliver web hooks; list and retry dead letters.", no_args_is_help=True)

    @hooks.command("deliver")
    @handles_errors
    def deliver(
        deployment: Annotated[
            Path, typer.Option("--deployment", help="The deployment file that declares the hooks.", show_default=False)
        ],
        db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
        once: Annotated[bool, typer.Option("--once", help="One run, then exit.")] = False,
        interval: Annotated[float, typer.Option("--interval", min=0.5, help="Seconds between runs.")] = 5.0,
    ) -> None:
        """Post the agencies' new events to their hooks, signed; retry failures with backoff."""
        import threading

        from spj.disclosure import load_deployment
        from spj.service.hooks.worker import HookWorker, secrets_from_environment

        subscriptions = load_deployment(deployment).hooks
        if not subscriptions:
            typer.echo(f"{deployment}: declares no hooks; nothing to deliver", err=True)
            raise typer.Exit(1)
        store = _open(db)
        worker = HookWorker(store, subscriptions, secrets=secrets_from_environment(subscriptions))
        try:
            if once:
                done = worker.run_once()
                typer.echo(f"queued {done.queued}, delivered {done.delivered}, failed {done.failed} (dead {done.dead})")
                return
            stop = threading.Event()
            try:
                worker.run_forever(stop, interval=interval)
            except KeyboardInterrupt:
                stop.set()
        finally:
            worker.close()
            store.close()

    @hooks.command("dead")
    @handles_errors
    def dead(
        agency: Annotated[str, typer.Option("--agency", help="The agency whose dead letters to list.")],
        db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON.")] = False,
    ) -> None:
        """The agency's dead letters: deliveries whose every attempt failed."""
        store = _open(db)
        try:
            found = store.hooks.list(agency, state="dead")
        finally:
            store.close()
        if as_json:
            typer.echo(json.dumps([d.to_dict() for d in found], indent=2))
            return
        for d in found:
            typer.echo(
                f"{d.id}  hook {d.subscription_id}  event {d.event.id} {d.event.kind}  "
                f"{d.attempts} attempt(s)  {d.last_error or ''}"
            )
        typer.echo(f"{len(found)} dead letter(s)", err=True)

    @hooks.command("retry")
    @handles_errors
    def retry(
        delivery_id: Annotated[int, typer.Argument(help="The dead delivery's id (spj hooks dead).", min=1)],
        agency: Annotated[str, typer.Option("--agency", help="The agency it belongs to.")],
        db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    ) -> None:
        """Put a dead delivery back in the queue."""
        from spj.store.hashing import utc_now

        store = _open(db)
        try:
            store.hooks.retry(agency, delivery_id, now=utc_now())
        finally:
            store.close()
        typer.echo(f"delivery {delivery_id} queued again")

    app.add_typer(hooks)
