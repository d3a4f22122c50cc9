"""What an expression reads: paths from the roots, and names nothing defines.

The CEL library reports only top-level variables (`ratings`), not the path
read (`ratings.SO1.presence`). spj needs the paths: to check each reference
against the instrument at load time, and to say which ratings decided a
result. Both are read from the parse tree, with the names a comprehension
binds (`list.exists(x, ...)`) in scope only inside it.

>>> from spj.rules.parser import parse
>>> [r.dotted for r in find_references(parse("[1].exists(x, x < ratings.A.presence)"), ROOTS)]
['ratings.A.presence']
"""

from __future__ import annotations

from dataclasses import dataclass

from spj.rules.syntax import Comprehension, Expr, Index, Name, Select, children, selector_path

ROOTS = frozenset({"ratings", "flags", "domains", "case"})


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


@dataclass(frozen=True, slots=True)
class Binding:
    """A name bound by a comprehension, at `offset`."""

    name: str
    offset: int


def find_references(tree: Expr, roots: frozenset[str] = ROOTS) -> list[Reference]:
    """Selector chains from `roots`, in source order.

    A root not followed by `.name` (indexed, passed to a function, used whole)
    gives a *dynamic* reference: spj refuses it, since what it reads cannot be
    checked. A comprehension variable that has a root's name hides the root
    inside the comprehension (and `bindings` reports it).
    """
    references: list[Reference] = []
    stack: list[tuple[Expr, frozenset[str]]] = [(tree, frozenset())]
    while stack:
        node, bound = stack.pop()
        path = selector_path(node) if isinstance(node, Select | Name) else None
        if path is not None and path[0] in roots and path[0] not in bound:
            references.append(Reference(path[0], path[1:], _root(node).start, dynamic=len(path) == 1))
            continue
        indexed = selector_path(node.operand) if isinstance(node, Index) else None
        if isinstance(node, Index) and indexed is not None and indexed[0] in roots and indexed[0] not in bound:
            references.append(Reference(indexed[0], indexed[1:], _root(node.operand).start, dynamic=True))
            stack.append((node.index, bound))
            continue
        stack.extend((child, _scope(node, child, bound)) for child in reversed(children(node)))
    return references


def free_names(tree: Expr, roots: frozenset[str] = ROOTS) -> list[Name]:
    """Names read that are neither a root nor bound by an enclosing comprehension, in source order."""
    free: list[Name] = []
    stack: list[tuple[Expr, frozenset[str]]] = [(tree, frozenset())]
    while stack:
        node, bound = stack.pop()
        if isinstance(node, Name) and node.name not in roots and node.name not in bound:
            free.append(node)
        stack.extend((child, _scope(node, child, bound)) for child in reversed(children(node)))
    return free


def bindings(tree: Expr) -> list[Binding]:
    """Every name a comprehension binds, in source order."""
    stack = [tree]
    found: list[Binding] = []
    while stack:
        node = stack.pop()
        if isinstance(node, Comprehension):
            found.append(Binding(node.variable, node.variable_offset))
        stack.extend(reversed(children(node)))
    return sorted(found, key=lambda b: b.offset)


def _scope(parent: Expr, child: Expr, bound: frozenset[str]) -> frozenset[str]:
    """The names bound inside `child`: a comprehension's variable holds in its guard and body, not its target."""
    if isinstance(parent, Comprehension) and child is not parent.target:
        return bound | {parent.variable}
    return bound


def _root(node: Expr) -> Expr:
    while isinstance(node, Select):
        node = node.operand
    return node
