"""`spj schema`: print the JSON Schema of a file format (for editors and integrators), or its field reference."""

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


class SchemaFormat(StrEnum):
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj schema` to `app`."""

    @app.command()
    @handles_errors
    def schema(
        kind: Annotated[SchemaKind, typer.Argument(help="instrument or assessment.")],
        output: OutputOpt = None,
        format: Annotated[
            SchemaFormat,
            typer.Option("--format", "-f", help="json (the JSON Schema) or markdown (the field reference)."),
        ] = SchemaFormat.json,
    ) -> None:
        """Print the JSON Schema of a file format (for editors and integrators), or its field reference."""
        if format is SchemaFormat.markdown:
            from spj.authoring.schemas import markdown_reference

            emit(markdown_reference(kind.value), output)
            return
        from spj.authoring.schemas import json_schema

        emit(json.dumps(json_schema(kind.value), indent=2, ensure_ascii=False) + "\n", output)
