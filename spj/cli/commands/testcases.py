"""`spj test`: run an instrument's test cases: expected parts of evaluations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.cli.common import InstrumentArg
from spj.errors import Code, Location, Problem, SpjError
from spj.instrument import load_instrument


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj test` to `app`."""

    @app.command("test")
    @handles_errors
    def test_cases(
        instrument: InstrumentArg,
        cases: Annotated[
            list[Path] | None, typer.Argument(help="Case files (default: cases/*.case.yaml next to the instrument).")
        ] = None,
    ) -> None:
        """Run an instrument's test cases: expected parts of evaluations."""
        from spj.authoring.testcases import default_cases, run_case

        inst = load_instrument(instrument)
        files = cases or default_cases(instrument)
        if not files:
            raise SpjError(
                Problem(Code.FILE_NOT_FOUND, "no test cases found (cases/*.case.yaml)", Location(str(instrument)))
            )
        failed = 0
        for path in files:
            try:
                differences = run_case(inst, path)
            except SpjError as exc:  # a broken case file fails alone; the others still run
                differences = [str(problem) for problem in exc.problems]
            if differences:
                failed += 1
                typer.echo(f"FAIL {path}")
                for line in differences:
                    typer.echo(f"    {line}")
            else:
                typer.echo(f"ok   {path}")
        typer.echo(f"{len(files) - failed} passed, {failed} failed")
        if failed:
            raise typer.Exit(1)
