"""The `spj` command: parses arguments, calls the library, prints. No logic of its own.

Exit codes: 0 success, 1 invalid input (every problem printed as
`file:line:col: CODE message`), 2 usage error, 3 internal error.
Each sub-command lives in its own module under `spj.cli.commands`.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from spj.cli import commands
from spj.cli.common import handles_errors

app = typer.Typer(
    name="spj",
    help="Structured professional judgement: validate instruments and assessments, score, plan, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# The everyday commands first in `spj --help`; the others follow by name.
ORDER = ("validate", "new", "score", "plan", "report", "compare", "schema", "testcases", "lint", "codebook")


def _register_commands() -> None:
    found = {m.name for m in pkgutil.iter_modules(commands.__path__)}
    for name in [n for n in ORDER if n in found] + sorted(found - set(ORDER)):
        importlib.import_module(f"{commands.__name__}.{name}").register(app, handles_errors=handles_errors)


_register_commands()


def main() -> None:
    """Entry point of the `spj` console script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
