"""The `spj` command: thin, over the library (`app` builds it, `commands/` holds each sub-command)."""

from __future__ import annotations

from spj.cli.app import app as app
from spj.cli.app import main as main

__all__ = ["app", "main"]
