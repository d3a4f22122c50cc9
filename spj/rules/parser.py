"""Parse a CEL expression into the tree of `syntax.py`, or say where it goes wrong.

A recursive-descent parser over the tokens of `lexer.py`, following the CEL
grammar (https://github.com/google/cel-spec/blob/master/doc/langdef.md)::

    expr     = or ["?" or ":" expr]
    or       = and {"||" and}
    and      = relation {"&&" relation}
    relation = addition {("<" | "<=" | ">=" | ">" | "==" | "!=" | "in") addition}
    addition = product {("+" | "-") product}
    product  = unary {("*" | "/" | "%") unary}
    unary    = {"!" | "-"} member
    member   = primary {"." IDENT ["(" [args] ")"] | "[" expr "]"}
    primary  = IDENT ["(" [args] ")"] | "(" expr ")" | "[" [args] [","] "]"
             | "{" [entries] [","] "}" | literal

`has(a.b)` and the comprehensions `all`, `exists`, `exists_one`, `filter` and
`map` (the macros) get nodes of their own. Recursion happens only at
brackets, whose nesting is limited, so no input can exhaust the stack; the
tree's height is limited too, so every reader of it may recurse.

>>> parse("[1, 2].exists(x, x > flags.n)").macro
'exists'
"""

from __future__ import annotations

from collections.abc import Callable

from spj.rules.lexer import LexError, Token, tokenize
from spj.rules.syntax import (
    MACROS,
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
    children,
)

MAX_NESTING = 12  # brackets inside brackets
MAX_DEPTH = 100  # operations inside operations: the height of the tree
RELATIONS = frozenset({"<", "<=", ">=", ">", "==", "!=", "in"})
RESERVED = frozenset({"true", "false", "null", "in"})
INT_MIN, INT_MAX, UINT_MAX = -(2**63), 2**63 - 1, 2**64 - 1


class ParseError(ValueError):
    """Why the text is not an expression spj accepts, at `offset` characters into it.

    `kind` is "syntax", or "too-complex" when brackets or operations are nested too deep.
    """

    def __init__(self, message: str, offset: int, kind: str = "syntax") -> None:
        super().__init__(message)
        self.offset = offset
        self.kind = kind


def parse(source: str) -> Expr:
    """The tree of `source`; `ParseError` if it is not a (small enough) CEL expression."""
    try:
        tokens = tokenize(source)
    except LexError as exc:
        raise ParseError(str(exc), exc.offset) from exc
    parser = _Parser(tokens)
    tree = parser.expression()
    parser.expect_end()
    too_deep = _deeper_than(tree, MAX_DEPTH)
    if too_deep is not None:
        raise ParseError(
            f"operations nested deeper than {MAX_DEPTH}; split the expression into rules that read each other's flags",
            too_deep.start,
            "too-complex",
        )
    return tree


