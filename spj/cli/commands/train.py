"""`spj train`: rate a training vignette, then compare with its reference (after submitting, never before)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.cli.common import OutputOpt, emit
from spj.files.output import refuse_overwriting_inputs
from spj.instrument import Instrument, load_instrument

VignetteArg = Annotated[Path, typer.Argument(help="The vignette file (format: spj-vignette/1).", show_default=False)]
InstrumentOpt = Annotated[
    Path | None,
    typer.Option("--instrument", "-i", help="The vignette's instrument (default: found in ./instruments)."),
]
RecordOpt = Annotated[
    Path | None,
    typer.Option("--record", help="The training record (default: training.jsonl in the user's state folder)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON instead of text.")]
LangOpt = Annotated[str | None, typer.Option(help="Language of titles and the narrative.")]


def _instrument_for(path: Path, given: Path | None) -> Instrument:
    if given is not None:
        return load_instrument(given)
    from spj.instrument.discovery import find_instrument, instrument_ref

    ref_id, ref_version, where = instrument_ref(path)
    return find_instrument(ref_id, ref_version, where=where)


def _record(given: Path | None) -> Path:
    from spj.authoring.training import default_record_path

    return given if given is not None else default_record_path()


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add the `train` sub-command group to `app`."""
    group = typer.Typer(
        name="train",
        help="Train on vignettes: rate a synthetic case, then see the reference, per indicator.",
        no_args_is_help=True,
    )

    @group.command("list")
    @handles_errors
    def list_(
        instrument: Annotated[Path, typer.Argument(help="The instrument file.", show_default=False)],
        lang: LangOpt = None,
    ) -> None:
        """The vignettes beside the instrument (`vignettes/*.vignette.yaml`): file, id and title."""
        from spj.authoring.training import load_vignette, vignette_paths
        from spj.instrument.text import localize

        inst = load_instrument(instrument)
        paths = vignette_paths(instrument)
        if not paths:
            typer.echo(f"no vignettes beside {instrument} (vignettes/*.vignette.yaml)")
        for path in paths:
            vignette = load_vignette(path, inst)
            typer.echo(f"{path}  {vignette.id}  {localize(vignette.title, lang, inst)}")

    @group.command("start")
    @handles_errors
    def start(
        vignette: VignetteArg,
        output: OutputOpt = None,
        trainee: Annotated[str, typer.Option(help="Your rater id (assessor.id).")] = "trainee",
        instrument: InstrumentOpt = None,
        lang: LangOpt = None,
    ) -> None:
        """Print the vignette and a blank rating of its case to complete (nothing of the reference)."""
        from spj.authoring.training import load_vignette, trainee_scaffold

        refuse_overwriting_inputs(output, vignette, instrument)
        inst = _instrument_for(vignette, instrument)
        emit(trainee_scaffold(inst, load_vignette(vignette, inst), trainee=trainee, lang=lang), output)

    @group.command("check")
    @handles_errors
    def check(
        vignette: VignetteArg,
        rating: Annotated[Path, typer.Argument(help="Your final rating of the vignette.", show_default=False)],
        instrument: InstrumentOpt = None,
        record: RecordOpt = None,
        as_json: JsonOpt = False,
        lang: LangOpt = None,
    ) -> None:
        """Submit your final rating: it is recorded, then compared with the reference, indicator by indicator."""
        from spj.assessment import load_assessment
        from spj.authoring.training import load_vignette, render_feedback, submit

        inst = _instrument_for(vignette, instrument)
        loaded = load_vignette(vignette, inst)
        feedback = submit(inst, loaded, load_assessment(rating, inst), record=_record(record), where=str(rating))
        if as_json:
            typer.echo(json.dumps(feedback.to_dict(), indent=2, ensure_ascii=False))
        else:
            typer.echo(render_feedback(feedback, inst, lang=lang), nl=False)

    @group.command("progress")
    @handles_errors
    def progress_(
        trainee: Annotated[str, typer.Option(help="The rater id (assessor.id).", show_default=False)],
        record: RecordOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Agreement with the references over all your submitted vignettes (first attempts)."""
        from spj.authoring.training import progress_by_instrument, read_submissions, render_progress

        results = progress_by_instrument(trainee, read_submissions(_record(record), trainee=trainee))
        if as_json:
            typer.echo(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
        elif not results:
            typer.echo(f"{trainee} has submitted no vignette yet.")
        else:
            typer.echo("\n".join(render_progress(r) for r in results), nl=False)

    app.add_typer(group)
