"""Hypothesis strategies: random valid instruments and random assessments of them.

Everything is built by pointing only to earlier items (rules read flags of
earlier rules, interventions require/follow earlier interventions), so the
result is acyclic by construction. Instruments are plain dicts; `dump` turns
them into YAML text for `spj.parse_instrument`.
"""

from __future__ import annotations

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
        k = draw(st.integers(min(values) - 1, max(values) + 1))
        return f"ratings.{indicator['id']}.{name} {draw(st.sampled_from(OPS))} {k}"
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
