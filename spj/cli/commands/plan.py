"""`spj plan`: the intervention graph: phases, schedule, critical path, providers."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import typer

from spj.cli.common import AssessmentArg, InstrumentArg, OutputOpt, emit, load_pair
from spj.files.output import refuse_overwriting_inputs


class PlanFormat(StrEnum):
    json = "json"
    dot = "dot"
    mermaid = "mermaid"


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj plan` to `app`."""

    @app.command()
    @handles_errors
    def plan(
        instrument: InstrumentArg,
        assessment: AssessmentArg,
        format: Annotated[
            PlanFormat, typer.Option("--format", "-f", help="json, dot (Graphviz) or mermaid.")
        ] = PlanFormat.json,
        lang: Annotated[str | None, typer.Option(help="Language of the labels.")] = None,
        output: OutputOpt = None,
    ) -> None:
        """The intervention graph: phases, schedule, critical path, providers."""
        from spj.report.plan_formats import plan_to_dot, plan_to_json, plan_to_mermaid

        refuse_overwriting_inputs(output, instrument, assessment)
        inst, _, evaluation = load_pair(instrument, assessment)
        if format is PlanFormat.json:
            text = plan_to_json(evaluation.plan)
        elif format is PlanFormat.dot:
            text = plan_to_dot(evaluation.plan, inst, lang=lang)
        else:
            text = plan_to_mermaid(evaluation.plan, inst, lang=lang)
        emit(text, output)
