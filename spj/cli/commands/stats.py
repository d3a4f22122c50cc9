"""`spj stats interventions` and `spj stats capacity`: figures across cases for the programme, pseudonymised;
`spj stats agreement`: the agreement of a team's blind double ratings over time, from the store."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.cli.common import InstrumentArg, OutputOpt, emit
from spj.files.output import refuse_overwriting_inputs


class AgreementFormat(StrEnum):
    csv = "csv"
    json = "json"


AGREEMENT_COLUMNS = ("instrument", "version", "quarter", "pairs", "percent_exact", "percent_within_one")


class StatsFormat(StrEnum):
    csv = "csv"
    json = "json"
    svg = "svg"


class CapacityFormat(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"
    svg = "svg"


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj stats` to `app`."""
    group = typer.Typer(name="stats", help="Figures across cases, for programme evaluation.", no_args_is_help=True)

    @group.command("interventions")
    @handles_errors
    def interventions(
        instrument: InstrumentArg,
        assessments: Annotated[list[Path], typer.Argument(help="Assessment files (the latest per case counts).")],
        format: Annotated[StatsFormat, typer.Option("--format", "-f", help="csv, json or svg.")] = StatsFormat.csv,
        output: OutputOpt = None,
        lang: Annotated[
            str | None, typer.Option("--lang", help="Language of the SVG chart's words (default: the instrument's).")
        ] = None,
    ) -> None:
        """Per intervention: proposed, agreed, referred, started, completed, stopped; cells under 5 suppressed."""
        from spj.assessment import load_assessment
        from spj.evaluation.evaluate import evaluate
        from spj.evaluation.programme import intervention_figures
        from spj.instrument import load_instrument
        from spj.report.programme import figures_csv, figures_json, figures_svg

        refuse_overwriting_inputs(output, instrument, *assessments)
        inst = load_instrument(instrument)
        pairs = []
        for path in assessments:
            assessment = load_assessment(path, inst)
            pairs.append((assessment, evaluate(inst, assessment)))
        figures = intervention_figures(pairs)
        if format == StatsFormat.svg:
            emit(figures_svg(figures, lang=_chart_language(lang, inst)), output)
            return
        render = {StatsFormat.csv: figures_csv, StatsFormat.json: figures_json}[format]
        emit(render(figures), output)

    @group.command("agreement")
    @handles_errors
    def agreement(
        agency: Annotated[str, typer.Option("--agency", help="The team (agency) whose double ratings to count.")],
        db: Annotated[
            str | None, typer.Option("--db", help="Database URL (default: $SPJ_DATABASE_URL, else the local file).")
        ] = None,
        format: Annotated[AgreementFormat, typer.Option("--format", "-f", help="csv or json.")] = AgreementFormat.csv,
        output: OutputOpt = None,
        instruments: Annotated[
            list[Path] | None, typer.Option("--instruments", help="Another folder of instruments (repeatable).")
        ] = None,
    ) -> None:
        """Agreement of the team's submitted double ratings per instrument version and quarter (spj irr's
        statistics); cells under 5 double ratings suppressed, no case or rater named."""
        from spj.service import InstrumentRegistry, Workspace
        from spj.service.agreement import agreement_cells
        from spj.service.instruments import default_folders
        from spj.store import open_store

        store = open_store(db or os.environ.get("SPJ_DATABASE_URL"))
        try:
            workspace = Workspace(store, InstrumentRegistry.from_folders(default_folders(instruments or [])))
            cells = [cell.to_dict() for cell in agreement_cells(workspace, agency)]
        finally:
            store.close()
        emit(_agreement_json(cells) if format == AgreementFormat.json else _agreement_csv(cells), output)

    @group.command("capacity")
    @handles_errors
    def capacity(
        instrument: InstrumentArg,
        assessments: Annotated[list[Path], typer.Argument(help="Assessment files, every assessment of each case.")],
        deployment: Annotated[
            Path | None, typer.Option("--deployment", help="Partners' places per week and the caseload per expert.")
        ] = None,
        register_path: Annotated[
            Path | None,
            typer.Option("--register", help="Certified experts (default: certifications.jsonl in the state folder)."),
        ] = None,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="Reference date, YYYY-MM-DD (default: today).")
        ] = None,
        weeks: Annotated[int, typer.Option("--weeks", min=1, max=104, help="Weeks of demand ahead.")] = 26,
        caseload: Annotated[
            int | None, typer.Option("--caseload", help="Open cases per expert (overrides the deployment's).")
        ] = None,
        partner: Annotated[
            list[str] | None, typer.Option("--partner", help="Only this partner (repeatable); one of the deployment's.")
        ] = None,
        category_field: Annotated[str, typer.Option("--category-field", help="The case's category field.")] = "status",
        phase_field: Annotated[str, typer.Option("--phase-field", help="The case's phase field.")] = "phase",
        format: Annotated[
            CapacityFormat, typer.Option("--format", "-f", help="text, csv, json or svg.")
        ] = CapacityFormat.text,
        output: OutputOpt = None,
        lang: Annotated[str | None, typer.Option("--lang", help="Language of the SVG charts' words.")] = None,
    ) -> None:
        """Cases per year by category and phase, open cases per expert, partner demand per week against capacity,
        and how many more trained experts and partner places next quarter; no case named, cells under 5 suppressed."""
        from spj.assessment import load_assessment
        from spj.authoring.certification import default_register_path, read_register
        from spj.disclosure import load_deployment
        from spj.disclosure.planning import planning_inputs
        from spj.evaluation.caseload import case_facts, check_fields, entry_of
        from spj.evaluation.caseload import caseload as compute
        from spj.evaluation.evaluate import evaluate
        from spj.instrument import load_instrument
        from spj.report.capacity import capacity_csv, capacity_json, capacity_svg, capacity_text

        refuse_overwriting_inputs(output, instrument, *assessments)
        reference = _date(as_of)
        capacities, per_expert = planning_inputs(
            load_deployment(deployment) if deployment is not None else None, partners=partner or (), caseload=caseload
        )
        inst = load_instrument(instrument)
        check_fields(inst, category_field, phase_field)
        register = register_path if register_path is not None else default_register_path()
        certified = {c.expert for c in read_register(register) if c.instrument == inst.id}
        entries = []
        for path in assessments:
            assessment = load_assessment(path, inst)
            entries.append(entry_of(assessment, evaluate(inst, assessment)))
        facts = case_facts(entries, as_of=reference, category_field=category_field, phase_field=phase_field)
        figures = compute(
            facts,
            as_of=reference,
            certified=certified,
            capacity=capacities,
            caseload_per_expert=per_expert,
            weeks=weeks,
            only_listed=bool(partner),
        )
        if format == CapacityFormat.svg:
            emit(capacity_svg(figures, lang=_chart_language(lang, inst)), output)
            return
        render = {
            CapacityFormat.text: capacity_text,
            CapacityFormat.csv: capacity_csv,
            CapacityFormat.json: capacity_json,
        }
        emit(render[format](figures), output)

    app.add_typer(group)


