"""Check an expression against the instrument's types before any data is seen.

Ratings are whole numbers with known values (the scale's levels), domain
counts are whole numbers, flags are true or false, case fields have their
declared type (integer, boolean, text, choice). Comparing a number with a code
(`ratings.FA4.presence == 'Y'`), a constant outside a scale, `&&` over a
number, or an expression that does not give true or false are refused here,
with the offset of the part at fault, instead of being silently false at
evaluation.

What the checker cannot know (a comprehension variable, a function's
result, an element of a map) is *dynamic* and passes.

>>> from spj.rules.parser import parse
>>> types = Types(scales={"presence": (("N", 0), ("Y", 2))}, indicators={"A": ("presence",)}, case_fields={})
>>> source = "ratings.A.presence == 'Y'"
>>> [p.message.split(";")[0] for p in check_types(parse(source), source, types)]
["ratings.A.presence is a number and 'Y' is text, so this comparison is never true"]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
    children,
    selector_path,
)

NUMBERS = frozenset({"int", "uint", "double"})
ORDERINGS = frozenset({"<", "<=", ">", ">="})
_WORDS = {
    "int": "a number",
    "uint": "a number",
    "double": "a number",
    "string": "text",
    "bool": "true or false",
    "list": "a list",
    "null": "null",
    "bytes": "bytes",
}
_CASE_KINDS = {"integer": "int", "boolean": "bool", "text": "string", "choice": "string"}


@dataclass(frozen=True)
class Types:
    """What an instrument declares about the values its expressions read."""

    scales: Mapping[str, tuple[tuple[str, int], ...]]  # scale -> (code, value) per level, in order
    indicators: Mapping[str, tuple[str, ...]]  # indicator -> the scales it is rated on
    case_fields: Mapping[str, str]  # field -> choice | text | integer | boolean (others: dynamic)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # choice field -> its choices


@dataclass(frozen=True, slots=True)
class TypeProblem:
    """A type problem at `offset` characters into the expression; `code` is rule-type or rule-out-of-range."""

    code: str
    message: str
    offset: int


@dataclass(frozen=True, slots=True)
class _Type:
    kind: str  # int, uint, double, string, bool, list, null, bytes, or dyn (unknown here)
    scale: str | None = None  # for a rating: the scale whose value it is
    element: str = "dyn"  # for a list: the kind of its elements, when all agree


_DYN = _Type("dyn")
_BOOL = _Type("bool")


def check_types(tree: Expr, source: str, types: Types) -> list[TypeProblem]:
    """Every type problem of the expression `tree` (parsed from `source`), in source order."""
    checker = _Checker(source, types)
    result = checker.infer(tree)
    if result.kind not in ("bool", "dyn"):
        checker.problems.append(
            TypeProblem(
                "rule-type",
                f"this expression gives {_WORDS[result.kind]}, not true or false: compare it, "
                f"as in {_example(source, result)}",
                tree.start,
            )
        )
    return sorted(checker.problems, key=lambda p: p.offset)


def _example(text: str, typed: _Type) -> str:
    if typed.kind in NUMBERS:
        return f"{text} >= 1"
    if typed.kind == "string":
        return f"{text} == 'some text'"
    if typed.kind == "bool":
        return f"{text} == true"
    return f"size({text}) > 0"


class _Checker:
    def __init__(self, source: str, types: Types) -> None:
        self.source = source
        self.types = types
        self.problems: list[TypeProblem] = []

    def text(self, node: Expr) -> str:
        return self.source[node.start : node.end]

    def infer(self, node: Expr) -> _Type:
        if isinstance(node, Literal):
            return _Type(node.kind)
        if isinstance(node, Select):
            return self.select(node)
        if isinstance(node, Has):
            return _BOOL
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Logical):
            for operand in node.operands:
                self.expect_bool(operand, self.infer(operand), node.op)
            return _BOOL
        if isinstance(node, Conditional):
            self.expect_bool(node.condition, self.infer(node.condition), "?")
            then, otherwise = self.infer(node.then), self.infer(node.otherwise)
            return then if then.kind == otherwise.kind else _DYN
        if isinstance(node, ListLiteral):
            kinds = {self.infer(item).kind for item in node.items}
            return _Type("list", element=kinds.pop() if len(kinds) == 1 else "dyn")
        for child in children(node):  # names, indexing, calls, maps, comprehensions: not typed here
            self.infer(child)
        return _DYN

    def select(self, node: Select) -> _Type:
        path = selector_path(node)
        if path is None:
            self.infer(node.operand)
            return _DYN
        root, rest = path[0], path[1:]
        if root == "ratings" and len(rest) == 2 and rest[1] in self.types.indicators.get(rest[0], ()):
            return _Type("int", scale=rest[1])
        if root == "flags" and len(rest) == 1:
            return _BOOL
        if root == "domains" and len(rest) >= 2:
            return _Type("int")
        if root == "case" and len(rest) == 1:
            return _Type(_CASE_KINDS.get(self.types.case_fields.get(rest[0], ""), "dyn"))
        return _DYN

    def unary(self, node: Unary) -> _Type:
        operand = self.infer(node.operand)
        if node.op == "!":
            self.expect_bool(node.operand, operand, "!")
            return _BOOL
        if operand.kind not in NUMBERS and operand.kind != "dyn":
            self.fail(node.operand, f"{self.text(node.operand)} is {_WORDS[operand.kind]}: only a number has a minus")
            return _DYN
        return _Type(operand.kind)

    def binary(self, node: Binary) -> _Type:
        left, right = self.infer(node.left), self.infer(node.right)
        if node.op == "in":
            if right.kind == "list":
                self.compare(node, left, _Type(right.element), node.right)
            return _BOOL
        if node.op in ORDERINGS or node.op in ("==", "!="):
            self.compare(node, left, right, node.right)
            self.in_range(node, node.left, left, node.right)
            self.in_range(node, node.right, right, node.left)
            return _BOOL
        return self.arithmetic(node, left, right)

    def arithmetic(self, node: Binary, left: _Type, right: _Type) -> _Type:
        if "dyn" in (left.kind, right.kind):
            return _DYN
        if left.kind in NUMBERS and right.kind in NUMBERS:
            return _Type(left.kind if left.kind == right.kind else "double")
        if node.op == "+" and left.kind == right.kind and left.kind in ("string", "list", "bytes"):
            return _Type(left.kind)
        self.fail(
            node.left,
            f"{self.text(node.left)} is {_WORDS[left.kind]} and {self.text(node.right)} is {_WORDS[right.kind]}: "
            f"'{node.op}' cannot combine them",
        )
        return _DYN

    def compare(self, node: Binary, left: _Type, right: _Type, right_node: Expr) -> None:
        kinds = {left.kind, right.kind}
        if "dyn" in kinds or "null" in kinds or len(kinds) == 1 or kinds <= NUMBERS:
            return
        a, b = self.text(node.left), self.text(right_node)
        if node.op == "in":
            problem = f"{a} is {_WORDS[left.kind]} and the list {b} holds {_WORDS[right.kind]}, so it is never in it"
        elif node.op in ORDERINGS:
            problem = f"{a} is {_WORDS[left.kind]} and {b} is {_WORDS[right.kind]}: '{node.op}' cannot order them"
        else:
            always = "always true" if node.op == "!=" else "never true"
            problem = f"{a} is {_WORDS[left.kind]} and {b} is {_WORDS[right.kind]}, so this comparison is {always}"
        self.fail(node.left, f"{problem}; {self.advice(node, left, right)}")

    def advice(self, node: Binary, left: _Type, right: _Type) -> str:
        rating, code = (left, node.right) if left.scale else (right, node.left)
        if isinstance(code, ListLiteral) and code.items:
            code = code.items[0]
        if rating.scale is not None and isinstance(code, Literal) and code.kind == "string":
            levels = self.types.scales.get(rating.scale, ())
            values = dict(levels)
            if isinstance(code.value, str) and code.value in values:
                return (
                    f"a rating is the value of its level, not its code: write {values[code.value]} "
                    f"for {code.value!r} ({_levels(levels)})"
                )
            return f"a rating is the value of its level ({_levels(levels)})"
        read = node.left if isinstance(node.left, Select) else node.right
        path = selector_path(read)
        if path is not None and path[0] == "case" and len(path) == 2:
            choices = self.types.choices.get(path[1], ())
            if choices:
                return f"compare it with one of its choices, as in {self.text(read)} == {choices[0]!r}"
        typed = left if read is node.left else right
        return f"compare it with {_WORDS[typed.kind]}, as in {_example(self.text(read), typed)}"

    def in_range(self, node: Binary, read: Expr, typed: _Type, constant: Expr) -> None:
        if typed.scale is None or not isinstance(constant, Literal) or constant.kind not in NUMBERS:
            return
        levels = self.types.scales.get(typed.scale, ())
        values = [value for _, value in levels]
        number = constant.value
        if not values or not isinstance(number, int | float) or isinstance(number, bool):
            return
        if node.op in ORDERINGS and min(values) <= number <= max(values):
            return
        if node.op in ("==", "!=") and number in values:
            return
        shown = self.text(constant)
        scale = typed.scale
        self.problems.append(
            TypeProblem(
                "rule-out-of-range",
                f"{self.text(read)} is never {shown}: the {scale} scale's values are {_levels(levels)}; "
                f"write one of {', '.join(str(v) for v in values)}",
                constant.start,
            )
        )

    def expect_bool(self, node: Expr, typed: _Type, op: str) -> None:
        if typed.kind in ("bool", "dyn"):
            return
        self.fail(
            node,
            f"{self.text(node)} is {_WORDS[typed.kind]}, not true or false, so '{op}' cannot use it: "
            f"compare it, as in {_example(self.text(node), typed)}",
        )

    def fail(self, node: Expr, message: str) -> None:
        self.problems.append(TypeProblem("rule-type", message, node.start))


def _levels(levels: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{code}={value}" for code, value in levels)
