"""Evaluate the common part of CEL in Python: each expression compiled once into closures.

A call into the CEL library costs several microseconds before it does any
work, and its context must be rebuilt from Python maps for every assessment.
The expressions instruments write are small: dotted paths, integer and string
literals, comparisons, `+ - *`, `! && ||`, `?:`, `in` a list (written, or held by the data) and `has()`.
`compile_closure` turns the tree of such an expression (`syntax.py`) into one
Python function over the variables (`{"ratings": ..., "flags": ...}`).

The CEL library stays the reference. A closure answers only when it is sure
to answer as the library would; otherwise it raises `Unsupported` and the
caller asks the library (`context.py`). So:

* a value read from an absent key raises `Missing`: the library's `KeyError`,
  which spj calls unknown. `&&` and `||` absorb it as CEL does (`true || <missing>`
  is true, `false && <missing>` is false);
* every other failure, and every operand of a type it does not handle
  (doubles, uints, mixed types, `null`), raises `Unsupported`: the library
  then gives the value or the error, with its own message;
* node kinds outside the subset (comprehensions, maps, indexing, functions)
  are not compiled at all: `compile_closure` returns None.

`tests/property/test_closures_differential.py` checks, on generated
expressions and data, that a closure and the library never disagree.

>>> from spj.rules.parser import parse
>>> run = compile_closure(parse("ratings.A.presence >= 1 || flags.f"))
>>> run({"ratings": {"A": {"presence": 0}}, "flags": {"f": True}})
True
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from spj.rules.parser import INT_MAX, INT_MIN
from spj.rules.syntax import (
    Binary,
    Conditional,
    Expr,
    Has,
    ListLiteral,
    Literal,
    Logical,
    Select,
    Unary,
    selector_path,
)

Closure = Callable[[Mapping[str, Any]], Any]


class Missing(Exception):
    """The expression read a key that is absent: its value is unknown (the library raises `KeyError`)."""


class Unsupported(Exception):
    """The closure cannot be sure of the library's answer here: ask the library."""


_PLAIN: tuple[type, ...] = (int, str, bool)  # the types a closure compares, by `type(v) is`: a bool is no int
_ORDERED: tuple[type, ...] = (int, str)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ARITHMETIC: dict[str, Callable[[int, int], int]] = {"+": operator.add, "-": operator.sub, "*": operator.mul}


def compile_closure(tree: Expr) -> Closure | None:
    """A function of the variables that evaluates `tree` as CEL does, or None outside the subset."""
    try:
        return _compile(tree)
    except _NotCompiled:
        return None


class _NotCompiled(Exception):
    """A node outside the subset."""


def _compile(node: Expr) -> Closure:
    if isinstance(node, Literal):
        return _literal(node)
    if isinstance(node, Select):
        return _path(node)
    if isinstance(node, Logical):
        return _logical(node)
    if isinstance(node, Binary):
        return _binary(node)
    if isinstance(node, Unary):
        return _unary(node)
    if isinstance(node, Conditional):
        return _conditional(node)
    if isinstance(node, Has):
        return _has(node)
    raise _NotCompiled


def _literal(node: Literal) -> Closure:
    if node.kind not in ("int", "string", "bool"):
        raise _NotCompiled
    value = node.value
    return lambda variables: value


def _path(node: Select) -> Closure:
    path = selector_path(node)
    if path is None:
        raise _NotCompiled
    root, *fields = path
    if len(fields) == 1:
        return _path_1(root, *fields)
    if len(fields) == 2:
        return _path_2(root, *fields)
    return _path_n(root, tuple(fields))


# A key absent from a map is `Missing`; indexing anything but a map (`TypeError` for an int, a string, a
# list, a bool) is left to the library. Paths of one and two fields, the most common, are written out.


def _path_1(root: str, name: str) -> Closure:
    def read(variables: Mapping[str, Any]) -> Any:
        try:
            scope = variables[root]
        except KeyError:
            raise Unsupported from None  # an undeclared variable: the library's own error
        try:
            return scope[name]
        except KeyError:
            raise Missing from None
        except TypeError:
            raise Unsupported from None

    return read


def _path_2(root: str, first: str, second: str) -> Closure:
    def read(variables: Mapping[str, Any]) -> Any:
        try:
            scope = variables[root]
        except KeyError:
            raise Unsupported from None
        try:
            return scope[first][second]
        except KeyError:
            raise Missing from None
        except TypeError:
            raise Unsupported from None

    return read


def _path_n(root: str, fields: tuple[str, ...]) -> Closure:
    def read(variables: Mapping[str, Any]) -> Any:
        try:
            value = variables[root]
        except KeyError:
            raise Unsupported from None
        try:
            for name in fields:
                value = value[name]
        except KeyError:
            raise Missing from None
        except TypeError:
            raise Unsupported from None
        return value

    return read


def _has(node: Has) -> Closure:
    operand, name = _compile(node.target.operand), node.target.field

    def has(variables: Mapping[str, Any]) -> bool:
        value = operand(variables)
        if type(value) is not dict:
            raise Unsupported
        return name in value

    return has


