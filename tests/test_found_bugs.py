"""Engine bugs found while writing the tests; each test fails until the engine is fixed.

Regression tests name what they guard. Do not skip or xfail these: fix the engine.

Status: `test_leading_zero_integers_are_not_floats` failed against spj/yamlsource.py
as first read (`_INT = [-+]?(0|[1-9][0-9]*)`); the engine was changed meanwhile
(`_INT = [-+]?[0-9]+`) and it now passes. It stays as a regression test.
"""

from __future__ import annotations

import pytest

from spj.files.yamlsource import parse_yaml


@pytest.mark.parametrize(("text", "expected"), [("a: 012", 12), ("a: -007", -7), ("a: +01", 1)])
def test_leading_zero_integers_are_not_floats(text, expected):
    """YAML 1.2 core schema: an int is `[-+]?[0-9]+`, so `012` is the integer 12.

    spj/yamlsource.py: `_INT` refuses leading zeros, then `_FLOAT` accepts the
    text, so `a: 012` becomes the float 12.0 (neither YAML 1.2's int 12 nor the
    text "012"). In an assessment, `presence: 012` then turns into the code
    "12.0".
    """
    value = parse_yaml(text).data["a"]
    assert value == expected
    assert type(value) is int
