"""Evaluate compiled expressions against one assessment, keeping unknown apart.

One CEL context is built per assessment (converting the ratings once); flags
are updated as rules are decided. An expression that reads an absent rating,
an unknown flag or a case field not given is *unknown* (`None`), unless
`&&`/`||` decide it without that value (`true || <missing>` is true).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cel

from ..errors import Code, Location, Problem, RuleError
from .expression import CompiledExpression


def evaluate_with(expression: CompiledExpression, variables: Mapping[str, Any]) -> bool | None:
    """Evaluate against a small, one-off set of variables (used to explain unknowns).

    Errors other than a missing value count as unknown here: this is a what-if
    probe, the real evaluation has already succeeded or raised.
    """
    try:
        result = expression.program.execute(dict(variables))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # the library's panic type is a BaseException
        return None
    return result if isinstance(result, bool) else None


class RuleContext:
    """The rule context of one assessment (DESIGN 4.1, "Rule context")."""

    def __init__(
        self,
        ratings: Mapping[str, Mapping[str, int]],
        domains: Mapping[str, Any],
        case: Mapping[str, Any],
    ) -> None:
        self._context = cel.Context(
            variables={"ratings": dict(ratings), "domains": dict(domains), "case": dict(case), "flags": {}}
        )

    def set_flags(self, flags: Mapping[str, bool]) -> None:
        """Make the known flags visible to the expressions evaluated next."""
        self._context.update({"flags": dict(flags)})

    def evaluate(self, expression: CompiledExpression, *, where: Location | None = None) -> bool | None:
        """True, False, or None when the result depends on something unknown."""
        try:
            result = expression.program.execute(self._context)
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
