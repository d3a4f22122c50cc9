"""The intervention plan: nodes, edges, phases, schedule, critical path, exports."""

from __future__ import annotations

import json

import pytest
from helpers import make_instrument

import spj
from spj.report.plan_formats import plan_to_dot, plan_to_json, plan_to_mermaid


def iv(name, weeks, extra=""):
    return (
        f"  - {{id: {name}, title: {{en: Step {name}}}, domain: social, provider: prov-{name}, "
        f"duration_weeks: {weeks}, recommend_when: 'true'{extra}}}\n"
    )


def instrument(*steps):
    return make_instrument("interventions:\n" + "".join(steps))


CHAIN = instrument(
    iv("a", 2),
    iv("b", 3, ", requires: [a]"),
    iv("c", 4, ", requires: [b]"),
    iv("d", 1, ", after: [a]"),
    iv("e", 5),
)


def test_prerequisites_are_pulled_in_transitively():
    plan = spj.build_plan(CHAIN, ["c"])
    assert set(plan.steps) == {"a", "b", "c"}
    assert plan.steps["c"].reason == "recommended"
    assert plan.steps["b"].reason == "prerequisite"
    assert plan.steps["b"].required_by == ("c",)
    assert plan.steps["a"].required_by == ("b",)
    assert plan.phases == (("a",), ("b",), ("c",))
    assert plan.total_weeks == 9
    assert plan.critical_path == ("a", "b", "c")


def test_after_orders_only_when_both_are_present():
    alone = spj.build_plan(CHAIN, ["d"])
    assert set(alone.steps) == {"d"}
    assert alone.steps["d"].start_week == 0
    both = spj.build_plan(CHAIN, ["d", "a"])
    assert both.phases == (("a",), ("d",))
    assert both.steps["d"].start_week == 2
    assert both.steps["d"].reason == "recommended"
    assert both.steps["a"].required_by == ()
    assert both.graph.edges["a", "d"]["kind"] == "after"


def test_phases_in_instrument_order_and_schedule():
    plan = spj.build_plan(CHAIN, ["e", "d", "c"])
    assert plan.phases == (("a", "e"), ("b", "d"), ("c",))
    schedule = {s: (plan.steps[s].start_week, plan.steps[s].end_week) for s in plan.steps}
    assert schedule == {"a": (0, 2), "e": (0, 5), "b": (2, 5), "d": (2, 3), "c": (5, 9)}
    assert plan.total_weeks == 9
    assert [s.id for s in plan.ordered_steps] == ["a", "e", "b", "d", "c"]
    assert {s: plan.steps[s].phase for s in plan.steps} == {"a": 1, "e": 1, "b": 2, "d": 2, "c": 3}


def test_start_is_the_latest_end_of_the_predecessors():
    inst = instrument(iv("a", 2), iv("b", 7), iv("c", 1, ", requires: [a, b]"))
    plan = spj.build_plan(inst, ["c"])
    assert plan.steps["c"].start_week == 7
    assert plan.steps["c"].predecessors == ("a", "b")
    assert plan.critical_path == ("b", "c")


@pytest.mark.parametrize(
    ("steps", "recommended", "path"),
    [
        # two predecessors end at the same time: the first in the instrument wins
        ((iv("a", 3), iv("b", 3), iv("c", 1, ", requires: [b, a]")), ["c"], ("a", "c")),
        ((iv("b", 3), iv("a", 3), iv("c", 1, ", requires: [a, b]")), ["c"], ("b", "c")),
        # two steps end last: the first in the instrument wins
        ((iv("x", 4), iv("y", 4)), ["y", "x"], ("x",)),
        ((iv("y", 4), iv("x", 4)), ["x", "y"], ("y",)),
        # a zero-length step on the path
        ((iv("a", 2), iv("z", 0, ", requires: [a]"), iv("c", 1, ", requires: [z]")), ["c"], ("a", "z", "c")),
    ],
)
def test_critical_path_tie_breaking(steps, recommended, path):
    assert spj.build_plan(instrument(*steps), recommended).critical_path == path


def test_empty_plan():
    plan = spj.build_plan(CHAIN, [])
    assert plan.steps == {} and plan.phases == () and plan.total_weeks == 0 and plan.critical_path == ()


def test_plan_graph_is_networkx():
    import networkx as nx

    plan = spj.build_plan(CHAIN, ["c", "d"])
    assert isinstance(plan.graph, nx.DiGraph)
    assert set(plan.graph.edges) == {("a", "b"), ("b", "c"), ("a", "d")}
    assert plan.graph.nodes["c"]["step"] is plan.steps["c"]


def test_requires_wins_when_both_are_declared():
    inst = instrument(iv("a", 1), iv("b", 1, ", requires: [a], after: [a]"))
    plan = spj.build_plan(inst, ["b"])
    assert plan.graph.edges["a", "b"]["kind"] == "requires"


@pytest.mark.parametrize("export", ["json", "dot", "mermaid"])
def test_exports_mention_every_step(export):
    plan = spj.build_plan(CHAIN, ["c", "d", "e"])
    text = {
        "json": lambda: plan_to_json(plan),
        "dot": lambda: plan_to_dot(plan, CHAIN),
        "mermaid": lambda: plan_to_mermaid(plan, CHAIN),
    }[export]()
    for step in plan.steps:
        assert step in text
        if export != "json":
            assert f"prov-{step}" in text
    if export == "json":
        data = json.loads(text)
        assert [s["id"] for s in data["interventions"]] == ["a", "e", "b", "d", "c"]
        assert data["total_weeks"] == 9


def test_dot_quotes_hostile_titles():
    inst = make_instrument(
        "interventions:\n"
        "  - {id: a, title: 'say \"hi\" \\ there', domain: social, provider: p, duration_weeks: 1,"
        " recommend_when: 'true'}\n"
    )
    dot = plan_to_dot(spj.build_plan(inst, ["a"]), inst)
    assert '\\"hi\\"' in dot
    mermaid = plan_to_mermaid(spj.build_plan(inst, ["a"]), inst)
    assert '"hi"' not in mermaid
