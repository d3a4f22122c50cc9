"""Write plain data as YAML that spj's strict loader reads back to the same values."""

from __future__ import annotations

import re
from typing import Any

import yaml

# Plain scalars that YAML 1.2's core schema (spj's loader) would not read as strings, and YAML 1.1's
# booleans (`Y`, `no`, `on`...), which spj reads as strings but other YAML readers (PyYAML's safe_load,
# editors) would not: the methodologists' guide asks for codes like "Y" to be quoted, so spj quotes them too.
_NOT_A_STRING = re.compile(
    r"[-+]?(0|[1-9][0-9]*)|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|~|null|Null|NULL|"
    r"true|True|TRUE|false|False|FALSE|[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|"
    r"\d{4}-\d\d?-\d\d?([Tt ].*)?"
)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if value == "" or _NOT_A_STRING.fullmatch(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


class Quoted(str):
    """A string always written in double quotes (scale codes: the guide asks for them quoted)."""

    __slots__ = ()


def _represent_quoted(dumper: yaml.SafeDumper, value: Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_Dumper.add_representer(Quoted, _represent_quoted)


def dump_yaml(data: Any) -> str:
    """Block-style YAML, keys in the given order, strings that look like numbers quoted."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
