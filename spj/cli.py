"""The `spj` command: parses arguments, calls the library, prints. No logic of its own.

Exit codes: 0 success, 1 invalid input (every problem printed as
`file:line:col: CODE message`), 2 usage error, 3 internal error.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .assessment import Assessment, load_assessment
from .errors import Code, Location, Problem, SpjError
from .evaluate import evaluate
from .instrument import Instrument, load_instrument
from .output import refuse_overwriting_inputs, write_atomic
from .results import Evaluation
from .yamlsource import parse_yaml, read_text

app = typer.Typer(
    name="spj",
    help="Structured professional judgement: validate instruments and assessments, score, plan, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def _handles_errors(func: F) -> F:
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


def _emit(content: str | bytes, output: Path | None) -> None:
    if output is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            typer.echo(content, nl=not content.endswith("\n"))
    else:
        write_atomic(output, content)
        typer.echo(f"wrote {output}", err=True)


def _load_pair(instrument_path: Path, assessment_path: Path) -> tuple[Instrument, Assessment, Evaluation]:
    instrument = load_instrument(instrument_path)
    assessment = load_assessment(assessment_path, instrument)
    return instrument, assessment, evaluate(instrument, assessment)


InstrumentArg = Annotated[Path, typer.Argument(help="The instrument file (format: spj/1).", show_default=False)]
AssessmentArg = Annotated[
    Path, typer.Argument(help="The assessment file (format: spj-assessment/1).", show_default=False)
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")]


@app.command()
@_handles_errors
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
    from .discovery import find_instrument, instrument_ref

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


@app.command()
@_handles_errors
def new(
    instrument: InstrumentArg,
    output: OutputOpt = None,
    lang: Annotated[str | None, typer.Option(help="Language of the comments.")] = None,
) -> None:
    """Print a blank assessment that lists every indicator."""
    from .scaffold import new_assessment

    refuse_overwriting_inputs(output, instrument)
    _emit(new_assessment(load_instrument(instrument), lang=lang), output)


@app.command()
@_handles_errors
def score(
    instrument: InstrumentArg,
    assessment: AssessmentArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation as JSON (DESIGN 4.3).")] = False,
    output: OutputOpt = None,
) -> None:
    """Evaluate an assessment: completeness, life areas, flags, interventions, plan."""
    from .summary import evaluation_summary

    refuse_overwriting_inputs(output, instrument, assessment)
    inst, _, evaluation = _load_pair(instrument, assessment)
    if as_json:
        _emit(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False) + "\n", output)
    else:
        _emit(evaluation_summary(inst, evaluation), output)


class PlanFormat(StrEnum):
    json = "json"
    dot = "dot"
    mermaid = "mermaid"


@app.command()
@_handles_errors
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
    from .plan_export import plan_to_dot, plan_to_json, plan_to_mermaid

    refuse_overwriting_inputs(output, instrument, assessment)
    inst, _, evaluation = _load_pair(instrument, assessment)
    if format is PlanFormat.json:
        text = plan_to_json(evaluation.plan)
    elif format is PlanFormat.dot:
        text = plan_to_dot(evaluation.plan, inst, lang=lang)
    else:
        text = plan_to_mermaid(evaluation.plan, inst, lang=lang)
    _emit(text, output)


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"


@app.command()
@_handles_errors
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
    from .discovery import find_instrument, instrument_ref
    from .report import render_report

    refuse_overwriting_inputs(output, instrument, assessment, *(previous or []))
    inst, assess, evaluation = _load_pair(instrument, assessment)
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
    _emit(content, output)


class SchemaKind(StrEnum):
    instrument = "instrument"
    assessment = "assessment"


@app.command()
@_handles_errors
def schema(
    kind: Annotated[SchemaKind, typer.Argument(help="instrument or assessment.")],
    output: OutputOpt = None,
) -> None:
    """Print the JSON Schema of a file format (for editors and integrators)."""
    from .schemas import json_schema

    _emit(json.dumps(json_schema(kind.value), indent=2, ensure_ascii=False) + "\n", output)


@app.command("test")
@_handles_errors
def test_cases(
    instrument: InstrumentArg,
    cases: Annotated[
        list[Path] | None, typer.Argument(help="Case files (default: cases/*.case.yaml next to the instrument).")
    ] = None,
) -> None:
    """Run an instrument's test cases: expected parts of evaluations."""
    from .testcases import default_cases, run_case

    inst = load_instrument(instrument)
    files = cases or default_cases(instrument)
    if not files:
        raise SpjError(
            Problem(Code.FILE_NOT_FOUND, "no test cases found (cases/*.case.yaml)", Location(str(instrument)))
        )
    failed = 0
    for path in files:
        try:
            differences = run_case(inst, path)
        except SpjError as exc:  # a broken case file fails alone; the others still run
            differences = [str(problem) for problem in exc.problems]
        if differences:
            failed += 1
            typer.echo(f"FAIL {path}")
            for line in differences:
                typer.echo(f"    {line}")
        else:
            typer.echo(f"ok   {path}")
    typer.echo(f"{len(files) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


def _register_commands() -> None:
    import importlib
    import pkgutil

    from . import commands

    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{module.name}").register(app, handles_errors=_handles_errors)


_register_commands()


def main() -> None:
    """Entry point of the `spj` console script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
