"""`spj irr`: inter-rater reliability of several raters' assessments of the same cases."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.errors import Code, Location, Problem, SpjError
from spj.files.output import write_atomic
from spj.instrument import load_instrument


class IrrFormat(StrEnum):
    json = "json"
    html = "html"


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj irr` to `app`."""

    @app.command("irr")
    @handles_errors
    def irr(
        instrument: Annotated[Path, typer.Argument(help="The instrument file (format: spj/1).", show_default=False)],
        assessments: Annotated[
            list[Path],
            typer.Argument(help="Assessments of the same cases by different raters.", show_default=False),
        ],
        format: Annotated[IrrFormat, typer.Option("--format", "-f", help="json or html.")] = IrrFormat.json,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")
        ] = None,
        resamples: Annotated[
            int, typer.Option(min=0, help="Bootstrap resamples for the intervals (more: smaller Monte-Carlo error).")
        ] = 2000,
        seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 20_240_601,
    ) -> None:
        """Agreement between raters: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha, ICC."""
        from spj.authoring.irr import (
            collect_study,
            compute_irr,
            load_study_assessments,
            render_irr_html,
            render_irr_json,
        )

        if len(assessments) < 2:
            raise SpjError(
                Problem(Code.IRR_INPUT, "give at least two assessments (two raters of the same case)", Location())
            )
        from spj.files.output import refuse_overwriting_inputs

        refuse_overwriting_inputs(output, instrument, *assessments)
        inst = load_instrument(instrument)
        study = collect_study(inst, load_study_assessments(inst, assessments))
        report = compute_irr(study, resamples=resamples, seed=seed)
        text = render_irr_html(report) if format is IrrFormat.html else render_irr_json(report)
        if output is None:
            typer.echo(text, nl=False)
        else:
            write_atomic(output, text)
            typer.echo(f"wrote {output}", err=True)
