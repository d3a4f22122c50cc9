"""Load an instrument: YAML with locations → schema → checks → compiled, hashed."""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from spj.errors import Code, InstrumentError, Location, Problem
from spj.files.yamlsource import Document, parse_yaml, read_text
from spj.instrument.checks import check_instrument, duplicate_id_problems
from spj.instrument.index import LOADED
from spj.instrument.model import Instrument


def load_instrument(path: str | Path) -> Instrument:
    """Load and check an instrument file; `InstrumentError` lists every problem.

    >>> instrument = load_instrument("instruments/disengagement-trajectory/instrument.yaml")  # doctest: +SKIP
    """
    text = read_text(path, error=InstrumentError)
    return parse_instrument(text, file=str(path))


def parse_instrument(text: str, *, file: str | None = None) -> Instrument:
    """Load an instrument from YAML text (`file` names it in messages)."""
    doc = parse_yaml(text, file=file, error=InstrumentError)
    return instrument_from_document(doc)


def instrument_from_document(doc: Document) -> Instrument:
    """Validate a parsed document as an instrument, compile its rules, hash it."""
    problems: list[Problem] = list(doc.problems)
    if not isinstance(doc.data, dict):
        raise InstrumentError(
            [*problems, doc.problem(Code.SCHEMA, "an instrument is a mapping that starts with 'format: spj/1'", ())]
        )
    if doc.data.get("format") != "spj/1":
        problems.append(
            doc.problem(
                Code.SCHEMA,
                f"format must be 'spj/1', not {doc.data.get('format')!r}; is this an instrument file?",
                ("format",),
            )
        )
        raise InstrumentError(problems)
    problems += duplicate_id_problems(doc.data, doc)
    try:
        instrument = Instrument.model_validate(doc.data)
    except ValidationError as exc:
        from spj.files.schema_errors import schema_problems  # only for a file that fails: not at import
        from spj.instrument.repair import repaired

        problems += schema_problems(exc, doc, Instrument)
        patched = repaired(doc.data, exc)
        if patched is not None:
            # The schema problems are known; report what else is wrong, as if they were fixed
            # (but not the placeholders' own missing translations).
            refused = {p.location.path[:2] for p in problems}
            problems += [
                p
                for p in check_instrument(patched, doc)[1]
                if p.code is not Code.MISSING_TRANSLATION or p.location.path[:2] not in refused
            ]
        raise InstrumentError(sorted(problems, key=_position)) from None
    index, found = check_instrument(instrument, doc)
    problems += found
    if problems or index is None:
        raise InstrumentError(sorted(problems, key=_position))
    LOADED.add(instrument, index)
    instrument._source = doc.file
    instrument._sha256 = content_hash(instrument)
    return instrument


def content_hash(instrument: Instrument) -> str:
    """sha256 of the canonical JSON of the instrument: layout and comments do not count.

    Nor do the `lint:` section and `required_languages`: accepting a lint
    warning or requiring a translation changes nothing an assessment reads, so
    assessments made with the instrument stay valid.
    """
    canonical = json.dumps(
        instrument.model_dump(mode="json", exclude={"lint", "required_languages"}),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_RESTORED: weakref.WeakValueDictionary[tuple[str, str | None], Instrument] = weakref.WeakValueDictionary()
_RESTORING = threading.Lock()


def restore_instrument(content: dict[str, Any], source: str | None, sha256: str) -> Instrument:
    """The instrument a pickle holds (see `Instrument.__reduce__`): checked and compiled again, once per process.

    From its source file when that still holds the same content (so a rule's
    runtime problem names the right line), else from the pickled content itself.
    A content whose hash is not `sha256` is refused: a pickle is not a way to
    bring in an instrument that was never checked as it reads.
    """
    key = (sha256, source)
    with _RESTORING:
        found = _RESTORED.get(key)
        if found is not None:
            return found
        instrument = _from_source(source, sha256) or instrument_from_document(Document(content, source))
        if instrument.sha256 != sha256:
            raise InstrumentError(
                Problem(Code.SCHEMA, "the pickled instrument does not match its content hash", Location(source))
            )
        _RESTORED[key] = instrument
        return instrument


def _from_source(source: str | None, sha256: str) -> Instrument | None:
    if source is None or not Path(source).is_file():
        return None
    try:
        instrument = load_instrument(source)
    except InstrumentError:
        return None
    return instrument if instrument.sha256 == sha256 else None


def _position(problem: Problem) -> tuple[int, int]:
    return (problem.location.line or 0, problem.location.column or 0)
