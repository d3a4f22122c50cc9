"""`spj export research|audit|key`: research exports (de-identified by default) and the audit export."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.errors import Code, Location, Problem, SpjError

OutFolder = Annotated[Path, typer.Option("--output", "-o", help="A new folder for the data package.")]
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $SPJ_DATABASE_URL or the data folder).")
]


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj export` (with `research`, `audit` and `key`) to `app`."""
    export = typer.Typer(name="export", help="Exports for research and for the data-protection officer.")
    export.callback(no_args_is_help=True)(lambda: None)

    @export.command("research")
    @handles_errors
    def research(
        folder: Annotated[
            Path | None, typer.Argument(help="A folder of assessments; leave out with --db.", show_default=False)
        ] = None,
        output: OutFolder = Path("research-export"),
        key: Annotated[
            Path | None, typer.Option("--key", help="The research key file (spj export key), kept apart.")
        ] = None,
        identified: Annotated[
            bool, typer.Option("--identified", help="Real ids and dates, no key: for use inside the agency only.")
        ] = False,
        include_text: Annotated[
            bool, typer.Option("--include-text", help="Add free text (evidence, reasons, formulation...).")
        ] = False,
        instrument: Annotated[
            list[Path] | None, typer.Option("--instrument", help="An instrument file to use (repeatable).")
        ] = None,
        db: Annotated[str | None, typer.Option("--db", help="Export the store's head revisions instead.")] = None,
        agency: Annotated[str | None, typer.Option("--agency", help="With --db: whose assessments.")] = None,
        lang: Annotated[str | None, typer.Option(help="Language of the dictionary's labels.")] = None,
    ) -> None:
        """Long-format CSV with a data dictionary (a Frictionless data package), de-identified by default."""
        from spj.instrument import load_instrument
        from spj.interop.batch_items import assessment_items
        from spj.interop.loading import InstrumentFinder, load_all
        from spj.interop.research import Privacy, export_research, read_key

        if identified == (key is not None):
            raise SpjError(
                Problem(Code.EXPORT_KEY, "give --key FILE (de-identified) or --identified, one of them", Location())
            )
        privacy = Privacy(None if key is None else read_key(key, export_to=output), include_text=include_text)
        finder = InstrumentFinder([load_instrument(path) for path in instrument or []])
        loaded = load_all(assessment_items(folder, db=db, agency=agency), finder)
        descriptor = export_research(loaded, output, privacy=privacy, lang=lang)
        typer.echo(
            f"wrote {output}: {descriptor['spj']['assessments']} assessment(s), "
            f"{'de-identified with key ' + str(descriptor['spj']['key_id']) if key else 'IDENTIFIED'}"
            f"{', with free text' if include_text else ''}",
            err=True,
        )

    @export.command("audit")
    @handles_errors
    def audit(
        agency: Annotated[str, typer.Option("--agency", help="The agency whose log to export.")],
        output: OutFolder = Path("audit-export"),
        db: DbOpt = None,
    ) -> None:
        """The store's audit events and disclosures of one agency, for the data-protection officer."""
        from spj.interop.research import export_audit
        from spj.store import open_store

        store = open_store(db or os.environ.get("SPJ_DATABASE_URL"))
        try:
            descriptor = export_audit(store, agency, output)
        finally:
            store.close()
        typer.echo(f"wrote {output}", err=True)
        if not descriptor["spj"]["history_verified"]:
            for problem in descriptor["spj"]["verification_problems"]:
                typer.echo(f"warning: {problem}", err=True)
            raise typer.Exit(1)

    @export.command("key")
    @handles_errors
    def key_command(
        path: Annotated[Path, typer.Argument(help="Where to write the new key.", show_default=False)],
    ) -> None:
        """Make a research key (owner-only file); keep it apart from the exports, and keep it safe."""
        from spj.interop.research import create_key

        made = create_key(path)
        typer.echo(f"wrote {path} (key id {made.key_id})", err=True)

    app.add_typer(export)
