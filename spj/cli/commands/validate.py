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
        deployment: Annotated[
            Path | None,
            typer.Option(
                "--deployment", help="Warn or refuse, as this deployment says, when an uncertified expert finalises."
            ),
        ] = None,
        register: Annotated[
            Path | None, typer.Option("--register", help="The certification register (with --deployment).")
        ] = None,
    ) -> None:
        """Check instruments, assessments, deployments and vignettes; print every problem, located."""
        from spj.authoring.checking import check_file

        given = load_instrument(instrument) if instrument is not None else None
        finalising = _finalising(deployment, register) if deployment is not None else None
        failed = False
        for path in files:
            try:
                warnings = check_file(path, instrument=given, finalising=finalising)
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


def _finalising(deployment: Path, register: Path | None) -> Any:
    """The deployment's certification check for final assessments, or None when it sets none."""
    from spj.authoring.certification import default_register_path, finalising_problems
    from spj.disclosure import load_deployment

    settings = load_deployment(deployment).certification
    if settings is None:
        return None
    path = register if register is not None else default_register_path()
    return lambda assessment, where: finalising_problems(settings, path, assessment, where=where)
