"""Read one cell's value as what its column holds: text, a number, TRUE/FALSE, a list.

Spreadsheets turn what people type into numbers, dates and booleans; these
functions turn them back, or raise `CellError` with a message that says what
to do.

>>> as_string(1)
'1'
>>> as_int("12")
12
>>> as_list("presence, relevance")
['presence', 'relevance']
"""

from __future__ import annotations

import datetime as dt
import math
import re

from spj.authoring.xlsx.layout import LIST_SEPARATOR

_INT = re.compile(r"^[+-]?\d+$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


class CellError(ValueError):
    """A cell's value does not fit its column."""


def is_blank(value: object) -> bool:
    """An empty cell, or one holding only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_string(value: object) -> str:
    """Text as typed; a number typed into a text column becomes its digits."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise CellError("expected text, got TRUE/FALSE; format the cell as text")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        raise CellError("expected text, got a date or time; format the cell as text and retype it")
    raise CellError(f"expected text, got {type(value).__name__}")


def as_int(value: object) -> int:
    """A whole number, typed as a number or as digits."""
    if isinstance(value, bool):
        raise CellError("expected a whole number, got TRUE/FALSE")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.match(value.strip()):
        return int(value.strip())
    raise CellError(f"expected a whole number, got {value!r}")


def as_float(value: object) -> float:
    """A number, typed as a number or as text."""
    if isinstance(value, bool):
        raise CellError("expected a number, got TRUE/FALSE")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise CellError(f"expected a number, got {value!r}") from None
    else:
        raise CellError(f"expected a number, got {type(value).__name__}")
    if not math.isfinite(number):
        raise CellError(f"expected a finite number, got {value!r}")
    return number


def as_bool(value: object) -> bool:
    """TRUE/FALSE, or true/false, yes/no, 1/0 typed as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise CellError(f"expected TRUE or FALSE, got {value!r}")


def as_list(value: object) -> list[str]:
    """Comma-separated items, spaces around them ignored."""
    return [item.strip() for item in as_string(value).split(LIST_SEPARATOR.strip()) if item.strip()]


def as_yaml(value: object) -> object:
    """A nested value written as YAML (or JSON) in one cell, read with the strict loader."""
    from spj.errors import SpjError
    from spj.files.yamlsource import parse_yaml

    try:
        return parse_yaml(as_string(value), file="cell").data
    except SpjError as exc:
        raise CellError(f"expected a YAML value ({exc.problems[0].message if exc.problems else exc})") from exc
