"""Strict YAML reading that keeps where every value came from.

PyYAML's `safe_load` keeps the last of two duplicate keys, turns `NO` into
false and expands aliases (a 1 KB "billion laughs" document becomes
gigabytes). Here libyaml's C parser produces events and this module builds the
values itself, iteratively, so that:

- every mapping key and value has its line and column (`Document.locate`);
- duplicate keys, tags and aliases are refused, each at its own position;
- nesting deeper than `max_depth` is refused before it can exhaust a stack;
- plain scalars follow YAML 1.2's core schema (`true`, `false`, `null`,
  integers, floats); everything else, `NO` and `Y` included, stays a string.

Problems that leave a usable tree (a duplicate key: the first wins) are
collected in `Document.problems`; a syntax error raises at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spj.errors import Code, Location, Problem, SpjError
from spj.files.yaml_hints import syntax_hint

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 40

PathT = tuple[str | int, ...]

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


@dataclass
class Document:
    """A YAML document read into plain values, with locations by path."""

    data: Any
    file: str | None
    positions: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    scalars: dict[PathT, tuple[int, int, str | None, bool]] = field(default_factory=dict)
    """Start of each scalar value: line, column, style (None plain, quote, | or >), single line."""
    text: str | None = field(default=None, repr=False)
    """The source text, to locate characters inside folded or escaped scalars."""

    def locate(self, path: PathT) -> Location:
        """The location of `path` (its value, where it is a scalar), or of its nearest located ancestor."""
        path = tuple(path)
        scalar = self.scalars.get(path)
        if scalar is not None:
            return Location(self.file, scalar[0], scalar[1], path)
        for end in range(len(path), -1, -1):
            pos = self.positions.get(path[:end])
            if pos is not None:
                return Location(self.file, pos[0], pos[1], path)
        return Location(self.file, None, None, path)

    def within(self, path: PathT) -> Document:
        """The value at `path` as a document of its own, keeping this file's positions."""
        size = len(path)
        node = self.data
        for part in path:
            node = node[part]
        return Document(
            node,
            self.file,
            {k[size:]: v for k, v in self.positions.items() if k[:size] == tuple(path)},
            [],
            {k[size:]: v for k, v in self.scalars.items() if k[:size] == tuple(path)},
            self.text,
        )

    def problem(self, code: Code, message: str, path: PathT) -> Problem:
        """A problem located at `path`."""
        return Problem(code, message, self.locate(path))

    def locate_in_scalar(self, path: PathT, offset: int, source: str) -> Location:
        """The location of character `offset` of the string value at `path`.

        Folding (`>`), line breaks and quote escapes (`''`) make the value differ
        from the text in the file, so the word at `offset` is looked up in the
        file text itself: its n-th occurrence after the scalar's start.
        """
        start = self.scalars.get(tuple(path))
        if start is None:
            return self.locate(path)
        line, column, style, single_line = start
        found = self._find_in_text(line, column, offset, source)
        if found is not None:
            return Location(self.file, found[0], found[1], tuple(path))
        if style in ("|", ">"):
            return Location(self.file, line + 1 + source[:offset].count("\n"), None, tuple(path))
        if not single_line:
            return Location(self.file, line, column, tuple(path))
        return Location(self.file, line, column + (1 if style else 0) + offset, tuple(path))

    def _find_in_text(self, line: int, column: int, offset: int, source: str) -> tuple[int, int] | None:
        if self.text is None:
            return None
        word = _WORD.match(source, offset)
        if word is None:
            return None
        needle = word.group()
        nth = len(re.findall(re.escape(needle), source[:offset]))
        lines = self.text.split("\n")
        if line - 1 >= len(lines):
            return None
        position = sum(len(row) + 1 for row in lines[: line - 1]) + column - 1
        for _ in range(nth + 1):
            position = self.text.find(needle, position)
            if position < 0:
                return None
            position += len(needle)
        position -= len(needle)
        found_line = self.text.count("\n", 0, position) + 1
        found_column = position - (self.text.rfind("\n", 0, position) + 1) + 1
        return found_line, found_column


