"""Comparisons with a constant no value of the compared thing can equal or reach.

Found with the rule tokenizer, for a path compared directly with a constant
(`ratings.X.presence == 3`, `3 == ratings.X.presence`, `case.phase == 'detenton'`,
`case.phase in ['a', 'b']`):

- a rating against a number: `==`/`!=` with a value not on the scale, an
  ordering (`<`, `>=`, ...) with a number below the lowest or above the highest
  value;
- a domain count (`domains.D.risk.present`, `domains.D.rated`, ...) against a
  number below 0 or above the number of indicators it counts;
- a choice case field against a string that is not one of its choices.

A path inside arithmetic (`a + b >= 3`) is not a direct comparison and is left
to the enumeration checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from spj.authoring.lint.context import LintContext
from spj.authoring.lint.model import LintCode, LintWarning
from spj.errors import did_you_mean
from spj.files.yamlsource import PathT
from spj.rules.lexer import Token, tokenize

COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_ARITHMETIC = ("+", "-", "*", "/", "%")
_COUNTS = frozenset({"present", "partial", "absent"})


@dataclass(frozen=True)
class _Range:
    values: tuple[int, ...] = ()  # exact values (ratings); empty: any integer in low..high
    low: int = 0
    high: int = 0

    def allows(self, op: str, constant: float) -> bool:
        low, high = (min(self.values), max(self.values)) if self.values else (self.low, self.high)
        if op in ("==", "!="):
            return constant in self.values if self.values else (low <= constant <= high and constant == int(constant))
        return low <= constant <= high

    def describe(self) -> str:
        if self.values:
            return f"its values are {', '.join(str(v) for v in self.values)}"
        return f"it counts from {self.low} to {self.high}"


def range_warnings(ctx: LintContext) -> list[LintWarning]:
    """`comparison-out-of-range` findings in every rule and recommendation."""
    warnings: list[LintWarning] = []
    for n, rule in enumerate(ctx.instrument.rules):
        warnings += _check(ctx, rule.when, ("rules", n, "when"))
    for n, iv in enumerate(ctx.instrument.interventions):
        warnings += _check(ctx, iv.recommend_when, ("interventions", n, "recommend_when"))
    return warnings


def _check(ctx: LintContext, source: str, path: PathT) -> list[LintWarning]:
    tokens = tokenize(source)
    warnings = []
    for i, token in enumerate(tokens):
        if token.kind != "ident" or (i > 0 and tokens[i - 1].text == "."):
            continue
        chain, end = _chain(tokens, i)
        if token.text == "case" and len(chain) == 1:
            warnings += _check_choice(ctx, source, path, tokens, i, end, chain[0])
            continue
        target = _numeric_range(ctx, token.text, chain)
        if target is None:
            continue
        for op, constant, where in _compared_numbers(tokens, i, end):
            if not target.allows(op, constant):
                shown = int(constant) if constant == int(constant) else constant
                dotted = ".".join((token.text, *chain))
                warnings.append(
                    LintWarning(
                        LintCode.COMPARISON_OUT_OF_RANGE,
                        f"{dotted} {op} {shown}: {dotted} is never {shown}"
                        f"{'' if op in ('==', '!=') else ' or beyond'} ({target.describe()}), "
                        f"so this comparison is {'always' if op == '!=' else 'never'} true; check the constant",
                        ctx.locate_in_expression(path, where.offset, source),
                    )
                )
    return warnings


def _chain(tokens: list[Token], i: int) -> tuple[tuple[str, ...], int]:
    """The `.name` parts after tokens[i], and the index just past them."""
    parts: list[str] = []
    j = i + 1
    while j + 1 < len(tokens) and tokens[j].text == "." and tokens[j + 1].kind == "ident":
        if j + 2 < len(tokens) and tokens[j + 2].text == "(":
            break
        parts.append(tokens[j + 1].text)
        j += 2
    return tuple(parts), j


def _numeric_range(ctx: LintContext, root: str, chain: tuple[str, ...]) -> _Range | None:
    index = ctx.index
    if root == "ratings" and len(chain) == 2 and chain[1] in index.scales:
        levels = index.scales[chain[1]].levels
        return _Range(values=tuple(level.value for level in levels))
    if root != "domains" or not chain or chain[0] not in index.domains:
        return None
    members = [i for i in ctx.instrument.indicators if i.domain == chain[0]]
    rest = chain[1:]
    if len(rest) == 2 and rest[0] in ("risk", "protective") and rest[1] in _COUNTS:
        return _Range(low=0, high=sum(1 for i in members if i.kind == rest[0]))
    if len(rest) == 1 and rest[0] in ("rated", "omitted", "unrated", "high_relevance"):
        return _Range(low=0, high=len(members))
    return None


def _compared_numbers(tokens: list[Token], start: int, end: int) -> list[tuple[str, float, Token]]:
    """(operator as read from the path's side, constant, constant's token) for direct comparisons."""
    found: list[tuple[str, float, Token]] = []
    if start > 0 and tokens[start - 1].text in _ARITHMETIC:
        return found  # `a + ratings.X.presence >= 3`: the path is not what is compared
    if end + 1 < len(tokens) and tokens[end].text in COMPARISONS:
        sign, k = (-1, end + 2) if tokens[end + 1].text == "-" else (1, end + 1)
        if k < len(tokens) and tokens[k].kind == "number" and not _continues(tokens, k + 1):
            found.append((tokens[end].text, sign * _number(tokens[k].text), tokens[k]))
    if start >= 2 and tokens[start - 1].text in COMPARISONS and tokens[start - 2].kind == "number":
        k = start - 2
        negative = k >= 1 and tokens[k - 1].text == "-" and (k == 1 or tokens[k - 2].kind in ("op", "open"))
        before = k - 2 if negative else k - 1
        if before < 0 or tokens[before].text in ("&&", "||", "(", "!", "?", ":", ","):
            value = -_number(tokens[k].text) if negative else _number(tokens[k].text)
            found.append((_FLIP[tokens[start - 1].text], value, tokens[k]))
    return found


def _continues(tokens: list[Token], k: int) -> bool:
    """Whether arithmetic follows a constant (`== 1 + 1`): then it is not the compared value."""
    return k < len(tokens) and tokens[k].text in (*_ARITHMETIC, ".")


def _number(text: str) -> float:
    text = text.rstrip("uU")
    if text[:2] in ("0x", "0X"):
        return int(text, 16)
    return float(text)


def _check_choice(
    ctx: LintContext, source: str, path: PathT, tokens: list[Token], start: int, end: int, name: str
) -> list[LintWarning]:
    field = ctx.index.case_fields.get(name)
    if field is None or field.type != "choice":
        return []
    strings: list[Token] = []
    if end + 1 < len(tokens) and tokens[end].text in ("==", "!=") and tokens[end + 1].kind == "string":
        strings.append(tokens[end + 1])
    if start >= 2 and tokens[start - 1].text in ("==", "!=") and tokens[start - 2].kind == "string":
        strings.append(tokens[start - 2])
    if end + 1 < len(tokens) and tokens[end].text == "in" and tokens[end + 1].text == "[":
        k = end + 2
        while k < len(tokens) and tokens[k].text != "]":
            if tokens[k].kind == "string":
                strings.append(tokens[k])
            k += 1
    warnings = []
    for token in strings:
        if token.text[:1] not in "'\"" or token.text[:3] in ('"""', "'''"):
            continue
        value = token.text[1:-1]
        if value not in field.choices:
            warnings.append(
                LintWarning(
                    LintCode.COMPARISON_OUT_OF_RANGE,
                    f"case.{name} is compared with {value!r}, which is not one of its choices "
                    f"({', '.join(field.choices)}){did_you_mean(value, field.choices)}",
                    ctx.locate_in_expression(path, token.offset, source),
                )
            )
    return warnings
