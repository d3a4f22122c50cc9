"""Check any spj file by its `format:`: instruments, assessments (with their agreed plan), deployments, vignettes.

`check_file` raises an `SpjError` listing every problem of a file that is
invalid, and returns the warnings of one that is valid (a draft's undecided
plan, say), so that `spj validate` stays a thin loop over files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from spj.assessment import Assessment
from spj.assessment.loader import assessment_from_document
from spj.assessment.validate import applicability_warnings
from spj.authoring.training.loader import vignette_from_document
from spj.authoring.training.model import VIGNETTE_FORMAT
from spj.disclosure import deployment_from_document
from spj.disclosure.consultation import consultation_from_document
from spj.errors import AssessmentError, Code, Location, Problem, SpjError
from spj.evaluation.agreed import plan_problems
from spj.evaluation.evaluate import evaluate
from spj.files.yamlsource import Document, parse_yaml, read_text
from spj.instrument import Instrument, load_instrument
from spj.instrument.discovery import find_instrument, instrument_ref

ASSESSMENT_FORMATS = ("spj-assessment/1", "spj-assessment/2")


Finalising = Callable[[Assessment, Location], list[Problem]]
"""A deployment's check of who finalises (certification): warnings, or an `SpjError` to refuse."""


def check_file(
    path: Path, *, instrument: Instrument | None = None, finalising: Finalising | None = None
) -> list[Problem]:
    """Check one file; return its warnings, raise `SpjError` with every problem if it is invalid."""
    doc = parse_yaml(read_text(path, error=SpjError), file=str(path), error=SpjError)
    kind = doc.data.get("format") if isinstance(doc.data, dict) else None
    if kind in ASSESSMENT_FORMATS:
        if instrument is None:
            ref_id, ref_version, where = instrument_ref(path)
            instrument = find_instrument(ref_id, ref_version, where=where)
        warnings = check_assessment_document(doc, instrument)
        if finalising is not None:
            warnings += finalising(assessment_from_document(doc, instrument), doc.locate(("assessor", "id")))
        return warnings
    if kind == "spj/1":
        load_instrument(path)
        return []
    if kind == VIGNETTE_FORMAT:
        if instrument is None:
            ref_id, ref_version, where = instrument_ref(path)
            instrument = find_instrument(ref_id, ref_version, where=where)
        vignette_from_document(doc, instrument, sha256="")
        return []
    if kind == "spj-deployment/1":
        deployment_from_document(doc)
        return []
    if kind == "spj-consultation/1":
        consultation_from_document(doc)
        return []
    raise SpjError(
        Problem(
            Code.SCHEMA,
            f"unknown format {kind!r}; expected spj/1, spj-assessment/1, spj-assessment/2, spj-deployment/1, "
            "spj-consultation/1 or spj-vignette/1",
            Location(str(path), 1, 1, ("format",)),
        )
    )


def check_assessment_document(doc: Document, instrument: Instrument) -> list[Problem]:
    """An assessment and its agreed plan: a final's plan problems are errors, a draft's are warnings."""
    assessment = assessment_from_document(doc, instrument)
    agreed = evaluate(instrument, assessment).agreed_plan
    problems = plan_problems(agreed, doc) if agreed is not None else []
    if problems and assessment.status == "final":
        raise AssessmentError(sorted(problems, key=lambda p: (p.location.line or 0, p.location.column or 0)))
    return problems + applicability_warnings(assessment, instrument, doc)
