"""Comparisons with a constant no value of the compared thing can equal or reach.

Found in the expression's parse tree, for a path compared directly with a constant
(`domains.D.rated > 9`, `3 == domains.D.omitted`, `case.phase == 'detenton'`,
`case.phase in ['a', 'b']`):

- a domain count (`domains.D.risk.present`, `domains.D.rated`, ...) against a
  number below 0 or above the number of indicators it counts;
- a choice case field against a string that is not one of its choices.

A rating compared with a value its scale does not have is not a warning but a
load-time error (`rule-out-of-range`, `spj.rules.types`).

A path inside arithmetic (`a + b >= 3`), or a constant inside it (`== 1 + 1`),
is not a direct comparison and is left to the enumeration checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from spj.authoring.lint.context import LintContext
from spj.authoring.lint.model import LintCode, LintWarning
from spj.errors import did_you_mean
from spj.files.yamlsource import PathT
from spj.rules.syntax import Binary, Expr, ListLiteral, Literal, selector_path, walk

COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_COUNTS = frozenset({"present", "partial", "absent"})


@dataclass(frozen=True)
class _Range:
    """The whole numbers a count can be: low to high."""

    low: int = 0
    high: int = 0

    def allows(self, op: str, constant: float) -> bool:
        if op in ("==", "!="):
            return self.low <= constant <= self.high and constant == int(constant)
        return self.low <= constant <= self.high

    def describe(self) -> str:
        return f"it counts from {self.low} to {self.high}"


def range_warnings(ctx: LintContext) -> list[LintWarning]:
    """`comparison-out-of-range` findings in every rule and recommendation."""
    warnings: list[LintWarning] = []
    for n, rule in enumerate(ctx.instrument.rules):
        tree = ctx.index.rules[rule.id].expression.tree
        warnings += _check(ctx, rule.when, tree, ("rules", n, "when"))
    for n, iv in enumerate(ctx.instrument.interventions):
        tree = ctx.index.interventions[iv.id].expression.tree
        warnings += _check(ctx, iv.recommend_when, tree, ("interventions", n, "recommend_when"))
    return warnings


def _check(ctx: LintContext, source: str, tree: Expr, path: PathT) -> list[LintWarning]:
    warnings = []
    for node in walk(tree):
        if not isinstance(node, Binary) or node.op not in (*COMPARISONS, "in"):
            continue
        sides = [(node.left, node.op, node.right)]
        if node.op != "in":
            sides.append((node.right, _FLIP[node.op], node.left))
        for read, op, constant in sides:
            chain = selector_path(read)
            if chain is None:
                continue
            root, rest = chain[0], chain[1:]
            if root == "case" and len(rest) == 1:
                warnings += _check_choice(ctx, source, path, rest[0], op, constant)
                continue
            target = _numeric_range(ctx, root, rest)
            value = _number(constant)
            if target is None or value is None or op == "in" or target.allows(op, value):
                continue
            shown = int(value) if value == int(value) else value
            dotted = ".".join(chain)
            warnings.append(
                LintWarning(
                    LintCode.COMPARISON_OUT_OF_RANGE,
                    f"{dotted} {op} {shown}: {dotted} is never {shown}"
                    f"{'' if op in ('==', '!=') else ' or beyond'} ({target.describe()}), "
                    f"so this comparison is {'always' if op == '!=' else 'never'} true; check the constant",
                    ctx.locate_in_expression(path, constant.start, source),
                )
            )
    return warnings


def _numeric_range(ctx: LintContext, root: str, chain: tuple[str, ...]) -> _Range | None:
    index = ctx.index
    if root != "domains" or not chain or chain[0] not in index.domains:
        return None
    members = [i for i in ctx.instrument.indicators if i.domain == chain[0]]
    rest = chain[1:]
    if len(rest) == 2 and rest[0] in ("risk", "protective") and rest[1] in _COUNTS:
        return _Range(low=0, high=sum(1 for i in members if i.kind == rest[0]))
    if len(rest) == 1 and rest[0] in ("rated", "omitted", "unrated", "high_relevance"):
        return _Range(low=0, high=len(members))
    return None


def _number(node: Expr) -> float | None:
    """The value of a number literal (`3`, `-1`, `2u`, `1.5`); None for anything else."""
    if isinstance(node, Literal) and node.kind in ("int", "uint", "double") and isinstance(node.value, int | float):
        return node.value
    return None


def _check_choice(ctx: LintContext, source: str, path: PathT, name: str, op: str, other: Expr) -> list[LintWarning]:
    field = ctx.index.case_fields.get(name)
    if field is None or field.type != "choice" or op not in ("==", "!=", "in"):
        return []
    candidates: tuple[Expr, ...] = (other,)
    if op == "in":
        candidates = other.items if isinstance(other, ListLiteral) else ()
    warnings = []
    for constant in candidates:
        if not (isinstance(constant, Literal) and constant.kind == "string" and isinstance(constant.value, str)):
            continue
        value = constant.value
        if value not in field.choices:
            warnings.append(
                LintWarning(
                    LintCode.COMPARISON_OUT_OF_RANGE,
                    f"case.{name} is compared with {value!r}, which is not one of its choices "
                    f"({', '.join(field.choices)}){did_you_mean(value, field.choices)}",
                    ctx.locate_in_expression(path, constant.start, source),
                )
            )
    return warnings
