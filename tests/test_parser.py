"""The rule parser (`spj.rules.parser`): one tree for every reader, literals decoded as CEL decodes them."""

from __future__ import annotations

import cel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spj.rules.parser import MAX_DEPTH, ParseError, parse
from spj.rules.references import find_references, free_names
from spj.rules.syntax import (
    Binary,
    Call,
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
    height,
    walk,
)


def show(node: Expr) -> str:
    """A compact s-expression of the tree, to compare with a table."""
    if isinstance(node, Literal):
        return repr(node.value) if node.kind != "uint" else f"{node.value}u"
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Select):
        return f"{show(node.operand)}.{node.field}"
    if isinstance(node, Index):
        return f"{show(node.operand)}[{show(node.index)}]"
    if isinstance(node, Call):
        target = f"{show(node.target)}." if node.target is not None else ""
        return f"{target}{node.function}({', '.join(show(a) for a in node.args)})"
    if isinstance(node, Unary):
        return f"({node.op} {show(node.operand)})"
    if isinstance(node, Binary | Logical):
        operands = (node.left, node.right) if isinstance(node, Binary) else node.operands
        return f"({node.op} {' '.join(show(o) for o in operands)})"
    if isinstance(node, Conditional):
        return f"(? {show(node.condition)} {show(node.then)} {show(node.otherwise)})"
    if isinstance(node, ListLiteral):
        return f"[{', '.join(show(i) for i in node.items)}]"
    if isinstance(node, MapLiteral):
        return "{" + ", ".join(f"{show(k)}: {show(v)}" for k, v in node.entries) + "}"
    if isinstance(node, Has):
        return f"has({show(node.target)})"
    guard = f" {show(node.guard)}" if node.guard is not None else ""
    return f"{show(node.target)}.{node.macro}({node.variable}{guard} {show(node.body)})"


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        # precedence: || < && < relations < + - < * / % < unary < member
        ("a || b && c", "(|| a (&& b c))"),
        ("a && b || c && d", "(|| (&& a b) (&& c d))"),
        ("a || b || c", "(|| a b c)"),
        ("(a || b) || c", "(|| (|| a b) c)"),
        ("1 + 2 * 3 == 7", "(== (+ 1 (* 2 3)) 7)"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("8 / 4 % 3", "(% (/ 8 4) 3)"),
        ("1 < 2 == true", "(== (< 1 2) True)"),
        ("x in [1, 2] && y", "(&& (in x [1, 2]) y)"),
        ("!a == b", "(== (! a) b)"),
        ("!!a", "(! (! a))"),
        ("-a.b", "(- a.b)"),
        ("- -1", "(- -1)"),
        ("-1", "-1"),
        ("-9223372036854775808", "-9223372036854775808"),
        ("-1.5 < 0.0", "(< -1.5 0.0)"),
        ("-1u", "(- 1u)"),
        # ternary: right-associative, the middle branch is an `or`
        ("a ? b : c ? d : e", "(? a b (? c d e))"),
        ("a || b ? c : d", "(? (|| a b) c d)"),
        # members, index, calls
        ("ratings.SO1.presence", "ratings.SO1.presence"),
        ("a[0].b", "a[0].b"),
        ("size(a) + a.size()", "(+ size(a) a.size())"),
        ("'abc'.startsWith('a')", "'abc'.startsWith('a')"),
        ("f()", "f()"),
        # macros
        ("has(a.b)", "has(a.b)"),
        ("[1, 2].all(x, x > 0)", "[1, 2].all(x (> x 0))"),
        ("l.exists_one(x, x)", "l.exists_one(x x)"),
        ("l.map(x, x > 0, x * 2)", "l.map(x (> x 0) (* x 2))"),
        ("l.filter(x, x).map(y, y)", "l.filter(x x).map(y y)"),
        # literals
        ("[1, 2,]", "[1, 2]"),
        ("{'a': 1, 2: 'b',}", "{'a': 1, 2: 'b'}"),
        ("[]", "[]"),
        ("{}", "{}"),
        ("0x1F + 1u + 0xAu", "(+ (+ 31 1u) 10u)"),
        ("1e3 + .5 + 2.5e-1", "(+ (+ 1000.0 0.5) 0.25)"),
        ("null == true", "(== None True)"),
        ("b'a' + b'\\xff'", "(+ b'a' b'\\xff')"),
        ("1 // a comment\n == 1", "(== 1 1)"),
    ],
)
def test_parses_by_the_cel_grammar(source: str, tree: str) -> None:
    assert show(parse(source)) == tree


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ('"plain"', "plain"),
        ("'single'", "single"),
        ('"\\a\\b\\f\\n\\r\\t\\v"', "\a\b\f\n\r\t\v"),
        ('"\\\\ \\? \\" \\\' \\`"', "\\ ? \" ' `"),
        ('"\\x41\\X42"', "AB"),
        ('"\\u00e9\\U0001F600"', "é😀"),
        ('"\\101\\377"', "Aÿ"),
        ('"\\xff"', "ÿ"),  # in a string, \x is a code point
        ('"é"', "é"),
        ("'it''s'", None),  # two literals: not one string (YAML's quote doubling is YAML's business)
        ('r"\\n\\d"', "\\n\\d"),
        ('R"\\"', "\\"),
        ('"""two\nlines"""', "two\nlines"),
        ("'''a 'quoted' word'''", "a 'quoted' word"),
        ('"""ends with \\""""', 'ends with "'),
        ('r"""raw \\"""', "raw \\"),
        ("''", ""),
        ('""""""', ""),
        ('b"abc"', b"abc"),
        ('b"\\xff\\101"', b"\xffA"),  # in bytes, \x and octal are byte values
        ('b"é"', "é".encode()),
        ('B"\\n"', b"\n"),
        ('br"\\n"', b"\\n"),
        ('bR"\\x"', b"\\x"),
    ],
)
def test_string_literals_decode_as_cel_does(literal: str, value: str | bytes | None) -> None:
    if value is None:
        with pytest.raises(ParseError):
            parse(literal)
        return
    tree = parse(literal)
    assert isinstance(tree, Literal)
    assert tree.value == value
    assert cel.evaluate(literal) == value
    assert (tree.start, tree.end) == (0, len(literal))


