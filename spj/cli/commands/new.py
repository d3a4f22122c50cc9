"""`spj new`: print a blank assessment that lists every indicator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.assessment import load_assessment
from spj.cli.common import InstrumentArg, OutputOpt, emit
from spj.files.output import refuse_overwriting_inputs
from spj.instrument import load_instrument


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj new` to `app`."""

    @app.command()
    @handles_errors
    def new(
        instrument: InstrumentArg,
        output: OutputOpt = None,
        lang: Annotated[str | None, typer.Option(help="Language of the comments.")] = None,
        previous: Annotated[
            Path | None,
            typer.Option(
                "--from",
                help="Start a reassessment from this earlier assessment: ratings, sources and the plan carry over.",
            ),
        ] = None,
        new_id: Annotated[str | None, typer.Option("--id", help="The new assessment's id.")] = None,
    ) -> None:
        """Print a blank assessment that lists every indicator, or a reassessment (--from)."""
        from spj.assessment.scaffold import new_assessment, reassessment

        refuse_overwriting_inputs(output, instrument, *([previous] if previous else []))
        inst = load_instrument(instrument)
        if previous is None:
            emit(new_assessment(inst, lang=lang), output)
        else:
            emit(reassessment(inst, load_assessment(previous, inst), new_id=new_id), output)
