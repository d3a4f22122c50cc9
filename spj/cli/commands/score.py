"""`spj score`: evaluate an assessment: completeness, life areas, flags, interventions, plan."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from spj.cli.common import AssessmentArg, InstrumentArg, OutputOpt, emit, load_pair
from spj.files.output import refuse_overwriting_inputs


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj score` to `app`."""

    @app.command()
    @handles_errors
    def score(
        instrument: InstrumentArg,
        assessment: AssessmentArg,
        as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation as JSON (DESIGN 4.3).")] = False,
        output: OutputOpt = None,
    ) -> None:
        """Evaluate an assessment: completeness, life areas, flags, interventions, plan."""
        from spj.report.summary import evaluation_summary

        refuse_overwriting_inputs(output, instrument, assessment)
        inst, _, evaluation = load_pair(instrument, assessment)
        if as_json:
            emit(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False) + "\n", output)
        else:
            emit(evaluation_summary(inst, evaluation), output)
