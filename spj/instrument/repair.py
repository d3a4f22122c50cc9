"""Patch schema problems with placeholders, so that the other load-time checks still run.

DESIGN 4.1 asks for every problem at once: a misspelt `kind` must not hide an
unresolved `domain` two lines below. When the schema refuses a document, each
refused value is replaced by a harmless placeholder (an unknown key removed, a
missing one added) and the document is validated again; the reference,
expression and cycle checks then run on the result. Item positions never move,
so every problem keeps its line. If the patched document still does not
validate, the other checks are skipped: the schema problems stand alone.
"""

from __future__ import annotations

import copy
import zlib
from typing import Any

from pydantic import ValidationError

from spj.instrument.model import Instrument

_PLACEHOLDERS: dict[str, Any] = {
    "kind": "risk",
    "severity": "concern",
    "type": "text",
    "provider": "-",
    "duration_weeks": 0,
    "rationale_required": False,
    "levels": ["-"],
    "rate": ["presence"],
    "when": "false",
    "recommend_when": "false",
    "requires": [],
    "after": [],
    "anchors": {},
    "choices": [],
    "labels": {},
    "title": "-",
    "message": "-",
    "license": "-",
    "version": "0.0.0",
    "label": "-",
}
_DROPPED = {"description", "guidance", "citation", "omission", "informs"}


def repaired(data: dict[str, Any], error: ValidationError) -> Instrument | None:
    """The instrument with refused values patched, or None when patching cannot make it valid."""
    patched = copy.deepcopy(data)
    for problem in error.errors(include_url=False):
        if not _patch(patched, tuple(problem["loc"]), problem["type"]):
            return None
    try:
        return Instrument.model_validate(patched)
    except ValidationError:
        return None


def _patch(data: Any, loc: tuple[Any, ...], kind: str) -> bool:
    """Patch one refused value in place; False when it is not a value this module knows how to patch."""
    if loc[:1] == ("lint",) and isinstance(data, dict):
        data.pop("lint", None)  # no other check reads it
        return True
    parent, key = _parent(data, loc)
    if parent is None:
        return False
    if kind == "extra_forbidden":
        if isinstance(parent, dict):
            parent.pop(key, None)
        return True
    if isinstance(parent, dict) and key in _DROPPED:
        parent.pop(key, None)
        return True
    if key == "id" and isinstance(parent, dict):
        parent["id"] = f"invalid{zlib.crc32(repr(loc).encode())}"  # fits every id pattern, unique per place
        return True
    if key == "domain" and isinstance(parent, dict):
        domains = data.get("domains") if isinstance(data, dict) else None
        first = domains[0].get("id") if isinstance(domains, list) and domains and isinstance(domains[0], dict) else None
        if not isinstance(first, str):
            return False
        parent["domain"] = first
        return True
    if key in _PLACEHOLDERS and isinstance(parent, dict):
        parent[key] = copy.deepcopy(_PLACEHOLDERS[key])
        return True
    return False


def _patchable(key: Any) -> bool:
    return key in _PLACEHOLDERS or key in _DROPPED or key in ("id", "domain")


def _parent(data: Any, loc: tuple[Any, ...]) -> tuple[Any, Any]:
    """The container holding the refused value and its key, skipping pydantic's union branch names."""
    node = data
    path: list[Any] = []
    for part in loc:
        in_map = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_map or in_list:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part.isidentifier():
            path.append(part)  # a missing or unknown key
            break
    if not path:
        return None, None
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    # A value inside a text or a map given in a wrong shape (`title.en`, `anchors.N`) is patched whole.
    while len(path) > 2 and not isinstance(path[-2], int) and not _patchable(path[-1]):
        path.pop()
        parent = data
        for part in path[:-1]:
            parent = parent[part]
    return parent, path[-1]
