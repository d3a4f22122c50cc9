"""A small CEL tokenizer: enough to find the names an expression reads.

The CEL library reports only top-level variables (`ratings`), not the path
read (`ratings.SO1.presence`). spj needs the paths: to check each reference
against the instrument at load time, and to say which ratings decided a
result. The tokenizer also measures nesting, so a hostile expression is
refused before the library sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*)
  | (?P<string>[rRbB]{0,2}(?:\"\"\"(?:\\.|[^\\])*?\"\"\"|'''(?:\\.|[^\\])*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<number>0[xX][0-9a-fA-F]+[uU]?|(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?[uU]?)
  | (?P<ident>[_a-zA-Z][_a-zA-Z0-9]*)
  | (?P<open>[(\[{])
  | (?P<close>[)\]}])
  | (?P<op>&&|\|\||==|!=|<=|>=|[-+*/%!<>?:.,])
    """,
    re.VERBOSE | re.DOTALL,
)

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    offset: int


@dataclass(frozen=True, slots=True)
class Reference:
    """A selector chain from a root name: `ratings.SO1.presence`."""

    root: str
    parts: tuple[str, ...]
    offset: int
    dynamic: bool = False  # the root was indexed or used whole, not selected

    @property
    def dotted(self) -> str:
        return ".".join((self.root, *self.parts))


class LexError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def tokenize(source: str) -> list[Token]:
    """Split `source` into tokens; raise `LexError` at the first bad character."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise LexError(f"unexpected character {source[pos]!r}", pos)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


def max_nesting(tokens: list[Token]) -> tuple[int, int]:
    """The deepest bracket nesting and the offset where it is reached."""
    depth = deepest = where = 0
    for token in tokens:
        if token.kind == "open":
            depth += 1
            if depth > deepest:
                deepest, where = depth, token.offset
        elif token.kind == "close":
            depth -= 1
    return deepest, where


def find_references(tokens: list[Token], roots: frozenset[str]) -> tuple[list[Reference], list[Binding]]:
    """Selector chains from `roots`, and the names bound by macros with where they are bound.

    A root followed by anything but `.name` (an index, a call argument) is a
    *dynamic* reference: spj refuses it, since what it reads cannot be checked.
    """
    references: list[Reference] = []
    bindings: list[Binding] = []
    count = len(tokens)
    for i, token in enumerate(tokens):
        if token.kind != "ident":
            continue
        after_dot = i > 0 and tokens[i - 1].text == "."
        if after_dot and token.text in MACROS and i + 2 < count and tokens[i + 1].text == "(":
            if tokens[i + 2].kind == "ident":
                bindings.append(Binding(tokens[i + 2].text, tokens[i + 1].offset, _closing(tokens, i + 1)))
            continue
        if after_dot or token.text not in roots:
            continue
        parts: list[str] = []
        j = i + 1
        while j + 1 < count and tokens[j].text == "." and tokens[j + 1].kind == "ident":
            if j + 2 < count and tokens[j + 2].text == "(":
                break  # a method call such as `.size()`: the chain ends here
            parts.append(tokens[j + 1].text)
            j += 2
        dynamic = not parts or (j < count and tokens[j].text == "[")
        references.append(Reference(token.text, tuple(parts), token.offset, dynamic))
    return references, bindings


@dataclass(frozen=True, slots=True)
class Binding:
    """A name bound by a macro (`list.exists(x, ...)`), valid between its brackets only."""

    name: str
    start: int
    end: int

    def covers(self, offset: int) -> bool:
        return self.start < offset < self.end


def _closing(tokens: list[Token], open_index: int) -> int:
    """The offset of the bracket that closes the one at `open_index` (end of text if none)."""
    depth = 0
    for token in tokens[open_index:]:
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth -= 1
            if depth == 0:
                return token.offset
    return tokens[-1].offset + len(tokens[-1].text) if tokens else 0


def free_names(tokens: list[Token], bindings: list[Binding]) -> list[Token]:
    """Identifiers used as variables (not fields, not calls) outside any binding of their name."""
    free = []
    for i, token in enumerate(tokens):
        if token.kind != "ident" or (i > 0 and tokens[i - 1].text == "."):
            continue
        if i + 1 < len(tokens) and tokens[i + 1].text == "(":
            continue  # a function or macro name
        if any(b.name == token.text and b.covers(token.offset) for b in bindings):
            continue
        free.append(token)
    return free
