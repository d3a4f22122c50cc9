"""Hypothesis strategies: random valid instruments and random assessments of them.

Everything is built by pointing only to earlier items (rules read flags of
earlier rules, interventions require/follow earlier interventions), so the
result is acyclic by construction. Instruments are plain dicts; `dump` turns
them into YAML text for `spj.parse_instrument`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from hypothesis import strategies as st

CODE_POOL = ["N", "P", "Y", "no", "yes", "0", "1", "2", "NO", "off", "null", "x-1", "true"]
OPS = ["==", "!=", "<", "<=", ">", ">="]


def dump(data: Any) -> str:
    """YAML text with every string double-quoted, so codes such as `N`, `0` or `null` stay strings."""

    class Dumper(yaml.SafeDumper):
        pass

    def represent_str(dumper: yaml.SafeDumper, value: str) -> Any:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')

    Dumper.add_representer(str, represent_str)
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=10_000)


@st.composite
def scale(draw: st.DrawFn, min_levels: int = 2, max_levels: int = 4) -> list[dict[str, Any]]:
    codes = draw(st.lists(st.sampled_from(CODE_POOL), min_size=min_levels, max_size=max_levels, unique=True))
    start = draw(st.integers(-3, 3))
    steps = draw(st.lists(st.integers(1, 3), min_size=len(codes), max_size=len(codes)))
    values, value = [], start
    for step in steps:
        values.append(value)
        value += step
    return [{"code": c, "value": v, "label": {"en": f"level {c}"}} for c, v in zip(codes, values, strict=True)]


@st.composite
def atom(draw: st.DrawFn, inst: dict[str, Any], flags: list[str], use_domains: bool) -> str:
    scales = inst["scales"]
    choices: list[str] = ["rating"]
    if flags:
        choices.append("flag")
    if use_domains:
        choices.append("domain")
    if inst["case_fields"]:
        choices.append("case")
    kind = draw(st.sampled_from(choices))
    if kind == "rating":
        indicator = draw(st.sampled_from(inst["indicators"]))
        name = draw(st.sampled_from(indicator["rate"]))
        values = [level["value"] for level in scales[name]]
        op = draw(st.sampled_from(OPS))
        # a constant the scale can hold: another is refused at load (rule-out-of-range)
        k = draw(st.sampled_from(values) if op in ("==", "!=") else st.integers(min(values), max(values)))
        return f"ratings.{indicator['id']}.{name} {op} {k}"
    if kind == "flag":
        return f"flags.{draw(st.sampled_from(flags))}"
    if kind == "domain":
        domain = draw(st.sampled_from(inst["domains"]))["id"]
        path = draw(
            st.sampled_from(
                [
                    "risk.present",
                    "risk.partial",
                    "risk.absent",
                    "protective.present",
                    "protective.absent",
                    "rated",
                    "omitted",
                    "high_relevance",
                ]
            )
        )
        return f"domains.{domain}.{path} {draw(st.sampled_from(OPS))} {draw(st.integers(0, 3))}"
    field = draw(st.sampled_from(inst["case_fields"]))
    if field["type"] == "choice":
        return f'case.{field["id"]} == "{draw(st.sampled_from(field["choices"]))}"'
    if field["type"] == "integer":
        return f"case.{field['id']} {draw(st.sampled_from(OPS))} {draw(st.integers(0, 5))}"
    return f"case.{field['id']}"


@st.composite
def expression(draw: st.DrawFn, inst: dict[str, Any], flags: list[str], use_domains: bool, depth: int = 3) -> str:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(atom(inst, flags, use_domains))
    form = draw(st.sampled_from(["and", "or", "not", "paren", "ternary"]))
    left = draw(expression(inst, flags, use_domains, depth - 1))
    if form == "not":
        return f"!({left})"
    if form == "paren":
        return f"({left})"
    right = draw(expression(inst, flags, use_domains, depth - 1))
    if form == "ternary":
        third = draw(expression(inst, flags, use_domains, depth - 1))
        return f"(({left}) ? ({right}) : ({third}))"
    return f"({left}) {'&&' if form == 'and' else '||'} ({right})"


@st.composite
def instruments(draw: st.DrawFn, use_domains: bool = True) -> dict[str, Any]:
    """A random valid instrument, as a dict."""
    n_domains = draw(st.integers(1, 3))
    domains = [{"id": f"d{n}", "title": {"en": f"Domain {n}"}} for n in range(n_domains)]
    inst: dict[str, Any] = {
        "format": "spj/1",
        "id": "generated-instrument",
        "version": "1.0.0",
        "title": {"en": "Generated"},
        "languages": ["en"],
        "license": "CC0-1.0",
        "scales": {"presence": draw(scale()), "relevance": draw(scale(2, 3))},
        "domains": domains,
    }
    n_indicators = draw(st.integers(1, 6))
    inst["indicators"] = [
        {
            "id": f"I{n}",
            "domain": draw(st.sampled_from(domains))["id"],
            "kind": draw(st.sampled_from(["risk", "protective"])),
            "title": {"en": f"Indicator {n}"},
            "rate": draw(st.sampled_from([["presence"], ["presence", "relevance"]])),
        }
        for n in range(n_indicators)
    ]
    fields: list[dict[str, Any]] = []
    if draw(st.booleans()):
        fields.append({"id": "status", "type": "choice", "choices": ["a", "b", "c"]})
    if draw(st.booleans()):
        fields.append({"id": "age", "type": "integer"})
    if draw(st.booleans()):
        fields.append({"id": "detained", "type": "boolean"})
    inst["case_fields"] = fields
    inst["omission"] = {"max_omitted_ratio": draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))}
    rules: list[dict[str, Any]] = []
    for n in range(draw(st.integers(0, 5))):
        when = draw(expression(inst, [r["id"] for r in rules], use_domains))
        rules.append(
            {
                "id": f"r{n}",
                "when": when,
                "severity": draw(st.sampled_from(["info", "concern", "critical"])),
                "message": {"en": f"Rule {n}"},
            }
        )
    inst["rules"] = rules
    flags = [r["id"] for r in rules]
    interventions: list[dict[str, Any]] = []
    for n in range(draw(st.integers(0, 6))):
        earlier = [iv["id"] for iv in interventions]
        requires = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        after = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        interventions.append(
            {
                "id": f"v{n}",
                "title": {"en": f"Step {n}"},
                "domain": draw(st.sampled_from(domains))["id"],
                "provider": draw(st.sampled_from(["probation", "care", "school"])),
                "duration_weeks": draw(st.integers(0, 20)),
                "recommend_when": draw(expression(inst, flags, use_domains)),
                "requires": requires,
                "after": after,
            }
        )
    inst["interventions"] = interventions
    inst["judgements"] = [{"id": "priority", "title": {"en": "Priority"}, "levels": ["low", "high"]}]
    return inst


@st.composite
def assessments(draw: st.DrawFn, inst: dict[str, Any]) -> dict[str, Any]:
    """A random draft assessment of `inst`: each indicator rated, omitted or unrated."""
    scales = inst["scales"]
    ratings: dict[str, Any] = {}
    for indicator in inst["indicators"]:
        choice = draw(st.sampled_from(["rated", "omitted", "unrated", "empty"]))
        if choice == "rated":
            rating = {"presence": draw(st.sampled_from([lv["code"] for lv in scales["presence"]]))}
            if "relevance" in indicator["rate"] and draw(st.booleans()):
                rating["relevance"] = draw(st.sampled_from([lv["code"] for lv in scales["relevance"]]))
            ratings[indicator["id"]] = rating
        elif choice == "omitted":
            ratings[indicator["id"]] = {"omitted": True, "reason": "no information yet"}
        elif choice == "empty":
            ratings[indicator["id"]] = {}
    fields: dict[str, Any] = {}
    for field in inst["case_fields"]:
        if draw(st.booleans()):
            fields[field["id"]] = {
                "choice": draw(st.sampled_from(field.get("choices", ["a"]))),
                "integer": draw(st.integers(0, 6)),
                "boolean": draw(st.booleans()),
            }[field["type"]]
    return {
        "format": "spj-assessment/1",
        "instrument": {"id": inst["id"], "version": inst["version"]},
        "id": "A-0001",
        "case": {"id": "CASE-0001", "fields": fields},
        "assessor": {"id": "u-1"},
        "date": "2020-01-01",
        "status": "draft",
        "ratings": ratings,
    }


@st.composite
def instrument_and_assessment(draw: st.DrawFn, use_domains: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
    inst = draw(instruments(use_domains))
    return inst, draw(assessments(inst))


# --- rule expressions of the whole language, for the cost bound (spj.rules.cost) ---------------------

RULE_LEAVES = [
    "ratings.SO1.presence",
    "ratings.SO1.relevance",
    "ratings.SO1",
    "domains.social.risk.present",
    "domains.social",
    "flags.f1",
    "case.status",
    "case.age",
    "0",
    "1",
    "-3",
    "2u",
    "1.5",
    "'ab'",
    '"xyz"',
    "b'by'",
    "true",
    "null",
    "[1, 2, 3]",
    "['a', 'bc']",
    "[]",
    "{'k': 1, 'l': 2}",
]
RULE_OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "in", "&&", "||"]
MACROS = ["all", "exists", "exists_one", "map", "filter"]


@st.composite
def literal_list(draw: st.DrawFn, max_size: int = 15) -> str:
    """A list literal of small numbers or short texts."""
    items = draw(
        st.one_of(
            st.lists(st.integers(-5, 20).map(str), max_size=max_size),
            st.lists(st.sampled_from(["'a'", "'bb'", "'ccc'"]), max_size=max_size),
        )
    )
    return "[" + ", ".join(items) + "]"


@st.composite
def rule_expressions(draw: st.DrawFn, depth: int = 4, scope: tuple[str, ...] = ()) -> str:
    """Any expression of the rule language over the context of `NS`-like instruments (SO1, f1, social,
    case.status, case.age): operators, comprehensions (nested, over literal lists or computed ones),
    literals, calls. Most do not type-check; all parse."""
    if depth == 0 or draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from([*RULE_LEAVES, *scope]))

    def sub(inner: tuple[str, ...] = scope) -> str:
        return draw(rule_expressions(depth - 1, inner))

    form = draw(
        st.sampled_from(["binary", "binary", "not", "ternary", "list", "comprehension", "comprehension", "call"])
    )
    if form == "binary":
        return f"({sub()} {draw(st.sampled_from(RULE_OPERATORS))} {sub()})"
    if form == "not":
        return f"!({sub()})"
    if form == "ternary":
        return f"({sub()} ? {sub()} : {sub()})"
    if form == "list":
        return "[" + ", ".join(sub() for _ in range(draw(st.integers(0, 4)))) + "]"
    if form == "call":
        function = draw(st.sampled_from(["size", "string", "int", "dyn", "type", "contains", "startsWith"]))
        if function in ("contains", "startsWith"):
            return f"{sub()}.{function}({sub()})"
        return f"{function}({sub()})"
    variable = f"v{len(scope)}"
    target = draw(literal_list()) if draw(st.booleans()) else sub()
    macro = draw(st.sampled_from(MACROS))
    body = sub((*scope, variable))
    if macro == "map" and draw(st.booleans()):
        return f"{target}.map({variable}, {sub((*scope, variable))}, {body})"
    return f"{target}.{macro}({variable}, {body})"


@st.composite
def rule_bombs(draw: st.DrawFn) -> str:
    """Expressions that would run for minutes or fill memory, each within the length and nesting limits."""
    kind = draw(st.sampled_from(["nested", "doubling", "concatenation"]))
    if kind == "nested":
        depth = draw(st.integers(5, 10))
        size = draw(st.integers(10, 16))
        over = "[" + ",".join(str(n) for n in range(size)) + "]"
        source = draw(st.sampled_from(["v0 < 0", "v0 + v1 >= 0", "[v0, v1]", "'x' + string(v1)"]))
        for level in reversed(range(depth)):
            source = f"{over}.{draw(st.sampled_from(MACROS))}(v{level}, {source})"
        return f"{source} == []" if "map" in source or "filter" in source else source
    if kind == "doubling":
        start = draw(st.sampled_from(['["ab"]', "[[1]]", "[b'x']"]))
        steps = draw(st.integers(24, 60))
        return start + ".map(s, s + s)" * steps + ".size() > 0"
    levels = draw(st.integers(4, 6))
    lists = " + ".join(["[0,1,2,3,4,5,6,7,8,9]"] * draw(st.integers(2, 4)))
    source = f"({lists}).size() > v0"
    for level in reversed(range(levels)):
        source = f"[0,1,2,3,4,5,6,7,8,9].{draw(st.sampled_from(['all', 'exists']))}(v{level}, {source})"
    return source


_TYPED_LEAVES = {
    "int": ["ratings.SO1.presence", "domains.social.risk.present", "case.age", "0", "1", "7", "-2"],
    "bool": ["true", "false", "flags.f1", "has(ratings.SO1)"],
    "string": ["'ab'", '"xyz"', "case.status", "''"],
    "ints": ["[1, 2, 3]", "[]", "[0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]"],
    "strings": ["['a', 'bc']", "[case.status, 'x']"],
}
_ELEMENT = {"ints": "int", "strings": "string"}


@st.composite
def typed_rule_expressions(
    draw: st.DrawFn, kind: str = "bool", depth: int = 4, scope: tuple[tuple[str, str], ...] = ()
) -> str:
    """Well-typed expressions of `kind` (int, bool, string, ints, strings): unlike `rule_expressions`,
    they mostly run to the end, so comprehensions, concatenations and maps do their worst."""
    variables = [name for name, k in scope if k == kind]
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(_TYPED_LEAVES[kind] + variables))

    def sub(k: str, inner: tuple[tuple[str, str], ...] = scope) -> str:
        return draw(typed_rule_expressions(k, depth - 1, inner))

    def comprehension(macro: str, body_kind: str, over: str | None = None) -> str:
        over = over or draw(st.sampled_from(["ints", "strings"]))
        variable = f"v{len(scope)}"
        body = sub(body_kind, (*scope, (variable, _ELEMENT[over])))
        return f"{sub(over)}.{macro}({variable}, {body})"

    forms: dict[str, list[Callable[[], str]]] = {
        "int": [
            lambda: f"({sub('int')} {draw(st.sampled_from('+-*'))} {sub('int')})",
            lambda: f"size({sub(draw(st.sampled_from(['ints', 'strings', 'string'])))})",
        ],
        "string": [lambda: f"({sub('string')} + {sub('string')})", lambda: f"string({sub('int')})"],
        "bool": [
            lambda: f"({sub('int')} {draw(st.sampled_from(['<', '<=', '==', '!=']))} {sub('int')})",
            lambda: f"({sub('string')} == {sub('string')})",
            lambda: f"({sub('int')} in {sub('ints')})",
            lambda: f"!{sub('bool')}",
            lambda: f"({sub('bool')} {draw(st.sampled_from(['&&', '||']))} {sub('bool')})",
            lambda: comprehension(draw(st.sampled_from(["all", "exists", "exists_one"])), "bool"),
            lambda: f"{sub('string')}.startsWith({sub('string')})",
        ],
    }
    for many, one in _ELEMENT.items():
        forms[many] = [
            lambda many=many: f"({sub(many)} + {sub(many)})",
            lambda one=one: f"[{sub(one)}, {sub(one)}]",
            lambda one=one: comprehension("map", one),
            lambda many=many: comprehension("filter", "bool", many),
        ]
    options = [*forms[kind], lambda: f"({sub('bool')} ? {sub(kind)} : {sub(kind)})"]
    return draw(st.sampled_from(options))()
