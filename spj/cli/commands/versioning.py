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


def _once(values: list[Path], option: str) -> Path | None:
    """The one value of an option that may be given once; a repeated one is a usage error, never overridden."""
    if len(values) > 1:
        shown = ", ".join(str(v) for v in values)
        typer.echo(f"usage: {option} given {len(values)} times ({shown}); give it once", err=True)
        raise typer.Exit(2)
    return values[0] if values else None


def migrate(
    assessment: Annotated[Path, typer.Argument(help="The assessment to carry over.", show_default=False)],
    to: Annotated[list[Path], typer.Option("--to", help="The new version of the instrument.", show_default=False)],
    from_: Annotated[
        list[Path] | None,
        typer.Option("--from", help="The version it was made with (default: found in ./instruments)."),
    ] = None,
    via: Annotated[
        list[Path] | None,
        typer.Option("--via", help="A version between the two, to go through (repeat for several)."),
    ] = None,
    output: Annotated[
        list[Path] | None, typer.Option("--output", "-o", help="Write the migrated draft here (default: stdout).")
    ] = None,
    new_id: Annotated[str | None, typer.Option("--id", help="Id of the migrated assessment.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Carry an assessment over to a new instrument version, as a draft; report what must be re-rated.

    Versions in between are gone through as each declares (v1 -> v2 -> v3): give them with --via.
    """
    from spj.assessment import load_assessment
    from spj.authoring.versioning.chain import migrate_through
    from spj.authoring.versioning.format import format_migration_report
    from spj.files.output import write_atomic
    from spj.instrument import load_instrument

    target = _once(to, "--to")
    assert target is not None  # typer requires --to
    old_file = _once(from_ or [], "--from")
    out = _once(output or [], "--output")
    refuse_overwriting_inputs(out, assessment, target, old_file, *(via or []))
    new = load_instrument(target)
    old = load_instrument(old_file) if old_file is not None else _find_old(assessment)
    steps = [load_instrument(path) for path in via or []]
    result = migrate_through(
        load_assessment(assessment, old), old, new, via=steps, new_id=new_id, file=str(out) if out else "<migrated>"
    )
    report = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) if as_json else format_migration_report(result)
    if out is None:
        typer.echo(result.text, nl=False)
        typer.echo(report, err=True, nl=not report.endswith("\n"))
    else:
        write_atomic(out, result.text)
        typer.echo(f"wrote {out}", err=True)
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
