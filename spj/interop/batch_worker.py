"""What one batch worker does with one item: load, evaluate, and score or report it, as one JSON line.

A worker process is started with `start_worker(settings)`; the instrument in
the settings travels pickled (its content) and is compiled once per process
(`spj.instrument.loader.restore_instrument`). Instruments that assessments
name are found once per process, then kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from spj.assessment.loader import assessment_from_document
from spj.errors import SpjError
from spj.evaluation.evaluate import evaluate
from spj.instrument import Instrument
from spj.interop.batch_items import BatchItem
from spj.interop.loading import InstrumentFinder, document_of

Task = Literal["score", "report"]


@dataclass(frozen=True)
class BatchSettings:
    """What every item of a run shares."""

    task: Task
    instrument: Instrument | None = None
    """Read every assessment with this instrument; None: each with the one it names, found in `folders`."""
    folders: tuple[str, ...] | None = None
    """Where to find the instruments assessments name (None: `./instruments` and the shipped ones)."""
    report_format: Literal["html", "md"] = "md"
    lang: str | None = None


_settings: BatchSettings | None = None
_finder = InstrumentFinder()


def start_worker(settings: BatchSettings) -> None:
    """Set up this process (a pool's initializer, or the main process for a run without a pool)."""
    global _settings, _finder
    _settings = settings
    _finder = InstrumentFinder(folders=settings.folders)


def process(item: BatchItem) -> dict[str, Any]:
    """The result line of `item`: its evaluation or report, or its problems (`ok: false`)."""
    if _settings is None:
        raise RuntimeError("start_worker() first")
    line: dict[str, Any] = {"task": _settings.task, "source": item.source, "sha256": item.sha256}
    try:
        return {**line, "ok": True, **_result(item, _settings)}
    except SpjError as exc:
        return {**line, "ok": False, "problems": [p.to_dict() for p in exc.problems]}


def encoded(item: BatchItem) -> tuple[bool, str]:
    """`process(item)` as (ok, its JSON line): encoded in the worker, so the main process only writes."""
    line = process(item)
    return line["ok"], json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def _result(item: BatchItem, settings: BatchSettings) -> dict[str, Any]:
    doc = document_of(item)
    instrument = settings.instrument or _finder.for_document(doc)
    assessment = assessment_from_document(doc, instrument)
    evaluation = evaluate(instrument, assessment)
    result: dict[str, Any] = {
        "assessment": assessment.id,
        "instrument": {"id": instrument.id, "version": instrument.version, "sha256": instrument.sha256},
    }
    if settings.task == "score":
        return {**result, "evaluation": evaluation.to_dict()}
    from spj.report import render_report  # the report stack only where reports are made

    report = render_report(instrument, assessment, evaluation, format=settings.report_format, lang=settings.lang)
    return {**result, "format": settings.report_format, "report": report}
