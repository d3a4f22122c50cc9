"""`spj audit verify [--against CHECKPOINT]`: check the store's sealed audit trail, revision chains, assessment states
and disclosure log (or a disclosure log file); `spj audit checkpoint`: the signed head of the trail to keep
elsewhere; `spj audit keygen ID`: a new audit key; `spj audit disclosures CASE`: what was shared about a case,
from the file log or (`--db`) the workspace's store."""

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


DB_HELP = "Database URL (default: the SQLite file in the data folder, or $SPJ_DATABASE_URL)."


def _open(db: str | None) -> Any:
    import os

    from spj.store import open_store

    return open_store(db or os.environ.get("SPJ_DATABASE_URL"))


def _verify_store(db: str | None, against: Path | None) -> tuple[list[dict[str, str]], dict[str, int]]:
    """The findings (as dicts) on the store's history and disclosure log, and what was counted."""
    from spj.store.checkpoint import read_checkpoint

    store = _open(db)
    try:
        point = read_checkpoint(against, store.keyring) if against is not None else None
        findings = [f.to_dict() for f in store.verify(against=point)]
        findings += [
            {"where": p.split(":", 1)[0], "code": "disclosure-log", "message": p.split(":", 1)[-1].strip()}
            for p in store.disclosures.verify()
        ]
        counts = {**store.stats(), "disclosures": store.disclosures.count(), "checkpoint": point[0] if point else 0}
    finally:
        store.close()
    return findings, counts


def _report(findings: list[dict[str, str]], counts: dict[str, int], *, as_json: bool, against: Path | None) -> None:
    if as_json:
        typer.echo(json.dumps({"findings": findings, "counts": counts}, indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            typer.echo(f"{finding['where']}: {finding['message']} [{finding['code']}]", err=True)
    if findings:
        typer.echo(f"FAILED: {len(findings)} problem(s)", err=True)
        raise typer.Exit(1)
    if not as_json:
        checked = f" against the checkpoint at entry {counts['checkpoint']}" if against is not None else ""
        typer.echo(
            f"OK: {counts['assessments']} assessment(s), {counts['revisions']} revision(s), "
            f"{counts['audit_events']} audit event(s), {counts['disclosures']} disclosure(s) verified{checked}"
        )


def _write_new(path: Path, text: str) -> None:
    """Write `text` to a new file (never over an existing one: an old checkpoint is evidence)."""
    from spj.errors import Code, Location, Problem, StoreError

    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise StoreError(
            Problem(
                Code.CHECKPOINT,
                "the file exists; choose a new name (old checkpoints are evidence)",
                Location(str(path)),
            )
        ) from None
    except OSError as exc:
        raise StoreError(
            Problem(Code.CHECKPOINT, f"cannot write the checkpoint ({exc.strerror})", Location(str(path)))
        ) from exc


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj audit` (with `verify`) to `app`."""
    audit = typer.Typer(name="audit", help="Check the history kept in the store.", no_args_is_help=True)

    @audit.command("verify")
    @handles_errors
    def verify(
        log: Annotated[
            Path | None, typer.Option("--log", help="Verify this disclosure log file instead of the store.")
        ] = None,
        db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
        against: Annotated[
            Path | None,
            typer.Option("--against", help="A checkpoint (spj audit checkpoint): prove nothing before it changed."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    ) -> None:
        """Check the sealed audit trail, every revision chain and every assessment's state; exit 1 on any finding.

        Each finding names where (assessment, revision, audit entry), what is wrong and a stable code.
        """
        if log is not None:
            _verify_file_log(log)
            return
        _report(*_verify_store(db, against), as_json=as_json, against=against)

    @audit.command("checkpoint")
    @handles_errors
    def checkpoint(
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write it here (default: stdout).")] = None,
        db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    ) -> None:
        """The head of the sealed audit trail, signed: keep it elsewhere, check later with verify --against."""
        from spj.store.checkpoint import make_checkpoint

        store = _open(db)
        try:
            text = json.dumps(make_checkpoint(store), indent=2) + "\n"
        finally:
            store.close()
        if output is None:
            typer.echo(text, nl=False)
            return
        _write_new(output, text)
        typer.echo(f"checkpoint written to {output}", err=True)

    @audit.command("keygen")
    @handles_errors
    def keygen(
        key_id: Annotated[str, typer.Argument(help="The new key's id (letters, digits, . _ -).", show_default=False)],
    ) -> None:
        """A new audit key line `ID HEX`: append it to the key file ($SPJ_AUDIT_KEY_FILE) to rotate keys."""
        from spj.store.keys import new_key_line

        typer.echo(new_key_line(key_id))

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
