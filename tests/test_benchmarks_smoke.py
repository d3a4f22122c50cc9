"""The benchmark generator makes instruments and assessments that load and evaluate (no timing here)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
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


BENCHMARKS = GENERATE.parent


def _sibling(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"spj_bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_section_of_the_benchmark_runs() -> None:
    """`--smoke`: each figure once, no target judged; the real run is `--quick` or the full one, by hand."""
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_engine.py"), "--smoke"], capture_output=True, text=True, check=True
    )
    for heading in ("[1] Shipped", "[2] JSON pipeline", "[3] Load", "[4] Generated", "[5] Start-up", "Targets"):
        assert heading in run.stdout
    assert "PASS" not in run.stdout and "MISS" not in run.stdout


def test_the_floor_runs_no_spj_code() -> None:
    script = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('floor', {str(BENCHMARKS / 'floor.py')!r})\n"
        "floor = importlib.util.module_from_spec(spec); sys.modules['floor'] = floor; spec.loader.exec_module(floor)\n"
        "text = json.dumps({'format': 'spj-assessment/1', 'instrument': {'id': 'x', 'version': '1.0.0'}, 'id': 'A',"
        " 'case': {'id': 'C'}, 'assessor': {'id': 'u'}, 'date': '2026-01-02', 'ratings': {'X1': {'presence': 'P'}}})\n"
        "f = floor.Floor(text, target_bytes=30000); f()\n"
        "assert abs(f.output_bytes - 30000) < 1500, f.output_bytes\n"
        "assert not [m for m in sys.modules if m == 'spj' or m.startswith('spj.')]\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


@pytest.mark.parametrize(
    ("cel", "fhirpath"),
    [
        ("ratings.A.presence == 2", "ratings.A.presence = 2"),
        ("a >= 1 && b != 0 || c < 2", "a >= 1 and b != 0 or c < 2"),
        ("a || b && c", "a or b and c"),
        ("(a || b) && c", "(a or b) and c"),
        ("!flags.x && !(y == 1)", "flags.x.not() and (y = 1).not()"),
        ('case.phase == "detention"', "case.phase = 'detention'"),
        ("d.r.present + d.r.partial >= 3", "d.r.present + d.r.partial >= 3"),
    ],
)
def test_cel_rules_translate_to_fhirpath(cel: str, fhirpath: str) -> None:
    assert _sibling("fhirpath_compare").to_fhirpath(cel) == fhirpath


@pytest.mark.parametrize("example", ["case-0101", "case-0102", "case-0103"])
def test_fhirpathpy_decides_the_shipped_rules_as_spj_does(example: str) -> None:
    from spj.instrument import index_of

    compare = _sibling("fhirpath_compare")
    folder = BENCHMARKS.parent / "instruments" / "disengagement-trajectory"
    instrument = spj.load_instrument(folder / "instrument.yaml")
    assessment = spj.load_assessment(folder / "examples" / f"{example}.assessment.yaml", instrument)
    evaluation = spj.evaluate(instrument, assessment)
    rules = compare.FhirpathRules(instrument, [r for g in index_of(instrument).rule_generations for r in g])
    rules.check(compare.rule_context(instrument, assessment, evaluation), evaluation)


def test_the_batch_benchmark_runs_once_through() -> None:
    bench = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_batch.py"
    result = subprocess.run([sys.executable, str(bench), "--smoke"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "8 assessments, 2 worker(s)" in result.stdout
