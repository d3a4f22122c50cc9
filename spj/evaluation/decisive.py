"""Which of the values an expression read made its result: the reasons a reader is shown.

`because` (DESIGN 4.3) lists everything an expression read. A reader asking
"why was this raised?" wants only what made it true: for `a || b` with `a`
true and `b` false, `a`; for `a && b` false, the side that is false. This
module walks the expression's parse tree (`spj.rules.syntax`) with the values
in `because` and keeps those. It covers the part of CEL the methodologist's
guide documents (logic, comparisons, `in`, `+ -`, selectors, literals);
for anything else, or when its reading disagrees with the engine's result,
it keeps every reason: narrowing never hides a reason it cannot account for.

>>> # decisive_reasons(tree, True, because)  # the reasons that made it true
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spj.evaluation.results import Reason
from spj.rules.syntax import Binary, Expr, Literal, Logical, Unary, selector_path

Path = tuple[str, ...]
_UNKNOWN: Any = object()
_ARITHMETIC = frozenset({"+", "-"})
_RELATIONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in"})


class _Unsupported(Exception):
    """Outside the subset this module reads: keep every reason."""


@dataclass(frozen=True, slots=True)
class _Value:
    value: Any
    paths: frozenset[Path]


def decisive_reasons(tree: Expr, outcome: bool | None, because: tuple[Reason, ...]) -> tuple[Reason, ...]:
    """The reasons in `because` that made `tree` evaluate to `outcome`, in `because` order.

    An unknown outcome keeps every reason (what is missing matters as much as
    what is known), as does an expression outside the documented subset.
    """
    if outcome is None:
        return because
    values = {(r.ref.root, *r.ref.parts): r for r in because}
    try:
        result = _Reader(values).read(tree)
    except _Unsupported:
        return because
    if result.value is not outcome:
        return because
    return tuple(r for r in because if (r.ref.root, *r.ref.parts) in result.paths)


def is_negated(tree: Expr, path: Path) -> bool:
    """Whether `path` is read under a `!` (or compared with `false`) in `tree`: its being false can be a reason."""
    stack: list[tuple[Expr, bool]] = [(tree, False)]
    while stack:
        node, negated = stack.pop()
        if selector_path(node) == path:
            if negated:
                return True
            continue
        if isinstance(node, Unary):
            stack.append((node.operand, not negated if node.op == "!" else negated))
        elif isinstance(node, Logical):
            stack.extend((item, negated) for item in node.operands)
        elif isinstance(node, Binary):
            flips = node.op in ("==", "!=") and any(
                isinstance(side, Literal) and side.value is (node.op == "!=") for side in (node.left, node.right)
            )
            stack.extend(((node.left, negated != flips), (node.right, negated != flips)))
    return False


class _Reader:
    def __init__(self, values: Mapping[Path, Reason]) -> None:
        self.values = values

    def read(self, node: Expr) -> _Value:
        if isinstance(node, Logical):
            return self._logical(node)
        if isinstance(node, Unary):
            return self._unary(node)
        if isinstance(node, Binary):
            return self._binary(node)
        if isinstance(node, Literal):
            if isinstance(node.value, bool | int | str):
                return _Value(node.value, frozenset())
            raise _Unsupported("literal")
        path = selector_path(node)
        if path is None or path not in self.values:
            raise _Unsupported("node")
        reason = self.values[path]
        return _Value(_UNKNOWN if reason.value is None else reason.value, frozenset({path}))

    def _logical(self, node: Logical) -> _Value:
        items = [self.read(item) for item in node.operands]
        if any(not isinstance(i.value, bool) and i.value is not _UNKNOWN for i in items):
            raise _Unsupported("not a truth value")
        decisive = node.op != "&&"  # `||` is decided by a true operand, `&&` by a false one
        deciding = [i for i in items if i.value is decisive]
        if deciding:
            return _Value(decisive, frozenset().union(*(i.paths for i in deciding)))
        if any(i.value is _UNKNOWN for i in items):
            return _Value(_UNKNOWN, frozenset().union(*(i.paths for i in items)))
        return _Value(not decisive, frozenset().union(*(i.paths for i in items)))

    def _unary(self, node: Unary) -> _Value:
        item = self.read(node.operand)
        if item.value is _UNKNOWN:
            return item
        if node.op == "!" and isinstance(item.value, bool):
            return _Value(not item.value, item.paths)
        if node.op == "-" and isinstance(item.value, int) and not isinstance(item.value, bool):
            return _Value(-item.value, item.paths)
        raise _Unsupported("unary")

    def _binary(self, node: Binary) -> _Value:
        if node.op not in _ARITHMETIC and node.op not in _RELATIONS:
            raise _Unsupported(node.op)
        left, right = self.read(node.left), self.read(node.right)
        paths = left.paths | right.paths
        if left.value is _UNKNOWN or right.value is _UNKNOWN:
            return _Value(_UNKNOWN, paths)
        return _Value(_apply(node.op, left.value, right.value), paths)


def _apply(op: str, left: Any, right: Any) -> Any:
    if op == "in":
        if not isinstance(right, list | tuple):
            raise _Unsupported("in")
        return left in right
    if op in ("==", "!="):
        if type(left) is not type(right):
            raise _Unsupported("mixed types")
        return (left == right) is (op == "==")
    if not (isinstance(left, int) and isinstance(right, int)) or isinstance(left, bool) or isinstance(right, bool):
        raise _Unsupported("not numbers")
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right
