"""`spj diff` and `spj migrate`: what changed between versions, and carrying assessments over."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from spj.errors import AssessmentError
from spj.files.output import refuse_overwriting_inputs

if TYPE_CHECKING:
    from spj.instrument import Instrument


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `diff` and `migrate` to `app`."""
    app.command("diff")(handles_errors(diff))
    app.command("migrate")(handles_errors(migrate))


def diff(
    old: Annotated[Path, typer.Argument(help="The older instrument file.", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The newer instrument file.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """What changed between two versions of an instrument (items, scales, rules, texts per language)."""
    from spj.authoring.versioning import diff_instruments, format_diff
    from spj.instrument import load_instrument

    changes = diff_instruments(load_instrument(old), load_instrument(new))
    if as_json:
        typer.echo(json.dumps(changes.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(format_diff(changes), nl=False)


def migrate(
    assessment: Annotated[Path, typer.Argument(help="The assessment to carry over.", show_default=False)],
    to: Annotated[Path, typer.Option("--to", help="The new version of the instrument.", show_default=False)],
    from_: Annotated[
        Path | None,
        typer.Option("--from", help="The version it was made with (default: found in ./instruments)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the migrated draft here (default: stdout).")
    ] = None,
    new_id: Annotated[str | None, typer.Option("--id", help="Id of the migrated assessment.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Carry an assessment over to a new instrument version, as a draft; report what must be re-rated."""
    from spj.assessment import load_assessment
    from spj.authoring.versioning import format_migration_report, migrate_assessment
    from spj.files.output import write_atomic
    from spj.instrument import load_instrument

    refuse_overwriting_inputs(output, assessment, to, from_)
    new = load_instrument(to)
    old = load_instrument(from_) if from_ is not None else _find_old(assessment)
    result = migrate_assessment(
        load_assessment(assessment, old), old, new, new_id=new_id, file=str(output) if output else "<migrated>"
    )
    report = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) if as_json else format_migration_report(result)
    if output is None:
        typer.echo(result.text, nl=False)
        typer.echo(report, err=True, nl=not report.endswith("\n"))
    else:
        write_atomic(output, result.text)
        typer.echo(f"wrote {output}", err=True)
        typer.echo(report, nl=not report.endswith("\n"))


def _find_old(assessment: Path) -> Instrument:
    """The instrument the assessment names, from ./instruments; located, and pointing at `--from`."""
    from spj.instrument.discovery import find_instrument, instrument_ref

    instrument_id, version, where = instrument_ref(assessment)
    try:
        return find_instrument(instrument_id, version, where=where)
    except AssessmentError as exc:
        raise AssessmentError(
            [
                dataclasses.replace(p, message=p.message.replace("--instrument FILE", "--from FILE"))
                for p in exc.problems
            ]
        ) from exc
