"""Turn pydantic's validation errors into located spj problems."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from spj.errors import Code, Problem, did_you_mean
from spj.files.yamlsource import Document, PathT


def schema_problems(exc: ValidationError, doc: Document, model: type[BaseModel]) -> list[Problem]:
    """One problem per document path; alternatives of a union are merged."""
    by_path: dict[PathT, list[str]] = {}
    for error in exc.errors(include_url=False):
        path, message = _describe(error, doc.data, model)
        messages = by_path.setdefault(path, [])
        if message not in messages:
            messages.append(message)
    problems = []
    for path, messages in by_path.items():
        text = messages[0] if len(messages) == 1 else " or ".join(messages)
        problems.append(doc.problem(Code.SCHEMA, text, path))
    return problems


def _describe(error: Any, data: Any, model: type[BaseModel]) -> tuple[PathT, str]:
    kind = error["type"]
    loc = tuple(error["loc"])
    path, node, parent_fields = _resolve(loc, data, model, keep_last=kind == "missing")
    if kind == "missing":
        return path, f"missing required key {path[-1]!r}" if path else "missing required key"
    if kind == "extra_forbidden":
        name = str(path[-1]) if path else "?"
        return path, f"unknown key {name!r}" + did_you_mean(name, parent_fields)
    message = error["msg"]
    if kind in ("literal_error", "enum"):
        expected = error["ctx"]["expected"]
        choices = re.findall(r"'([^']*)'", expected)
        message = f"must be one of {expected}, not {node!r}" + did_you_mean(str(node), choices)
    elif kind == "string_pattern_mismatch":
        message = f"{node!r} does not have the required form ({error['ctx']['pattern']})"
    elif kind in (
        "string_type",
        "int_type",
        "int_parsing",
        "float_type",
        "bool_type",
        "dict_type",
        "list_type",
        "tuple_type",
        "model_type",
        "date_type",
        "date_from_datetime_parsing",
        "date_parsing",
    ):
        message = f"{message[0].lower()}{message[1:]}, got {_show(node)}"
    else:
        message = f"{message[0].lower()}{message[1:]}"
    return path, message


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _resolve(
    loc: tuple[Any, ...], data: Any, model: type[BaseModel], *, keep_last: bool
) -> tuple[PathT, Any, list[str]]:
    """Follow pydantic's `loc` through the data, dropping union branch tags."""
    path: list[str | int] = []
    node = data
    fields: list[str] = list(model.model_fields)
    current_model: type[BaseModel] | None = model
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
            current_model = _field_model(current_model, part)
            fields = list(current_model.model_fields) if current_model else []
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif last and keep_last:
            path.append(part)
        elif isinstance(node, dict) and last:
            path.append(part)  # an unknown key
        # otherwise: a union branch such as 'str' or 'dict[str,str]'
    return tuple(path), node, fields


def _field_model(model: type[BaseModel] | None, name: Any) -> type[BaseModel] | None:
    if model is None or name not in model.model_fields:
        return None
    annotation = model.model_fields[name].annotation
    for candidate in _walk_types(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _walk_types(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    out: list[Any] = []
    for arg in args:
        out.extend(_walk_types(arg))
    return out
