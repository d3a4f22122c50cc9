"""Shared test helpers: one error assertion and a small instrument header.

Instruments are written inline next to the assertions; `HEADER` is the part
every one of them repeats (format, id, version, scales).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

import pytest

import spj

HEADER = """\
format: spj/1
id: test-instrument
version: 1.0.0
title: {en: Test instrument}
languages: [en, nl]
license: CC0-1.0
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent}}
    - {code: "P", value: 1, label: {en: Partly}}
    - {code: "Y", value: 2, label: {en: Present}}
  relevance:
    - {code: low, value: 0, label: {en: Low}}
    - {code: moderate, value: 1, label: {en: Moderate}}
    - {code: high, value: 2, label: {en: High}}
"""

# Two domains, three indicators: the body most tests extend.
BODY = """\
domains:
  - {id: social, title: {en: Social}}
  - {id: wellbeing, title: {en: Wellbeing}}
indicators:
  - {id: SO1, domain: social, kind: risk, title: {en: Peers}}
  - {id: SO2, domain: social, kind: protective, title: {en: Family}}
  - {id: WB1, domain: wellbeing, kind: risk, title: {en: Trauma}}
"""

ASSESSMENT_HEADER = """\
format: spj-assessment/1
instrument: {id: test-instrument, version: 1.0.0}
id: A-0001
case: {id: CASE-0001}
assessor: {id: u-1}
date: 2020-01-01
"""


def instrument_text(rest: str = "", *, body: str = BODY) -> str:
    """An instrument: the common header, `body` and the test's own `rest`."""
    return HEADER + textwrap.dedent(body) + textwrap.dedent(rest)


def make_instrument(rest: str = "", *, body: str = BODY) -> spj.Instrument:
    return spj.parse_instrument(instrument_text(rest, body=body), file="inst.yaml")


def assessment_text(rest: str = "", *, header: str = ASSESSMENT_HEADER) -> str:
    return header + textwrap.dedent(rest)


def make_assessment(instrument: spj.Instrument, rest: str = "", *, header: str = ASSESSMENT_HEADER) -> spj.Assessment:
    return spj.parse_assessment(assessment_text(rest, header=header), instrument, file="case.yaml")


def assert_spj_error(
    call: Callable[[], Any],
    code: str | spj.Code,
    *,
    error: type[spj.SpjError] = spj.SpjError,
    line: int | None = None,
    column: int | None = None,
    message: str | None = None,
    count: int | None = None,
) -> spj.SpjError:
    """`call()` raises `error` with a problem of `code` (at `line`/`column`, mentioning `message`)."""
    with pytest.raises(error) as info:
        call()
    exc = info.value
    code = spj.Code(code)
    matching = [p for p in exc.problems if p.code == code]
    assert matching, f"no {code.value!r} problem in {exc.codes}: {exc}"
    if line is not None:
        assert any(p.location.line == line for p in matching), f"no {code.value} at line {line}: {exc}"
    if column is not None:
        assert any(p.location.column == column for p in matching), f"no {code.value} at column {column}: {exc}"
    if message is not None:
        assert any(message in p.message for p in matching), f"{message!r} not in {exc}"
    if count is not None:
        assert len(exc.problems) == count, f"expected {count} problems, got {exc.codes}: {exc}"
    return exc
