"""The console script's entry point: import the one command a process runs, not all of them.

`spj.cli.app` imports every command module to build the whole command line
(what `spj --help` shows). A process runs one command: when its first
argument names a plain command (`spj validate …`), `main` imports that
command's module alone and builds a command line of just it, so `spj
validate` does not import what `spj report`, `spj irr` or `spj serve` need.
Anything else (`--help`, a group such as `spj xlsx …`, a typo) goes to the
whole command line, as always.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Sequence

import typer

HELP = "Structured professional judgement: validate instruments and assessments, score, plan, report."
COMMANDS = "spj.cli.commands"


def new_typer() -> typer.Typer:
    """An empty `spj` command line, configured as the whole one is."""
    return typer.Typer(
        name="spj", help=HELP, no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False
    )


def narrow_typer(command: typer.models.CommandInfo) -> typer.Typer:
    """A command line of the one `command`, as a group of one (so `spj validate …` still names it)."""
    narrow = new_typer()
    narrow.registered_commands = [command]
    narrow.callback()(_group)
    return narrow


def _group() -> None:
    pass


def command_name(command: typer.models.CommandInfo) -> str:
    if command.name:
        return command.name
    return typer.main.get_command_name(command.callback.__name__) if command.callback else ""


def one_command(args: Sequence[str]) -> typer.Typer | None:
    """The command line of the plain command `args` names, importing only its module; None otherwise."""
    name = args[0] if args else ""
    if not name.isidentifier() or name.startswith("_"):
        return None
    if importlib.util.find_spec(f"{COMMANDS}.{name}") is None:
        return None
    from spj.cli.common import handles_errors

    alone = new_typer()
    importlib.import_module(f"{COMMANDS}.{name}").register(alone, handles_errors=handles_errors)
    chosen = [c for c in alone.registered_commands if command_name(c) == name]
    if alone.registered_groups or len(chosen) != 1:
        return None
    return narrow_typer(chosen[0])


def main() -> None:
    """Entry point of the `spj` console script."""
    args = sys.argv[1:]
    narrow = one_command(args)
    if narrow is None:
        from spj.cli.app import app_for

        narrow = app_for(args)
    narrow()
