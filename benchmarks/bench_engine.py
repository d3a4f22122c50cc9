"""Engine benchmarks: evaluation, JSON pipeline vs its floor, load times, scaling.

    python benchmarks/bench_engine.py           # full run (about a minute)
    python benchmarks/bench_engine.py --quick   # smoke run (a few seconds; skips 5,000 indicators)

Plain `time.perf_counter` loops: each figure is one warm-up, then several
samples, each sample timing enough calls to last ~`min_time`; it prints the
best (minimum) and the median per-call time. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

import spj

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "instruments" / "disengagement-trajectory" / "instrument.yaml"
EXAMPLE = ROOT / "instruments" / "disengagement-trajectory" / "examples" / "case-0101.assessment.yaml"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("spj_bench_generate", Path(__file__).with_name("generate.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _generator()


class Timer:
    def __init__(self, quick: bool) -> None:
        self.repeat = 3 if quick else 7
        self.min_time = 0.02 if quick else 0.2

    def __call__(self, fn: Callable[[], Any], *, repeat: int | None = None) -> tuple[float, float]:
        """(best, median) seconds per call."""
        fn()  # warm-up
        start = time.perf_counter()
        fn()
        once = time.perf_counter() - start
        number = max(1, int(self.min_time / max(once, 1e-9)))
        samples = []
        for _ in range(repeat or self.repeat):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples.append((time.perf_counter() - start) / number)
        return min(samples), statistics.median(samples)


RESULTS: list[tuple[str, bool | None, str]] = []


def fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:8.3f} s "
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.3f} ms"
    return f"{seconds * 1e6:8.1f} µs"


def line(label: str, best: float, median: float, extra: str = "") -> None:
    print(f"  {label:<52} best {fmt(best)}  median {fmt(median)}  {extra}")


def target(name: str, ok: bool | None, detail: str) -> None:
    RESULTS.append((name, ok, detail))
    word = "SKIP" if ok is None else ("PASS" if ok else "MISS")
    print(f"  -> {word}: {name} ({detail})")


def find_renderer() -> tuple[Callable[..., str] | None, Callable[[], float] | None, str]:
    """`render_report` and, when spj.report exposes one, a way to time rendering from a precomputed context."""
    try:
        from spj.report import render_report  # type: ignore[attr-defined]
    except ImportError as exc:
        return None, None, f"spj.report.render_report not available ({exc})"
    return render_report, None, ""


def context_renderer(
    instrument: Any, assessment: Any, evaluation: Any, render_report: Any
) -> tuple[Callable[[], Any], str]:
    """A callable rendering the HTML report template from a precomputed context.

    spj.report.context.report_context builds the context; spj.report.environment.report_environment
    gives the (cached) sandboxed Jinja environment. If those are not there, fall back to
    `render_report` with every input precomputed.
    """
    try:
        from spj.report.context import report_context
        from spj.report.environment import report_environment
        from spj.report.history import history_context

        context = report_context(instrument, assessment, evaluation, lang="en", spj_version=spj.__version__)
        context.update(history_context(instrument, assessment, evaluation, None, lang="en"))
        template = report_environment("en", "html").get_template("report.html")
        template.render(context)

        def from_context() -> Any:
            return report_environment("en", "html").get_template("report.html").render(context)

        return from_context, "report.html rendered from a precomputed report_context(...)"
    except (ImportError, TypeError, AttributeError):

        def whole() -> Any:
            return render_report(instrument, assessment, evaluation, format="html", lang="en")

        return whole, "render_report with every input precomputed (no separate context builder found)"


def bench_shipped(timer: Timer) -> None:
    print("\n[1] Shipped instrument: evaluations per second")
    try:
        instrument = spj.load_instrument(SHIPPED)
        assessment = spj.load_assessment(EXAMPLE, instrument)
    except (spj.SpjError, OSError) as exc:
        print(f"  shipped instrument/example not usable yet: {exc}")
        target("shipped evaluate", None, "not loadable")
        return
    print(
        f"  {SHIPPED.relative_to(ROOT)}: {len(instrument.indicators)} indicators, {len(instrument.rules)} rules, "
        f"{len(instrument.interventions)} interventions"
    )
    best, median = timer(lambda: spj.evaluate(instrument, assessment))
    line("spj.evaluate (incl. plan)", best, median, f"{1 / median:,.0f} evals/s (median)")
    evaluation = spj.evaluate(instrument, assessment)
    best_d, median_d = timer(evaluation.to_dict)
    line("evaluation.to_dict()", best_d, median_d)


def bench_pipeline(timer: Timer) -> None:
    print("\n[2] JSON pipeline: parse_assessment_json -> evaluate -> render_report(html), vs floor")
    instrument = spj.load_instrument(SHIPPED)
    assessment = spj.load_assessment(EXAMPLE, instrument)
    text = json.dumps(assessment.model_dump(mode="json", by_alias=True, exclude_none=True))
    print(f"  assessment JSON: {len(text):,} bytes")
    b_parse, m_parse = timer(lambda: spj.parse_assessment_json(text, instrument))
    line("spj.parse_assessment_json", b_parse, m_parse)
    b_fl, m_fl = timer(lambda: spj.Assessment.model_validate(json.loads(text)))
    line("floor: json.loads + Assessment.model_validate", b_fl, m_fl, f"parse/floor {m_parse / m_fl:.2f}x")
    b_ev, m_ev = timer(lambda: spj.evaluate(instrument, assessment))
    line("spj.evaluate", b_ev, m_ev)

    render_report, _, why = find_renderer()
    if render_report is None:
        print(f"  {why}")
        pipe_wo = m_parse + m_ev
        print(
            f"  pipeline without render (parse + evaluate): median {fmt(pipe_wo)}; vs floor parse {pipe_wo / m_fl:.2f}x"
        )
        target("pipeline/floor <= 1.5x", None, "renderer missing")
        return
    evaluation = spj.evaluate(instrument, assessment)
    render_report(instrument, assessment, evaluation, format="html", lang="en")
    b_rr, m_rr = timer(lambda: render_report(instrument, assessment, evaluation, format="html", lang="en"))
    line("render_report(html) (instrument etc. precomputed)", b_rr, m_rr)
    floor_render, how = context_renderer(instrument, assessment, evaluation, render_report)
    b_fr, m_fr = timer(floor_render)
    line("floor render (template from precomputed context)", b_fr, m_fr)
    print(f"    [{how}]")

    def pipeline() -> str:
        a = spj.parse_assessment_json(text, instrument)
        e = spj.evaluate(instrument, a)
        return render_report(instrument, a, e, format="html", lang="en")

    def floor() -> Any:
        spj.Assessment.model_validate(json.loads(text))
        return floor_render()

    b_p, m_p = timer(pipeline)
    line("pipeline (JSON text -> HTML)", b_p, m_p, f"{1 / m_p:,.0f} /s")
    b_f, m_f = timer(floor)
    line("floor (json.loads + model_validate + render)", b_f, m_f, f"{1 / m_f:,.0f} /s")
    # Ratios use the best samples: on a shared virtual machine the minimum is the least noisy estimate
    # of the cost itself (the median is printed too).
    ratio = b_p / b_f
    print(
        f"  share of pipeline: parse {m_parse / m_p:.0%}, evaluate {m_ev / m_p:.0%}, render_report {m_rr / m_p:.0%}"
        f" (of which template {m_fr / m_p:.0%}, context+setup {(m_rr - m_fr) / m_p:.0%})"
    )
    target("pipeline/floor <= 1.5x", ratio <= 1.5, f"{ratio:.2f}x best, {m_p / m_f:.2f}x medians")


def bench_loads(timer: Timer) -> None:
    print("\n[3] Load times")
    text = SHIPPED.read_text(encoding="utf-8")
    b, m = timer(lambda: spj.load_instrument(SHIPPED))
    line(f"spj.load_instrument (shipped, {len(text):,} B)", b, m)
    b, m = timer(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    line("  reference: yaml.load CSafeLoader (same text)", b, m)

    inst40 = spj.parse_instrument(generate.instrument_yaml(40))
    path = Path("/tmp") / "spj-bench-40.assessment.yaml"
    atext = generate.assessment_yaml(40)
    path.write_text(atext, encoding="utf-8")
    b40, m40 = timer(lambda: spj.load_assessment(path, inst40))
    line(f"spj.load_assessment (40 indicators, {len(atext):,} B)", b40, m40)
    b_s, m_s = timer(lambda: yaml.safe_load(atext))
    line("  reference: yaml.safe_load (pure Python)", b_s, m_s, f"load_assessment/safe_load {m40 / m_s:.2f}x")
    b_c, m_c = timer(lambda: yaml.load(atext, Loader=yaml.CSafeLoader))
    line("  reference: yaml.load CSafeLoader", b_c, m_c, f"load_assessment/CSafeLoader {m40 / m_c:.2f}x")
    from spj.files.yamlsource import parse_yaml

    b_p, m_p = timer(lambda: parse_yaml(atext))
    line("  of which spj.yamlsource.parse_yaml", b_p, m_p, f"{m_p / m40:.0%} of load_assessment")
    inst = spj.load_instrument(SHIPPED)
    b_x, m_x = timer(lambda: spj.load_assessment(EXAMPLE, inst))
    line("spj.load_assessment (shipped case-0101)", b_x, m_x)
    target("load_assessment 40 indicators < 5 ms", m40 < 5e-3, f"median {m40 * 1e3:.2f} ms")


def bench_scaling(timer: Timer, quick: bool) -> None:
    sizes = (50, 500) if quick else (50, 500, 5000)
    print(f"\n[4] Generated instruments: {', '.join(map(str, sizes))} indicators")
    per_indicator: dict[int, float] = {}
    loads: dict[int, float] = {}
    for n in sizes:
        itext = generate.instrument_yaml(n)
        atext = generate.assessment_yaml(n)
        s = generate.shape(n)
        rep = 3 if n >= 5000 else None
        b_l, m_l = timer(lambda t=itext: spj.parse_instrument(t), repeat=rep)
        loads[n] = m_l
        instrument = spj.parse_instrument(itext)
        b_a, m_a = timer(lambda t=atext, i=instrument: spj.parse_assessment(t, i), repeat=rep)
        assessment = spj.parse_assessment(atext, instrument)
        b_e, m_e = timer(lambda i=instrument, a=assessment: spj.evaluate(i, a))
        per_indicator[n] = b_e / n
        print(
            f"  N={n:<5} ({s['domains']} domains, {s['rules']} rules, {s['interventions']} interventions; "
            f"instrument {len(itext) / 1e6:.2f} MB)"
        )
        line("  load instrument (parse_instrument)", b_l, m_l)
        line("  load assessment (parse_assessment)", b_a, m_a, f"{m_a / n * 1e6:.1f} µs/indicator")
        line("  evaluate", b_e, m_e, f"{b_e / n * 1e6:.2f} µs/indicator (best)")
    big = max(sizes)
    ratio = per_indicator[big] / per_indicator[50]
    print(f"  evaluate µs/indicator {big} vs 50: {ratio:.2f}x")
    if quick:
        target("load 5,000-indicator instrument < 2 s", None, "--quick")
        target("evaluate µs/indicator flat within 2x (5,000 vs 50)", None, f"--quick; {big} vs 50: {ratio:.2f}x")
    else:
        target("load 5,000-indicator instrument < 2 s", loads[5000] < 2.0, f"median {loads[5000]:.2f} s")
        target("evaluate µs/indicator flat within 2x (5,000 vs 50)", ratio <= 2.0, f"{ratio:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few samples, no 5,000-indicator instrument")
    args = parser.parse_args(argv)
    timer = Timer(args.quick)
    print(
        f"spj {spj.__version__}, Python {sys.version.split()[0]}, PyYAML {yaml.__version__} "
        f"(libyaml: {getattr(yaml, '__with_libyaml__', False)}); best/median of {timer.repeat} samples"
    )
    bench_shipped(timer)
    bench_pipeline(timer)
    bench_loads(timer)
    bench_scaling(timer, args.quick)
    print("\nTargets")
    for name, ok, detail in RESULTS:
        print(f"  {'SKIP' if ok is None else ('PASS' if ok else 'MISS')}  {name}  ({detail})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
