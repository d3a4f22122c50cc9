"""`spj report`: render the narrative report."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.assessment import load_assessment
from spj.cli.common import AssessmentArg, InstrumentArg, OutputOpt, emit, load_pair
from spj.errors import Code, Location, Problem, SpjError
from spj.evaluation.evaluate import evaluate
from spj.files.output import refuse_overwriting_inputs


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj report` to `app`."""

    @app.command()
    @handles_errors
    def report(
        instrument: InstrumentArg,
        assessment: AssessmentArg,
        output: OutputOpt = None,
        format: Annotated[ReportFormat, typer.Option("--format", "-f", help="html, md or pdf.")] = ReportFormat.html,
        lang: Annotated[
            str | None, typer.Option(help="Report language (en, nl, fr); default: the instrument's first.")
        ] = None,
        previous: Annotated[
            list[Path] | None,
            typer.Option(
                "--previous",
                help="An earlier assessment of the same case (repeatable): adds the changes and the charts.",
            ),
        ] = None,
    ) -> None:
        """Render the narrative report."""
        from spj.instrument.discovery import find_instrument, instrument_ref
        from spj.report import render_report

        refuse_overwriting_inputs(output, instrument, assessment, *(previous or []))
        inst, assess, evaluation = load_pair(instrument, assessment)
        if format is ReportFormat.pdf and output is None:
            raise SpjError(Problem(Code.OUTPUT, "a PDF report needs --output FILE", Location()))
        history = []
        for path in previous or []:
            ref_id, ref_version, where = instrument_ref(path)
            own = (
                inst
                if (ref_id, ref_version) == (inst.id, inst.version)
                else find_instrument(ref_id, ref_version, where=where)
            )
            earlier = load_assessment(path, own)
            history.append((earlier, evaluate(own, earlier)))
        history.sort(key=lambda pair: pair[0].date)
        content = render_report(inst, assess, evaluation, format=format.value, lang=lang, history=history or None)
        emit(content, output)
