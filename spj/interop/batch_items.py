"""What a batch run works through: assessment files of a folder, or the head revisions in a store.

An item names where it comes from (`source`) and the sha256 of its content,
so a resumed run skips exactly what it has already done, and does again what
has changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spj.errors import AssessmentError, Code, ExportError, Location, Problem
from spj.files.yamlsource import read_bytes

if TYPE_CHECKING:  # the store (and SQLAlchemy) only where a store is read: workers start faster
    from spj.store.interface import Store

SUFFIXES = (".yaml", ".yml", ".json")
ASSESSMENT_FORMATS = ("format: spj-assessment/", '"format": "spj-assessment/')


@dataclass(frozen=True)
class BatchItem:
    """One assessment to score or report: a file (`path`) or a store revision's `content`."""

    source: str
    sha256: str
    path: str | None = None
    content: dict[str, Any] | None = None


def folder_items(folder: Path) -> list[BatchItem]:
    """Every assessment file under `folder` (recursively, in path order); other YAML files are left out.

    >>> folder_items(Path("instruments/disengagement-trajectory/examples"))[0].source  # doctest: +SKIP
    'case-0101.assessment.yaml'
    """
    if not folder.is_dir():
        raise ExportError(
            Problem(Code.FILE_NOT_FOUND, "not a folder; give a folder of assessments", Location(str(folder)))
        )
    items = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
        try:
            raw = read_bytes(path, error=AssessmentError)
        except AssessmentError:  # unreadable or too large: the worker reports it with its code
            items.append(BatchItem(path.relative_to(folder).as_posix(), "", path=str(path)))
            continue
        if not any(marker.encode() in raw[:4096] for marker in ASSESSMENT_FORMATS):
            continue
        items.append(BatchItem(path.relative_to(folder).as_posix(), hashlib.sha256(raw).hexdigest(), path=str(path)))
    return items


def store_items(store: Store, agency_id: str) -> list[BatchItem]:
    """The head revision of every assessment of `agency_id`, by assessment id."""
    items = []
    for record in sorted(store.list_assessments(agency_id), key=lambda r: r.id):
        revision = store.get_revision(agency_id, record.id)
        items.append(
            BatchItem(
                f"store:{agency_id}/{record.id}/{revision.number}",
                revision.content_sha256,
                content=revision.content,
            )
        )
    return items


def assessment_items(folder: Path | None, *, db: str | None = None, agency: str | None = None) -> list[BatchItem]:
    """The items of a folder, or of the store at `db` (the head revisions of `agency`): one of the two."""
    if (folder is None) == (db is None):
        raise ExportError(
            Problem(Code.INVALID_REQUEST, "give a folder or --db (with --agency), one of them", Location())
        )
    if folder is not None:
        return folder_items(folder)
    if agency is None:
        raise ExportError(Problem(Code.INVALID_REQUEST, "--db needs --agency: whose assessments?", Location()))
    from spj.store import open_store

    store = open_store(db)
    try:
        return store_items(store, agency)
    finally:
        store.close()


def pending(items: Iterable[BatchItem], done: set[tuple[str, str]]) -> list[BatchItem]:
    """The items not yet done: a source whose content changed since is done again."""
    return [item for item in items if (item.source, item.sha256) not in done]


def done_in(output: Path, *, task: str) -> set[tuple[str, str]]:
    """(source, sha256) of each item `output` already holds without error; a torn last line is cut off.

    A run stopped half-way through writing a line leaves it incomplete: it is
    removed, so the resumed run appends after the last whole line. Any other
    line that is not a result of the same task means `output` is not this
    run's file: refused, nothing changed.
    """
    if not output.exists():
        return set()
    raw = output.read_bytes()
    whole = raw[: raw.rfind(b"\n") + 1]
    done = set()
    for number, line in enumerate(whole.splitlines(), start=1):
        entry = _result_line(line, output, number)
        if entry.get("task") != task:
            raise ExportError(
                Problem(
                    Code.BATCH_OUTPUT,
                    f"line {number} is a {entry.get('task')!r} result, not {task!r}; choose another output file",
                    Location(str(output), number),
                )
            )
        if entry.get("ok") is True:
            done.add((str(entry["source"]), str(entry["sha256"])))
    if len(whole) != len(raw):
        with open(output, "r+b") as handle:
            handle.truncate(len(whole))
    return done


def _result_line(line: bytes, output: Path, number: int) -> dict[str, Any]:
    try:
        entry = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        entry = None
    if not isinstance(entry, dict) or not {"source", "sha256", "ok"} <= entry.keys():
        raise ExportError(
            Problem(
                Code.BATCH_OUTPUT,
                "not a batch result line (JSON Lines from spj batch); choose another output file",
                Location(str(output), number),
            )
        )
    return entry
