"""The rule language (CEL), wrapped: compile with checked references, evaluate with unknowns."""

from __future__ import annotations

from spj.rules.context import Budget as Budget
from spj.rules.context import RuleContext as RuleContext
from spj.rules.context import evaluate_with as evaluate_with
from spj.rules.context import variables_for as variables_for
from spj.rules.expression import CompiledExpression as CompiledExpression
from spj.rules.expression import ExpressionProblem as ExpressionProblem
from spj.rules.expression import Namespace as Namespace
from spj.rules.expression import compile_expression as compile_expression
from spj.rules.references import Reference as Reference

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
