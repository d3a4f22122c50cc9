"""JSON Schemas of the file formats, for editors and integrators."""

from __future__ import annotations

from typing import Any

from spj.assessment import Assessment
from spj.instrument import Instrument

SCHEMA_IDS = {
    "instrument": "https://spj.invalid/schema/spj-1.json",
    "assessment": "https://spj.invalid/schema/spj-assessment-1.json",
}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of `kind` ("instrument" or "assessment")."""
    model: type[Instrument] | type[Assessment] = Instrument if kind == "instrument" else Assessment
    schema = model.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_IDS[kind], **schema}


def markdown_reference(kind: str) -> str:
    """The field reference of `kind` ("instrument" or "assessment"), in Markdown (`docs/instrument-fields.md`)."""
    from spj.authoring.fieldref import field_reference

    model: type[Instrument] | type[Assessment] = Instrument if kind == "instrument" else Assessment
    return field_reference(model, kind=kind)
