"""Rule expressions in plain language, for the codebook a rater reads.

The wording walks the expression's parse tree (`syntax.py`) and covers the
part of CEL the methodologist's guide documents: `|| && ! == != < <= > >= + -`,
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
from typing import TYPE_CHECKING, Protocol

from spj.instrument.text import localize
from spj.rules.parser import ParseError, parse
from spj.rules.syntax import Binary, Expr, Has, Literal, Logical, Unary, height, selector_path

if TYPE_CHECKING:
    from spj.instrument.model import CaseField, Domain, Indicator, Instrument, Rule, ScaleLevel, Text

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
_CONSTANT_KINDS = frozenset({"int", "string", "bool"})

Selector = tuple[str, ...]  # ("ratings", "SO1", "presence")
Constant = int | str | bool


class Translations(Protocol):
    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


class _Unsupported(Exception):
    """The expression uses something outside the explained subset (or the instrument does not define it)."""


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
        tree = parse(source)
    except ParseError:
        return None
    if height(tree) > MAX_DEPTH:
        return None
    try:
        return _Wording(instrument, lang, translations).clause(tree)
    except _Unsupported:
        return None


def _constant(node: Expr) -> Constant | None:
    """The value of an integer, string or boolean literal; None for anything else."""
    if isinstance(node, Literal) and node.kind in _CONSTANT_KINDS and isinstance(node.value, int | str):
        return node.value
    return None


def _terms(node: Expr) -> list[tuple[str, Expr]]:
    """`a + b - c` as [("+", a), ("+", b), ("-", c)]; anything else as [("+", node)]."""
    terms: list[tuple[str, Expr]] = []
    while isinstance(node, Binary) and node.op in ("+", "-"):
        terms.append((node.op, node.right))
        node = node.left
    terms.append(("+", node))
    return terms[::-1]


# --- wording ------------------------------------------------------------------


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

    def clause(self, node: Expr, previous: str | None = None) -> str:
        """The clause for `node`; `previous` is the indicator the clause before it spoke of."""
        return self._clause(node, previous)[0]

    def _clause(self, node: Expr, previous: str | None) -> tuple[str, str | None]:
        if isinstance(node, Logical):
            return self._bool(node), None
        if isinstance(node, Unary) and node.op == "!":
            return self._not(node.operand), None
        if isinstance(node, Binary) and node.op in _COMPARISONS:
            return self._compare(node, previous)
        if isinstance(node, Binary) and node.op == "in":
            return self._includes(node), None
        if (path := selector_path(node)) is not None:
            return self._truth(path, True), None
        if isinstance(node, Has):
            return self._has(node), None
        raise _Unsupported(type(node).__name__)

    def _bool(self, node: Logical) -> str:
        word = self._("and") if node.op == "&&" else self._("or")
        pieces: list[str] = []
        previous: str | None = None
        for item in node.operands:
            text, previous = self._clause(item, previous)
            # "it is not the case that A or B" would read as negating both: bracket the negation.
            if isinstance(item, Logical) or (
                isinstance(item, Unary) and item.op == "!" and _negates_by_phrase(item.operand)
            ):
                text = f"({text})"
            pieces.append(text)
        return f" {word} ".join(pieces)

    def _not(self, item: Expr) -> str:
        if (path := selector_path(item)) is not None:
            return self._truth(path, False)
        if isinstance(item, Binary) and (flag := _flag_test(item)) is not None:
            return self._truth(flag[0], not flag[1])
        inner = self.clause(item)
        if isinstance(item, Logical):
            inner = f"({inner})"
        return self._("it is not the case that %(clause)s") % {"clause": inner}

    def _truth(self, path: Selector, value: bool) -> str:
        root, *rest = path
        if root == "flags" and len(rest) == 1:
            rule = self._rule(rest[0])
            name = self.text(rule.title) if rule.title is not None else rule.id
            message = "the flag “%(flag)s” is raised" if value else "the flag “%(flag)s” is not raised"
            return self._(message) % {"flag": name}
        if root == "case" and len(rest) == 1:
            message = "“%(field)s” holds for the case" if value else "“%(field)s” does not hold for the case"
            return self._(message) % {"field": self._field_name(rest[0])}
        raise _Unsupported(".".join(path))

    def _has(self, node: Has) -> str:
        path = selector_path(node.target)
        if path is None:
            raise _Unsupported("has")
        root, *rest = path
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
            rule = self._rule(rest[0])
            name = self.text(rule.title) if rule.title is not None else rule.id
            return self._("whether the flag “%(flag)s” is raised is known") % {"flag": name}
        raise _Unsupported("has")

    def _compare(self, node: Binary, previous: str | None) -> tuple[str, str | None]:
        op, left, right = node.op, node.left, node.right
        if _constant(left) is not None and _constant(right) is None:
            op, left, right = _FLIP[op], right, left
        value = _constant(right)
        if value is None:
            raise _Unsupported("comparison of two values")
        if (flag := _flag_test(node)) is not None:
            return self._truth(*flag), None
        path = selector_path(left)
        if path is not None and path[0] == "ratings" and len(path) == 3:
            return self._rating(path[1], path[2], op, value, previous), path[1]
        if path is not None and path[0] == "case" and len(path) == 2:
            return self._case(path[1], op, value), None
        if _left_is_domain(left):
            return self._domains(left, op, value), None
        raise _Unsupported("comparison")

    # Lookups: an id the instrument does not define is outside what can be worded -------

    def _rule(self, rule_id: str) -> Rule:
        if rule_id not in self.rules:
            raise _Unsupported(f"no rule {rule_id}")
        return self.rules[rule_id]

    def _indicator(self, indicator_id: str) -> Indicator:
        if indicator_id not in self.indicators:
            raise _Unsupported(f"no indicator {indicator_id}")
        return self.indicators[indicator_id]

    def _field(self, field_id: str) -> CaseField:
        if field_id not in self.fields:
            raise _Unsupported(f"no case field {field_id}")
        return self.fields[field_id]

    def _domain(self, domain_id: str) -> Domain:
        if domain_id not in self.domains:
            raise _Unsupported(f"no domain {domain_id}")
        return self.domains[domain_id]

    # Ratings ------------------------------------------------------------------

    def _subject(self, indicator_id: str) -> str:
        return f"{self.text(self._indicator(indicator_id).title)} ({indicator_id})"

    def _scale_name(self, scale: str) -> str:
        known = {"presence": self._("presence"), "relevance": self._("relevance")}
        return known.get(scale, scale)

    def _rating(self, indicator_id: str, scale: str, op: str, value: object, previous: str | None) -> str:
        if indicator_id not in self.indicators or scale not in self.instrument.scales:
            raise _Unsupported("rating")
        if isinstance(value, bool) or not isinstance(value, int):
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
        field = self._field(field_id)
        return _lower_first(self.text(field.title)) if field.title is not None else field_id

    def _case(self, field_id: str, op: str, value: Constant) -> str:
        field = self._field(field_id)
        name = self._field_name(field_id)
        if isinstance(value, bool):
            return self._truth(("case", field_id), value if op == "==" else not value)
        if isinstance(value, str) and field.type == "choice" and value not in field.choices:
            raise _Unsupported("not a choice")  # never equal: a lint finding, not a sentence
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

    def _includes(self, node: Binary) -> str:
        """`'x' in case.f` for a multiple choice: the case's f includes x."""
        value, path = _constant(node.left), selector_path(node.right)
        if not isinstance(value, str) or isinstance(value, bool) or path is None or len(path) != 2:
            raise _Unsupported("in")
        if path[0] != "case":
            raise _Unsupported("in")
        field = self._field(path[1])
        if field.type != "choice" or not field.multiple or value not in field.choices:
            raise _Unsupported("in")
        shown = self.text(field.labels[value]) if value in field.labels else value
        return self._("the case's %(field)s includes “%(value)s”") % {
            "field": self._field_name(path[1]),
            "value": shown,
        }

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

    def _domains(self, left: Expr, op: str, value: Constant) -> str:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Unsupported("domain count")
        terms = _terms(left)
        if any(sign != "+" for sign, _ in terms):
            raise _Unsupported("difference of counts")
        paths = [path[1:] for _, term in terms if (path := selector_path(term)) is not None]
        shapes = {path[1:-1] if len(path) == 3 else () for path in paths}
        if len(shapes) != 1:
            raise _Unsupported("mixed counts")
        domain_ids = list(dict.fromkeys(path[0] for path in paths))
        states = list(dict.fromkeys(path[-1] for path in paths))
        if {tuple(p) for p in paths} != {(d, *shape, s) for d in domain_ids for s in states for shape in shapes}:
            raise _Unsupported("uneven counts")
        (shape,) = shapes
        quantity, n = self._quantity(op, value)
        domains = self._join([self.text(self._domain(d).title) for d in domain_ids], self._("and"))
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


def _negates_by_phrase(item: Expr) -> bool:
    """Whether `_Wording._not` words the negation of `item` as "it is not the case that ..."."""
    if selector_path(item) is not None:
        return False
    return not (isinstance(item, Binary) and _flag_test(item) is not None)


def _left_is_domain(node: Expr) -> bool:
    paths = [selector_path(term) for _, term in _terms(node)]
    return all(path is not None and path[0] == "domains" and len(path) in (3, 4) for path in paths)


def _flag_test(node: Binary) -> tuple[Selector, bool] | None:
    """`flags.x == true` (or `!=`, or a case boolean) as (path, expected truth)."""
    left, right = node.left, node.right
    if isinstance(left, Literal):
        left, right = right, left
    path = selector_path(left)
    if path is None or not (isinstance(right, Literal) and isinstance(right.value, bool)):
        return None
    if node.op not in ("==", "!=") or path[0] not in ("flags", "case"):
        return None
    return path, right.value if node.op == "==" else not right.value
