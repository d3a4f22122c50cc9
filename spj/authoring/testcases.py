"""Instrument test cases: an assessment and the part of its evaluation expected.

A case file (`format: spj-case/1`)::

    format: spj-case/1
    about: What this case checks.
    assessment: ../examples/case-0101.assessment.yaml   # or the assessment inline
    expect:                                            # a subset of `spj score --json`
      flags: [{id: isolation, status: unknown, missing: [SO1]}]

Lists of objects with ids are compared by their ids, in order; `missing` and
`required_by` are compared as sets; numbers with a tolerance of 0.001.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from spj.assessment import load_assessment
from spj.assessment.loader import assessment_from_document
from spj.errors import Code, SpjError
from spj.evaluation.evaluate import evaluate
from spj.files.yamlsource import Document, parse_yaml, read_text
from spj.instrument import Instrument

SET_KEYS = frozenset({"missing", "required_by", "missing_case_fields"})


def default_cases(instrument_path: str | Path) -> list[Path]:
    """`cases/*.case.yaml` next to the instrument file."""
    return sorted((Path(instrument_path).parent / "cases").glob("*.case.yaml"))


def run_case(instrument: Instrument, path: str | Path) -> list[str]:
    """Differences between the expected and actual evaluation ([] when the case passes)."""
    doc = parse_yaml(read_text(path, error=SpjError), file=str(path), error=SpjError)
    data = doc.data if isinstance(doc.data, dict) else {}
    if data.get("format") != "spj-case/1" or not isinstance(data.get("expect"), dict):
        raise SpjError(doc.problem(Code.SCHEMA, "a case file has 'format: spj-case/1', an assessment and 'expect'", ()))
    source = data.get("assessment")
    if isinstance(source, str):
        assessment = _load_referenced(Path(path).parent / source, instrument, doc)
    elif isinstance(source, dict):
        assessment = assessment_from_document(doc.within(("assessment",)), instrument)
    else:
        raise SpjError(doc.problem(Code.SCHEMA, "'assessment' is a path or an inline assessment", ("assessment",)))
    actual = evaluate(instrument, assessment).to_dict()
    return subset_differences(data["expect"], actual)


def _load_referenced(target: Path, instrument: Instrument, doc: Document) -> Any:
    """The assessment a case file names; a missing one is reported at the case file's `assessment`."""
    if not target.is_file():
        reason = "is a folder, not a file" if target.is_dir() else "no such file"
        raise SpjError(doc.problem(Code.FILE_NOT_FOUND, f"the case's assessment {target}: {reason}", ("assessment",)))
    return load_assessment(target, instrument)


def subset_differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where `expected` is not contained in `actual`."""
    if isinstance(expected, dict):
        return _object_differences(expected, actual, path)
    if isinstance(expected, list):
        return _list_differences(expected, actual, path)
    if isinstance(expected, float) or (
        isinstance(actual, float) and isinstance(expected, int) and not isinstance(expected, bool)
    ):
        if not isinstance(actual, int | float) or not math.isclose(float(expected), float(actual), abs_tol=1e-3):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        return []
    if expected != actual:
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def _object_differences(expected: dict[str, Any], actual: Any, path: str) -> list[str]:
    """Every expected key is in `actual`, with a contained value; `SET_KEYS` lists compare as sets."""
    if not isinstance(actual, dict):
        return [f"{path}: expected an object, got {actual!r}"]
    out: list[str] = []
    for key, value in expected.items():
        if key not in actual:
            out.append(f"{path}.{key}: missing")
        elif key in SET_KEYS and isinstance(value, list):
            if not isinstance(actual[key], list) or set(value) != set(actual[key]):
                out.append(f"{path}.{key}: expected {sorted(value)}, got {actual[key]!r}")
        else:
            out += subset_differences(value, actual[key], f"{path}.{key}")
    return out


def _list_differences(expected: list[Any], actual: Any, path: str) -> list[str]:
    """Lists of objects with ids compare by their ids in order, other lists by length; then item by item."""
    if not isinstance(actual, list):
        return [f"{path}: expected a list, got {actual!r}"]
    if expected and all(isinstance(e, dict) and "id" in e for e in expected):
        want = [e["id"] for e in expected]
        got = [a.get("id") if isinstance(a, dict) else a for a in actual]
        if want != got:
            return [f"{path}: expected ids {want}, got {got}"]
    elif len(expected) != len(actual):
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    out: list[str] = []
    for n, (e, a) in enumerate(zip(expected, actual, strict=True)):
        out += subset_differences(e, a, f"{path}[{n}]")
    return out


__all__ = ["default_cases", "run_case", "subset_differences"]
