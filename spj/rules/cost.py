"""An upper bound on what an expression can cost, computed from its tree before it ever runs.

An instrument is data written by others; a rule must not be able to stop the
engine. CEL has no loops, but its comprehensions (`all`, `exists`,
`exists_one`, `filter`, `map`) repeat their body once per element, nested ones
multiply, and `+` can double a string or a list at every step of a `map`.
Evaluation in the CEL library cannot be interrupted, so the bound is checked
when the instrument loads: an expression whose worst case is over `BUDGET`
steps is refused (`too-costly`).

The estimate walks the tree once and gives every value a `Shape`: what it may
be and how big it may get (characters of a text, elements of a list, entries
of a map). Values read from the assessment have known bounds: a rating is a
number, a flag true or false, a domain a fixed map of counts, a case fact a
number, a boolean or a text no longer than an assessment file. Then, in steps:

- a literal, a name, a field, an index, an operator: 1, plus the size of what
  it compares, searches or hashes (`==` compares up to the shorter side, `in`
  a list compares with every element);
- `+` of texts or lists: 1 plus the length of the result, which is built;
- a list or map literal: its parts plus one per entry;
- a comprehension over a list of up to `n` elements: the list, plus `n` times
  (the body plus 1); `map` and `filter` also copy the list built so far at
  every element (the CEL library does), `n(n+1)/2`;
- `a ? b : c`: `a` plus the dearer branch; `&&`, `||`: both sides;
- functions: `size`, conversions and the text tests cost the length of what
  they read; a function spj does not know, or `matches()` with a pattern that
  is not written in the expression, has no bound and is refused;
- the result, when it may be a list or a map: its size, since the library
  converts it back to Python element by element.

The size of every value built is counted in steps, so values are bounded by
the budget too. The estimate is an over-approximation: every branch taken,
every list at its longest, no comprehension stopping early.

>>> from spj.rules import Namespace
>>> from spj.rules.parser import parse
>>> ns = Namespace(indicators={}, flags=(), domains=(), case_fields=())
>>> estimate(parse("[1, 2, 3].exists(x, x > 1)"), ns).steps
23
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spj.rules.syntax import (
    Binary,
    Call,
    Comprehension,
    Conditional,
    Expr,
    Has,
    Index,
    ListLiteral,
    Literal,
    Logical,
    MapLiteral,
    Name,
    Select,
    Unary,
)

if TYPE_CHECKING:
    from spj.rules.expression import Namespace

BUDGET = 10_000
"""The most steps an expression may take in the worst case (a step is roughly 0.1-0.2 µs in the CEL library)."""

CASE_TEXT = 1000
"""The longest text a case fact can hold (the assessment model refuses longer ones: `CaseRef.fields`)."""

ID_LENGTH = 100  # ids of indicators, scales, rules, domains and case fields
SCALAR_TEXT = 400  # string() of a number, timestamp or duration (a double prints up to ~330 digits)
REGEX_STATES = 64  # compiled states per pattern character (a Unicode class is many)
REGEX_LIMIT = 10 * 1024 * 1024  # the regex library's default limit on a compiled pattern
CAP = 10**18  # counting stops here: beyond is "more than this"

_SCALARS = frozenset({"int", "uint", "double", "bool", "null", "timestamp", "duration", "type"})
_ARITHMETIC = frozenset({"int", "uint", "double", "timestamp", "duration"})
_CONVERSIONS = {"int": "int", "uint": "uint", "double": "double", "timestamp": "timestamp", "duration": "duration"}
_TEXT_TESTS = frozenset({"contains", "startsWith", "endsWith"})
_ACCESSORS = frozenset(
    {
        "getFullYear",
        "getMonth",
        "getDate",
        "getDayOfMonth",
        "getDayOfWeek",
        "getDayOfYear",
        "getHours",
        "getMinutes",
        "getSeconds",
        "getMilliseconds",
    }
)
KNOWN_FUNCTIONS = frozenset(
    {"size", "string", "bytes", "dyn", "type", "matches", *_CONVERSIONS, *_TEXT_TESTS, *_ACCESSORS}
)
_REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")


def _cap(n: int) -> int:
    return min(n, CAP)


@dataclass(frozen=True, slots=True)
class Shape:
    """What a value may be (`kinds`) and how big: characters, bytes, elements or entries, each at most."""

    kinds: frozenset[str]
    length: int = 0
    item: Shape | None = None  # a list's elements, a map's values
    key: Shape | None = None  # a map's keys

    @property
    def footprint(self) -> int:
        """An upper bound on the value's total size, nested values included."""
        inner = 1 + (self.item.footprint if self.item else 0) + (self.key.footprint if self.key else 0)
        return _cap(1 + self.length * inner)

    def join(self, other: Shape | None) -> Shape:
        """A shape that bounds both."""
        if other is None:
            return self
        return Shape(
            self.kinds | other.kinds,
            max(self.length, other.length),
            _join(self.item, other.item),
            _join(self.key, other.key),
        )

    def may_be(self, kind: str) -> bool:
        return kind in self.kinds


