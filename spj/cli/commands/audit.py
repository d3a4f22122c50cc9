"""`spj audit verify`: check the store's revision chains and disclosure log (or a disclosure log file);
`spj audit disclosures CASE`: what was shared about a case, from the file log or (`--db`) the workspace's store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def _verify_file_log(log: Path) -> None:
    from spj.disclosure.log import read_log, verify_log

    found = verify_log(log)
    for problem in found:
        typer.echo(str(problem), err=True)
    if found:
        typer.echo(f"FAILED: {len(found)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: {len(read_log(log))} disclosure(s) verified in {log}")


def _disclosures_of(case: str, *, log: Path | None, db: str | None) -> tuple[list[dict[str, Any]], list[str], str]:
    """The case's entries, the chain's problems and where they were read: the store (`db`) or a log file."""
    if db is not None:
        from spj.store import open_store

        store = open_store(db)
        try:
            return store.disclosures.entries(case=case), store.disclosures.verify(), "the store"
        finally:
            store.close()
    from spj.disclosure.log import default_log_path, read_log, verify_log

    path = log or default_log_path()
    problems = [str(p) for p in verify_log(path)]
    return [e for e in read_log(path) if e.get("case") == case], problems, str(path)


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj audit` (with `verify`) to `app`."""
    audit = typer.Typer(name="audit", help="Check the history kept in the store.", no_args_is_help=True)

    @audit.command("verify")
    @handles_errors
    def verify(
        log: Annotated[
            Path | None, typer.Option("--log", help="Verify this disclosure log file instead of the store.")
        ] = None,
        db: Annotated[
            str | None,
            typer.Option(
                "--db", help="Database URL (default: the SQLite file in the data folder, or $SPJ_DATABASE_URL)."
            ),
        ] = None,
    ) -> None:
        """Recompute every revision's hashes and check the chains; exit 1 when anything is wrong."""
        import os

        if log is not None:
            _verify_file_log(log)
            return

        from spj.store import open_store

        store = open_store(db or os.environ.get("SPJ_DATABASE_URL"))
        try:
            problems = store.verify() + store.disclosures.verify()
            counts = {**store.stats(), "disclosures": store.disclosures.count()}
        finally:
            store.close()
        if problems:
            for problem in problems:
                typer.echo(problem, err=True)
            typer.echo(f"FAILED: {len(problems)} problem(s)", err=True)
            raise typer.Exit(1)
        typer.echo(
            f"OK: {counts['assessments']} assessment(s), {counts['revisions']} revision(s), "
            f"{counts['audit_events']} audit event(s), {counts['disclosures']} disclosure(s) verified"
        )

    @audit.command("disclosures")
    @handles_errors
    def disclosures(
        case: Annotated[str, typer.Argument(help="The case (pseudonym).", show_default=False)],
        log: Annotated[
            Path | None, typer.Option("--log", help="The disclosure log (default: the one spj report writes).")
        ] = None,
        db: Annotated[
            str | None,
            typer.Option("--db", help="Read the workspace's disclosure log in this database instead of a file."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the entries as JSON.")] = False,
    ) -> None:
        """What was shared about a case, with whom, when and on which basis (for a subject-access request)."""
        entries, problems, where = _disclosures_of(case, log=log, db=db)
        if as_json:
            typer.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        else:
            for e in entries:
                sections = ", ".join(e.get("sections", []))
                typer.echo(
                    f"{e.get('at')}  to {e.get('agency')}  by {e.get('by')}  from {e.get('from_agency')}  "
                    f"[{sections}]  basis: {e.get('basis')}  ({e.get('channel')})"
                )
            typer.echo(f"{len(entries)} extract(s) of case {case} in {where}", err=True)
        for problem in problems:
            typer.echo(f"warning: {problem}", err=True)
        if problems:
            raise typer.Exit(1)

    app.add_typer(audit)
