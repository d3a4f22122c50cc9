"""Further `spj` sub-commands, one module each.

Each module defines `register(app: typer.Typer) -> None`; `spj.cli` calls it
for every module here, in name order. Commands stay thin: parse, call the
library, print.
"""
