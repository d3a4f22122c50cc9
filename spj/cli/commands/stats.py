"""`spj stats interventions`: the programme's figures per intervention across cases, pseudonymised."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.cli.common import InstrumentArg, OutputOpt, emit
from spj.files.output import refuse_overwriting_inputs


class StatsFormat(StrEnum):
    csv = "csv"
    json = "json"
    svg = "svg"


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj stats` to `app`."""
    group = typer.Typer(name="stats", help="Figures across cases, for programme evaluation.", no_args_is_help=True)

    @group.command("interventions")
    @handles_errors
    def interventions(
        instrument: InstrumentArg,
        assessments: Annotated[list[Path], typer.Argument(help="Assessment files (the latest per case counts).")],
        format: Annotated[StatsFormat, typer.Option("--format", "-f", help="csv, json or svg.")] = StatsFormat.csv,
        output: OutputOpt = None,
        lang: Annotated[
            str | None, typer.Option("--lang", help="Language of the SVG chart's words (default: the instrument's).")
        ] = None,
    ) -> None:
        """Per intervention: proposed, agreed, referred, started, completed, stopped; cells under 5 suppressed."""
        from spj.assessment import load_assessment
        from spj.evaluation.evaluate import evaluate
        from spj.evaluation.programme import intervention_figures
        from spj.instrument import load_instrument
        from spj.report.programme import figures_csv, figures_json, figures_svg

        refuse_overwriting_inputs(output, instrument, *assessments)
        inst = load_instrument(instrument)
        pairs = []
        for path in assessments:
            assessment = load_assessment(path, inst)
            pairs.append((assessment, evaluate(inst, assessment)))
        figures = intervention_figures(pairs)
        if format == StatsFormat.svg:
            emit(figures_svg(figures, lang=_chart_language(lang, inst)), output)
            return
        render = {StatsFormat.csv: figures_csv, StatsFormat.json: figures_json}[format]
        emit(render(figures), output)

    app.add_typer(group)


def _chart_language(lang: str | None, instrument: Any) -> str:
    """`--lang` when the report or the instrument has it (else `language`, exit 1); the instrument's by default."""
    from spj.errors import Code, Problem, RenderError
    from spj.report.i18n import report_languages

    known = sorted(set(report_languages()) | set(instrument.languages))
    if lang is not None and lang not in known:
        raise RenderError(Problem(Code.LANGUAGE, f"no chart language {lang!r}; choose one of {', '.join(known)}"))
    return lang or str(instrument.default_language)
