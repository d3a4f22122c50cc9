"""`spj schema`: print the JSON Schema of a file format (for editors and integrators)."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import typer

from spj.cli.common import OutputOpt, emit


class SchemaKind(StrEnum):
    instrument = "instrument"
    assessment = "assessment"


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj schema` to `app`."""

    @app.command()
    @handles_errors
    def schema(
        kind: Annotated[SchemaKind, typer.Argument(help="instrument or assessment.")],
        output: OutputOpt = None,
    ) -> None:
        """Print the JSON Schema of a file format (for editors and integrators)."""
        from spj.authoring.schemas import json_schema

        emit(json.dumps(json_schema(kind.value), indent=2, ensure_ascii=False) + "\n", output)
