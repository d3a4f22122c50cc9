"""Read a workbook into instrument YAML, checked by the instrument loader before anything is written.

Problems the loader finds (an unknown domain, a rule that does not compile)
are moved from the YAML text back to the workbook: sheet, row, column and the
column's header.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from spj.authoring.xlsx.build import Built, Quoted, build_instrument
from spj.authoring.xlsx.reader import read_file, read_sheets
from spj.errors import InstrumentError, Location, Problem
from spj.instrument.loader import parse_instrument
from spj.instrument.model import Instrument


def import_workbook(path: str | Path) -> tuple[Instrument, str]:
    """The instrument in a workbook and its YAML text; `InstrumentError` lists every problem, located."""
    name = str(path)
    return workbook_to_yaml(read_file(path), name=name)


def workbook_to_yaml(data: bytes, *, name: str) -> tuple[Instrument, str]:
    """Like `import_workbook`, from the workbook's bytes (`name` names it in messages)."""
    built = build_instrument(read_sheets(data, name=name), name=name)
    text = instrument_yaml(built.data)
    try:
        instrument = parse_instrument(text, file=name)
    except InstrumentError as exc:
        raise InstrumentError([_relocate(problem, built, name) for problem in exc.problems]) from None
    return instrument, text


def instrument_yaml(data: dict[str, Any]) -> str:
    """YAML text of an instrument mapping: keys in order, codes quoted, no anchors or tags."""
    header = "# Written by `spj xlsx import`; edit the workbook or this file, not both.\n"
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never writes aliases, quotes codes, and writes short lists inline."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# Plain scalars that spj's YAML 1.2 loader reads as numbers but PyYAML's 1.1 emitter would leave unquoted (`1e5`).
_NUMBER_LIKE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if _NUMBER_LIKE.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _quoted(dumper: yaml.SafeDumper, value: Quoted) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    inline = all(isinstance(item, str) and len(item) <= 40 for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=inline)


_Dumper.add_representer(str, _string)
_Dumper.add_representer(Quoted, _quoted)
_Dumper.add_representer(list, _list)


def _relocate(problem: Problem, built: Built, name: str) -> Problem:
    path = problem.location.path
    spot = built.locate(path)
    if spot is None:
        return Problem(problem.code, problem.message, Location(name, path=path))
    message = problem.message if spot.header is None else f"{problem.message} (column {spot.header!r})"
    return Problem(problem.code, message, Location(f"{name}[{spot.sheet}]", spot.row, spot.column, path))