@pytest.mark.parametrize(
    ("source", "kind", "offset", "message"),
    [
        ("ratings.SO1.presence >= ", "syntax", 24, "ends too early"),
        ("1 # 2", "syntax", 2, "unexpected character '#'"),
        ("(1 + 2", "syntax", 6, "expected ')'"),
        ("[1, 2", "syntax", 5, "expected ']'"),
        ("{1: 2", "syntax", 5, "expected '}'"),
        ("{1 2}", "syntax", 3, "expected ':'"),
        ("1 2", "syntax", 2, "should end here"),
        ("a ? b", "syntax", 5, "expected ':'"),
        ("a ? b ? c : d : e", "syntax", 6, "expected ':'"),
        ("a.in", "syntax", 2, "field name"),
        ("a.true", "syntax", 2, "field name"),
        ("in", "syntax", 0, "'in'"),
        (".a", "syntax", 0, "cannot start with '.'"),
        ("f(1,)", "syntax", 4, "expected a value"),
        ("has(a)", "syntax", 0, "has() takes one field"),
        ("has(a.b, c.d)", "syntax", 0, "has() takes one field"),
        ("l.all(x)", "syntax", 2, "all() takes a name and an expression"),
        ("l.map(x, y, z, w)", "syntax", 2, "map() takes"),
        ("l.exists(1, true)", "syntax", 9, "simple name"),
        ("l.all(x.y, true)", "syntax", 6, "simple name"),
        ("'open", "syntax", 0, "not closed"),
        ("'a\nb'", "syntax", 0, "not closed"),
        ('"\\z"', "syntax", 1, "unknown escape \\z"),
        ('"\\400"', "syntax", 1, "octal"),
        ('"\\u12"', "syntax", 1, "4 hexadecimal digits"),
        ('"\\ud800"', "syntax", 1, "not a Unicode character"),
        ('b"\\u00e9"', "syntax", 2, "not allowed in bytes"),
        ("9223372036854775808", "syntax", 0, "out of range"),
        ("18446744073709551616u", "syntax", 0, "out of range"),
        ("(" * 13 + "1" + ")" * 13, "too-complex", 12, "brackets nested deeper than 12"),
        ("[" * 13 + "]" * 13, "too-complex", 12, "brackets nested deeper than 12"),
        ("1" + " + 1" * MAX_DEPTH, "too-complex", 0, "operations nested deeper"),
        ("!" * MAX_DEPTH + "a", "too-complex", MAX_DEPTH, "operations nested deeper"),
    ],
)
def test_refusals_say_where(source: str, kind: str, offset: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(source)
    assert (info.value.kind, info.value.offset) == (kind, offset), str(info.value)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("source", "piece"),
    [
        ("flags.a && ratings.SO1.presence >= 1", "ratings.SO1.presence >= 1"),
        ("x || [1, 2].exists(v, v > 1)", "[1, 2].exists(v, v > 1)"),
        ("(a + b) * c", "a + b"),
        ("-1 < x", "-1"),
        ("has(a.b) ? 'y' : 'n'", "has(a.b) ? 'y' : 'n'"),
        ("m[ 'k' ]", "m[ 'k' ]"),
    ],
)
def test_nodes_know_their_text(source: str, piece: str) -> None:
    spans = {source[node.start : node.end] for node in walk(parse(source))}
    assert piece in spans


