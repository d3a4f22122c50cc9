"""`spj certify`: certify experts on an instrument version from their training, per the deployment's requirement."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.errors import Code, Location, Problem
from spj.instrument import load_instrument

DeploymentOpt = Annotated[
    Path, typer.Option("--deployment", help="The deployment declaring the requirements.", show_default=False)
]
RegisterOpt = Annotated[
    Path | None,
    typer.Option("--register", help="The register (default: certifications.jsonl in the user's state folder)."),
]
RecordOpt = Annotated[
    Path | None,
    typer.Option("--record", help="The training record (default: training.jsonl in the user's state folder)."),
]


def _register(given: Path | None) -> Path:
    from spj.authoring.certification import default_register_path

    return given if given is not None else default_register_path()


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add the `certify` sub-command group to `app`."""
    group = typer.Typer(
        name="certify",
        help="Certify experts on an instrument version from their vignettes; list and carry over certifications.",
        no_args_is_help=True,
    )

    @group.command("check")
    @handles_errors
    def check(
        instrument: Annotated[Path, typer.Argument(help="The instrument file.", show_default=False)],
        expert: Annotated[str, typer.Option(help="The expert's rater id (assessor.id).", show_default=False)],
        deployment: DeploymentOpt,
        record: RecordOpt = None,
        register_path: RegisterOpt = None,
    ) -> None:
        """Certify the expert when their first attempts at the vignettes meet the requirement; exit 1 if not."""
        from spj.authoring.certification import Certification, append_certification, assess
        from spj.authoring.training import default_record_path, progress, read_submissions
        from spj.disclosure import load_deployment

        inst = load_instrument(instrument)
        settings = load_deployment(deployment).certification
        requirement = settings.requirement(inst.id, inst.version) if settings else None
        if requirement is None:
            raise _not_certified(
                f"the deployment sets no certification requirement for {inst.id} {inst.version}", deployment
            )
        record_path = record or default_record_path()
        entries = read_submissions(record_path, trainee=expert)
        verdict = assess(progress(expert, entries, instrument=(inst.id, inst.version)), requirement)
        typer.echo(json.dumps(verdict.figures, indent=2, ensure_ascii=False))
        if not verdict.met:
            raise _not_certified(
                f"{expert} is not certified on {inst.id} {inst.version}: " + "; ".join(verdict.shortfalls),
                record_path,
            )
        today = dt.date.today().isoformat()
        append_certification(
            _register(register_path), Certification(expert, inst.id, inst.version, today, verdict.figures)
        )
        typer.echo(f"certified {expert} on {inst.id} {inst.version} ({today})", err=True)

    @group.command("list")
    @handles_errors
    def list_(register_path: RegisterOpt = None) -> None:
        """Every certification in the register, oldest first, as JSON lines."""
        from spj.authoring.certification import read_register

        for certification in read_register(_register(register_path)):
            typer.echo(json.dumps(certification.to_dict(), ensure_ascii=False, sort_keys=True))

    @group.command("carry")
    @handles_errors
    def carry(
        old: Annotated[Path, typer.Argument(help="The version experts are certified on.", show_default=False)],
        new: Annotated[Path, typer.Argument(help="The new version.", show_default=False)],
        register_path: RegisterOpt = None,
    ) -> None:
        """Carry certifications to a new version when `spj diff` finds nothing that changes what raters do."""
        from spj.authoring.certification import Certification, append_certification, rater_facing_changes, read_register
        from spj.authoring.versioning.diff import diff_instruments

        before, after = load_instrument(old), load_instrument(new)
        changes = rater_facing_changes(diff_instruments(before, after))
        path = _register(register_path)
        experts = sorted(
            {c.expert for c in read_register(path) if (c.instrument, c.version) == (before.id, before.version)}
        )
        if changes:
            typer.echo(
                f"{after.id} {after.version} changes what raters do; recertify: {', '.join(experts) or 'nobody'}"
            )
            for change in changes:
                typer.echo(f"  {change}")
            return
        today = dt.date.today().isoformat()
        for expert in experts:
            basis = {"carried_from": before.version, "reason": "no rater-facing change (spj diff)"}
            append_certification(path, Certification(expert, after.id, after.version, today, basis))
            typer.echo(f"carried {expert} to {after.id} {after.version}")

    app.add_typer(group)


def _not_certified(message: str, where: Path) -> Any:
    from spj.authoring.certification import CertificationError

    return CertificationError(Problem(Code.NOT_CERTIFIED, message, Location(str(where))))
