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
        except BaseException as exc:  # noqa: BLE001 - the library's panic type is a BaseException
            raise RuleError(
                Problem(
                    Code.RULE_EVALUATION,
                    f"expression {expression.source!r} failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
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