def _deeper_than(tree: Expr, limit: int) -> Expr | None:
    """The first node more than `limit` levels down, if any."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return node
        stack.extend((child, depth + 1) for child in reversed(children(node)))
    return None


def _end(token: Token) -> int:
    return token.offset + len(token.text)


def _describe(token: Token) -> str:
    return "the end of the expression" if token.kind == "end" else repr(token.text)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.nesting = 0

    # Tokens ---------------------------------------------------------------------

    @property
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def at(self, text: str) -> bool:
        token = self.tokens[self.pos]
        return token.kind in ("op", "ident") and token.text == text

    def take(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def expect(self, text: str, why: str) -> Token:
        if not self.at(text):
            raise ParseError(f"expected {text!r} {why}, found {_describe(self.peek)}", self.peek.offset)
        return self.take()

    def expect_end(self) -> None:
        if self.peek.kind != "end":
            raise ParseError(f"unexpected {_describe(self.peek)}: the expression should end here", self.peek.offset)

    def open(self) -> Token:
        """Take an opening bracket, counting how deep brackets go."""
        token = self.take()
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ParseError(f"brackets nested deeper than {MAX_NESTING}", token.offset, "too-complex")
        return token

    def close(self, text: str, opening: Token) -> Token:
        token = self.expect(text, f"to close the {opening.text!r} at offset {opening.offset}")
        self.nesting -= 1
        return token

    # Grammar --------------------------------------------------------------------

    def expression(self) -> Expr:
        """`or ["?" or ":" expr]`, the chain `a ? b : c ? d : e` read without recursion."""
        branches: list[tuple[Expr, Expr]] = []
        while True:
            condition = self.disjunction()
            if not self.at("?"):
                break
            self.take()
            then = self.disjunction()
            self.expect(":", "after the '?' branch")
            branches.append((condition, then))
        node = condition
        for condition, then in reversed(branches):
            node = Conditional(condition.start, node.end, condition, then, node)
        return node

    def disjunction(self) -> Expr:
        return self.chain("||", self.conjunction)

    def conjunction(self) -> Expr:
        return self.chain("&&", self.relation)

    def chain(self, op: str, operand: Callable[[], Expr]) -> Expr:
        operands = [operand()]
        while self.at(op):
            self.take()
            operands.append(operand())
        if len(operands) == 1:
            return operands[0]
        return Logical(operands[0].start, operands[-1].end, op, tuple(operands))

    def relation(self) -> Expr:
        node = self.addition()
        while self.peek.text in RELATIONS and self.peek.kind in ("op", "ident"):
            op = self.take().text
            right = self.addition()
            node = Binary(node.start, right.end, op, node, right)
        return node

    def addition(self) -> Expr:
        node = self.product()
        while self.at("+") or self.at("-"):
            op = self.take().text
            right = self.product()
            node = Binary(node.start, right.end, op, node, right)
        return node

    def product(self) -> Expr:
        node = self.unary()
        while self.at("*") or self.at("/") or self.at("%"):
            op = self.take().text
            right = self.unary()
            node = Binary(node.start, right.end, op, node, right)
        return node

    def unary(self) -> Expr:
        ops: list[Token] = []
        while self.at("!") or self.at("-"):
            ops.append(self.take())
        if ops and ops[-1].text == "-" and self.peek.kind in ("int", "double"):
            sign = ops.pop()  # CEL reads `-1` as a literal, so -9223372036854775808 is an int
            node = self.member(self.number(self.take(), sign))
        else:
            node = self.member(self.primary())
        for op in reversed(ops):
            node = Unary(op.offset, node.end, op.text, node)
        return node

    def member(self, node: Expr) -> Expr:
        while True:
            if self.at("."):
                self.take()
                name = self.take()
                if name.kind != "ident" or name.text in RESERVED:
                    raise ParseError(f"expected a field name after '.', found {_describe(name)}", name.offset)
                if self.at("("):
                    node = self.method(node, name)
                else:
                    node = Select(node.start, _end(name), node, name.text, name.offset)
            elif self.at("["):
                opening = self.open()
                index = self.expression()
                closing = self.close("]", opening)
                node = Index(node.start, _end(closing), node, index)
            else:
                return node

    def method(self, target: Expr, name: Token) -> Expr:
        args, closing = self.arguments()
        if name.text not in MACROS:
            return Call(target.start, _end(closing), name.text, target, args, name.offset)
        arity = (2, 3) if name.text == "map" else (2,)
        if len(args) not in arity:
            example = "list.map(x, x + 1) or list.map(x, x > 0, x + 1)" if name.text == "map" else "list.all(x, x > 0)"
            raise ParseError(f"{name.text}() takes a name and an expression, as in {example}", name.offset)
        variable = args[0]
        if not isinstance(variable, Name):
            raise ParseError(f"the first argument of {name.text}() must be a simple name", variable.start)
        guard = args[1] if len(args) == 3 else None
        return Comprehension(
            target.start, _end(closing), name.text, target, variable.name, variable.start, guard, args[-1], name.offset
        )

    def arguments(self) -> tuple[tuple[Expr, ...], Token]:
        opening = self.open()
        args: list[Expr] = []
        if not self.at(")"):
            args.append(self.expression())
            while self.at(","):
                self.take()
                args.append(self.expression())
        return tuple(args), self.close(")", opening)

    def primary(self) -> Expr:
        token = self.peek
        if token.kind in ("int", "uint", "double", "string", "bytes"):
            self.take()
            return self.number(token) if token.kind in ("int", "uint", "double") else self.text(token)
        if token.kind == "ident":
            return self.identifier()
        if self.at("("):
            opening = self.open()
            node = self.expression()
            self.close(")", opening)
            return node
        if self.at("["):
            return self.list_literal()
        if self.at("{"):
            return self.map_literal()
        if self.at("."):
            raise ParseError("a name cannot start with '.'", token.offset)
        if token.kind == "end":
            raise ParseError("the expression ends too early: a value is missing", token.offset)
        raise ParseError(f"expected a value, found {_describe(token)}", token.offset)

    def identifier(self) -> Expr:
        token = self.take()
        if token.text in ("true", "false"):
            return Literal(token.offset, _end(token), token.text == "true", "bool")
        if token.text == "null":
            return Literal(token.offset, _end(token), None, "null")
        if token.text == "in":
            raise ParseError("expected a value, found 'in'", token.offset)
        if not self.at("("):
            return Name(token.offset, _end(token), token.text)
        args, closing = self.arguments()
        if token.text != "has":
            return Call(token.offset, _end(closing), token.text, None, args, token.offset)
        if len(args) != 1 or not isinstance(args[0], Select):
            raise ParseError("has() takes one field, as in has(ratings.SO1)", token.offset)
        return Has(token.offset, _end(closing), args[0])

    def list_literal(self) -> Expr:
        opening = self.open()
        items: list[Expr] = []
        while not self.at("]"):
            items.append(self.expression())
            if not self.at(","):
                break
            self.take()
        closing = self.close("]", opening)
        return ListLiteral(opening.offset, _end(closing), tuple(items))

    def map_literal(self) -> Expr:
        opening = self.open()
        entries: list[tuple[Expr, Expr]] = []
        while not self.at("}"):
            key = self.expression()
            self.expect(":", "between a key and its value")
            entries.append((key, self.expression()))
            if not self.at(","):
                break
            self.take()
        closing = self.close("}", opening)
        return MapLiteral(opening.offset, _end(closing), tuple(entries))

    def number(self, token: Token, sign: Token | None = None) -> Literal:
        value = token.value
        assert isinstance(value, int | float)
        start = token.offset if sign is None else sign.offset
        if sign is not None:
            value = -value
        if token.kind == "int" and not INT_MIN <= value <= INT_MAX:
            raise ParseError(f"{token.text} is out of range for an integer", start)
        if token.kind == "uint" and value > UINT_MAX:
            raise ParseError(f"{token.text} is out of range for an unsigned integer", start)
        return Literal(start, _end(token), value, token.kind)

    def text(self, token: Token) -> Literal:
        return Literal(token.offset, _end(token), token.value, token.kind)
