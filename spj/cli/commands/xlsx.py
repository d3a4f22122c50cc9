"""`spj xlsx export|import`: instruments as spreadsheets (layout in `spj.xlsx`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer, *, handles_errors: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Add the `xlsx` sub-command group to `app`."""
    group = typer.Typer(
        name="xlsx",
        help="Author instruments in a spreadsheet: export to xlsx, import back to YAML.",
        no_args_is_help=True,
    )

    @group.command("export")
    @handles_errors
    def export(
        instrument: Annotated[Path, typer.Argument(help="The instrument file (format: spj/1).", show_default=False)],
        output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.", show_default=False)],
    ) -> None:
        """Write an instrument as a workbook, one sheet per part."""
        from spj.authoring.xlsx import export_workbook
        from spj.files.output import refuse_overwriting_inputs, write_atomic
        from spj.instrument import load_instrument

        refuse_overwriting_inputs(output, instrument)
        write_atomic(output, export_workbook(load_instrument(instrument)))
        typer.echo(f"wrote {output}", err=True)

    @group.command("import")
    @handles_errors
    def import_(
        workbook: Annotated[Path, typer.Argument(help="The .xlsx workbook.", show_default=False)],
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="The instrument YAML to write (default: stdout).")
        ] = None,
    ) -> None:
        """Read a workbook into an instrument YAML file; nothing is written unless it is valid."""
        from spj.authoring.xlsx import import_workbook
        from spj.files.output import refuse_overwriting_inputs, write_atomic

        refuse_overwriting_inputs(output, workbook)
        _, text = import_workbook(workbook)
        if output is None:
            typer.echo(text, nl=False)
        else:
            write_atomic(output, text)
            typer.echo(f"wrote {output}", err=True)

    app.add_typer(group, name="xlsx")
