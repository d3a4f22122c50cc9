"""Rule expressions in plain language, for the codebook a rater reads.

A tiny recursive-descent parser over the tokens of `lexer.py` covers the part
of CEL the methodologist's guide documents: `|| && ! == != < <= > >= + -`,
parentheses, selectors (`ratings.X.presence`, `flags.x`, `domains.D.risk.present`,
`case.f`), integers, strings, `true`/`false` and `has()`. Anything else gives
`None`, and the caller shows the expression itself: explaining never fails.

The wording comes from the report's catalogs (`spj/report/locale`), the names
from the instrument (`localize`). The sentence is plain text: templates escape it.

>>> explain_expression("flags.isolation", instrument)  # doctest: +SKIP
'the flag “isolation” is raised'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from spj.instrument.text import localize
from spj.rules.lexer import LexError, Token, tokenize

if TYPE_CHECKING:
    from spj.instrument.model import Instrument, ScaleLevel, Text

MAX_DEPTH = 40
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_TESTS: dict[str, Callable[[int, int], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_DOMAIN_KINDS = ("risk", "protective")
_DOMAIN_STATES = ("present", "partial", "absent")
_DOMAIN_METRICS = ("rated", "omitted", "unrated", "high_relevance")


class Translations(Protocol):
    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


class _Unsupported(Exception):
    """The expression uses something outside the explained subset."""


# --- syntax tree --------------------------------------------------------------


@dataclass(frozen=True)
class _Bool:
    op: str  # "&&" | "||"
    items: tuple[_Node, ...]


@dataclass(frozen=True)
class _Not:
    item: _Node


@dataclass(frozen=True)
class _Compare:
    op: str
    left: _Node
    right: _Node


@dataclass(frozen=True)
class _Sum:
    terms: tuple[tuple[str, _Node], ...]  # (sign, term)


@dataclass(frozen=True)
class _Select:
    parts: tuple[str, ...]


@dataclass(frozen=True)
class _Literal:
    value: int | str | bool


@dataclass(frozen=True)
class _Has:
    target: _Select


_Node = _Bool | _Not | _Compare | _Sum | _Select | _Literal | _Has


class _Parser:
    """`or := and ('||' and)*; and := unary ('&&' unary)*; unary := '!' unary | cmp;
    cmp := sum (OP sum)?; sum := atom (('+'|'-') atom)*; atom := '(' or ')' | literal | has | selector`."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def parse(self) -> _Node:
        node = self._or()
        if self.pos != len(self.tokens):
            raise _Unsupported(self.tokens[self.pos].text)
        return node

    def _peek(self) -> str | None:
        return self.tokens[self.pos].text if self.pos < len(self.tokens) else None

    def _take(self) -> Token:
        if self.pos >= len(self.tokens):
            raise _Unsupported("end of expression")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _expect(self, text: str) -> None:
        if self._take().text != text:
            raise _Unsupported(text)

    def _or(self) -> _Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Unsupported("too deep")
        items = [self._and()]
        while self._peek() == "||":
            self.pos += 1
            items.append(self._and())
        self.depth -= 1
        return items[0] if len(items) == 1 else _Bool("||", tuple(items))

    def _and(self) -> _Node:
        items = [self._unary()]
        while self._peek() == "&&":
            self.pos += 1
            items.append(self._unary())
        return items[0] if len(items) == 1 else _Bool("&&", tuple(items))

    def _unary(self) -> _Node:
        if self._peek() == "!":
            self.pos += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Unsupported("too deep")
            node = _Not(self._unary())
            self.depth -= 1
            return node
        left = self._sum()
        op = self._peek()
        if op in _COMPARISONS:
            self.pos += 1
            return _Compare(op, left, self._sum())
        return left

    def _sum(self) -> _Node:
        terms = [("+", self._atom())]
        while self._peek() in ("+", "-"):
            sign = self._take().text
            terms.append((sign, self._atom()))
        return terms[0][1] if len(terms) == 1 else _Sum(tuple(terms))

    def _atom(self) -> _Node:
        token = self._take()
        if token.text == "(":
            node = self._or()
            self._expect(")")
            return node
        if token.text == "-" and self._peek() is not None and self.tokens[self.pos].kind == "number":
            return _Literal(-_integer(self._take().text))
        if token.kind == "number":
            return _Literal(_integer(token.text))
        if token.kind == "string":
            return _Literal(_string(token.text))
        if token.kind != "ident":
            raise _Unsupported(token.text)
        if token.text in ("true", "false"):
            return _Literal(token.text == "true")
        if token.text == "has" and self._peek() == "(":
            self.pos += 1
            target = self._selector(self._take())
            self._expect(")")
            return _Has(target)
        return self._selector(token)

    def _selector(self, first: Token) -> _Select:
        if first.kind != "ident":
            raise _Unsupported(first.text)
        parts = [first.text]
        while self._peek() == ".":
            self.pos += 1
            token = self._take()
            if token.kind != "ident":
                raise _Unsupported(token.text)
            parts.append(token.text)
        if self._peek() in ("(", "["):
            raise _Unsupported("call or index")  # methods, macros, indexing: outside the subset
        return _Select(tuple(parts))


