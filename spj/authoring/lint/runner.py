"""Run every lint check on a loaded instrument."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from spj.authoring.lint.accept import sort_out
from spj.authoring.lint.authoring import authoring_warnings
from spj.authoring.lint.conditions import condition_warnings
from spj.authoring.lint.context import LintContext
from spj.authoring.lint.model import LintReport, LintWarning
from spj.authoring.lint.ranges import range_warnings
from spj.authoring.lint.texts import translation_warnings
from spj.authoring.lint.truth import truth_warnings
from spj.authoring.lint.usage import usage_warnings
from spj.authoring.lint.versions import version_warnings
from spj.errors import InstrumentError
from spj.files.yamlsource import Document, parse_yaml, read_text
from spj.instrument import Instrument, index_of
from spj.instrument.loader import instrument_from_document

CHECKS: tuple[Callable[[LintContext], list[LintWarning]], ...] = (
    usage_warnings,
    truth_warnings,
    range_warnings,
    translation_warnings,
    authoring_warnings,
    condition_warnings,
)


def lint_instrument(
    instrument: Instrument,
    path: str | Path | None = None,
    *,
    document: Document | None = None,
    previous: Instrument | None = None,
) -> LintReport:
    """Every lint warning for a loaded instrument, in source order; those in `lint.accept` apart.

    Positions come from `document`, else from re-reading `path` (default: the
    file the instrument was loaded from); without either, warnings carry only
    their path in the document. With `previous` (another version of the
    instrument), a content change without a new version is warned about too.

    >>> report = lint_instrument(load_instrument("instrument.yaml"))  # doctest: +SKIP
    >>> [str(w) for w in report.warnings]  # doctest: +SKIP
    """
    file = str(path) if path is not None else instrument.source
    if document is None and file is not None:
        try:
            document = parse_yaml(read_text(file, error=InstrumentError), file=file, error=InstrumentError)
        except InstrumentError:
            document = None  # the file changed or vanished since loading: warn without positions
    ctx = LintContext(instrument, index_of(instrument), document, file)
    warnings = [warning for check in CHECKS for warning in check(ctx)]
    if previous is not None:
        warnings += version_warnings(ctx, previous)
    return sort_out(sorted(warnings, key=_position), instrument)


def lint_text(text: str, *, file: str | None = None, previous: Instrument | None = None) -> LintReport:
    """Load an instrument from YAML text and lint it; `InstrumentError` if it does not load."""
    document = parse_yaml(text, file=file, error=InstrumentError)
    return lint_instrument(instrument_from_document(document), file, document=document, previous=previous)


def lint_file(path: str | Path, *, previous: Instrument | None = None) -> LintReport:
    """Load an instrument file and lint it; `InstrumentError` if it does not load."""
    text = read_text(path, error=InstrumentError)
    return lint_text(text, file=str(path), previous=previous)


def _position(warning: LintWarning) -> tuple[int, int, int]:
    loc = warning.location
    return (loc.line is None, loc.line or 0, loc.column or 0)
