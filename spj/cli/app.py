"""The `spj` command: parses arguments, calls the library, prints. No logic of its own.

Exit codes: 0 success, 1 invalid input (every problem printed as
`file:line:col: CODE message`), 2 usage error, 3 internal error.
Each sub-command lives in its own module under `spj.cli.commands`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Sequence

import typer

from spj.cli import commands
from spj.cli.common import handles_errors
from spj.cli.entry import HELP as HELP
from spj.cli.entry import command_name, narrow_typer, new_typer

app = new_typer()

# The everyday commands first in `spj --help`; the others follow by name.
ORDER = ("validate", "new", "score", "plan", "report", "compare", "schema", "testcases", "lint", "codebook")


def _register_commands() -> None:
    found = {m.name for m in pkgutil.iter_modules(commands.__path__)}
    for name in [n for n in ORDER if n in found] + sorted(found - set(ORDER)):
        importlib.import_module(f"{commands.__name__}.{name}").register(app, handles_errors=handles_errors)


_register_commands()


def app_for(args: Sequence[str]) -> typer.Typer:
    """`app` with just the command `args` name, when it is a plain command; else `app` itself.

    Typer builds the parser of every command before it runs one (about 20 ms for all of
    them); a process runs one command, so the console script builds only that one.
    """
    name = args[0] if args else ""
    chosen = [c for c in app.registered_commands if command_name(c) == name]
    if len(chosen) != 1:
        return app  # --help, a group (`spj xlsx …`), a typo: the whole command line, as always
    return narrow_typer(chosen[0])  # a group of one, not a single command: `spj validate …` still names it


def main() -> None:
    """Entry point of the whole command line (the console script uses `spj.cli.entry.main`)."""
    app_for(sys.argv[1:])()


if __name__ == "__main__":  # pragma: no cover
    main()