def _truth(value: Any) -> bool:
    if type(value) is not bool:
        raise Unsupported
    return value


def _logical(node: Logical) -> Closure:
    operands = tuple(_compile(o) for o in node.operands)
    decisive = node.op == "||"  # the value that decides the chain: true for ||, false for &&

    def chain(variables: Mapping[str, Any]) -> bool:
        missing = False
        for operand in operands:
            try:
                value = operand(variables)
            except Missing:
                missing = True
                continue
            if _truth(value) is decisive:
                return decisive
        if missing:
            raise Missing
        return not decisive

    return chain


def _binary(node: Binary) -> Closure:
    left = _compile(node.left)
    if node.op == "in":
        return _membership(left, node.right)
    if node.op in _COMPARE:
        return _comparison(_COMPARE[node.op], node.op in ("==", "!="), left, node.right)
    if node.op in _ARITHMETIC:
        return _arithmetic(_ARITHMETIC[node.op], left, _compile(node.right))
    raise _NotCompiled  # `/` and `%`: CEL truncates, errors on zero; left to the library


def _operands(left: Closure, right: Closure, variables: Mapping[str, Any]) -> tuple[Any, Any]:
    """Both values; `Missing` only when the right one is not `Unsupported` (then the library decides)."""
    try:
        a = left(variables)
    except Missing:
        right(variables)
        raise
    return a, right(variables)


def _comparison(compare: Callable[[Any, Any], bool], equality: bool, left: Closure, right: Expr) -> Closure:
    kinds = _PLAIN if equality else _ORDERED
    if isinstance(right, Literal) and right.kind in ("int", "string", "bool"):
        return _comparison_with(compare, kinds, left, right.value)
    return _comparison_of(compare, kinds, left, _compile(right))


def _comparison_with(
    compare: Callable[[Any, Any], bool], kinds: tuple[type, ...], left: Closure, constant: Any
) -> Closure:
    """`path >= 1`, the most common comparison: the right side cannot fail."""
    kind = type(constant)
    if kind not in kinds:
        raise _NotCompiled

    def comparison(variables: Mapping[str, Any]) -> bool:
        value = left(variables)
        if type(value) is not kind:
            raise Unsupported
        return compare(value, constant)

    return comparison


def _comparison_of(
    compare: Callable[[Any, Any], bool], kinds: tuple[type, ...], left: Closure, right: Closure
) -> Closure:

    def comparison(variables: Mapping[str, Any]) -> bool:
        a, b = _operands(left, right, variables)
        kind = type(a)
        if kind is not type(b) or kind not in kinds:
            raise Unsupported  # mixed types: CEL's heterogeneous equality or its no-such-overload error
        return compare(a, b)

    return comparison


def _arithmetic(combine: Callable[[int, int], int], left: Closure, right: Closure) -> Closure:
    def arithmetic(variables: Mapping[str, Any]) -> int:
        a, b = _operands(left, right, variables)
        if type(a) is not int or type(b) is not int:
            raise Unsupported
        value = combine(a, b)
        if not INT_MIN <= value <= INT_MAX:
            raise Unsupported  # the library's overflow error
        return value

    return arithmetic


def _membership(left: Closure, right: Expr) -> Closure:
    if not isinstance(right, ListLiteral):
        return _membership_of(left, _compile(right))
    items = [_compile(item) for item in right.items]
    literals = [item.value for item in right.items if isinstance(item, Literal)]
    if len(literals) != len(items) or len({type(v) for v in literals}) > 1:
        raise _NotCompiled  # computed or mixed items: left to the library
    values = tuple(literals)
    kind = type(values[0]) if values else None

    def membership(variables: Mapping[str, Any]) -> bool:
        value = left(variables)
        if type(value) is not kind or kind not in _PLAIN:
            raise Unsupported
        return value in values

    return membership


def _membership_of(left: Closure, right: Closure) -> Closure:
    """`'code' in case.field`: a value in a list the data holds (a multiple choice); anything else, the library."""

    def membership(variables: Mapping[str, Any]) -> bool:
        value, items = _operands(left, right, variables)
        kind = type(value)
        if kind not in _PLAIN or not isinstance(items, (list, tuple)) or any(type(i) is not kind for i in items):
            raise Unsupported
        return value in items

    return membership


def _unary(node: Unary) -> Closure:
    operand = _compile(node.operand)
    if node.op == "!":

        def negation(variables: Mapping[str, Any]) -> bool:
            return not _truth(operand(variables))

        return negation

    def minus(variables: Mapping[str, Any]) -> int:
        value = operand(variables)
        if type(value) is not int or value == INT_MIN:
            raise Unsupported
        return -value

    return minus


def _conditional(node: Conditional) -> Closure:
    condition, then, otherwise = _compile(node.condition), _compile(node.then), _compile(node.otherwise)

    def conditional(variables: Mapping[str, Any]) -> Any:
        return then(variables) if _truth(condition(variables)) else otherwise(variables)

    return conditional