def _join(a: Shape | None, b: Shape | None) -> Shape | None:
    return b if a is None else a.join(b)


NOTHING = Shape(frozenset())  # the result of an error: no value
BOOL = Shape(frozenset({"bool"}))
INT = Shape(frozenset({"int"}))


def _text(length: int, kind: str = "string") -> Shape:
    return Shape(frozenset({kind}), _cap(length))


def _list(length: int, item: Shape) -> Shape:
    return Shape(frozenset({"list"}), _cap(length), item)


def _map(length: int, key: Shape, item: Shape) -> Shape:
    return Shape(frozenset({"map"}), _cap(length), item, key)


def root_shapes(namespace: Namespace) -> dict[str, Shape]:
    """What `ratings`, `flags`, `domains` and `case` hold, at most, for an instrument (DESIGN 4.1)."""
    name = _text(ID_LENGTH)
    scales = max((len(s) for s in namespace.indicators.values()), default=0)
    counts = _map(3, _text(len("present")), INT)
    domain = _map(6, _text(len("high_relevance")), INT.join(counts))
    case_value = _text(CASE_TEXT).join(INT).join(BOOL)
    return {
        "ratings": _map(len(namespace.indicators), name, _map(scales, name, INT)),
        "flags": _map(len(namespace.flags), name, BOOL),
        "domains": _map(len(namespace.domains), name, domain),
        "case": _map(len(namespace.case_fields), name, case_value),
    }


@dataclass(frozen=True, slots=True)
class Overrun:
    """The smallest part of an expression whose worst case is over the budget, and why."""

    node: Expr
    steps: int
    reason: str


@dataclass(frozen=True, slots=True)
class Estimate:
    """The worst case of an expression: `steps` of work, its result's `shape`, the `largest` value it builds."""

    steps: int
    shape: Shape
    largest: int
    overrun: Overrun | None = None

    @property
    def within_budget(self) -> bool:
        return self.overrun is None


def estimate(tree: Expr, namespace: Namespace) -> Estimate:
    """The worst-case cost of the expression `tree` against an instrument's `namespace`."""
    walker = _Estimator(root_shapes(namespace))
    steps, shape = walker.visit(tree, {})
    if shape.may_be("list") or shape.may_be("map"):
        steps = _cap(steps + shape.footprint)  # the library converts a list or map back element by element
    overrun = walker.overrun
    if overrun is None and steps > BUDGET:
        reason = (
            f"its value, a list or map of up to {describe(shape.footprint)} elements or characters, would be "
            "handed back whole; a rule gives true or false"
        )
        overrun = Overrun(tree, steps, reason)
    return Estimate(steps, shape, walker.largest, overrun)


