"""Bounded rules (issue 7): an expression whose worst-case cost is over the budget is refused at load.

Nested comprehensions over literal lists passed the length and nesting limits
and then ran for hours; a chain of `.map(s, s + s)` doubled a string until
memory ran out. An instrument is data written by others: it must never be able
to stop the engine. The refusals here happen before any evaluation.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import assert_spj_error, instrument_text, make_instrument

import spj
from spj.rules import Namespace, compile_expression
from spj.rules.cost import BUDGET, estimate
from spj.rules.parser import parse
from tests.helpers import HEADER

DIGITS = "[0,1,2,3,4,5,6,7,8,9]"
HUNDRED = "[" + ",".join(str(n) for n in range(100)) + "]"
NAMES = "abcdefghij"


def nested(macros: str, body: str, over: str = DIGITS) -> str:
    """`over.m1(a, over.m2(b, ... body))`: one comprehension inside the other."""
    source = body
    for name, macro in reversed(list(zip(NAMES, macros.split(), strict=False))):
        source = f"{over}.{macro}({name}, {source})"
    return source


BOMBS = {
    # the measured case of the issue: ten comprehensions deep, 10^10 evaluations of a body that is never true
    "ten nested exists": nested("exists " * 10, "a + b + c + d + e + f + g + h + i + j < 0"),
    "ten nested exists/all": nested("exists all " * 5, "a + b + c + d + e + f + g + h + i + j >= 0"),
    "nested map": nested("map " * 7, "a") + ".size() > 0",
    "string doubling, chained map": '["ab"]' + ".map(s, s + s)" * 40 + ".size() > 0",
    "string growth, nested map": '["ab"]'
    + "".join(f".map({n}, [{' + '.join([n] * 40)}]" for n in NAMES[:5])
    + ".size() > 0)"
    + ")" * 4
    + " == []",
    "list doubling, chained map": "[[1]]" + ".map(x, x + x)" * 40 + ".size() > 0",
    "list concatenation in nested comprehensions": nested(
        "all all all all", f"({DIGITS} + {DIGITS} + {DIGITS}).size() > a"
    ),
}


def when(source: str) -> str:
    return f"rules:\n  - {{id: r, when: '{source}', message: m}}\n"


@pytest.mark.parametrize("name", BOMBS)
def test_bombs_pass_the_old_limits(name: str) -> None:
    """What made them dangerous: short enough and shallow enough for the length and nesting checks."""
    source = BOMBS[name]
    assert len(source) <= 2000
    parse(source)  # no too-complex ParseError


@pytest.mark.parametrize("name", BOMBS)
def test_bombs_are_refused_at_load_with_a_location(name: str) -> None:
    source = BOMBS[name]
    started = time.perf_counter()
    exc = assert_spj_error(lambda: make_instrument(when(source)), code=spj.Code.RULE_TOO_COSTLY, line=24)
    assert time.perf_counter() - started < 2
    [problem] = [p for p in exc.problems if p.code is spj.Code.RULE_TOO_COSTLY]
    assert problem.location.dotted_path == "rules[0].when"
    offset = (problem.location.column or 0) - 20  # the expression starts at column 20
    assert 0 <= offset < len(source)
    assert source[offset : offset + 15] in problem.message  # it quotes the part that is too costly
    assert f"{BUDGET:,}" in problem.message


def test_location_points_at_the_smallest_part_over_budget() -> None:
    source = f"flags.f1 || {HUNDRED}.all(a, {HUNDRED}.all(b, a != b))"
    exc = assert_spj_error(
        lambda: make_instrument(when(source) + "  - {id: f1, when: 'true', message: m}\n"),
        code=spj.Code.RULE_TOO_COSTLY,
        line=24,
        column=20 + len("flags.f1 || "),
    )
    assert "nested comprehensions multiply" in exc.problems[0].message


def _run_validate(path: Path, *, limit_bytes: int) -> tuple[subprocess.CompletedProcess[str], float]:
    import resource

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "spj", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit_memory,
    )
    return done, time.perf_counter() - started


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limits are set with setrlimit (Linux)")
@pytest.mark.parametrize("name", BOMBS)
def test_validate_refuses_bombs_within_seconds_and_a_memory_limit(name: str, tmp_path: Path) -> None:
    """`spj validate` exits 1 with the code, quickly, in 1 GiB of address space: nothing big is ever built."""
    path = tmp_path / "bomb.yaml"
    path.write_text(instrument_text(when(BOMBS[name])), encoding="utf-8")
    done, elapsed = _run_validate(path, limit_bytes=1 << 30)
    assert done.returncode == 1, done.stderr
    assert "rule-too-costly" in done.stderr
    assert f"{path}:24:" in done.stderr
    assert elapsed < 5, elapsed


NS = Namespace(
    indicators={"SO1": ("presence", "relevance"), "SO2": ("presence",)},
    flags=("f1",),
    domains=("social",),
    case_fields=("status", "notes"),
)


@pytest.mark.parametrize(
    "source",
    [
        "ratings.SO1.presence >= 1 && ratings.SO2.presence == 0",
        "domains.social.risk.present + domains.social.risk.partial >= 2 || flags.f1",
        "case.status == 'ftf' || case.status in ['htf', 'pve', 'convict']",
        "case.notes == 'x'",  # comparing stops at the shorter side
        "case.notes.contains('weapon')",  # a case text is at most 1,000 characters
        "size(case.notes) > 0",
        "case.notes + '!' == 'x!'",
        "case.status",  # a boolean case fact as the whole rule
        "[ratings.SO1.presence, ratings.SO2.presence].filter(x, x >= 1).size() >= 1",
        f"{DIGITS}.exists(a, {DIGITS}.exists(b, a + b == ratings.SO1.presence))",
        "has(ratings.SO1) ? ratings.SO1.presence > 0 : flags.f1",
        "size('abc' + 'def') == 6 && int('12') == 12 && string(12) == '12'",
        "'abc'.matches('^a.c$') && 'abc'.contains('b')",
        "timestamp('2020-01-01T00:00:00Z').getFullYear() == 2020",
    ],
)
def test_ordinary_expressions_are_accepted(source: str) -> None:
    compiled, problems = compile_expression(source, NS)
    assert problems == []
    assert compiled is not None
    assert 0 < compiled.cost <= BUDGET


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            nested("all all all", "a != b", over=DIGITS.replace("9", "9,10,11,12,13,14,15,16,17,18,19,20,21,22")),
            "steps",
        ),
        ("'a'.matches(case.status)", "pattern"),  # a pattern computed from the case: its cost cannot be bounded
        ("max(1, 2) == 2", "max"),  # a function spj does not know the cost of
        # a list of case texts converted for Python: twelve of 1,000 characters
        ("flags.f1 ? [" + ", ".join(["case.notes"] * 12) + "] : true", "too costly"),
        ("[1].all(x)", None),
    ],
)
def test_unbounded_or_unknown_costs_are_refused(source: str, message: str | None) -> None:
    compiled, problems = compile_expression(source, NS)
    assert compiled is None
    assert problems
    if message is not None:
        assert problems[0].kind == "too-costly"
        assert message in problems[0].message


@pytest.mark.parametrize(
    ("inner", "outer"),
    [
        (f"{DIGITS}.all(a, a >= 0)", f"{DIGITS}.all(b, {DIGITS}.all(a, a >= b))"),
        (f"{DIGITS}.map(a, a)", f"{DIGITS}.map(b, {DIGITS}.map(a, a))"),
    ],
)
def test_nested_comprehensions_multiply(inner: str, outer: str) -> None:
    one, two = estimate(parse(inner), NS), estimate(parse(outer), NS)
    assert two.steps >= 10 * one.steps


def test_map_and_filter_count_the_copies_of_their_result() -> None:
    """The CEL library copies the list built so far at every element: map and filter are quadratic."""
    small = estimate(parse(HUNDRED + ".map(x, x).size() > 0"), NS)
    assert small.steps >= 100 * 101 // 2


@pytest.mark.parametrize(
    ("source", "length"),
    [
        ("'ab' + 'cde'", 5),
        ("[1, 2] + [3]", 3),
        ('["ab"].map(s, s + s)', 1),
        ("[1, 2, 3].filter(x, x > 1)", 3),
        ("{'a': 1, 'b': 2}", 2),
        ("case.status", 1000),
    ],
)
def test_sizes_are_bounded(source: str, length: int) -> None:
    assert estimate(parse(source), NS).shape.length == length


def test_shipped_instruments_are_far_under_budget() -> None:
    shipped = sorted((Path(__file__).parents[1] / "instruments").glob("*/instrument.yaml"))
    assert shipped
    for path in shipped:
        instrument = spj.load_instrument(path)
        index = spj.instrument.index_of(instrument)
        compiled = [r.expression for r in index.rules.values()] + [i.expression for i in index.interventions.values()]
        worst = max(c.cost for c in compiled)
        assert worst * 20 <= BUDGET, (path, worst)


def test_a_case_text_is_short_so_rules_may_search_it() -> None:
    """Case facts are at most 1,000 characters (the assessment refuses longer), so `contains` on one is affordable."""
    instrument = spj.parse_instrument(
        HEADER
        + "domains: [{id: d, title: {en: D}}]\n"
        + "indicators: [{id: A1, domain: d, kind: risk, title: {en: A}}]\n"
        + "case_fields: [{id: note, type: text}]\n"
        + "rules: [{id: r, when: 'case.note.contains(\"court\")', message: {en: M}}]\n"
    )
    head = "format: spj-assessment/1\ninstrument: {id: test-instrument, version: 1.0.0}\nid: A\n"
    tail = "assessor: {id: u}\ndate: 2020-01-01\n"
    ok = spj.parse_assessment(head + "case: {id: C, fields: {note: by the court}}\n" + tail, instrument)
    assert spj.evaluate(instrument, ok).to_dict()["flags"][0]["id"] == "r"
    with pytest.raises(spj.AssessmentError):
        spj.parse_assessment(head + "case: {id: C, fields: {note: " + "x" * 1001 + "}}\n" + tail, instrument)
