"""Say a schema problem in the author's terms, with the fix: no validator internals, no raw patterns.

`schema_errors.py` finds where a pydantic error is in the document; this
module phrases it. Every message says what is wrong and what to write
instead ("add at least one domain", "write a version such as 1.0.0").

>>> describe_form("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", "Dutch")
"'Dutch' is not a language code: write a language code such as nl or fr-BE"
"""

from __future__ import annotations

import re
from typing import Any

from spj.errors import did_you_mean as did_you_mean

# Patterns of the file formats' models, in words. A test checks that every pattern any model uses is here.
FORMS: dict[str, tuple[str, str]] = {
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$": ("a language code", "a language code such as nl or fr-BE"),
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$": (
        "a version",
        "a version such as 1.0.0 (major.minor.patch)",
    ),
    r"^[a-z0-9][a-z0-9-]*$": ("an id", "lower-case letters, digits and hyphens, such as my-instrument"),
    r"^[A-Za-z][A-Za-z0-9_]*$": ("a name", "a letter, then letters, digits or underscores, such as SO1 or wellbeing"),
    r"^[0-9a-f]{64}$": ("a content hash", "the 64 hexadecimal digits that spj new wrote"),
    r"^[a-z][a-z0-9_-]*$": ("a kind", "lower-case letters, digits, hyphens or underscores, such as care"),
    r"^[A-Za-z][A-Za-z0-9_-]*$": ("an id", "a letter, then letters, digits, hyphens or underscores, such as Q1"),
    r"^[A-Z_][A-Z0-9_]*$": (
        "the name of an environment variable",
        "capitals, digits and underscores, such as SPJ_HOOK_SECRET_CMS",
    ),
    r"^https?://[^\s]+$": ("a web address", "an address that starts with https:// (or http://), without spaces"),
}

COMMA_HINT = "quote text that contains a comma or a colon"

_TYPES = {
    "string_type": "text",
    "int_type": "a whole number such as 12",
    "int_parsing": "a whole number such as 12",
    "int_from_float": "a whole number such as 12",
    "float_type": "a number such as 0.25",
    "float_parsing": "a number such as 0.25",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value lines, or {key: value})",
    "model_type": "a mapping (key: value lines, or {key: value})",
    "model_attributes_type": "a mapping (key: value lines, or {key: value})",
    "list_type": "a list ([a, b], or lines that start with '- ')",
    "tuple_type": "a list ([a, b], or lines that start with '- ')",
    "set_type": "a list ([a, b], or lines that start with '- ')",
    "date_type": "a date such as 2024-05-31",
    "date_parsing": "a date such as 2024-05-31",
    "date_from_datetime_parsing": "a date such as 2024-05-31",
    "date_from_datetime_inexact": "a date such as 2024-05-31",
    "datetime_type": "a date and time such as 2024-05-31T14:00:00",
    "datetime_parsing": "a date and time such as 2024-05-31T14:00:00",
}
TYPE_KINDS = frozenset(_TYPES)
"""pydantic error kinds that mean "this value has the wrong type"."""

_NOUNS = {"from": "old indicator", "into": "new indicator", "levels": "level", "choices": "choice", "rate": "scale"}


def describe_form(pattern: str, value: Any) -> str:
    """`value` does not have the form `pattern` asks for: say what it should be."""
    shown = show(value)
    what, example = FORMS.get(pattern, ("", ""))
    if not what:
        return f"{shown} is not written as expected here; check the guide's field reference"
    return f"{shown} is not {what}: write {example}"


def describe_type(kind: str, value: Any, pattern: str | None = None) -> str:
    """`value` has the wrong type (`kind` a key of `TYPE_KINDS`): say what is expected, and how to write it."""
    if kind == "string_type" and pattern in FORMS:
        what, example = FORMS[pattern]
        return f"{show(value)} is not {what}: write {example}, in quotes if YAML reads it as a number"
    if value is None:
        return f"a value is missing here: write {_TYPES[kind]}"
    expected = _TYPES[kind]
    hint = ""
    if kind == "string_type" and isinstance(value, bool):
        hint = '; quote it ("yes", "N"): YAML reads some words as true or false'
    elif kind == "string_type" and isinstance(value, int | float):
        hint = "; quote it"
    return f"should be {expected}, not {show(value)}{hint}"


def describe_length(kind: str, ctx: dict[str, Any], key: Any, value: Any) -> str:
    """A list or text too short or too long."""
    if kind == "string_too_short":
        return "is empty: write some text"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters: shorten it"
    noun = _noun(key)
    if kind == "too_short":
        need = int(ctx.get("min_length", 1))
        if need == 1:
            article = "an" if noun[:1] in "aeiou" else "a"
            return f"is empty: add at least one {noun}" if not value else f"needs at least {article} {noun}"
        return f"has {len(value) if isinstance(value, list | dict) else 0}: add at least {need} {noun}s"
    return f"has more than {ctx.get('max_length')} {noun}s: remove some"


def describe_bound(kind: str, ctx: dict[str, Any], value: Any) -> str:
    """A number outside its bounds."""
    words = {
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("more than", "gt"),
        "less_than_equal": ("at most", "le"),
        "less_than": ("less than", "lt"),
    }
    phrase, key = words[kind]
    bound = ctx.get(key)
    if isinstance(bound, float) and bound == int(bound):
        bound = int(bound)
    return f"should be {phrase} {bound}, not {show(value)}"


def describe_choice(expected: str, value: Any) -> str:
    """A value that is not one of the allowed words."""
    choices = re.findall(r"'([^']*)'", expected)
    listed = ", ".join(choices) if choices else expected
    return f"{show(value)} is not allowed here: write one of {listed}" + did_you_mean(str(value), choices)


def comma_cause(name: str, before: tuple[str, Any] | None) -> str:
    """A key without a value where a text was cut at an unquoted comma (`{en: Conflict, threats}`)."""
    if before is not None and isinstance(before[1], str):
        example = f'{before[0]}: "{before[1]}, {name}"'
    else:
        example = f'en: "Conflict, {name}"'
    return (
        f"{name!r} is read as a key without a value: inside {{...}} an unquoted comma ends a text; "
        f"{COMMA_HINT}, as in {example}"
    )


def describe_unknown_key(name: str, fields: list[str]) -> str:
    """A key the format does not have, with a suggestion."""
    suggestion = did_you_mean(name, fields)
    known = "" if suggestion or not fields else f"; the keys here are {', '.join(fields)}"
    return f"unknown key {name!r}{suggestion}{known}"


def describe_missing(key: Any) -> str:
    """A required key left out."""
    if isinstance(key, str):
        return f"the key {key!r} is required here: add it"
    return "a required value is missing: add it"


def describe_other(message: str) -> str:
    """A message written by one of spj's own validators (kept), with pydantic's prefix removed."""
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message[:1].lower() + message[1:]


def show(value: Any) -> str:
    """A value as the author wrote it, short."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _noun(key: Any) -> str:
    if not isinstance(key, str):
        return "item"
    if key in _NOUNS:
        return _NOUNS[key]
    singular = key[:-1] if key.endswith("s") else key
    return singular.replace("_", " ")