def _integer(text: str) -> int:
    if not text.isdigit():
        raise _Unsupported(text)  # floats, hex and unsigned literals
    return int(text)


def _string(text: str) -> str:
    if text[0] in "rRbB":
        raise _Unsupported(text)
    body = text[3:-3] if text[:3] in ('"""', "'''") else text[1:-1]
    out: list[str] = []
    chars = iter(body)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        escaped = next(chars, "")
        if escaped not in "\\'\"":
            raise _Unsupported("escape")
        out.append(escaped)
    return "".join(out)


# --- wording ------------------------------------------------------------------


def explain_expression(
    source: str,
    instrument: Instrument,
    *,
    lang: str | None = None,
    translations: Translations | None = None,
) -> str | None:
    """`source` as a clause in `lang` ("X (ID) is at least partially present"), or None.

    None means the expression uses something outside the documented subset (or
    something the instrument does not define); show the expression instead.
    """
    if translations is None:
        from spj.report.i18n import translations_for

        translations = translations_for(lang or instrument.default_language)
    try:
        tree = _Parser(tokenize(source)).parse()
        return _Wording(instrument, lang, translations).clause(tree)
    except (_Unsupported, LexError, KeyError, IndexError, ValueError, TypeError, RecursionError):
        return None


def _lower_first(text: str) -> str:
    """`Partially present` → `partially present`; `PTSD` stays."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


class _Wording:
    def __init__(self, instrument: Instrument, lang: str | None, translations: Translations) -> None:
        self.instrument = instrument
        self.lang = lang
        self._ = translations.gettext
        self.n_ = translations.ngettext
        self.indicators = {i.id: i for i in instrument.indicators}
        self.domains = {d.id: d for d in instrument.domains}
        self.rules = {r.id: r for r in instrument.rules}
        self.fields = {f.id: f for f in instrument.case_fields}

    def text(self, value: Text | None) -> str:
        return localize(value, self.lang, self.instrument)

    # Clauses ----------------------------------------------------------------

    def clause(self, node: _Node, previous: str | None = None) -> str:
        """The clause for `node`; `previous` is the indicator the clause before it spoke of."""
        return self._clause(node, previous)[0]

    def _clause(self, node: _Node, previous: str | None) -> tuple[str, str | None]:
        if isinstance(node, _Bool):
            return self._bool(node), None
        if isinstance(node, _Not):
            return self._not(node.item), None
        if isinstance(node, _Compare):
            return self._compare(node, previous)
        if isinstance(node, _Select):
            return self._truth(node, True), None
        if isinstance(node, _Has):
            return self._has(node.target), None
        raise _Unsupported(type(node).__name__)

    def _bool(self, node: _Bool) -> str:
        word = self._("and") if node.op == "&&" else self._("or")
        pieces: list[str] = []
        previous: str | None = None
        for item in node.items:
            text, previous = self._clause(item, previous)
            # "it is not the case that A or B" would read as negating both: bracket the negation.
            if isinstance(item, _Bool) or (isinstance(item, _Not) and _negates_by_phrase(item.item)):
                text = f"({text})"
            pieces.append(text)
        return f" {word} ".join(pieces)

    def _not(self, item: _Node) -> str:
        if isinstance(item, _Select):
            return self._truth(item, False)
        if isinstance(item, _Compare) and (flag := _flag_test(item)) is not None:
            return self._truth(flag[0], not flag[1])
        inner = self.clause(item)
        if isinstance(item, _Bool):
            inner = f"({inner})"
        return self._("it is not the case that %(clause)s") % {"clause": inner}

    def _truth(self, select: _Select, value: bool) -> str:
        root, *rest = select.parts
        if root == "flags" and len(rest) == 1:
            rule = self.rules[rest[0]]
            name = self.text(rule.title) if rule.title is not None else rule.id
            message = "the flag “%(flag)s” is raised" if value else "the flag “%(flag)s” is not raised"
            return self._(message) % {"flag": name}
        if root == "case" and len(rest) == 1:
            message = "“%(field)s” holds for the case" if value else "“%(field)s” does not hold for the case"
            return self._(message) % {"field": self._field_name(rest[0])}
        raise _Unsupported(".".join(select.parts))

    def _has(self, target: _Select) -> str:
        root, *rest = target.parts
        if root == "ratings" and len(rest) == 1:
            return self._("%(subject)s has been rated") % {"subject": self._subject(rest[0])}
        if root == "ratings" and len(rest) == 2:
            return self._("%(subject)s has a rating of its %(scale)s") % {
                "subject": self._subject(rest[0]),
                "scale": self._scale_name(rest[1]),
            }
        if root == "case" and len(rest) == 1:
            return self._("“%(field)s” is known for the case") % {"field": self._field_name(rest[0])}
        if root == "flags" and len(rest) == 1:
            rule = self.rules[rest[0]]
            name = self.text(rule.title) if rule.title is not None else rule.id
            return self._("whether the flag “%(flag)s” is raised is known") % {"flag": name}
        raise _Unsupported("has")

    def _compare(self, node: _Compare, previous: str | None) -> tuple[str, str | None]:
        op, left, right = node.op, node.left, node.right
        if isinstance(left, _Literal) and not isinstance(right, _Literal):
            op, left, right = _FLIP[op], right, left
        if not isinstance(right, _Literal):
            raise _Unsupported("comparison of two values")
        if (flag := _flag_test(node)) is not None:
            return self._truth(*flag), None
        if isinstance(left, _Select) and left.parts[0] == "ratings" and len(left.parts) == 3:
            return self._rating(left.parts[1], left.parts[2], op, right.value, previous), left.parts[1]
        if isinstance(left, _Select) and left.parts[0] == "case" and len(left.parts) == 2:
            return self._case(left.parts[1], op, right.value), None
        if isinstance(left, _Select | _Sum) and _left_is_domain(left):
            return self._domains(left, op, right.value), None
        raise _Unsupported("comparison")

    # Ratings ------------------------------------------------------------------

    def _subject(self, indicator_id: str) -> str:
        return f"{self.text(self.indicators[indicator_id].title)} ({indicator_id})"

    def _scale_name(self, scale: str) -> str:
        known = {"presence": self._("presence"), "relevance": self._("relevance")}
        return known.get(scale, scale)

    def _rating(self, indicator_id: str, scale: str, op: str, value: object, previous: str | None) -> str:
        if indicator_id not in self.indicators or isinstance(value, bool) or not isinstance(value, int):
            raise _Unsupported("rating")
        predicate = self._levels(self.instrument.scales[scale], op, value)
        same = previous == indicator_id
        if scale == "presence":
            if same:
                return self._("it is %(predicate)s") % {"predicate": predicate}
            return self._("%(subject)s is %(predicate)s") % {
                "subject": self._subject(indicator_id),
                "predicate": predicate,
            }
        if same:
            return self._("its %(scale)s is %(predicate)s") % {"scale": self._scale_name(scale), "predicate": predicate}
        return self._("the %(scale)s of %(subject)s is %(predicate)s") % {
            "scale": self._scale_name(scale),
            "subject": self._subject(indicator_id),
            "predicate": predicate,
        }

    def _levels(self, levels: tuple[ScaleLevel, ...], op: str, value: int) -> str:
        ordered = sorted(levels, key=lambda level: level.value)
        test = _TESTS[op]
        chosen = [i for i, level in enumerate(ordered) if test(level.value, value)]
        last = len(ordered) - 1
        label = [_lower_first(self.text(level.label)) for level in ordered]
        if not chosen:
            raise _Unsupported("never true")
        if len(chosen) == len(ordered):
            return self._("rated at any level")
        contiguous = chosen == list(range(chosen[0], chosen[-1] + 1))
        if len(chosen) == 1:
            if chosen[0] == 0:
                return label[0]
            return self._("exactly %(label)s") % {"label": label[chosen[0]]}
        if contiguous and chosen[-1] == last:
            return self._("at least %(label)s") % {"label": label[chosen[0]]}
        if contiguous and chosen[0] == 0:
            return self._("at most %(label)s") % {"label": label[chosen[-1]]}
        if len(chosen) == len(ordered) - 1:
            excluded = next(i for i in range(len(ordered)) if i not in chosen)
            return self._("not %(label)s") % {"label": label[excluded]}
        return self._join([label[i] for i in chosen], self._("or"))

    def _join(self, items: list[str], word: str) -> str:
        if len(items) == 1:
            return items[0]
        return f"{', '.join(items[:-1])} {word} {items[-1]}"

    # Case fields --------------------------------------------------------------

    def _field_name(self, field_id: str) -> str:
        field = self.fields[field_id]
        return _lower_first(self.text(field.title)) if field.title is not None else field_id

    def _case(self, field_id: str, op: str, value: object) -> str:
        field = self.fields[field_id]
        name = self._field_name(field_id)
        if isinstance(value, bool):
            return self._truth(_Select(("case", field_id)), value if op == "==" else not value)
        if isinstance(value, str) and op in ("==", "!="):
            shown = self.text(field.labels[value]) if value in field.labels else value
            if op == "==":
                message = "the case is in %(field)s “%(value)s”"
            else:
                message = "the case is not in %(field)s “%(value)s”"
            return self._(message) % {"field": name, "value": shown}
        if isinstance(value, int):
            return self._("the case's %(field)s is %(comparison)s") % {
                "field": name,
                "comparison": self._number(op, value),
            }
        raise _Unsupported("case comparison")

    # Domain counts ------------------------------------------------------------

    def _number(self, op: str, n: int) -> str:
        """`at least 9` for a case's number: unlike a count, it may be zero or negative, never "no"."""
        words = {
            ">=": "at least %(num)d",
            ">": "more than %(num)d",
            "==": "exactly %(num)d",
            "!=": "not exactly %(num)d",
            "<=": "at most %(num)d",
            "<": "fewer than %(num)d",
        }
        return self._(words[op]) % {"num": n}

    def _quantity(self, op: str, n: int) -> tuple[str, int]:
        """`at least 2` and the number that decides singular or plural."""
        if (op == "==" and n == 0) or (op == "<" and n == 1) or (op == "<=" and n == 0):
            return self._("no"), 0
        if (op == ">=" and n <= 0) or (op == ">" and n < 0) or (op in ("<", "<=") and n < 0):
            raise _Unsupported("always or never true")
        words = {
            ">=": ("at least %(num)d", n),
            ">": ("more than %(num)d", n + 1),
            "==": ("exactly %(num)d", n),
            "!=": ("not exactly %(num)d", n),
            "<=": ("at most %(num)d", n),
            "<": ("fewer than %(num)d", n),
        }
        message, plural = words[op]
        return self._(message) % {"num": n}, plural

    def _domains(self, left: _Select | _Sum, op: str, value: object) -> str:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Unsupported("domain count")
        terms = [left] if isinstance(left, _Select) else [t for _, t in left.terms]
        if isinstance(left, _Sum) and any(sign != "+" for sign, _ in left.terms):
            raise _Unsupported("difference of counts")
        paths = [t.parts[1:] for t in terms if isinstance(t, _Select)]
        shapes = {path[1:-1] if len(path) == 3 else () for path in paths}
        if len(shapes) != 1:
            raise _Unsupported("mixed counts")
        domain_ids = list(dict.fromkeys(path[0] for path in paths))
        states = list(dict.fromkeys(path[-1] for path in paths))
        if {tuple(p) for p in paths} != {(d, *shape, s) for d in domain_ids for s in states for shape in shapes}:
            raise _Unsupported("uneven counts")
        (shape,) = shapes
        quantity, n = self._quantity(op, value)
        domains = self._join([self.text(self.domains[d].title) for d in domain_ids], self._("and"))
        words = {
            "present": self._("present"),
            "partial": self._("partially present"),
            "absent": self._("absent"),
            "rated": self._("rated"),
            "omitted": self._("omitted"),
            "unrated": self._("not yet rated"),
            "high_relevance": self._("of the highest relevance"),
        }
        if (shape and shape[0] not in _DOMAIN_KINDS) or any(s not in words for s in states):
            raise _Unsupported("domain count")
        if shape and any(s not in _DOMAIN_STATES for s in states):
            raise _Unsupported("domain count")
        if not shape and any(s not in _DOMAIN_METRICS for s in states):
            raise _Unsupported("domain count")
        state = self._join([words[s] for s in states], self._("or"))
        arguments = {"quantity": quantity, "domains": domains, "state": state}
        if shape == ("risk",):
            message = self.n_(
                "%(quantity)s risk indicator of %(domains)s is %(state)s",
                "%(quantity)s risk indicators of %(domains)s are %(state)s",
                n,
            )
        elif shape == ("protective",):
            message = self.n_(
                "%(quantity)s protective indicator of %(domains)s is %(state)s",
                "%(quantity)s protective indicators of %(domains)s are %(state)s",
                n,
            )
        else:
            message = self.n_(
                "%(quantity)s indicator of %(domains)s is %(state)s",
                "%(quantity)s indicators of %(domains)s are %(state)s",
                n,
            )
        return message % arguments


def _negates_by_phrase(item: _Node) -> bool:
    """Whether `_Wording._not` words the negation of `item` as "it is not the case that ..."."""
    if isinstance(item, _Select):
        return False
    return not (isinstance(item, _Compare) and _flag_test(item) is not None)


def _left_is_domain(node: _Select | _Sum) -> bool:
    terms = [node] if isinstance(node, _Select) else [t for _, t in node.terms]
    return all(isinstance(t, _Select) and t.parts[0] == "domains" and len(t.parts) in (3, 4) for t in terms)


def _flag_test(node: _Compare) -> tuple[_Select, bool] | None:
    """`flags.x == true` (or `!=`, or a case boolean) as (selector, expected truth)."""
    left, right = node.left, node.right
    if isinstance(left, _Literal):
        left, right = right, left
    if not (isinstance(left, _Select) and isinstance(right, _Literal) and isinstance(right.value, bool)):
        return None
    if node.op not in ("==", "!=") or left.parts[0] not in ("flags", "case"):
        return None
    return left, right.value if node.op == "==" else not right.value
