"""Every schema problem of a broken instrument is located and phrased for its author (issue 11).

Generated instruments are broken in the ways people break YAML by hand (a value
of the wrong type, an empty list, a misspelt or unknown key, a bad version,
language code or id, a key left out); each schema problem must carry a line and
column and say what is wrong without the validator's internals.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import dump, instruments

import spj

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

INTERNALS = (
    "should have at least",
    "after validation",
    "Input should",
    "input should",
    "constrained-str",
    "dict[",
    "tuple[",
    "function-after",
    "literal_error",
    "type=",
    "pydantic",
    "^[",
    "]$",
    "\\d",
    "[0-9",
    ".str)",
)

WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.just(1.5),
    st.just([]),
    st.just({}),
    st.sampled_from(["", "1.0", "Dutch", "Not An Id", "9x", "x y", "riks"]),
    st.lists(st.sampled_from(["x y", "1", "EN"]), min_size=1, max_size=2),
    st.dictionaries(st.sampled_from(["EN", "x y", "en"]), st.sampled_from(["x", ""]), min_size=1, max_size=2),
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
def broken(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """`document` with one to three values made wrong: replaced, emptied, dropped, or a key misspelt or added."""
    data = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([p for p in _paths(data) if p]))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "drop", "misspell", "add"]))
        if isinstance(parent, dict) and action == "drop":
            del parent[path[-1]]
        elif isinstance(parent, dict) and action == "misspell":
            key = path[-1]
            parent[key[:-1] + key[-1] * 2 if len(key) > 2 else key + "x"] = parent.pop(key)
        elif isinstance(parent, dict) and action == "add":
            parent[draw(st.sampled_from(["gudance", "titel", "notes", "x y"]))] = draw(WRONG)
        else:
            parent[path[-1]] = draw(WRONG)
    return data


@SETTINGS
@given(st.data())
def test_every_schema_problem_is_located_and_phrased_for_the_author(data: st.DataObject) -> None:
    text = dump(data.draw(broken(data.draw(instruments()))))
    try:
        spj.parse_instrument(text, file="broken.yaml")
    except spj.InstrumentError as exc:
        for problem in exc.problems:
            assert problem.location.file == "broken.yaml"
            assert problem.location.line is not None, str(problem)
            if problem.code is spj.Code.SCHEMA:
                assert problem.location.column is not None, str(problem)
                assert not [internal for internal in INTERNALS if internal in problem.message], str(problem)
