"""The rule language (CEL), wrapped: compile with checked references, evaluate with unknowns."""

from __future__ import annotations

from .context import Budget as Budget
from .context import RuleContext as RuleContext
from .context import evaluate_with as evaluate_with
from .context import variables_for as variables_for
from .expression import CompiledExpression as CompiledExpression
from .expression import ExpressionProblem as ExpressionProblem
from .expression import Namespace as Namespace
from .expression import compile_expression as compile_expression
from .references import Reference as Reference

__all__ = [
    "Budget",
    "CompiledExpression",
    "ExpressionProblem",
    "Namespace",
    "Reference",
    "RuleContext",
    "compile_expression",
    "evaluate_with",
    "variables_for",
]
