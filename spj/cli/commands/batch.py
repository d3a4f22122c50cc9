"""`spj batch score|report`: many assessments (a folder, or the store) in a process pool, resumable, JSON Lines."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

FolderArg = Annotated[
    Path | None,
    typer.Argument(help="A folder of assessment files (searched recursively), or none with --db.", show_default=False),
]
OutOpt = Annotated[
    Path, typer.Option("--output", "-o", help="The JSON Lines file; a run that stopped is resumed from it.")
]
InstrumentOpt = Annotated[
    Path | None,
    typer.Option("--instrument", help="Read every assessment with this instrument (default: the one each names)."),
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", "-j", help="Worker processes (default: the number of CPU cores).")
]
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Read the head revisions of the store at this database URL instead.")
]
AgencyOpt = Annotated[str | None, typer.Option("--agency", help="With --db: the agency whose assessments to read.")]
ProgressOpt = Annotated[bool, typer.Option("--progress/--no-progress", help="A progress bar on stderr.")]


class TextFormat(StrEnum):
    html = "html"
    md = "md"


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj batch` (with `score` and `report`) to `app`."""
    batch = typer.Typer(
        name="batch", help="Score or report many assessments at once, resumably, as JSON Lines.", no_args_is_help=True
    )

    @batch.command("score")
    @handles_errors
    def score(
        folder: FolderArg = None,
        output: OutOpt = Path("scores.jsonl"),
        instrument: InstrumentOpt = None,
        workers: WorkersOpt = None,
        db: DbOpt = None,
        agency: AgencyOpt = None,
        progress: ProgressOpt = True,
    ) -> None:
        """One line per assessment: its evaluation (DESIGN 4.3), or its problems."""
        _run("score", folder, output, instrument, workers, db, agency, progress, {})

    @batch.command("report")
    @handles_errors
    def report(
        folder: FolderArg = None,
        output: OutOpt = Path("reports.jsonl"),
        instrument: InstrumentOpt = None,
        workers: WorkersOpt = None,
        db: DbOpt = None,
        agency: AgencyOpt = None,
        progress: ProgressOpt = True,
        format: Annotated[TextFormat, typer.Option("--format", "-f", help="html or md.")] = TextFormat.md,
        lang: Annotated[str | None, typer.Option(help="Report language (default: the instrument's first).")] = None,
    ) -> None:
        """One line per assessment: its narrative report (html or md), or its problems."""
        _run("report", folder, output, instrument, workers, db, agency, progress, {"format": format, "lang": lang})

    app.add_typer(batch)


def _run(
    task: str,
    folder: Path | None,
    output: Path,
    instrument: Path | None,
    workers: int | None,
    db: str | None,
    agency: str | None,
    progress: bool,
    report: dict[str, Any],
) -> None:
    from spj.interop import BatchSettings, run_batch
    from spj.interop.batch_items import assessment_items

    items = assessment_items(folder, db=db, agency=agency)
    settings = BatchSettings(
        task,  # type: ignore[arg-type]
        instrument=_instrument(instrument),
        report_format=str(report.get("format", "md")),  # type: ignore[arg-type]
        lang=report.get("lang"),
    )
    with _progress_bar(progress, task) as advance:
        summary = run_batch(
            items,
            settings,
            output=output,
            workers=(os.cpu_count() or 1) if workers is None else workers,
            progress=advance,
        )
    typer.echo(
        f"{summary.found} assessment(s): {summary.skipped} already in {output}, "
        f"{summary.ok} done now, {summary.failed} with problems (see their lines)",
        err=True,
    )
    if summary.failed:
        raise typer.Exit(1)


def _instrument(path: Path | None) -> Any:
    if path is None:
        return None
    from spj.instrument import load_instrument

    return load_instrument(path)


@contextmanager
def _progress_bar(enabled: bool, task: str) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn(f"{task}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    ) as bar:
        handle = bar.add_task(task, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(handle, completed=done, total=total)

        yield advance
