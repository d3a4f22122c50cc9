"""Damaged documents: loading raises the module's own error, never anything else."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import dump, instrument_and_assessment, instruments

import spj

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "x", "N", "presence", "d0", "I0", "r0", "v0", "flags.r0", "1.0.0", "spj/1", "true || x"]),
    st.lists(st.sampled_from(["x", "I0", "v0"]), max_size=3),
    st.dictionaries(st.sampled_from(["id", "en", "code", "x"]), st.sampled_from(["x", "I0", "1"]), max_size=2),
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            out += _paths(value, (*path, n))
    return out


@st.composite
def damaged(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """`document` with one to three values replaced by junk, or keys dropped."""
    data = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JUNK)
    return data


@SETTINGS
@given(st.data())
def test_damaged_instruments_raise_instrument_errors(data):
    inst = data.draw(damaged(data.draw(instruments())))
    try:
        spj.parse_instrument(dump(inst), file="damaged.yaml")
    except spj.InstrumentError as exc:
        assert exc.problems
        assert all(p.location.file == "damaged.yaml" for p in exc.problems)


@SETTINGS
@given(st.data())
def test_damaged_assessments_raise_assessment_errors(data):
    inst, assessment = data.draw(instrument_and_assessment())
    instrument = spj.parse_instrument(dump(inst))
    broken = data.draw(damaged(assessment))
    try:
        loaded = spj.parse_assessment(dump(broken), instrument, file="damaged.yaml")
    except spj.AssessmentError as exc:
        assert exc.problems
        return
    spj.evaluate(instrument, loaded)  # whatever validates also evaluates
