"""Load a vignette (`format: spj-vignette/1`) and check it like an assessment.

The reference is rebuilt as a *final* assessment of the instrument, with the
positions of the vignette file, and validated by the assessment loader: a
reference with an unknown code, a missing scale or a judgement without its
rationale is refused exactly where an assessment would be, and nowhere else.
On top, a vignette must give a reference rating and a rationale for every
indicator (`vignette-reference`), so that every indicator can be fed back.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from spj.assessment.loader import assessment_from_document
from spj.authoring.training.errors import TrainingError
from spj.authoring.training.model import VIGNETTE_FORMAT, Vignette, VignetteInput
from spj.errors import Code, Problem, SpjError
from spj.files.schema_errors import schema_problems
from spj.files.yamlsource import Document, PathT, parse_yaml, read_text
from spj.instrument import Instrument

REFERENCE_DATE = "2000-01-01"
"""A vignette is not dated; its reference needs a date to be an assessment."""


def load_vignette(path: str | Path, instrument: Instrument) -> Vignette:
    """Load a vignette file; `TrainingError` lists every problem, located in the file."""
    text = read_text(path, error=TrainingError)
    return parse_vignette(text, instrument, file=str(path))


def parse_vignette(text: str, instrument: Instrument, *, file: str | None = None) -> Vignette:
    """A vignette given as YAML text."""
    doc = parse_yaml(text, file=file, error=TrainingError)
    return vignette_from_document(doc, instrument, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def vignette_from_document(doc: Document, instrument: Instrument, *, sha256: str) -> Vignette:
    """Validate a parsed document as a vignette of `instrument`."""
    if not isinstance(doc.data, dict) or doc.data.get("format") != VIGNETTE_FORMAT:
        found = doc.data.get("format") if isinstance(doc.data, dict) else None
        raise TrainingError(
            doc.problem(Code.SCHEMA, f"format must be {VIGNETTE_FORMAT!r}, not {found!r}; is this a vignette?", ())
        )
    problems = list(doc.problems)
    if "reference" not in doc.data or not doc.data.get("reference"):
        problems.append(
            doc.problem(
                Code.VIGNETTE_REFERENCE,
                "this vignette has no reference: add `reference:` with a rating and a rationale for every "
                "indicator and a level and a rationale for every judgement",
                (),
            )
        )
        raise TrainingError(problems)
    try:
        given = VignetteInput.model_validate(doc.data)
    except ValidationError as exc:
        raise TrainingError([*problems, *schema_problems(exc, doc, VignetteInput)]) from None
    own = _reference_problems(given, instrument, doc)
    problems += own
    if not given.reference.ratings:
        raise TrainingError(problems)
    try:
        reference = assessment_from_document(_as_assessment(given, doc), instrument)
    except SpjError as exc:
        # A missing rating is already reported by name, at reference.ratings; not again as an incomplete final.
        problems += [_in_reference(p) for p in exc.problems if not (own and p.code is Code.INCOMPLETE)]
    if problems:
        raise TrainingError(sorted(problems, key=lambda p: (p.location.line or 0, p.location.column or 0)))
    rationales = {ind: str(rating["rationale"]).strip() for ind, rating in given.reference.ratings.items()}
    return Vignette(given.id, given.title, given.narrative, reference, rationales, sha256, doc.file)


def _reference_problems(given: VignetteInput, instrument: Instrument, doc: Document) -> list[Problem]:
    """Every indicator rated (or omitted) with a rationale; every judgement given."""
    problems: list[Problem] = []
    ratings = given.reference.ratings
    if not ratings:
        return [
            doc.problem(
                Code.VIGNETTE_REFERENCE,
                "this vignette has no reference ratings: rate every indicator under reference.ratings, each "
                "with a rationale; a trainee's ratings are compared with them",
                ("reference",),
            )
        ]
    for indicator in instrument.indicators:
        rating = ratings.get(indicator.id)
        if rating is None:
            problems.append(
                doc.problem(
                    Code.VIGNETTE_REFERENCE,
                    f"no reference rating for {indicator.id}: every indicator needs one, with a rationale",
                    ("reference", "ratings"),
                )
            )
        elif not str(rating.get("rationale") or "").strip():
            problems.append(
                doc.problem(
                    Code.VIGNETTE_REFERENCE,
                    f"the reference rating of {indicator.id} has no rationale: say why, for the trainee's feedback",
                    ("reference", "ratings", indicator.id),
                )
            )
    return problems


def _as_assessment(given: VignetteInput, doc: Document) -> Document:
    """The reference as a final assessment document, keeping the vignette file's positions."""
    data: dict[str, Any] = {
        "format": "spj-assessment/1",
        "instrument": given.instrument.model_dump(exclude_none=True),
        "id": f"reference-{given.id}",
        "case": given.case,
        "assessor": {"id": "reference"},
        "date": REFERENCE_DATE,
        "status": "final",
        "sources": given.sources,
        "ratings": {k: {f: v for f, v in r.items() if f != "rationale"} for k, r in given.reference.ratings.items()},
        "judgements": given.reference.judgements,
    }
    if given.reference.formulation is not None:
        data["formulation"] = given.reference.formulation
    moved: dict[PathT, PathT] = {("ratings",): ("reference", "ratings"), ("judgements",): ("reference", "judgements"),
             ("formulation",): ("reference", "formulation")}  # fmt: skip
    return Document(data, doc.file, _remap(doc.positions, moved), [], _remap(doc.scalars, moved), doc.text)


def _in_reference(problem: Problem) -> Problem:
    """A problem of the rebuilt assessment, with its path as the vignette has it."""
    path = problem.location.path
    if path and path[0] in ("ratings", "judgements", "formulation"):
        return dataclasses.replace(problem, location=dataclasses.replace(problem.location, path=("reference", *path)))
    return problem


def _remap(located: dict[PathT, Any], moved: dict[PathT, PathT]) -> dict[PathT, Any]:
    """Positions keyed by assessment paths: a moved subtree takes its positions from where the vignette has it."""
    out = dict(located)
    for target, source in moved.items():
        size = len(source)
        for path, where in located.items():
            if tuple(path[:size]) == source:
                out[(*target, *path[size:])] = where
    return out
