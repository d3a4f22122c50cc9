"""What the `spj` commands share: error handling, output, loading, argument types."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from spj.assessment import Assessment, load_assessment
from spj.errors import SpjError
from spj.evaluation.evaluate import evaluate
from spj.evaluation.results import Evaluation
from spj.files.output import write_atomic
from spj.instrument import Instrument, load_instrument

F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(func: F) -> F:
    """Print spj problems without a traceback; exit 1 for bad input, 3 for a bug."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SpjError as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("SPJ_DEBUG"):
                raise
            typer.echo(f"spj: internal error ({type(exc).__name__}): {exc}; set SPJ_DEBUG=1 for details", err=True)
            raise typer.Exit(3) from None

    return wrapper  # type: ignore[return-value]


def emit(content: str | bytes, output: Path | None) -> None:
    if output is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            typer.echo(content, nl=not content.endswith("\n"))
    else:
        write_atomic(output, content)
        typer.echo(f"wrote {output}", err=True)


def load_pair(instrument_path: Path, assessment_path: Path) -> tuple[Instrument, Assessment, Evaluation]:
    instrument = load_instrument(instrument_path)
    assessment = load_assessment(assessment_path, instrument)
    return instrument, assessment, evaluate(instrument, assessment)


InstrumentArg = Annotated[Path, typer.Argument(help="The instrument file (format: spj/1).", show_default=False)]
AssessmentArg = Annotated[
    Path, typer.Argument(help="The assessment file (format: spj-assessment/1).", show_default=False)
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")]
