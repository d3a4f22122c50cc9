"""`spj validate`: check instruments and assessments; print every problem, located."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.assessment import load_assessment
from spj.errors import Code, Location, Problem, SpjError
from spj.files.yamlsource import parse_yaml, read_text
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
        """Check instruments and assessments; print every problem, located."""
        from spj.instrument.discovery import find_instrument, instrument_ref

        given = load_instrument(instrument) if instrument is not None else None
        failed = False
        for path in files:
            try:
                doc = parse_yaml(read_text(path, error=SpjError), file=str(path), error=SpjError)
                kind = doc.data.get("format") if isinstance(doc.data, dict) else None
                if kind == "spj-assessment/1":
                    if given is None:
                        ref_id, ref_version, where = instrument_ref(path)
                        target = find_instrument(ref_id, ref_version, where=where)
                    else:
                        target = given
                    load_assessment(path, target)
                elif kind == "spj/1":
                    load_instrument(path)
                else:
                    raise SpjError(
                        Problem(
                            Code.SCHEMA,
                            f"unknown format {kind!r}; expected spj/1 or spj-assessment/1",
                            Location(str(path), 1, 1),
                        )
                    )
            except SpjError as exc:
                failed = True
                for problem in exc.problems:
                    typer.echo(str(problem), err=True)
                typer.echo(f"invalid {path}: {len(exc.problems)} problem(s)", err=True)
            else:
                typer.echo(f"ok {path}")
        if failed:
            raise typer.Exit(1)
