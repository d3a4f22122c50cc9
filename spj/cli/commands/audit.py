"""`spj audit verify`: check the store's revision chains (hashes, numbering, heads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj audit` (with `verify`) to `app`."""
    audit = typer.Typer(name="audit", help="Check the history kept in the store.", no_args_is_help=True)

    @audit.command("verify")
    @handles_errors
    def verify(
        db: Annotated[
            str | None,
            typer.Option(
                "--db", help="Database URL (default: the SQLite file in the data folder, or $SPJ_DATABASE_URL)."
            ),
        ] = None,
    ) -> None:
        """Recompute every revision's hashes and check the chains; exit 1 when anything is wrong."""
        import os

        from spj.store import open_store

        store = open_store(db or os.environ.get("SPJ_DATABASE_URL"))
        try:
            problems = store.verify()
            counts = store.stats()
        finally:
            store.close()
        if problems:
            for problem in problems:
                typer.echo(problem, err=True)
            typer.echo(f"FAILED: {len(problems)} problem(s)", err=True)
            raise typer.Exit(1)
        typer.echo(
            f"OK: {counts['assessments']} assessment(s), {counts['revisions']} revision(s), "
            f"{counts['audit_events']} audit event(s) verified"
        )

    app.add_typer(audit)