@dataclass
class _Estimator:
    roots: Mapping[str, Shape]
    largest: int = 0
    overrun: Overrun | None = None
    reasons: dict[int, str] = field(default_factory=dict)  # id(node) -> why it is dear

    def visit(self, node: Expr, scope: Mapping[str, Shape]) -> tuple[int, Shape]:
        steps, shape = self._visit(node, scope)
        steps = _cap(steps)
        if steps > BUDGET and self.overrun is None:
            reason = self.reasons.get(id(node), "simplify it, or split it into rules that read each other's flags")
            self.overrun = Overrun(node, steps, reason)
        return steps, shape

    def built(self, node: Expr, size: int, what: str) -> int:
        """Note a value of `size` built at `node`; its size is also its cost."""
        self.largest = max(self.largest, size)
        self.reasons.setdefault(id(node), f"it builds {what} of up to {describe(size)} elements or characters")
        return size

    def unbounded(self, node: Expr, reason: str) -> int:
        self.reasons[id(node)] = reason
        return CAP

    def _visit(self, node: Expr, scope: Mapping[str, Shape]) -> tuple[int, Shape]:
        if isinstance(node, Literal):
            if isinstance(node.value, str | bytes):
                return 1, _text(len(node.value), node.kind)
            return 1, Shape(frozenset({node.kind}))
        if isinstance(node, Name):
            if node.name in scope:
                return 1, scope[node.name]
            if node.name in self.roots:
                return 1, self.roots[node.name]
            return self.unbounded(node, f"{node.name!r} is not a name spj knows"), NOTHING
        if isinstance(node, Select):
            steps, shape = self.visit(node.operand, scope)
            return steps + 1, (shape.item or NOTHING) if shape.may_be("map") else NOTHING
        if isinstance(node, Index):
            (o_steps, operand), (i_steps, index) = self.visit(node.operand, scope), self.visit(node.index, scope)
            found = operand.item if operand.may_be("list") or operand.may_be("map") else None
            return o_steps + i_steps + 1 + index.footprint, found or NOTHING
        if isinstance(node, Unary):
            steps, shape = self.visit(node.operand, scope)
            return steps + 1, BOOL if node.op == "!" else Shape(shape.kinds & _ARITHMETIC)
        if isinstance(node, Binary):
            return self._binary(node, scope)
        if isinstance(node, Logical):
            return sum(self.visit(o, scope)[0] for o in node.operands) + len(node.operands), BOOL
        if isinstance(node, Conditional):
            condition = self.visit(node.condition, scope)[0]
            (t_steps, then), (e_steps, otherwise) = self.visit(node.then, scope), self.visit(node.otherwise, scope)
            return condition + max(t_steps, e_steps) + 1, then.join(otherwise)
        if isinstance(node, ListLiteral):
            items = [self.visit(item, scope) for item in node.items]
            element = NOTHING
            for _, shape in items:
                element = element.join(shape)
            size = self.built(node, len(items), "a list")
            return sum(s for s, _ in items) + size + 1, _list(size, element)
        if isinstance(node, MapLiteral):
            return self._map_literal(node, scope)
        if isinstance(node, Has):
            return self.visit(node.target, scope)[0] + 1, BOOL
        if isinstance(node, Comprehension):
            return self._comprehension(node, scope)
        return self._call(node, scope)

    def _map_literal(self, node: MapLiteral, scope: Mapping[str, Shape]) -> tuple[int, Shape]:
        steps = 1
        key, value = NOTHING, NOTHING
        for k, v in node.entries:
            (k_steps, k_shape), (v_steps, v_shape) = self.visit(k, scope), self.visit(v, scope)
            steps += k_steps + v_steps + k_shape.footprint
            key, value = key.join(k_shape), value.join(v_shape)
        size = self.built(node, len(node.entries), "a map")
        return steps + size, _map(size, key, value)

    def _binary(self, node: Binary, scope: Mapping[str, Shape]) -> tuple[int, Shape]:
        (l_steps, left), (r_steps, right) = self.visit(node.left, scope), self.visit(node.right, scope)
        steps = l_steps + r_steps + 1
        if node.op == "+":
            kinds = (left.kinds | right.kinds) & _ARITHMETIC
            kinds |= {k for k in ("string", "bytes", "list") if left.may_be(k) and right.may_be(k)}
            if not kinds - _SCALARS:
                return steps, Shape(kinds)
            length = self.built(node, _cap(left.length + right.length), "a value")
            item = _join(left.item, right.item) if "list" in kinds else None
            return steps + length, Shape(kinds, length, item)
        if node.op in ("-", "*", "/", "%"):
            return steps, Shape((left.kinds | right.kinds) & _ARITHMETIC)
        if node.op == "in":
            searched = 0
            if right.may_be("list"):
                searched += right.length * (1 + min(left.footprint, (right.item or NOTHING).footprint))
            if right.may_be("map"):
                searched += left.footprint
            return _cap(steps + searched), BOOL
        return steps + min(left.footprint, right.footprint), BOOL

    def _comprehension(self, node: Comprehension, scope: Mapping[str, Shape]) -> tuple[int, Shape]:
        t_steps, target = self.visit(node.target, scope)
        count, element = 0, NOTHING
        if target.may_be("list"):
            count, element = target.length, element.join(target.item)
        if target.may_be("map"):
            count, element = target.length, element.join(target.key)
        inner = {**scope, node.variable: element}
        body_steps, body_shape = self.visit(node.body, inner)
        per_element = body_steps + 1
        if node.guard is not None:
            per_element += self.visit(node.guard, inner)[0]
        steps = _cap(t_steps + count * per_element + 1)
        self.reasons[id(node)] = _repetition(node.macro, count, max(element.footprint, body_shape.footprint))
        if node.macro not in ("map", "filter"):
            return steps, BOOL
        size = self.built(node, count, "a list")
        copies = count * (count + 1) // 2  # the library copies the list built so far at every element
        return _cap(steps + copies), _list(size, body_shape if node.macro == "map" else element)

    def _call(self, node: Call, scope: Mapping[str, Shape]) -> tuple[int, Shape]:
        operands = ([node.target] if node.target is not None else []) + list(node.args)
        visited = [self.visit(o, scope) for o in operands]
        steps = sum(s for s, _ in visited) + 1
        shapes = [shape for _, shape in visited] + [NOTHING, NOTHING]
        first, second = shapes[0], shapes[1]
        name = node.function
        if name not in KNOWN_FUNCTIONS:
            return self.unbounded(node, _unknown_function(name)), NOTHING
        if name == "dyn":
            return steps, first
        if name == "type":
            return steps, Shape(frozenset({"type"}))
        if name == "size":
            return steps + first.length, INT
        if name in _CONVERSIONS:
            return steps + first.length, Shape(frozenset({_CONVERSIONS[name]}))
        if name in _ACCESSORS:
            return steps + second.length, INT
        if name in _TEXT_TESTS:
            read = first.length + second.length
            self.reasons[id(node)] = f"{name}() reads every character of a text of up to {describe(read)}"
            return steps + read, BOOL
        if name == "matches":
            pattern = operands[1] if len(operands) > 1 else None
            if not (isinstance(pattern, Literal) and isinstance(pattern.value, str)):
                return self.unbounded(node, _COMPUTED_PATTERN), BOOL
            states = regex_states(pattern.value)
            self.reasons[id(node)] = f"matching a text of up to {describe(first.length)} characters is too costly"
            return _cap(steps + (first.length + 1) * states), BOOL
        if name == "string":
            length = max(
                first.length if first.may_be("string") or first.may_be("bytes") else 0,
                SCALAR_TEXT if first.kinds & _SCALARS else 0,
            )
            return steps + first.length + self.built(node, length, "a text"), _text(length)
        length = first.length * (4 if first.may_be("string") else 1)  # bytes(): UTF-8 takes up to 4 bytes a character
        return steps + first.length + self.built(node, length, "bytes"), _text(length, "bytes")


