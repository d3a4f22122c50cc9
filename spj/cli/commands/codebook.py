"""`spj codebook INSTRUMENT -o FILE`: the rater's manual of an instrument (methodologists' toolkit)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer


class CodebookFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj codebook` to `app`."""

    @app.command("codebook")
    @handles_errors
    def codebook(
        instrument: Annotated[Path, typer.Argument(help="The instrument file (format: spj/1).", show_default=False)],
        output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.", show_default=False)],
        format: Annotated[
            CodebookFormat, typer.Option("--format", "-f", help="html, md or pdf.")
        ] = CodebookFormat.html,
        lang: Annotated[
            str | None, typer.Option(help="Language (en, nl, fr); default: the instrument's first.")
        ] = None,
    ) -> None:
        """Write the codebook: scales, life areas, indicators, rules and interventions in plain language."""
        from spj.files.output import refuse_overwriting_inputs, write_atomic
        from spj.instrument import load_instrument
        from spj.report.codebook import render_codebook

        refuse_overwriting_inputs(output, instrument)
        content = render_codebook(load_instrument(instrument), format=format.value, lang=lang)
        write_atomic(output, content)
        typer.echo(f"wrote {output}", err=True)
