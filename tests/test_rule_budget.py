"""The runtime guard behind the static bound: one evaluation's rules draw on a budget (issue 7).

When it runs out, the remaining expressions are unknown with the reason, as a
failing expression is: never a hang, never an exception.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import assert_spj_error, make_assessment, make_instrument

import spj
from spj.rules import Budget, Namespace, RuleContext, compile_expression, evaluate_with
from spj.rules.cost import BUDGET

NS = Namespace(indicators={"SO1": ("presence",)}, flags=("f1",), domains=(), case_fields=())
TWENTY = "[" + ",".join(str(n) for n in range(20)) + "]"
# Within the static bound, but near it: about 5,000 worst-case steps, and it runs them all.
DEAR = f"{TWENTY}.exists(x, {TWENTY}.exists(y, x + y + ratings.SO1.presence < 0)) || ratings.SO1.presence >= {{n}}"


def compiled(source: str) -> spj.rules.CompiledExpression:
    expression, problems = compile_expression(source, NS)
    assert expression is not None, problems
    return expression


def test_a_context_stops_when_its_steps_are_spent() -> None:
    expression = compiled("ratings.SO1.presence >= 1")
    context = RuleContext({"SO1": {"presence": 2}}, {}, {}, budget=Budget(steps=3 * expression.cost))
    assert [context.evaluate(expression) for _ in range(3)] == [True, True, True]
    with pytest.raises(spj.RuleError) as info:
        context.evaluate(expression)
    assert info.value.codes == ["rule-budget-exhausted"]
    assert "worst-case steps" in info.value.problems[0].message


def test_a_context_stops_when_its_time_is_spent() -> None:
    context = RuleContext({"SO1": {"presence": 2}}, {}, {}, budget=Budget(seconds=0.0))
    time.sleep(0.001)
    with pytest.raises(spj.RuleError) as info:
        context.evaluate(compiled("ratings.SO1.presence >= 1"))
    assert info.value.codes == ["rule-budget-exhausted"]
    assert "seconds" in info.value.problems[0].message


def test_once_spent_a_budget_stays_spent() -> None:
    """A cheap expression after a dear one that did not fit does not run either: the rest are unknown."""
    budget = Budget(steps=100)
    assert budget.charge(60)
    assert not budget.charge(60)
    assert not budget.charge(1)
    assert budget.spent == 60


def test_probes_draw_on_the_budget_too() -> None:
    expression = compiled("ratings.SO1.presence >= 1")
    budget = Budget(steps=expression.cost)
    assert evaluate_with(expression, {"ratings": {"SO1": {"presence": 2}}}, budget=budget) is True
    assert evaluate_with(expression, {"ratings": {"SO1": {"presence": 2}}}, budget=budget) is None


def _dear_instrument(rules: int) -> spj.Instrument:
    rest = "rules:\n" + "".join(f"  - {{id: r{n}, when: '{DEAR.format(n=n % 3)}', message: m}}\n" for n in range(rules))
    rest += (
        "interventions:\n"
        "  - {id: v, title: {en: V}, domain: social, provider: p, duration_weeks: 1, recommend_when: 'flags.r0'}\n"
    )
    return make_instrument(rest)


def test_evaluation_marks_what_it_could_not_afford_unknown_with_the_reason() -> None:
    instrument = _dear_instrument(6)
    index = spj.instrument.index_of(instrument)
    cost = index.rules["r0"].expression.cost
    assert BUDGET // 3 < cost <= BUDGET
    assessment = make_assessment(instrument, "ratings: {SO1: {presence: Y}, SO2: {presence: N}}\n")
    evaluation = spj.evaluate(instrument, assessment, budget=Budget(steps=3 * cost))
    statuses = [r.status for r in evaluation.rule_results]
    assert statuses[:3] == ["raised", "raised", "raised"]
    assert statuses[3:] == ["unknown"] * 3
    for result in evaluation.rule_results[3:]:
        assert result.error is not None and result.error.startswith("rule-budget-exhausted: not evaluated")
        assert result.to_dict()["error"] == result.error
    recommendation = evaluation.recommendations["v"]  # r0 is known, but nothing runs once the budget is spent
    assert recommendation.value is None
    assert recommendation.error == evaluation.rule_results[3].error


def test_a_spent_budget_is_deterministic() -> None:
    instrument = _dear_instrument(6)
    assessment = make_assessment(instrument, "ratings: {SO1: {omitted: true, reason: unknown}}\n")
    cost = spj.instrument.index_of(instrument).rules["r0"].expression.cost
    runs = [spj.evaluate(instrument, assessment, budget=Budget(steps=4 * cost)).to_dict() for _ in range(2)]
    assert runs[0] == runs[1]


def test_the_default_budget_ends_an_evaluation_of_many_dear_rules() -> None:
    """A thousand rules near the static bound load (once each is within the budget), but an assessment
    that leaves them unknown makes every what-if probe run too: the budget ends it, the rest unknown."""
    instrument = _dear_instrument(1000)
    assessment = make_assessment(instrument, "ratings: {SO1: {omitted: true, reason: unknown}}\n")
    started = time.perf_counter()
    evaluation = spj.evaluate(instrument, assessment)
    assert time.perf_counter() - started < 15
    errors = [r.error for r in evaluation.rule_results]
    assert errors[0] is None
    assert errors[-1] is not None and errors[-1].startswith("rule-budget-exhausted:")
    assert "worst-case steps" in errors[-1]


def test_an_instrument_whose_rules_together_exceed_one_evaluation_is_refused_at_load() -> None:
    """Loading evaluates every expression once (to find type errors): that too is one evaluation."""
    exc = assert_spj_error(lambda: _dear_instrument(2000), code=spj.Code.RULE_BUDGET_EXHAUSTED)
    assert exc.problems[0].location.dotted_path.startswith("rules[")


def test_a_shipped_instrument_stays_far_inside_the_default_budget() -> None:
    """Nothing rated: every result unknown, every what-if probe run; still a hundredth of the budget."""
    root = Path(__file__).parents[1] / "instruments" / "disengagement-trajectory"
    instrument = spj.load_instrument(root / "instrument.yaml")
    assessment = make_assessment(instrument, "ratings: {}\n", header=_header(instrument))
    budget = Budget()
    evaluation = spj.evaluate(instrument, assessment, budget=budget)
    assert all(r.error is None for r in evaluation.rule_results)
    assert budget.spent * 100 <= budget.steps


def _header(instrument: spj.Instrument) -> str:
    return (
        "format: spj-assessment/1\n"
        f"instrument: {{id: {instrument.id}, version: {instrument.version}}}\n"
        "id: A-0001\ncase: {id: CASE-0001}\nassessor: {id: u-1}\ndate: 2020-01-01\n"
    )
