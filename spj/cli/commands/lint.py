"""`spj lint INSTRUMENT`: warnings about an instrument that loads (methodologists' toolkit)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj lint` to `app`."""

    @app.command("lint")
    @handles_errors
    def lint(
        instrument: Annotated[Path, typer.Argument(help="The instrument file (format: spj/1).", show_default=False)],
        strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when there is any warning.")] = False,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the warnings as a JSON list of {code, message, file, ...}.")
        ] = False,
    ) -> None:
        """Warn about what an instrument probably does not mean: unused indicators, rules never true, ..."""
        from spj.authoring.lint import lint_file

        warnings = lint_file(instrument)
        if as_json:
            typer.echo(json.dumps([w.to_dict() for w in warnings], indent=2, ensure_ascii=False))
        else:
            for warning in warnings:
                typer.echo(str(warning))
            typer.echo(f"{instrument}: {len(warnings)} warning(s)", err=True)
        if strict and warnings:
            raise typer.Exit(1)
