"""The parse tree of a rule expression: plain, frozen nodes that know where they are.

`parser.py` builds it; references (`references.py`), cost (`cost.py`), the
wording of the codebook (`explain.py`) and lint read it. Every node carries
`start` and `end`, character offsets into the source, so a problem found
anywhere in the tree points at its text.

>>> from spj.rules.parser import parse
>>> tree = parse("ratings.SO1.presence >= 1")
>>> type(tree).__name__, tree.op, selector_path(tree.left)
('Binary', '>=', ('ratings', 'SO1', 'presence'))
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

MACROS = frozenset({"all", "exists", "exists_one", "filter", "map"})


@dataclass(frozen=True, slots=True)
class Node:
    """Where a node's text is: `source[start:end]`."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """`1`, `2u`, `1.5`, `'text'`, `b'bytes'`, `true`, `null`; a leading minus is part of a number."""

    value: int | float | str | bytes | bool | None
    kind: str  # int | uint | double | string | bytes | bool | null


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A name: a root (`ratings`) or a variable bound by a comprehension."""

    name: str


@dataclass(frozen=True, slots=True)
class Select(Node):
    """`operand.field`."""

    operand: Expr
    field: str
    field_offset: int


@dataclass(frozen=True, slots=True)
class Index(Node):
    """`operand[index]`."""

    operand: Expr
    index: Expr


@dataclass(frozen=True, slots=True)
class Call(Node):
    """`function(args)`, or `target.function(args)` when called as a method."""

    function: str
    target: Expr | None
    args: tuple[Expr, ...]
    name_offset: int


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """`!operand` or `-operand`."""

    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic (`+ - * / %`) and relations (`== != < <= > >= in`)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """`a && b && c` or `a || b || c`: one node per chain, as written (brackets start a new one)."""

    op: str
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    """`condition ? then : otherwise`."""

    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    """`[a, b, c]`."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class MapLiteral(Node):
    """`{key: value, ...}`."""

    entries: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True, slots=True)
class Has(Node):
    """`has(a.b)`: whether the field is present."""

    target: Select


@dataclass(frozen=True, slots=True)
class Comprehension(Node):
    """`target.macro(variable, body)`, and `target.map(variable, guard, body)`.

    `body` is what the macro tests (all, exists, exists_one, filter) or
    computes (map); `guard` is the filter of the three-argument `map`.
    `variable` is bound in `guard` and `body` only.
    """

    macro: str
    target: Expr
    variable: str
    variable_offset: int
    guard: Expr | None
    body: Expr
    name_offset: int


Expr = (
    Literal
    | Name
    | Select
    | Index
    | Call
    | Unary
    | Binary
    | Logical
    | Conditional
    | ListLiteral
    | MapLiteral
    | Has
    | Comprehension
)


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of `node`, in source order."""
    if isinstance(node, Literal | Name):
        return ()
    if isinstance(node, Select):
        return (node.operand,)
    if isinstance(node, Index):
        return (node.operand, node.index)
    if isinstance(node, Call):
        return (*((node.target,) if node.target is not None else ()), *node.args)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Logical):
        return node.operands
    if isinstance(node, Conditional):
        return (node.condition, node.then, node.otherwise)
    if isinstance(node, ListLiteral):
        return node.items
    if isinstance(node, MapLiteral):
        return tuple(part for entry in node.entries for part in entry)
    if isinstance(node, Has):
        return (node.target,)
    return (node.target, *((node.guard,) if node.guard is not None else ()), node.body)


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def height(node: Expr) -> int:
    """The number of nodes on the longest path from `node` down to a leaf."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children(current))
    return deepest


def selector_path(node: Expr) -> tuple[str, ...] | None:
    """`('ratings', 'SO1', 'presence')` for `ratings.SO1.presence`; None unless a name with `.field`s."""
    fields: list[str] = []
    while isinstance(node, Select):
        fields.append(node.field)
        node = node.operand
    if not isinstance(node, Name):
        return None
    return (node.name, *reversed(fields))
