"""The same rules in FHIRPath, evaluated by fhirpathpy over the same data: a yardstick for `spj.evaluate`.

`to_fhirpath` translates the part of CEL that instruments use (`&& || ! == != in
< <= > >= + -`, parentheses, dotted names, integers, strings, `true`/`false`)
into FHIRPath: `and`, `or`, `.not()`, `=`, single-quoted strings, parentheses
only where FHIRPath's precedence needs them. FHIRPath's empty collection plays
the part of CEL's absorbed error: `{} or true` is true, `{} and true` is empty,
so "unknown" means the same on both sides (checked: `FhirpathRules.check`).

`FhirpathRules` compiles every rule and recommendation once, then `run()`
evaluates them in the instrument's rule order over the rule context of one
assessment (ratings as values, life-area counts, case facts), adding each
decided flag before the rules that read it, as `spj.evaluate` does. It does
nothing else: no completeness, no reasons, no plan. The comparison favours
fhirpathpy.

>>> to_fhirpath('!flags.a && (ratings.X.presence == 2 || case.phase == "detention")')
"flags.a.not() and (ratings.X.presence = 2 or case.phase = 'detention')"
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+)|(?P<str>'[^']*'|\"[^\"]*\")|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|[<>+\-!()]))"
)
# FHIRPath precedence, loosest first (FHIRPath spec, "Operator precedence").
_PRECEDENCE = {"or": 1, "and": 2, "in": 3, "=": 4, "!=": 4, "<": 5, "<=": 5, ">": 5, ">=": 5, "+": 6, "-": 6}
_CEL_TO_FHIRPATH = {"||": "or", "&&": "and", "==": "="}
_ATOM = 9


def _tokens(source: str) -> list[str]:
    out, pos = [], 0
    source = source.strip()
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot translate {source!r} at {pos}")
        out.append(match.group(match.lastgroup or "op"))
        pos = match.end()
    return out


class _Parser:
    """CEL (the subset above) → (FHIRPath text, its precedence)."""

    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.pos = 0

    def parse(self) -> str:
        text, _ = self._binary(1)
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.pos]!r}")
        return text

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _binary(self, level: int) -> tuple[str, int]:
        if level > 6:
            return self._unary()
        left, left_prec = self._binary(level + 1)
        while (token := self._peek()) is not None and _PRECEDENCE.get(_CEL_TO_FHIRPATH.get(token, token)) == level:
            self.pos += 1
            op = _CEL_TO_FHIRPATH.get(token, token)
            right, right_prec = self._binary(level + 1)
            left = f"{_wrap(left, left_prec, level)} {op} {_wrap(right, right_prec, level + 1)}"
            left_prec = level
        return left, left_prec

    def _unary(self) -> tuple[str, int]:
        token = self._peek()
        if token == "!":
            self.pos += 1
            operand, prec = self._unary()
            return f"{_wrap(operand, prec, _ATOM)}.not()", _ATOM
        if token == "(":
            self.pos += 1
            inner, _ = self._binary(1)
            if self._peek() != ")":
                raise ValueError("missing )")
            self.pos += 1
            return f"({inner})", _ATOM
        if token is None:
            raise ValueError("unexpected end")
        self.pos += 1
        if token.startswith('"'):
            return "'" + token[1:-1] + "'", _ATOM
        return token, _ATOM


def _wrap(text: str, precedence: int, needed: int) -> str:
    return text if precedence >= needed else f"({text})"


def to_fhirpath(cel: str) -> str:
    """The FHIRPath expression that means what the CEL expression `cel` means (see the module docstring)."""
    return _Parser(cel).parse()


class FhirpathRules:
    """An instrument's rules and recommendations, compiled by fhirpathpy, run over one rule context."""

    def __init__(self, instrument: Any, rule_order: list[str]) -> None:
        import fhirpathpy

        self.rules: list[tuple[str, Callable[..., Any]]] = []
        by_id = {r.id: r for r in instrument.rules}
        for rule_id in rule_order:
            self.rules.append((rule_id, fhirpathpy.compile(to_fhirpath(by_id[rule_id].when), None)))
        self.interventions = [
            (iv.id, fhirpathpy.compile(to_fhirpath(iv.recommend_when), None)) for iv in instrument.interventions
        ]

    def run(self, context: dict[str, Any]) -> tuple[dict[str, bool | None], dict[str, bool | None]]:
        """(flags, recommendations): True, False or None (empty: unknown) for each."""
        data = {**context, "flags": {}}
        flags: dict[str, bool | None] = {}
        for rule_id, compiled in self.rules:
            value = _truth(compiled(data))
            flags[rule_id] = value
            if value is not None:
                data["flags"][rule_id] = value
        return flags, {iv_id: _truth(compiled(data)) for iv_id, compiled in self.interventions}

    def check(self, context: dict[str, Any], evaluation: Any) -> None:
        """Raise unless fhirpathpy decides every rule and recommendation as `evaluation` did."""
        flags, recommendations = self.run(context)
        expected_flags = {f.id: {"raised": True, "clear": False}.get(f.status) for f in evaluation.rule_results}
        expected_recs = {r.id: r.value for r in evaluation.recommendations.values()}
        if flags != expected_flags or recommendations != expected_recs:
            differ = [k for k in expected_flags if flags.get(k) != expected_flags[k]]
            differ += [k for k in expected_recs if recommendations.get(k) != expected_recs[k]]
            raise AssertionError(f"fhirpathpy and spj disagree on {differ[:10]}")


def _truth(result: list[Any]) -> bool | None:
    if not result:
        return None
    if len(result) == 1 and isinstance(result[0], bool):
        return result[0]
    raise ValueError(f"not a boolean: {result!r}")


def rule_context(instrument: Any, assessment: Any, evaluation: Any) -> dict[str, Any]:
    """The data the rules read (DESIGN 4.1, "Rule context"), as plain JSON-like values."""
    scales = {name: {level.code: level.value for level in levels} for name, levels in instrument.scales.items()}
    ratings: dict[str, dict[str, int]] = {}
    for indicator in instrument.indicators:
        rating = assessment.ratings.get(indicator.id)
        if rating is None or rating.omitted:
            continue
        values = {scale: scales[scale][str(code)] for scale, code in rating.codes.items() if scale in scales}
        if values:
            ratings[indicator.id] = values
    return {
        "ratings": ratings,
        "domains": {d: summary.to_dict() for d, summary in evaluation.domains.items()},
        # a multiple choice is a list of codes, a FHIRPath collection
        "case": {k: list(v) if isinstance(v, tuple) else v for k, v in assessment.case.fields.items()},
    }
