"""spj's own evaluator (spj.rules.closures) against the CEL library, on generated expressions and data.

A closure either answers as the library does (a value, or `Missing` where the
library raises `KeyError`) or says `Unsupported` and leaves the answer to the
library. The property: it never answers differently. The expressions mix the
subset the closures handle (paths, literals, comparisons, `+ - *`, `! && ||`,
`?:`, `in`, `has`) with values of the wrong type, absent keys and overflows.
"""

from __future__ import annotations

from typing import Any

import cel
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spj.rules.closures import Missing, Unsupported, compile_closure
from spj.rules.parser import parse

SETTINGS = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PATHS = (
    "ratings.A.presence",
    "ratings.A.relevance",
    "ratings.B.presence",
    "ratings.C.presence",
    "flags.f",
    "flags.g",
    "case.phase",
    "case.age",
    "case.ftf",
    "domains.d.risk.present",
    "domains.d.protective.partial",
    "domains.d.rated",
)
LITERALS = ("0", "1", "2", "-1", "9223372036854775807", "'detention'", "'x'", "true", "false", "1.5", "null")
_KEYS = st.sampled_from(["A", "B", "C"])
_VALUES = st.one_of(st.integers(-3, 3), st.sampled_from(["detention", "x", ""]), st.booleans())


def _atoms() -> st.SearchStrategy[str]:
    return st.sampled_from(PATHS + LITERALS)


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "&&", "||"])
    return st.one_of(
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, binary, inner),
        st.builds(lambda a: f"!{a}", inner),
        st.builds(lambda a: f"-({a})", inner),
        st.builds(lambda a, b, c: f"({a} ? {b} : {c})", inner, inner, inner),
        st.builds(
            lambda a, items: f"({a} in [{', '.join(items)}])", inner, st.lists(st.sampled_from(LITERALS), max_size=3)
        ),
        st.builds(lambda k: f"has(ratings.{k}.presence)", _KEYS),
        st.builds(
            lambda ops, op: "(" + f" {op} ".join(ops) + ")",
            st.lists(inner, min_size=2, max_size=4),
            st.sampled_from(["&&", "||"]),
        ),
    )


EXPRESSIONS = st.recursive(_atoms(), _combine, max_leaves=8)


@st.composite
def variables(draw: st.DrawFn) -> dict[str, Any]:
    ratings = {
        key: draw(st.dictionaries(st.sampled_from(["presence", "relevance"]), st.integers(0, 2) | _VALUES, max_size=2))
        for key in draw(st.lists(_KEYS, unique=True, max_size=3))
    }
    flags = draw(st.dictionaries(st.sampled_from(["f", "g"]), st.booleans() | _VALUES, max_size=2))
    case = draw(st.dictionaries(st.sampled_from(["phase", "age", "ftf"]), _VALUES, max_size=3))
    counts = draw(st.dictionaries(st.sampled_from(["present", "partial"]), st.integers(0, 3), max_size=2))
    domain = {"risk": counts, "protective": dict(counts), "rated": draw(st.integers(0, 3))}
    return {"ratings": ratings, "flags": flags, "case": case, "domains": {"d": domain}}


def _program(source: str) -> Any:
    """The library's program, or None when it refuses the text (spj then refuses the expression at load)."""
    try:
        return cel.compile(source)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # the library's panic type is a BaseException
        return None


def _library(source: str, values: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "value", _program(source).execute(values)
    except KeyError:
        return "missing", None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # the library's panic type is a BaseException
        return "error", type(exc).__name__


def _closure(source: str, values: dict[str, Any]) -> tuple[str, Any] | None:
    run = compile_closure(parse(source))
    if run is None:
        return None
    try:
        return "value", run(values)
    except Missing:
        return "missing", None
    except Unsupported:
        return None


@SETTINGS
@given(EXPRESSIONS, variables())
def test_a_closure_answers_as_the_library_or_not_at_all(source: str, values: dict[str, Any]) -> None:
    mine = _closure(source, values)
    if mine is None or _program(source) is None:
        return
    theirs = _library(source, values)
    assert mine == theirs, source
    if mine[0] == "value":
        assert type(mine[1]) is type(theirs[1]), source  # a bool is not the int 1


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("ratings.A.presence >= 1 || flags.f", ("value", True)),
        ("ratings.B.presence >= 1 || flags.f", ("value", True)),  # an absent value absorbed by true
        ("ratings.B.presence >= 1 && flags.g", ("value", False)),  # ... and by false
        ("ratings.B.presence >= 1 || flags.g", ("missing", None)),
        ("!ratings.B.presence", ("missing", None)),
        ("case.phase == 'detention' && ratings.A.presence + 1 == 3", ("value", True)),
        ("case.phase in ['detention', 'x']", ("value", True)),
        ("'convict' in case.status", ("value", True)),  # a multiple choice: a list the data holds
        ("'returned' in case.status", ("value", False)),
        ("'x' in case.none", ("missing", None)),
        ("has(ratings.A.relevance)", ("value", False)),
        ("domains.d.risk.present + domains.d.risk.partial >= 3", ("value", True)),
    ],
)
def test_the_instruments_subset_is_answered_by_the_closures(source: str, expected: tuple[str, Any]) -> None:
    values = {
        "ratings": {"A": {"presence": 2}},
        "flags": {"f": True, "g": False},
        "case": {"phase": "detention", "status": ["ftf_tried_to_leave", "convict"]},
        "domains": {"d": {"risk": {"present": 2, "partial": 1}}},
    }
    assert _closure(source, values) == expected
    assert _library(source, values) == expected


@pytest.mark.parametrize(
    "source",
    [
        "ratings.A.presence == 'x'",  # mixed types: the library's heterogeneous equality
        "ratings.A.presence + 9223372036854775807 > 0",  # overflow: the library's error
        "flags.f ? 1 : 'x'",  # a non-bool result: the library's message names it
    ],
)
def test_what_the_closures_are_not_sure_of_is_left_to_the_library(source: str) -> None:
    values = {"ratings": {"A": {"presence": 2}}, "flags": {"f": True}, "case": {}, "domains": {}}
    result = _closure(source, values)
    assert result is None or (result[0] == "value" and type(result[1]) is not bool)


@pytest.mark.parametrize("source", ["[1, 2].exists(x, x > 1)", "ratings.A.presence / 2 == 1", "size('ab') == 2"])
def test_constructs_outside_the_subset_are_not_compiled(source: str) -> None:
    assert compile_closure(parse(source)) is None
