"""The cost bound (spj.rules.cost) over random expressions: what it accepts runs in bounded time and
builds no value larger than estimated; what would run for minutes or fill memory is refused, located."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import rule_bombs, rule_expressions, typed_rule_expressions

from spj import RuleError
from spj.rules import Namespace, RuleContext, compile_expression
from spj.rules.cost import BUDGET, CASE_TEXT, Shape, estimate

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NS = Namespace(
    indicators={"SO1": ("presence", "relevance")},
    flags=("f1",),
    domains=("social",),
    case_fields=("status", "age"),
)
COUNTS = {"present": 1, "partial": 0, "absent": 2}
VARIABLES: dict[str, Any] = {
    "ratings": {"SO1": {"presence": 2, "relevance": 1}},
    "domains": {
        "social": {
            "risk": dict(COUNTS),
            "protective": dict(COUNTS),
            "rated": 3,
            "omitted": 0,
            "unrated": 0,
            "high_relevance": 1,
        }
    },
    "flags": {"f1": True},
    "case": {"status": "s" * CASE_TEXT, "age": 40},  # the longest text an assessment may hold
}
SECONDS = 0.25  # the budget is ~1-2 ms of work in the CEL library; this leaves room for a busy machine
_FAILED = object()


def _value(program: Any) -> Any:
    """What the library gives, or `_FAILED` when it fails on these values (a type error, a missing key)."""
    try:
        return program.execute(VARIABLES)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # the library's errors, panic type included (a BaseException)
        return _FAILED


def _fits(value: Any, shape: Shape | None) -> bool:
    """Whether `value` is one of the shape's kinds and no bigger than its bounds, all the way down."""
    if shape is None:
        return False
    kinds = shape.kinds
    if isinstance(value, bool):
        return "bool" in kinds
    if isinstance(value, int):
        return bool(kinds & {"int", "uint"})
    if isinstance(value, float):
        return "double" in kinds
    if value is None:
        return "null" in kinds
    if isinstance(value, dt.datetime):
        return "timestamp" in kinds
    if isinstance(value, dt.timedelta):
        return "duration" in kinds
    if isinstance(value, str):
        return ("string" in kinds and len(value) <= shape.length) or "type" in kinds
    if isinstance(value, bytes):
        return "bytes" in kinds and len(value) <= shape.length
    if isinstance(value, list):
        return "list" in kinds and len(value) <= shape.length and all(_fits(v, shape.item) for v in value)
    if isinstance(value, dict):
        return (
            "map" in kinds
            and len(value) <= shape.length
            and all(_fits(k, shape.key) and _fits(v, shape.item) for k, v in value.items())
        )
    return False


@SETTINGS
@given(st.one_of(rule_expressions(), typed_rule_expressions()))
def test_what_the_bound_accepts_runs_in_bounded_time_and_size(source: str) -> None:
    compiled, problems = compile_expression(source, NS)
    if compiled is None:
        assert problems
        return
    assert compiled.cost <= BUDGET
    started = time.perf_counter()
    value = _value(compiled.program)
    assert time.perf_counter() - started < SECONDS, (source, compiled.cost)
    if value is not _FAILED:
        assert _fits(value, estimate(compiled.tree, NS).shape), (source, value)
    context = RuleContext(VARIABLES["ratings"], VARIABLES["domains"], VARIABLES["case"])
    context.set_flags(VARIABLES["flags"])
    started = time.perf_counter()
    with contextlib.suppress(RuleError):  # a type error on these values: unknown for this assessment
        context.evaluate(compiled)
    assert time.perf_counter() - started < SECONDS, (source, compiled.cost)


@SETTINGS
@given(rule_bombs())
def test_bombs_are_refused_before_they_run(source: str) -> None:
    assert len(source) <= 2000
    started = time.perf_counter()
    compiled, problems = compile_expression(source, NS)
    assert time.perf_counter() - started < 1
    assert compiled is None
    [problem] = problems
    assert problem.kind == "too-costly", (source, problem)  # not "too-complex": within length and nesting
    assert 0 <= problem.offset < len(source)
    assert f"{BUDGET:,}" in problem.message
