"""Turn pydantic's validation errors into located spj problems, phrased for the author.

Where: pydantic's `loc` is followed through the document, dropping the tags
of union branches (`str`, `dict[...]`). What: `schema_wording.py` says it with
the fix. One problem per place; a problem inside a value hides the vaguer one
about the value as a whole (the text map with a bad key is not also "not a
text"), and an unquoted comma in a flow mapping is named as the cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from spj.errors import Code, Problem
from spj.files import schema_wording as wording
from spj.files.yamlsource import Document, PathT

_CONTAINER_KINDS = wording.TYPE_KINDS | {"too_short"}
_LENGTH_KINDS = frozenset({"too_short", "too_long", "string_too_short", "string_too_long"})
_BOUND_KINDS = frozenset({"greater_than_equal", "greater_than", "less_than_equal", "less_than"})


@dataclass(frozen=True)
class _Found:
    path: PathT
    kind: str
    message: str
    cause: bool = False  # names the cause (an unquoted comma): the only message for its place


def schema_problems(exc: ValidationError, doc: Document, model: type[BaseModel]) -> list[Problem]:
    """One problem per document path, each saying what to write instead."""
    found = [_describe(error, doc.data, model) for error in exc.errors(include_url=False)]
    found = [f for f in found if not _hidden(f, found)]
    by_path: dict[PathT, list[str]] = {}
    for item in found:
        messages = by_path.setdefault(item.path, [])
        if item.message not in messages:
            messages.append(item.message)
    return [doc.problem(Code.SCHEMA, "; or ".join(messages), path) for path, messages in by_path.items()]


def _hidden(item: _Found, found: list[_Found]) -> bool:
    """A vaguer message that another one explains: about a whole value with a problem inside, or beside a cause."""
    for other in found:
        if other is item:
            continue
        inside = len(other.path) > len(item.path) and other.path[: len(item.path)] == item.path
        if inside and item.kind in _CONTAINER_KINDS:
            return True
        if other.path == item.path and other.cause and not item.cause:
            return True
    return False


def _describe(error: Any, data: Any, model: type[BaseModel]) -> _Found:
    kind = error["type"]
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    about_key = bool(loc) and loc[-1] == "[key]"
    path, node, fields, holder = _resolve(loc, data, model, kind)
    key = path[-1] if path else None
    if about_key:
        if node is None and kind == "string_pattern_mismatch":
            return _Found(path, kind, wording.comma_cause(str(key), _before(data, path)), cause=True)
        node = key
    if kind == "missing":
        return _Found(path, kind, wording.describe_missing(key))
    if kind == "extra_forbidden":
        if node is None and not wording.did_you_mean(str(key), fields):
            return _Found(path, kind, wording.comma_cause(str(key), _before(data, path)), cause=True)
        return _Found(path, kind, wording.describe_unknown_key(str(key), fields))
    pattern = _pattern_of(holder, key)
    return _Found(path, kind, _phrase(kind, ctx, key, node, error["msg"], pattern))


def _phrase(kind: str, ctx: dict[str, Any], key: Any, node: Any, message: str, pattern: str | None) -> str:
    if kind in ("literal_error", "enum"):
        return wording.describe_choice(str(ctx.get("expected", "")), node)
    if kind == "string_pattern_mismatch":
        return wording.describe_form(str(ctx.get("pattern", "")), node)
    if kind in wording.TYPE_KINDS:
        return wording.describe_type(kind, node, pattern)
    if kind in _LENGTH_KINDS:
        return wording.describe_length(kind, ctx, key, node)
    if kind in _BOUND_KINDS:
        return wording.describe_bound(kind, ctx, node)
    return wording.describe_other(message)


def _resolve(
    loc: tuple[Any, ...], data: Any, model: type[BaseModel], kind: str
) -> tuple[PathT, Any, list[str], type[BaseModel] | None]:
    """Follow pydantic's `loc` through the data, dropping union branch tags.

    Returns the path, the value there, the keys the format allows in the
    mapping that holds it (for a did-you-mean) and that mapping's model.
    """
    path: list[str | int] = []
    node = data
    fields: list[str] = list(model.model_fields)
    parent_fields = fields
    current_model: type[BaseModel] | None = model
    holder: type[BaseModel] | None = None
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
            parent_fields = fields
            holder = current_model
            current_model = _field_model(current_model, part)
            fields = list(current_model.model_fields) if current_model else []
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif last and kind in ("missing", "extra_forbidden") and part != "[key]":
            path.append(part)
            parent_fields = fields
            holder = current_model
            node = None
        # otherwise: a union branch such as 'str' or 'dict[str,str]', or '[key]'
    return tuple(path), node, parent_fields, holder


def _before(data: Any, path: PathT) -> tuple[str, Any] | None:
    """The key and value written just before the last key of `path`, in the mapping that holds it."""
    holder = data
    for part in path[:-1]:
        holder = holder[part]
    if not isinstance(holder, dict):
        return None
    keys = list(holder)
    at = keys.index(path[-1]) if path[-1] in keys else 0
    return (keys[at - 1], holder[keys[at - 1]]) if at > 0 else None


def _pattern_of(model: type[BaseModel] | None, key: Any) -> str | None:
    """The pattern a model's field asks its text to match, if any."""
    if model is None or not isinstance(key, str) or key not in model.model_fields:
        return None
    for meta in model.model_fields[key].metadata:
        pattern = getattr(meta, "pattern", None)
        if isinstance(pattern, str):
            return pattern
    return None


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