def test_a_long_chain_of_alternatives_stays_flat() -> None:
    source = " || ".join(f"flags.f{n}" for n in range(150))
    tree = parse(source)
    assert isinstance(tree, Logical) and len(tree.operands) == 150
    assert height(tree) == 3


@pytest.mark.parametrize(
    ("source", "dotted", "dynamic"),
    [
        ("ratings.SO1.presence > 0", ["ratings.SO1.presence"], [False]),
        ("ratings.SO1.size() > 0", ["ratings.SO1"], [False]),
        ("ratings['SO1'].presence > 0", ["ratings"], [True]),
        ("ratings.SO1['presence'] > 0", ["ratings.SO1"], [True]),
        ("size(ratings) > 0", ["ratings"], [True]),
        ("ratings.exists(k, k == 'a')", ["ratings"], [True]),
        ("[flags.a, flags.b].exists(f, f)", ["flags.a", "flags.b"], [False, False]),
        ("[1].exists(x, x < domains.d.rated)", ["domains.d.rated"], [False]),
        ("[1].exists(case, case > 0)", [], []),  # a variable hides the root inside its comprehension
        ("[case.a].exists(case, case)", ["case.a"], [False]),  # ... but not in the list it ranges over
        ("'ratings.SO1' == case.x", ["case.x"], [False]),
    ],
)
def test_references_follow_scopes(source: str, dotted: list[str], dynamic: list[bool]) -> None:
    references = find_references(parse(source))
    assert [r.dotted for r in references] == dotted
    assert [r.dynamic for r in references] == dynamic


@pytest.mark.parametrize(
    ("source", "free"),
    [
        ("[1].exists(x, x > 0)", []),
        ("[1].exists(x, x > 0) && x > 0", [("x", 24)]),
        ("[1].exists(x, [2].all(y, x < y))", []),
        ("[1].exists(x, [2].all(y, x < y)) || y", [("y", 36)]),
        ("[x].exists(x, true)", [("x", 1)]),  # the list is outside the variable's scope
        ("l.map(x, x > 0, x + z)", [("l", 0), ("z", 20)]),
        ("f(g) + h.i", [("g", 2), ("h", 7)]),
    ],
)
def test_free_names_respect_bindings(source: str, free: list[tuple[str, int]]) -> None:
    assert [(n.name, n.start) for n in free_names(parse(source))] == free


_PIECE = st.sampled_from(
    [*"abcxyz019 '\"\\`?é😀\n\t", "\\n", "\\x4", "\\x41", "\\u00e9", "\\U0001F600", "\\101", "\\0", "\\z", "\\\\"]
)


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(["", "r", "R", "b", "B", "br", "BR"]),
    quote=st.sampled_from(["'", '"', "'''", '"""']),
    body=st.lists(_PIECE, max_size=12).map("".join),
)
def test_literals_agree_with_the_library(prefix: str, quote: str, body: str) -> None:
    """Whatever the text between the quotes, spj decodes it as CEL does, or refuses it where CEL refuses it."""
    literal = f"{prefix}{quote}{body}{quote}"
    try:
        theirs = cel.evaluate(literal)
    except ValueError:  # the library refuses the literal: so must spj
        with pytest.raises(ParseError):
            parse(literal)
        return
    tree = parse(literal)
    assert isinstance(tree, Literal)
    assert tree.value == theirs


_TOKENS = st.sampled_from(
    [
        *"()[]{}.,!?:<>+-*/%",
        *["&&", "||", "==", "in", "has", "a", "b.c", "x", "1", "2u", "1.5", "'s'", "r'\\d'"],
        *["[1].all", "map", "exists", "true", "null", '"""t"""', "b'\\xff'", "-", "//c\n", "\\", "#"],
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(_TOKENS, max_size=30).map(" ".join)))
def test_any_text_is_a_tree_or_a_located_refusal(source: str) -> None:
    try:
        tree = parse(source)
    except ParseError as exc:
        assert 0 <= exc.offset <= len(source)
        assert exc.kind in ("syntax", "too-complex")
        return
    for node in walk(tree):
        assert 0 <= node.start <= node.end <= len(source)
        for child in children(node):
            assert node.start <= child.start <= child.end <= node.end, (source, node, child)
