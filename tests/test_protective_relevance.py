"""Relevance and protective factors count in the shipped instruments (issue 14, point 5).

Relevance says how much an indicator matters for this person; a protective
factor is something to build on. Both must change what the instruments
propose, not only be recorded. The golden cases (`spj test`) show the rules
at work: `relevance-decides` and `protective-factors-build-the-plan`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import spj
from spj.authoring.testcases import run_case

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "instruments").glob("*/instrument.yaml"))


def _expressions(instrument: spj.Instrument) -> list[str]:
    return [r.when for r in instrument.rules] + [iv.recommend_when for iv in instrument.interventions]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_relevance_decides_some_rule(path: Path) -> None:
    readers = [e for e in _expressions(spj.load_instrument(path)) if ".relevance" in e]
    assert len(readers) >= 2, readers


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_every_protective_factor_is_read_by_a_rule_or_informs_the_formulation(path: Path) -> None:
    instrument = spj.load_instrument(path)
    text = "\n".join(_expressions(instrument))
    idle = [
        indicator.id
        for indicator in instrument.indicators
        if indicator.kind == "protective"
        and indicator.informs is None
        and not re.search(rf"\bratings\.{indicator.id}\b", text)
    ]
    assert idle == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_a_plan_step_builds_on_a_present_protective_factor(path: Path) -> None:
    instrument = spj.load_instrument(path)
    protective = {i.id for i in instrument.indicators if i.kind == "protective"}
    builders = [
        iv.id
        for iv in instrument.interventions
        if any(re.search(rf"ratings\.{p}\.presence\s*>=\s*1", iv.recommend_when) for p in protective)
    ]
    rules = [
        r.id
        for r in instrument.rules
        if any(re.search(rf"ratings\.{p}\.presence\s*(>=\s*1|==\s*2)", r.when) for p in protective)
    ]
    assert builders or rules


@pytest.mark.parametrize(
    ("folder", "case"),
    [
        ("extremism-risk-formulation", "relevance-decides"),
        ("disengagement-trajectory", "protective-factors-build-the-plan"),
    ],
)
def test_the_golden_cases_for_relevance_and_protective_factors_pass(folder: str, case: str) -> None:
    instrument = spj.load_instrument(ROOT / "instruments" / folder / "instrument.yaml")
    assert run_case(instrument, ROOT / "instruments" / folder / "cases" / f"{case}.case.yaml") == []
