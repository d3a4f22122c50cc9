"""Load the assessments of a batch or an export, each with the instrument it names (found once, then kept)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from spj.assessment import Assessment
from spj.assessment.loader import assessment_from_document
from spj.errors import AssessmentError, Code, ExportError, Problem, SpjError
from spj.evaluation.evaluate import evaluate
from spj.evaluation.results import Evaluation
from spj.files.yamlsource import Document, parse_yaml, read_text
from spj.instrument import Instrument
from spj.instrument.discovery import find_instrument
from spj.interop.batch_items import BatchItem

Loaded = tuple[Instrument, Assessment, Evaluation]


class InstrumentFinder:
    """The instrument each assessment names: `given` ones first, then found in `folders` (default: the usual)."""

    def __init__(self, given: Iterable[Instrument] = (), *, folders: Iterable[str] | None = None) -> None:
        self._found = {(i.id, i.version): i for i in given}
        self._folders = None if folders is None else [Path(f) for f in folders]

    def for_document(self, doc: Document) -> Instrument:
        ref = doc.data.get("instrument") if isinstance(doc.data, dict) else None
        if not (isinstance(ref, dict) and isinstance(ref.get("id"), str) and ref.get("version") is not None):
            raise AssessmentError(
                doc.problem(
                    Code.SCHEMA,
                    "the assessment does not name its instrument (instrument: {id, version})",
                    ("instrument",),
                )
            )
        key = (ref["id"], str(ref["version"]))
        if key not in self._found:
            self._found[key] = find_instrument(*key, folders=self._folders, where=doc.locate(("instrument",)))
        return self._found[key]


def document_of(item: BatchItem) -> Document:
    """The item's content as a document: parsed from its file (with locations), or the store's JSON data."""
    if item.content is not None:
        return Document(item.content, item.source)
    if item.path is None:
        raise ValueError(f"item {item.source} has neither a path nor content")
    return parse_yaml(read_text(item.path, error=AssessmentError), file=item.path, error=AssessmentError)


def load_all(items: Iterable[BatchItem], finder: InstrumentFinder) -> list[Loaded]:
    """Every item loaded and evaluated; `ExportError` with every item's problems when any has one."""
    loaded: list[Loaded] = []
    problems: list[Problem] = []
    for item in items:
        try:
            doc = document_of(item)
            instrument = finder.for_document(doc)
            assessment = assessment_from_document(doc, instrument)
            loaded.append((instrument, assessment, evaluate(instrument, assessment)))
        except SpjError as exc:
            problems += exc.problems
    if problems:
        raise ExportError(problems)
    return loaded
