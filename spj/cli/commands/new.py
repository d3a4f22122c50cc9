"""`spj new`: print a blank assessment that lists every indicator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

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
    ) -> None:
        """Print a blank assessment that lists every indicator."""
        from spj.assessment.scaffold import new_assessment

        refuse_overwriting_inputs(output, instrument)
        emit(new_assessment(load_instrument(instrument), lang=lang), output)
