"""`spj report`: render the narrative report."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.assessment import load_assessment
from spj.cli.common import AssessmentArg, InstrumentArg, OutputOpt, emit, load_pair
from spj.errors import Code, Location, Problem, SpjError
from spj.evaluation.evaluate import evaluate
from spj.files.output import refuse_overwriting_inputs


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"
    json = "json"


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj report` to `app`."""

    @app.command()
    @handles_errors
    def report(
        instrument: InstrumentArg,
        assessment: AssessmentArg,
        output: OutputOpt = None,
        format: Annotated[
            ReportFormat, typer.Option("--format", "-f", help="html, md or pdf; json for an extract (--for).")
        ] = ReportFormat.html,
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
        deployment: Annotated[
            Path | None,
            typer.Option("--deployment", help="The deployment file (spj-deployment/1): partners and what each sees."),
        ] = None,
        for_agency: Annotated[
            str | None,
            typer.Option("--for", help="Only what this agency of the deployment may see (an extract, logged)."),
        ] = None,
        log: Annotated[
            Path | None,
            typer.Option("--log", help="The disclosure log (default: disclosures.jsonl in the user's state folder)."),
        ] = None,
        by: Annotated[
            str | None, typer.Option("--by", help="Who gives the extract, for the log (default: the login name).")
        ] = None,
    ) -> None:
        """Render the narrative report, or the extract a partner agency may see (--deployment, --for)."""
        from spj.instrument.discovery import find_instrument, instrument_ref
        from spj.report import render_report

        refuse_overwriting_inputs(
            output, instrument, assessment, *(previous or []), *([deployment] if deployment else [])
        )
        if (deployment is None) != (for_agency is None):
            raise SpjError(Problem(Code.INVALID_REQUEST, "--deployment and --for go together", Location()))
        if for_agency is not None and previous:
            raise SpjError(
                Problem(Code.INVALID_REQUEST, "an extract (--for) has no history: leave out --previous", Location())
            )
        if format is ReportFormat.json and for_agency is None:
            raise SpjError(
                Problem(Code.OUTPUT, "JSON is for extracts (--for); spj score --json gives the evaluation", Location())
            )
        if format is ReportFormat.pdf and output is None:
            raise SpjError(Problem(Code.OUTPUT, "a PDF report needs --output FILE", Location()))
        if deployment is not None and for_agency is not None:
            import getpass

            from spj.disclosure import load_deployment
            from spj.disclosure.log import default_log_path
            from spj.report.extract import disclose

            partners = load_deployment(deployment)
            inst, assess, evaluation = load_pair(instrument, assessment)
            content = disclose(
                inst,
                assess,
                evaluation,
                partners,
                for_agency,
                log=log or default_log_path(),
                by=by or getpass.getuser(),
                channel="cli",
                format=format.value,
                lang=lang,
            )
            emit(content, output)
            return
        inst, assess, evaluation = load_pair(instrument, assessment)
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
        emit(content, output)
