"""Instrument test cases: spj.testcases."""

from __future__ import annotations

import pytest
from helpers import ASSESSMENT_HEADER, assert_spj_error, make_instrument

from spj import Code
from spj.authoring.testcases import run_case, subset_differences


@pytest.mark.parametrize(
    ("expected", "actual", "differences"),
    [
        ({}, {"a": 1}, []),
        ({"a": 1}, {"a": 1, "b": 2}, []),
        ({"a": 1}, {"a": 2}, ["$.a: expected 1, got 2"]),
        ({"a": 1}, {}, ["$.a: missing"]),
        ({"a": {"b": 1}}, {"a": 3}, ["$.a: expected an object, got 3"]),
        ({"a": [1]}, {"a": {}}, ["$.a: expected a list, got {}"]),
        ({"a": [1, 2]}, {"a": [1, 2]}, []),
        ({"a": [1, 2]}, {"a": [1, 2, 3]}, ["$.a: expected [1, 2], got [1, 2, 3]"]),
        ({"a": [1, 2]}, {"a": [1, 3]}, ["$.a[1]: expected 2, got 3"]),
        # lists of objects with ids: compared by ids, in order, then each a subset
        ([{"id": "x"}], [{"id": "x", "status": "raised"}], []),
        ([{"id": "x"}], [{"id": "x"}, {"id": "y"}], ["$: expected ids ['x'], got ['x', 'y']"]),
        ([{"id": "y"}, {"id": "x"}], [{"id": "x"}, {"id": "y"}], ["$: expected ids ['y', 'x'], got ['x', 'y']"]),
        (
            [{"id": "x", "status": "clear"}],
            [{"id": "x", "status": "raised"}],
            ["$[0].status: expected 'clear', got 'raised'"],
        ),
        # missing / required_by / missing_case_fields: sets
        ({"missing": ["B", "A"]}, {"missing": ["A", "B"]}, []),
        ({"required_by": ["a"]}, {"required_by": ["a", "b"]}, ["$.required_by: expected ['a'], got ['a', 'b']"]),
        ({"missing_case_fields": []}, {"missing_case_fields": []}, []),
        # numbers: a tolerance of 0.001
        ({"r": 0.333}, {"r": 0.3333}, []),
        ({"r": 0.33}, {"r": 0.3333}, ["$.r: expected 0.33, got 0.3333"]),
        ({"r": 1}, {"r": 1.0004}, []),
        ({"r": 0.5}, {"r": "0.5"}, ["$.r: expected 0.5, got '0.5'"]),
        ({"b": True}, {"b": 1}, []),  # True == 1 in Python; kept as documented behaviour
        ({"s": "x"}, {"s": "x"}, []),
        (None, None, []),
    ],
)
def test_subset_differences(expected, actual, differences):
    assert subset_differences(expected, actual) == differences


INSTRUMENT = make_instrument("rules:\n  - {id: peers, when: 'ratings.SO1.presence >= 1', message: m}\n")


def _case(tmp_path, expect, assessment=None):
    inline = assessment if assessment is not None else ASSESSMENT_HEADER + 'ratings: {SO1: {presence: "Y"}}\n'
    text = (
        "format: spj-case/1\nabout: synthetic\nassessment:\n"
        + "".join("  " + line + "\n" for line in inline.splitlines())
        + "expect:\n"
        + "".join("  " + line + "\n" for line in expect.splitlines())
    )
    path = tmp_path / "x.case.yaml"
    path.write_text(text)
    return path


def test_run_case_passing(tmp_path):
    assert run_case(INSTRUMENT, _case(tmp_path, "flags: [{id: peers, status: raised}]")) == []


def test_run_case_failing_is_readable(tmp_path):
    differences = run_case(INSTRUMENT, _case(tmp_path, "flags: [{id: peers, status: unknown}]"))
    assert differences == ["$.flags[0].status: expected 'unknown', got 'raised'"]


def test_run_case_with_an_assessment_file(tmp_path):
    (tmp_path / "a.yaml").write_text(ASSESSMENT_HEADER + "ratings: {SO1: {omitted: true, reason: r}}\n")
    path = tmp_path / "y.case.yaml"
    path.write_text("format: spj-case/1\nassessment: a.yaml\nexpect: {flags: [{id: peers, missing: [SO1]}]}\n")
    assert run_case(INSTRUMENT, path) == []


def test_run_case_inline_assessment_problems_keep_case_file_lines(tmp_path):
    path = _case(tmp_path, "flags: []", ASSESSMENT_HEADER + 'ratings: {SO1: {presence: "Q"}}\n')
    assert_spj_error(lambda: run_case(INSTRUMENT, path), code=Code.UNKNOWN_CODE, line=10)


@pytest.mark.parametrize(
    "text",
    [
        "format: spj-case/2\nexpect: {}\nassessment: a.yaml\n",
        "format: spj-case/1\nassessment: a.yaml\n",
        "format: spj-case/1\nexpect: {}\nassessment: 3\n",
        "- 1\n",
    ],
)
def test_run_case_refuses_bad_case_files(tmp_path, text):
    path = tmp_path / "z.case.yaml"
    path.write_text(text)
    assert_spj_error(lambda: run_case(INSTRUMENT, path), code=Code.SCHEMA)


def test_a_broken_case_file_fails_alone_and_the_others_still_run(tmp_path) -> None:
    """Regression: `spj test` stopped at the first case file that could not be read."""
    import subprocess
    import sys

    from helpers import instrument_text

    folder = tmp_path / "inst"
    (folder / "cases").mkdir(parents=True)
    (folder / "instrument.yaml").write_text(instrument_text(), encoding="utf-8")
    (folder / "cases" / "a-broken.case.yaml").write_text("format: spj-case/1\nexpect: [unclosed\n", encoding="utf-8")
    (folder / "cases" / "b-good.case.yaml").write_text(
        "format: spj-case/1\n"
        "assessment:\n"
        "  format: spj-assessment/1\n"
        "  instrument: {id: test-instrument, version: 1.0.0}\n"
        "  id: A-1\n  case: {id: CASE-1}\n  assessor: {id: u-1}\n  date: 2020-01-01\n"
        "expect: {completeness: {indicators: 3}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "spj", "test", str(folder / "instrument.yaml")], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "FAIL" in done.stdout and "a-broken.case.yaml" in done.stdout
    assert "ok   " in done.stdout and "b-good.case.yaml" in done.stdout
    assert "1 passed, 1 failed" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