def _repetition(macro: str, count: int, size: int) -> str:
    """Why a comprehension is dear: it repeats its body, or it works on values grown too big."""
    if count >= 2:
        return (
            f"{macro}() evaluates its body for each of up to {describe(count)} elements, and nested "
            "comprehensions multiply; test the few values you need directly (a == 1 || a == 2) or split the rule"
        )
    return (
        f"its values reach {describe(size)} elements or characters: a value that grows at every step "
        "(s + s in a chain of map) doubles each time; build it once, or split the rule"
    )


_COMPUTED_PATTERN = (
    "the pattern of matches() must be written in the expression as text: the cost of a computed pattern "
    "cannot be bounded"
)


def _unknown_function(name: str) -> str:
    known = ", ".join(sorted(KNOWN_FUNCTIONS - _ACCESSORS))
    return f"spj cannot bound what {name}() costs; rules may call {known} and the timestamp accessors"


def regex_states(pattern: str) -> int:
    """An upper bound on the size of the compiled `pattern`: counted repetitions multiply it."""
    states = REGEX_STATES * max(len(pattern), 1)
    for low, high in _REPEAT.findall(pattern):
        states = _cap(states * (max(int(low), int(high or 0)) + 1))
    return min(states, REGEX_LIMIT)


def describe(n: int) -> str:
    """`12,345`, or "more than 10^18" past counting."""
    return f"more than 10^{len(str(CAP)) - 1}" if n >= CAP else f"{n:,}"
