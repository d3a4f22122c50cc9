"""`spj validate`: check instruments and assessments; print every problem, located."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.errors import SpjError
from spj.instrument import load_instrument


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj validate` to `app`."""

    @app.command()
    @handles_errors
    def validate(
        files: Annotated[list[Path], typer.Argument(help="Instrument and assessment files.", show_default=False)],
        instrument: Annotated[
            Path | None,
            typer.Option(
                "--instrument", "-i", help="The instrument for the assessments (default: found in ./instruments)."
            ),
        ] = None,
    ) -> None:
        """Check instruments, assessments and deployments; print every problem, located."""
        from spj.authoring.checking import check_file

        given = load_instrument(instrument) if instrument is not None else None
        failed = False
        for path in files:
            try:
                warnings = check_file(path, instrument=given)
            except SpjError as exc:
                failed = True
                for problem in exc.problems:
                    typer.echo(str(problem), err=True)
                typer.echo(f"invalid {path}: {len(exc.problems)} problem(s)", err=True)
            else:
                for warning in warnings:
                    typer.echo(f"{warning.location}: warning {warning.code.value} {warning.message}", err=True)
                typer.echo(f"ok {path}" + (f" ({len(warnings)} warning(s))" if warnings else ""))
        if failed:
            raise typer.Exit(1)