def _agreement_json(cells: list[dict[str, Any]]) -> str:
    import json

    return json.dumps(cells, indent=2, ensure_ascii=False) + "\n"


def _agreement_csv(cells: list[dict[str, Any]]) -> str:
    """One row per cell; a suppressed cell's figures are `<5`."""
    import csv
    import io

    from spj.evaluation.programme import SMALL_CELL

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(AGREEMENT_COLUMNS)
    for cell in cells:
        hidden = f"<{SMALL_CELL}" if cell["suppressed"] else None
        writer.writerow(
            [
                cell["instrument"]["id"],
                cell["instrument"]["version"],
                cell["quarter"],
                hidden or cell["pairs"],
                "" if hidden else cell["percent_exact"],
                "" if hidden else cell["percent_within_one"],
            ]
        )
    return out.getvalue()


def _date(value: str | None) -> dt.date:
    """`--as-of` as a date (today without it); a malformed one is `invalid-request`, exit 1."""
    from spj.errors import Code, Location, Problem, SpjError

    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SpjError(
            Problem(Code.INVALID_REQUEST, f"--as-of {value!r} is not a date (YYYY-MM-DD)", Location(path=("--as-of",)))
        ) from None


def _chart_language(lang: str | None, instrument: Any) -> str:
    """`--lang` when the report or the instrument has it (else `language`, exit 1); the instrument's by default."""
    from spj.errors import Code, Problem, RenderError
    from spj.report.i18n import report_languages

    known = sorted(set(report_languages()) | set(instrument.languages))
    if lang is not None and lang not in known:
        raise RenderError(Problem(Code.LANGUAGE, f"no chart language {lang!r}; choose one of {', '.join(known)}"))
    return lang or str(instrument.default_language)
