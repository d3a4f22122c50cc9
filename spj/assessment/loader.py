"""Load an assessment (YAML with locations, or JSON) and validate it against its instrument."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from spj.assessment.model import FORMATS, Assessment
from spj.assessment.validate import check_assessment
from spj.errors import AssessmentError, Code, Location, Problem
from spj.files.yamlsource import Document, parse_yaml, read_text
from spj.instrument import Instrument

MAX_JSON_BYTES = 8 * 1024 * 1024


def load_assessment(path: str | Path, instrument: Instrument) -> Assessment:
    """Load an assessment file and validate it against `instrument`.

    `AssessmentError` lists every problem, each with file, line and column.
    """
    text = read_text(path, error=AssessmentError)
    return parse_assessment(text, instrument, file=str(path))


def parse_assessment(text: str, instrument: Instrument, *, file: str | None = None) -> Assessment:
    """Validate an assessment given as YAML text."""
    return assessment_from_document(parse_yaml(text, file=file, error=AssessmentError), instrument)


def parse_assessment_json(text: str | bytes, instrument: Instrument, *, file: str | None = None) -> Assessment:
    """Validate an assessment given as JSON text (as integrators send it).

    JSON has no line numbers worth keeping here; problems name the path.
    """
    if len(text) > MAX_JSON_BYTES:
        raise AssessmentError(Problem(Code.FILE_TOO_LARGE, "document is larger than 8 MiB", Location(file)))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AssessmentError(
            Problem(Code.YAML_SYNTAX, f"JSON syntax error: {exc.msg}", Location(file, exc.lineno, exc.colno))
        ) from None
    except RecursionError:
        raise AssessmentError(Problem(Code.YAML_TOO_DEEP, "JSON nested too deeply", Location(file))) from None
    return assessment_from_data(data, instrument, file=file)


def assessment_from_data(data: Any, instrument: Instrument, *, file: str | None = None) -> Assessment:
    """Validate an assessment given as plain data (a dict)."""
    return assessment_from_document(Document(data, file), instrument)


def assessment_from_document(doc: Document, instrument: Instrument) -> Assessment:
    """Validate a parsed document as an assessment of `instrument`."""
    problems = list(doc.problems)
    if not isinstance(doc.data, dict) or doc.data.get("format") not in FORMATS:
        found = doc.data.get("format") if isinstance(doc.data, dict) else None
        problems.append(
            doc.problem(
                Code.SCHEMA,
                f"format must be 'spj-assessment/1' or 'spj-assessment/2', not {found!r}; is this an assessment?",
                ("format",),
            )
        )
        raise AssessmentError(problems)
    try:
        assessment = Assessment.model_validate(doc.data)
    except ValidationError as exc:
        from spj.files.schema_errors import schema_problems  # only for a file that fails: not at import

        raise AssessmentError([*problems, *schema_problems(exc, doc, Assessment)]) from None
    problems += check_assessment(assessment, instrument, doc)
    if problems:
        raise AssessmentError(sorted(problems, key=lambda p: (p.location.line or 0, p.location.column or 0)))
    return assessment
