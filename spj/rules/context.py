"""Evaluate compiled expressions against one assessment, keeping unknown apart.

One CEL context is built per assessment (converting the ratings once); flags
are updated as rules are decided. An expression that reads an absent rating,
an unknown flag or a case field not given is *unknown* (`None`), unless
`&&`/`||` decide it without that value (`true || <missing>` is true).

Every evaluation of one assessment draws on a `Budget`: a second line behind
the static bound of `cost.py`, so that an instrument of very many rules, each
within its bound, still cannot hold the engine.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import cel

from spj.errors import Code, Location, Problem, RuleError
from spj.rules.closures import Missing, Unsupported
from spj.rules.expression import CompiledExpression

EVALUATION_STEPS = 10_000_000
"""Worst-case steps (`CompiledExpression.cost`) the rules of one assessment may take, what-if probes included."""

EVALUATION_SECONDS = 10.0
"""Wall-clock seconds the rules of one assessment may take."""


class Budget:
    """What the rules of one evaluation may spend; once spent, the remaining expressions are unknown.

    Each expression is charged its static worst case (`CompiledExpression.cost`)
    before it runs, and the clock is checked. When either the steps or the time
    run out, nothing more runs: the expression and every one after it are
    unknown, with `reason()` as the reason (never a hang, never an exception).
    Charging the static worst case keeps the outcome deterministic: the same
    instrument and assessment run out at the same expression, unless the clock
    runs out first.

    A single call into the CEL library cannot be interrupted: the clock is only
    read between calls. That is why the static bound comes first: it refuses,
    at load, any expression whose one call could run long (`cost.BUDGET` steps,
    a few milliseconds); this budget bounds how many such calls an evaluation makes.
    """

    def __init__(self, *, steps: int = EVALUATION_STEPS, seconds: float = EVALUATION_SECONDS) -> None:
        self.steps = steps
        self.seconds = seconds
        self.spent = 0
        self.ran_out: str | None = None  # "steps" | "time", once spent
        self._deadline = time.monotonic() + seconds

    def charge(self, cost: int) -> bool:
        """Take `cost` steps and say True; False, taking nothing, once the steps or the time have run out."""
        if self.ran_out is None:
            if self.spent + cost > self.steps:
                self.ran_out = "steps"
            elif time.monotonic() > self._deadline:
                self.ran_out = "time"
        if self.ran_out is not None:
            return False
        self.spent += cost
        return True

    def reason(self) -> str:
        """Why an expression was not evaluated."""
        if self.ran_out == "time":
            spent = f"took longer than the {self.seconds:g} seconds"
        else:
            spent = f"reached the {self.steps:,} worst-case steps"
        return (
            f"not evaluated: the expressions evaluated before it {spent} one evaluation may take; "
            "the instrument has too many costly rules"
        )


def variables_for(
    expression: CompiledExpression,
    ratings: Mapping[str, Mapping[str, int]],
    domains: Mapping[str, Any],
    case: Mapping[str, Any],
    flags: Mapping[str, bool],
) -> dict[str, Any]:
    """Just the values `expression` reads: each map entry given to the library costs time."""
    own: dict[str, Any] = {}
    if expression.flags:
        own["flags"] = {f: flags[f] for f in expression.flags if f in flags}
    if expression.ratings:
        own["ratings"] = {i: ratings[i] for i in expression.ratings if i in ratings}
    if expression.domains:
        own["domains"] = {d: domains[d] for d in expression.domains if d in domains}
    if expression.case_fields:
        own["case"] = {f: case[f] for f in expression.case_fields if f in case}
    return own


def evaluate_with(
    expression: CompiledExpression, variables: Mapping[str, Any], *, budget: Budget | None = None
) -> bool | None:
    """Evaluate against a small, one-off set of variables (used to explain unknowns).

    Errors other than a missing value count as unknown here: this is a what-if
    probe, the real evaluation has already succeeded or raised. So does a
    `budget` that has run out.
    """
    if budget is not None and not budget.charge(expression.cost):
        return None
    if expression.run is not None:
        try:
            value = expression.run(variables)
        except Missing:
            return None
        except Unsupported:
            pass  # the library decides
        else:
            if type(value) is bool:
                return value
    try:
        result = expression.program.execute(dict(variables))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # the library's panic type is a BaseException
        return None
    return result if isinstance(result, bool) else None


class RuleContext:
    """The rule context of one assessment (DESIGN 4.1, "Rule context").

    The CEL library converts a Python map entry by entry and rebuilds its whole
    environment after any change. So the ratings, domain counts and case facts
    go into one CEL context, built once and never changed; an expression that
    reads flags (which change as rules are decided) gets a small map of just
    what it reads. Both keep the cost per expression independent of the size
    of the instrument.
    """

    def __init__(
        self,
        ratings: Mapping[str, Mapping[str, int]],
        domains: Mapping[str, Any],
        case: Mapping[str, Any],
        *,
        budget: Budget | None = None,
    ) -> None:
        self.budget = budget if budget is not None else Budget()
        self._ratings = ratings
        self._domains = domains
        self._case = case
        self._flags: Mapping[str, bool] = {}
        self._context: Any = None
        self._variables: dict[str, Any] = {"ratings": ratings, "domains": domains, "case": case, "flags": self._flags}

    def set_flags(self, flags: Mapping[str, bool]) -> None:
        """The known flags, for evaluations that do not pass their own."""
        self._flags = dict(flags)

    def _shared(self) -> Any:
        if self._context is None:
            self._context = cel.Context(
                variables={
                    "ratings": dict(self._ratings),
                    "domains": dict(self._domains),
                    "case": dict(self._case),
                    "flags": {},
                }
            )
        return self._context

    def evaluate(
        self,
        expression: CompiledExpression,
        flags: Mapping[str, bool] | None = None,
        *,
        where: Location | None = None,
    ) -> bool | None:
        """True, False, or None when the result depends on something unknown.

        `RuleError` when the expression fails on these values, or when the budget has run out.
        """
        if not self.budget.charge(expression.cost):
            raise RuleError(Problem(Code.RULE_BUDGET_EXHAUSTED, self.budget.reason(), where or Location()))
        known = self._flags if flags is None else flags
        if expression.run is not None:
            variables = self._variables  # one map for every call with the same flags (closures only read it)
            if variables["flags"] is not known:
                variables = self._variables = {**variables, "flags": known}
            try:
                value = expression.run(variables)
            except Missing:
                return None  # a missing rating, flag or case field
            except Unsupported:
                pass  # the library decides, with its own value or message
            else:
                if type(value) is bool:
                    return value
        return self._evaluate_in_library(expression, known, where)

    def _evaluate_in_library(
        self, expression: CompiledExpression, known: Mapping[str, bool], where: Location | None
    ) -> bool | None:
        if expression.flags:
            variables = variables_for(expression, self._ratings, self._domains, self._case, known)
        else:
            variables = self._shared()
        try:
            result = expression.program.execute(variables)
        except KeyError:
            return None  # a missing rating, flag or case field
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # the library's panic type is a BaseException
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RuleError(
                Problem(
                    Code.RULE_EVALUATION,
                    f"expression {expression.source!r} failed: {detail}",
                    where or Location(),
                )
            ) from exc
        if not isinstance(result, bool):
            raise RuleError(
                Problem(
                    Code.RULE_TYPE,
                    f"expression {expression.source!r} gave {type(result).__name__} {result!r}, not true or false",
                    where or Location(),
                )
            )
        return result
