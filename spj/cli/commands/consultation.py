"""`spj consultation check|feedback`: a case consultation record and the note that may leave the table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.cli.common import OutputOpt, emit
from spj.files.output import refuse_overwriting_inputs

ConsultationArg = Annotated[
    Path, typer.Argument(help="The consultation record (spj-consultation/1).", show_default=False)
]
DeploymentOpt = Annotated[
    Path | None, typer.Option("--deployment", help="The deployment: participants must be its agencies.")
]


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj consultation` to `app`."""
    group = typer.Typer(
        name="consultation", help="Case consultations (art. 458ter Sw.) and their feedback notes.", no_args_is_help=True
    )

    @group.command("check")
    @handles_errors
    def check(record: ConsultationArg, deployment: DeploymentOpt = None) -> None:
        """Check a consultation record; say whose approval the feedback note still needs."""
        from spj.disclosure import load_deployment
        from spj.disclosure.consultation import load_consultation, missing_approvals

        partners = load_deployment(deployment) if deployment else None
        consultation = load_consultation(record, deployment=partners)
        waiting = missing_approvals(consultation) if consultation.feedback else []
        typer.echo(f"ok {record}" + (f" (feedback awaits approval by {', '.join(waiting)})" if waiting else ""))

    @group.command("feedback")
    @handles_errors
    def feedback(
        record: ConsultationArg,
        deployment: DeploymentOpt = None,
        output: OutputOpt = None,
        lang: Annotated[str, typer.Option(help="Language of the note.")] = "en",
        log: Annotated[Path | None, typer.Option("--log", help="The disclosure log (default: the user's).")] = None,
        by: Annotated[str | None, typer.Option("--by", help="Who releases the note (default: the login name).")] = None,
    ) -> None:
        """Release the feedback note: only unsecret items, only once every participant approved; logged."""
        import getpass

        from spj.disclosure import load_deployment
        from spj.disclosure.consultation import load_consultation
        from spj.disclosure.log import default_log_path
        from spj.report.extract import release_feedback

        refuse_overwriting_inputs(output, record, *([deployment] if deployment else []))
        partners = load_deployment(deployment) if deployment else None
        consultation = load_consultation(record, deployment=partners)
        text = release_feedback(
            consultation, partners, log=log or default_log_path(), by=by or getpass.getuser(), lang=lang
        )
        emit(text, output)

    app.add_typer(group)