@functools.cache
def _pyyaml() -> tuple[Any, Any]:
    """PyYAML and its parser, imported when the first YAML text is read (`import spj` does not need them)."""
    import yaml

    # libyaml's C parser; the pure-Python one gives the same events, slower (every PyYAML wheel ships libyaml)
    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def read_bytes(path: str | Path, *, error: type[SpjError], max_bytes: int = MAX_BYTES, what: str = "file") -> bytes:
    """Read a file whole, refusing one over `max_bytes`; problems raise `error`."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise error(Problem(Code.FILE_NOT_FOUND, "no such file", Location(name))) from exc
    except IsADirectoryError as exc:
        raise error(Problem(Code.FILE_NOT_FOUND, "is a folder, not a file", Location(name))) from exc
    except OSError as exc:
        raise error(Problem(Code.FILE_NOT_FOUND, f"cannot read: {exc.strerror}", Location(name))) from exc
    if len(raw) > max_bytes:
        raise error(
            Problem(
                Code.FILE_TOO_LARGE,
                f"{what} is larger than {max_bytes // (1024 * 1024)} MiB; is this the right file?",
                Location(name),
            )
        )
    return raw


def read_text(path: str | Path, *, error: type[SpjError], max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 file with a size limit; problems raise `error`."""
    raw = read_bytes(path, error=error, max_bytes=max_bytes)
    name = str(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(
            Problem(Code.FILE_ENCODING, "file is not valid UTF-8; save it as UTF-8", Location(name, line))
        ) from exc


def parse_yaml(
    text: str,
    *,
    file: str | None = None,
    error: type[SpjError] = SpjError,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Document:
    """Parse one YAML document strictly; fatal problems raise `error`."""
    if len(text) > max_bytes:
        raise error(Problem(Code.FILE_TOO_LARGE, f"document is larger than {max_bytes} bytes", Location(file)))
    yaml, loader = _pyyaml()
    builder = _Builder(file, max_depth)
    try:
        for event in yaml.parse(text, Loader=loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        reason = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in reason:  # libyaml's own limit, met before the builder's when it reads ahead
            raise error(
                Problem(Code.YAML_TOO_DEEP, f"nested deeper than {max_depth} levels", Location(file, line, column))
            ) from exc
        hint = syntax_hint(reason, text, mark.line, mark.column) if mark else None
        message = f"YAML syntax error: {reason}" + (f"; {hint}" if hint else "")
        raise error(Problem(Code.YAML_SYNTAX, message, Location(file, line, column))) from exc
    except yaml.YAMLError as exc:
        raise error(Problem(Code.YAML_SYNTAX, f"YAML error: {exc}", Location(file))) from exc
    except UnicodeError as exc:
        reason = f"the text cannot be encoded as UTF-8 ({type(exc).__name__}); remove stray surrogate characters"
        raise error(Problem(Code.FILE_ENCODING, reason, Location(file))) from None
    except _Fatal as exc:
        raise error(exc.problem) from None
    return Document(builder.root, file, builder.positions, builder.problems, builder.scalars, text)


class _Fatal(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: PathT
    pending_key: str | None = None
    key_set: bool = False
    keys: set[str] = field(default_factory=set)
    ignore: bool = False  # the value of a duplicate key: built, then dropped


class _Builder:
    """Turns a stream of parser events into values, with an explicit stack."""

    def __init__(self, file: str | None, max_depth: int) -> None:
        self.file = file
        self.max_depth = max_depth
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.documents = 0
        self.positions: dict[PathT, tuple[int, int]] = {}
        self.scalars: dict[PathT, tuple[int, int, str | None, bool]] = {}
        self.problems: list[Problem] = []
        yaml = _pyyaml()[0]
        self._scalar_event = yaml.ScalarEvent
        self._mapping_start_event = yaml.MappingStartEvent
        self._handlers: dict[type, Callable[[Any], None]] = {
            yaml.StreamStartEvent: _ignore,
            yaml.StreamEndEvent: _ignore,
            yaml.DocumentEndEvent: _ignore,
            yaml.DocumentStartEvent: self._document_start,
            yaml.ScalarEvent: self._scalar,
            yaml.MappingStartEvent: self._start,
            yaml.SequenceStartEvent: self._start,
            yaml.MappingEndEvent: self._end,
            yaml.SequenceEndEvent: self._end,
            yaml.AliasEvent: self._alias,
        }

    def feed(self, event: Any) -> None:
        self._handlers[type(event)](event)

    def _loc(self, event: Any, path: PathT = ()) -> Location:
        mark = event.start_mark
        return Location(self.file, mark.line + 1, mark.column + 1, path)

    def _document_start(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            raise _Fatal(Problem(Code.YAML_MULTIPLE_DOCUMENTS, "only one YAML document per file", self._loc(event)))

    def _alias(self, event: Any) -> None:
        raise _Fatal(
            Problem(
                Code.YAML_ALIAS,
                f"YAML aliases (*{event.anchor}) are not allowed; write the value out",
                self._loc(event),
            )
        )

    def _check_tag(self, event: Any) -> None:
        if event.tag is not None and not (isinstance(event, self._scalar_event) and event.tag == "!"):
            raise _Fatal(
                Problem(Code.YAML_TAG, f"YAML tags ({event.tag}) are not allowed; remove the tag", self._loc(event))
            )

    def _child_path(self, event: Any) -> tuple[PathT, bool]:
        """Where the next value goes; False when it is a mapping key."""
        if not self.stack:
            return (), True
        top = self.stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container)), True
        if not top.key_set:
            return top.path, False
        assert top.pending_key is not None
        return (*top.path, top.pending_key), True

    def _place(self, value: Any, path: PathT, event: Any) -> None:
        if not self.stack:
            self.root = value
            self.positions.setdefault((), (event.start_mark.line + 1, event.start_mark.column + 1))
            return
        top = self.stack[-1]
        if isinstance(top.container, list):
            top.container.append(value)
            self.positions[path] = (event.start_mark.line + 1, event.start_mark.column + 1)
            return
        assert top.pending_key is not None
        if not top.ignore:
            top.container[top.pending_key] = value
        top.pending_key, top.key_set, top.ignore = None, False, False

    def _scalar(self, event: Any) -> None:
        self._check_tag(event)
        path, is_value = self._child_path(event)
        value = _resolve(event)
        if not is_value:
            top = self.stack[-1]
            if not isinstance(value, str):
                value = event.value  # keys are names: keep `1` or `yes` as text
            key_path = (*top.path, value)
            assert isinstance(top.container, dict)
            if value in top.keys:
                first = self.positions.get(key_path)
                where = f" (first at line {first[0]})" if first else ""
                self.problems.append(
                    Problem(
                        Code.DUPLICATE_KEY,
                        f"duplicate key {value!r}{where}; the first is kept, remove one",
                        self._loc(event, key_path),
                    )
                )
                top.ignore = True
            else:
                top.keys.add(value)
                self.positions[key_path] = (event.start_mark.line + 1, event.start_mark.column + 1)
            top.pending_key, top.key_set = value, True
            return
        start, end = event.start_mark, event.end_mark
        self.scalars[path] = (start.line + 1, start.column + 1, event.style, start.line == end.line)
        self._place(value, path, event)

    def _start(self, event: Any) -> None:
        self._check_tag(event)
        path, is_value = self._child_path(event)
        if not is_value:
            raise _Fatal(Problem(Code.YAML_KEY, "a mapping key must be a plain name", self._loc(event)))
        if len(self.stack) >= self.max_depth:
            raise _Fatal(
                Problem(Code.YAML_TOO_DEEP, f"nested deeper than {self.max_depth} levels", self._loc(event, path))
            )
        container: dict[str, Any] | list[Any] = {} if isinstance(event, self._mapping_start_event) else []
        self._place(container, path, event)
        self.stack.append(_Frame(container, path))

    def _end(self, event: Any) -> None:
        self.stack.pop()


def _ignore(event: Any) -> None:
    return None


def _resolve(event: Any) -> Any:
    """YAML 1.2 core schema for plain scalars; quoted scalars stay strings."""
    text = event.value
    if not event.implicit[0]:
        return text  # quoted, or a block scalar
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text) and any(ch.isdigit() for ch in text):
        return float(text)
    return text
