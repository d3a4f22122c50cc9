"""The benchmark generator makes instruments and assessments that load and evaluate (no timing here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

import spj

GENERATE = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("spj_bench_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("n", [1, 10, 50])
def test_generated_instrument_loads_and_evaluates(generate: ModuleType, n: int) -> None:
    instrument = spj.parse_instrument(generate.instrument_yaml(n))
    shape = generate.shape(n)
    assert len(instrument.indicators) == n
    assert len(instrument.domains) == shape["domains"]
    assert len(instrument.rules) == shape["rules"]
    assert len(instrument.interventions) == shape["interventions"]

    assessment = spj.parse_assessment(generate.assessment_yaml(n), instrument)
    evaluation = spj.evaluate(instrument, assessment)
    result = evaluation.to_dict()
    assert result["completeness"]["indicators"] == n
    assert result["completeness"]["rated"] + result["completeness"]["omitted"] == n
    assert result["completeness"]["sufficient"]


def test_generated_text_is_deterministic(generate: ModuleType) -> None:
    assert generate.instrument_yaml(50) == generate.instrument_yaml(50)
    assert generate.assessment_yaml(50) == generate.assessment_yaml(50)


def test_generated_50_has_a_plan_and_rule_generations(generate: ModuleType) -> None:
    instrument = spj.parse_instrument(generate.instrument_yaml(50))
    assert any(iv.requires or iv.after for iv in instrument.interventions)
    assert any("flags." in rule.when for rule in instrument.rules)
    evaluation = spj.evaluate(instrument, spj.parse_assessment(generate.assessment_yaml(50), instrument))
    assert evaluation.plan.graph.number_of_nodes() == len(evaluation.to_dict()["interventions"])
