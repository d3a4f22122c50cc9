"""The `spj` command: thin, over the library (`app` builds it, `commands/` holds each sub-command).

`main` (the console script) imports only the command it runs (`entry.py`);
`app`, the whole command line, is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spj.cli.entry import main as main

if TYPE_CHECKING:
    from spj.cli.app import app as app


def __getattr__(name: str) -> Any:
    if name == "app":
        from spj.cli.app import app

        return app
    raise AttributeError(f"module 'spj.cli' has no attribute {name!r}")


__all__ = ["app", "main"]
