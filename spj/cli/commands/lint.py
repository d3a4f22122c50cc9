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
        strict: Annotated[
            bool, typer.Option("--strict", help="Exit 1 when there is any warning the instrument does not accept.")
        ] = False,
        against: Annotated[
            str | None,
            typer.Option(
                "--against",
                help="Another version to compare with (a file, or git:REF such as git:HEAD): warn when the content "
                "changed but the version did not.",
            ),
        ] = None,
        as_json: Annotated[
            bool,
            typer.Option(
                "--json",
                help="Print the warnings as a JSON list of {code, message, file, ..., accepted, reason}.",
            ),
        ] = False,
    ) -> None:
        """Warn about what an instrument probably does not mean: unused indicators, rules never true, ...

        Warnings the instrument accepts (`lint.accept`, each with a reason) are listed as accepted and do not
        count for --strict. `spj lint --strict` is the gate of a review pipeline (CI).
        """
        from spj.authoring.lint import lint_file
        from spj.authoring.lint.versions import load_previous

        previous = load_previous(against, instrument) if against is not None else None
        report = lint_file(instrument, previous=previous)
        if as_json:
            typer.echo(json.dumps(report.to_list(), indent=2, ensure_ascii=False))
        else:
            for warning in report.warnings:
                typer.echo(str(warning))
            for accepted in report.accepted:
                typer.echo(str(accepted))
            summary = f"{len(report.warnings)} warning(s)"
            if report.accepted:
                summary += f", {len(report.accepted)} accepted (not counted)"
            typer.echo(f"{instrument}: {summary}", err=True)
        if strict and report.warnings:
            raise typer.Exit(1)
