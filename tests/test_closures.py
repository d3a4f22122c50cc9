"""spj.rules.closures: the shipped instruments run on spj's own evaluator; the library decides the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

import spj
from spj.instrument import index_of
from spj.rules import Namespace, RuleContext, compile_expression

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "instruments").glob("*/instrument.yaml"))
NS = Namespace(
    indicators={"SO1": ("presence", "relevance")}, flags=("f1",), domains=("social",), case_fields=("phase",)
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_every_expression_of_a_shipped_instrument_has_a_closure(path: Path) -> None:
    index = index_of(spj.load_instrument(path))
    expressions = [c.expression for c in index.rules.values()] + [c.expression for c in index.interventions.values()]
    assert expressions
    assert [e.source for e in expressions if e.run is None] == []


def _compiled(source: str) -> object:
    expression, problems = compile_expression(source, NS)
    assert problems == [] and expression is not None
    return expression


def test_an_expression_outside_the_subset_is_left_to_the_library() -> None:
    expression = _compiled("[1, 2, 3].exists(x, x == ratings.SO1.presence)")
    assert expression.run is None  # type: ignore[attr-defined]
    context = RuleContext({"SO1": {"presence": 2}}, {}, {})
    assert context.evaluate(expression) is True  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("ratings.SO1.presence >= 1 && case.phase == 'detention'", True),
        ("ratings.SO1.relevance >= 1 || flags.f1", True),  # the absent relevance absorbed by a true flag
        ("ratings.SO1.relevance >= 1 && flags.f1", None),  # ... and unknown when the flag cannot decide
        ("ratings.SO1.presence == 'x' || flags.f1", True),  # mixed types: the library's answer (false || true)
    ],
)
def test_a_rule_context_answers_alike_on_either_path(source: str, expected: bool | None) -> None:
    expression = _compiled(source)
    context = RuleContext({"SO1": {"presence": 2}}, {}, {"phase": "detention"})
    assert context.evaluate(expression, {"f1": True}) is expected  # type: ignore[arg-type]
