"""Further `spj` sub-commands, one module each.

Each module defines `register(app: typer.Typer, *, handles_errors) -> None`;
`spj.cli` calls it for every module here, in name order, passing the decorator
that turns spj errors into located messages and exit codes. Commands stay thin: parse, call the
library, print.
"""
