"""Compile CEL expressions once, checking every name they read and what they may cost.

The expression is parsed into spj's own tree (`parser.py`) first: references,
nesting and cost are read from that tree, so a hostile expression is refused
before the CEL library sees it. This module and `context.py` are the only
places that touch the CEL library, so it can be replaced without touching the
rest of spj.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cel

from spj.errors import did_you_mean
from spj.rules.closures import Closure, compile_closure
from spj.rules.cost import BUDGET, Overrun, describe, estimate
from spj.rules.parser import MAX_NESTING as MAX_NESTING
from spj.rules.parser import ParseError, parse
from spj.rules.references import ROOTS, Reference, bindings, find_references, free_names
from spj.rules.syntax import Expr

MAX_LENGTH = 2000
DOMAIN_COUNTS = {
    "risk": ("present", "partial", "absent"),
    "protective": ("present", "partial", "absent"),
    "rated": (),
    "omitted": (),
    "unrated": (),
    "high_relevance": (),
}


@dataclass(frozen=True)
class Namespace:
    """What an instrument lets expressions read."""

    indicators: Mapping[str, tuple[str, ...]]  # indicator id -> rated scales
    flags: tuple[str, ...]
    domains: tuple[str, ...]
    case_fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExpressionProblem:
    """A problem in an expression, at `offset` characters into its source."""

    kind: str  # "syntax" | "too-complex" | "reference" | "too-costly"
    message: str
    offset: int = 0


@dataclass(frozen=True)
class CompiledExpression:
    """A compiled expression, its tree and the paths it reads."""

    source: str
    program: Any = field(repr=False)
    references: tuple[Reference, ...]
    tree: Expr = field(repr=False, compare=False)
    cost: int = 0  # worst-case steps (`cost.py`), at most `cost.BUDGET`
    run: Closure | None = field(default=None, repr=False, compare=False)  # `closures.py`; None: the library only

    @functools.cached_property
    def ratings(self) -> tuple[str, ...]:
        """Indicator ids read, in order of first use."""
        return _unique(r.parts[0] for r in self.references if r.root == "ratings")

    @functools.cached_property
    def flags(self) -> tuple[str, ...]:
        """Rule ids read, in order of first use."""
        return _unique(r.parts[0] for r in self.references if r.root == "flags")

    @functools.cached_property
    def domains(self) -> tuple[str, ...]:
        """Domain ids read, in order of first use."""
        return _unique(r.parts[0] for r in self.references if r.root == "domains")

    @functools.cached_property
    def case_fields(self) -> tuple[str, ...]:
        """Case fields read, in order of first use."""
        return _unique(r.parts[0] for r in self.references if r.root == "case")


def _unique(items: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def compile_expression(source: str, namespace: Namespace) -> tuple[CompiledExpression | None, list[ExpressionProblem]]:
    """Compile `source`; return it with every problem found (None if any is fatal)."""
    if len(source) > MAX_LENGTH:
        return None, [ExpressionProblem("too-complex", f"expression longer than {MAX_LENGTH} characters")]
    try:
        tree = parse(source)
    except ParseError as exc:
        return None, [ExpressionProblem(exc.kind, str(exc), exc.offset)]
    references = find_references(tree, ROOTS)
    problems = [p for ref in references if (p := _check_reference(ref, namespace)) is not None]
    problems += _name_problems(tree)
    if problems:
        return None, problems
    worst = estimate(tree, namespace)
    if worst.overrun is not None:
        return None, [_cost_problem(source, tree, worst.steps, worst.overrun)]
    try:
        program = cel.compile(source)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # the library's panic type is a BaseException
        return None, [_syntax_problem(exc)]
    return CompiledExpression(source, program, tuple(references), tree, worst.steps, compile_closure(tree)), []


def _cost_problem(source: str, tree: Expr, steps: int, overrun: Overrun) -> ExpressionProblem:
    """Name the smallest part over the budget, what the whole may cost, and what to write instead."""
    part = source[overrun.node.start : overrun.node.end]
    if len(part) > 60:
        part = part[:45] + " … " + part[-12:]
    whole = "" if overrun.node is tree else f" (the whole expression: {describe(steps)})"
    return ExpressionProblem(
        "too-costly",
        f"too costly: {part!r} may take up to {describe(overrun.steps)} steps{whole}, "
        f"the limit is {BUDGET:,}; {overrun.reason}",
        overrun.node.start,
    )


def _name_problems(tree: Expr) -> list[ExpressionProblem]:
    """Names that read nothing, each once; comprehension variables that hide a root."""
    problems = [
        ExpressionProblem(
            "reference",
            f"a comprehension variable cannot be named {b.name!r}: that name reads the assessment; choose another",
            b.offset,
        )
        for b in bindings(tree)
        if b.name in ROOTS
    ]
    reported: set[str] = set()
    for name in free_names(tree, ROOTS):
        if name.name not in reported:
            reported.add(name.name)
            problems.append(
                ExpressionProblem(
                    "reference",
                    f"unknown name {name.name!r}; expressions read ratings, flags, domains and case"
                    + did_you_mean(name.name, ROOTS),
                    name.start,
                )
            )
    return problems


def _syntax_problem(exc: BaseException) -> ExpressionProblem:
    text = str(exc)
    offset = 0
    # The library reports "<input>:LINE:COL: message"; keep the first line of it.
    for line in text.splitlines():
        if "<input>:" in line:
            head = line.split("<input>:", 1)[1]
            pieces = head.split(":", 2)
            if len(pieces) == 3 and pieces[1].isdigit():
                offset = max(int(pieces[1]) - 1, 0)
                return ExpressionProblem("syntax", pieces[2].strip(), offset)
    return ExpressionProblem("syntax", text.splitlines()[0] if text else type(exc).__name__, offset)


def _check_reference(ref: Reference, ns: Namespace) -> ExpressionProblem | None:
    if ref.dynamic:
        message: str | None = f"write {ref.root}.NAME: a computed or whole use of {ref.root!r} cannot be checked"
    else:
        message = _REFERENCE_CHECKS[ref.root](ref, ns)
    return ExpressionProblem("reference", message, ref.offset) if message else None


def _rating_reference(ref: Reference, ns: Namespace) -> str | None:
    head, rest = ref.parts[0], ref.parts[1:]
    if head not in ns.indicators:
        return f"ratings.{head}: no indicator {head!r}" + did_you_mean(head, ns.indicators)
    scales = ns.indicators[head]
    if rest and rest[0] not in scales:
        return f"ratings.{head}.{rest[0]}: {head} is rated on {', '.join(scales)}" + did_you_mean(rest[0], scales)
    if len(rest) > 1:
        return f"{ref.dotted}: a rating is a number, it has no fields"
    return None


def _flag_reference(ref: Reference, ns: Namespace) -> str | None:
    head = ref.parts[0]
    if head not in ns.flags:
        return f"flags.{head}: no rule {head!r}" + did_you_mean(head, ns.flags)
    if len(ref.parts) > 1:
        return f"{ref.dotted}: a flag is true or false, it has no fields"
    return None


def _case_reference(ref: Reference, ns: Namespace) -> str | None:
    head = ref.parts[0]
    if head not in ns.case_fields:
        return f"case.{head}: no case field {head!r}" + did_you_mean(head, ns.case_fields)
    return None


def _domain_reference(ref: Reference, ns: Namespace) -> str | None:
    head, rest = ref.parts[0], ref.parts[1:]
    if head not in ns.domains:
        return f"domains.{head}: no domain {head!r}" + did_you_mean(head, ns.domains)
    if not rest:
        return None
    if rest[0] not in DOMAIN_COUNTS:
        return f"domains.{head}.{rest[0]}: a domain has {', '.join(DOMAIN_COUNTS)}" + did_you_mean(
            rest[0], DOMAIN_COUNTS
        )
    counts = DOMAIN_COUNTS[rest[0]]
    if len(rest) > 1 and rest[1] not in counts:
        options = ", ".join(counts) if counts else "no fields (it is a number)"
        return f"{ref.dotted}: {rest[0]} has {options}" + did_you_mean(rest[1], counts)
    if len(rest) > 2:
        return f"{ref.dotted}: a count is a number, it has no fields"
    return None


_REFERENCE_CHECKS = {
    "ratings": _rating_reference,
    "flags": _flag_reference,
    "case": _case_reference,
    "domains": _domain_reference,
}
