"""The field reference of a file format, written from its models so that it cannot drift from them.

Every key the schema accepts gets a row: its name, what to write, whether it
is required (or its default) and what it means (the model's own docstring
of the field). `docs/instrument-fields.md` is this output for the instrument
format; a test checks that the committed file is current, and
`spj schema instrument --format markdown` prints it again.
"""

from __future__ import annotations

import ast
import enum
import inspect
import itertools
import textwrap
import types
import typing
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from spj.authoring.fieldmeanings import MEANINGS
from spj.files.schema_wording import FORMS

_SCALARS = {str: "text", int: "whole number", float: "number", bool: "true or false"}
_INTRO = (
    "<!-- Written by `spj schema {kind} --format markdown` from spj's models: do not edit by hand. -->\n\n"
    "# Field reference: the {kind} file\n\n"
    "Every key the {kind} file accepts, part by part. *Text* is a plain string (the default language)\n"
    "or a map from language code to text (`{{en: ..., nl: ...}}`). A key not listed here is refused,\n"
    "with a suggestion for a misspelt one.\n"
)


def undocumented(model: type[BaseModel]) -> list[str]:
    """`Model.field` for every field reachable from `model` that has no meaning to show."""
    return [
        f"{part.__name__}.{name}"
        for part in _models(model)
        for name, info in part.model_fields.items()
        if not (_attribute_docs(part).get(name) or MEANINGS.get(f"{part.__name__}.{name}") or info.description)
    ]


def field_reference(model: type[BaseModel], *, kind: str) -> str:
    """Markdown: one section per model reachable from `model`, one table row per key."""
    sections = [_INTRO.format(kind=kind)]
    for part in _models(model):
        sections.append(_section(part))
    return "\n".join(sections)


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """`root` and every model its fields hold, in the order first met."""
    found: list[type[BaseModel]] = []
    pending = [root]
    while pending:
        model = pending.pop(0)
        if model in found:
            continue
        found.append(model)
        for info in model.model_fields.values():
            pending += [t for t in _leaves(info.annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
    return found


def _section(model: type[BaseModel]) -> str:
    doc = inspect.getdoc(model) or ""
    summary = doc.split("\n\n")[0].replace("\n", " ")
    rows = ["| key | write | required / default | meaning |", "|---|---|---|---|"]
    notes = _attribute_docs(model)
    for name, info in model.model_fields.items():
        key = info.alias or name
        meaning = notes.get(name) or MEANINGS.get(f"{model.__name__}.{name}", "") or (info.description or "")
        rows.append(f"| `{key}` | {_describe(info.annotation, info.metadata)} | {_default(info)} | {_cell(meaning)} |")
    return f"## {model.__name__}\n\n{summary}\n\n" + "\n".join(rows) + "\n"


def _default(info: Any) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        value = info.default_factory()
        return "empty" if not value or isinstance(value, BaseModel) else f"`{value}`"
    value = info.default
    if value is None or value is PydanticUndefined:
        return "optional"
    if value == () or value == {}:
        return "empty"
    if isinstance(value, tuple):
        return "`[" + ", ".join(str(v) for v in value) + "]`"
    if isinstance(value, BaseModel):
        return "see below"
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def _describe(annotation: Any, metadata: list[Any] | None = None) -> str:
    """What to write for a value of `annotation`, in words."""
    for meta in metadata or []:
        pattern = getattr(meta, "pattern", None)
        if isinstance(pattern, str) and pattern in FORMS:
            return FORMS[pattern][0]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _describe(args[0], list(args[1:]))
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if _is_text(options):
            return "*text*"
        return " or ".join(dict.fromkeys(_describe(a) for a in options))
    if origin is tuple:
        return f"list of {_plural(_describe(args[0]))}"
    if origin is dict:
        return f"map of {_bare(_describe(args[0]))} to {_bare(_describe(args[1]))}"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of " + ", ".join(f"`{member.value}`" for member in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return _SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _is_text(options: list[Any]) -> bool:
    return len(options) == 2 and options[0] is str and typing.get_origin(options[1]) is dict


def _plural(words: str) -> str:
    if words.startswith(("a ", "an ")):
        return words.split(" ", 1)[1] + "s"
    return words


def _bare(words: str) -> str:
    return words.split(" ", 1)[1] if words.startswith(("a ", "an ")) else words


def _leaves(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    return [leaf for arg in args for leaf in _leaves(arg)]


@cache
def _attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """The docstrings written under a model's fields (`name: type` then `\"\"\"what it means\"\"\"`)."""
    try:
        source = textwrap.dedent(inspect.getsource(model))
    except (OSError, TypeError):
        return {}
    body = ast.parse(source).body[0]
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    statements = body.body
    for statement, following in itertools.pairwise(statements):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = " ".join(following.value.value.split())
    return docs


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
