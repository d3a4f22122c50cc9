"""Write a research export: a Frictionless data package (long-format observations and their data dictionary).

The folder holds `observations.csv`, `dictionary.csv` and `datapackage.json`,
whose table schemas type every column and tie each observation's
(instrument, variable) to a row of the dictionary. It is written whole or not
at all: into a temporary folder beside it, renamed into place at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from spj.errors import Code, ExportError, Location, Problem
from spj.interop.loading import Loaded
from spj.interop.research.keys import MAX_SHIFT_DAYS
from spj.interop.research.rows import OBSERVATION_FIELDS, Privacy, observations
from spj.interop.research.variables import DICTIONARY_FIELDS, Dictionary, Names
from spj.version import __version__

_OBSERVATION_TYPES = {"date": "date"}
_STATUS = {"enum": ["draft", "final"]}


def export_research(
    loaded: Sequence[Loaded], folder: Path, *, privacy: Privacy, lang: str | None = None
) -> dict[str, Any]:
    """Write the export of `loaded` (instrument, assessment, evaluation) to `folder`; its descriptor is returned."""
    dictionary = Dictionary(Names(instrument for instrument, _, _ in loaded), lang=lang)
    rows = [row for triple in loaded for row in observations(*triple, dictionary, privacy)]
    descriptor = _descriptor(privacy, len(loaded))
    files = {
        "observations.csv": csv_text(OBSERVATION_FIELDS, rows),
        "dictionary.csv": csv_text(DICTIONARY_FIELDS, (v.row() for v in dictionary.variables())),
        "datapackage.json": json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
    }
    write_folder(folder, files)
    return descriptor


def write_folder(folder: Path, files: dict[str, str]) -> None:
    """`files` (name → text) as a new folder, atomically; an existing non-empty folder is refused."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExportError(
            Problem(
                Code.OUTPUT, "already there and not empty; choose a new folder for the export", Location(str(folder))
            )
        )
    parent = folder.parent if str(folder.parent) else Path(".")
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    except OSError as exc:
        raise ExportError(Problem(Code.OUTPUT, f"cannot write here: {exc.strerror}", Location(str(folder)))) from exc
    try:
        for name, text in files.items():
            (work / name).write_text(text, encoding="utf-8", newline="")
        work.chmod(0o700)  # an export is personal data, even pseudonymised: its owner's only
        if folder.exists():
            folder.rmdir()
        os.replace(work, folder)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise ExportError(Problem(Code.OUTPUT, f"cannot write: {exc.strerror}", Location(str(folder)))) from exc


def csv_text(fields: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _descriptor(privacy: Privacy, assessments: int) -> dict[str, Any]:
    key = privacy.key
    return {
        "name": "spj-research-export",
        "title": "SPJ assessments, long format, with data dictionary",
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "resources": [_observations_resource(), _dictionary_resource()],
        "spj": {
            "version": __version__,
            "assessments": assessments,
            "deidentified": key is not None,
            "pseudonyms": "HMAC-SHA256 with a key kept apart from this export" if key else None,
            "key_id": key.key_id if key else None,
            "date_shift": f"whole days, the same within a case, at most {MAX_SHIFT_DAYS} either way" if key else None,
            "free_text": privacy.include_text,
        },
    }


def _observations_resource() -> dict[str, Any]:
    fields = [
        {"name": name, "type": _OBSERVATION_TYPES.get(name, "string"), "constraints": {"required": True}}
        for name in OBSERVATION_FIELDS
        if name != "agency"
    ]
    fields.insert(OBSERVATION_FIELDS.index("agency"), {"name": "agency", "type": "string"})
    fields[OBSERVATION_FIELDS.index("status")]["constraints"] = {"required": True, **_STATUS}
    return {
        "name": "observations",
        "path": "observations.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": "One row per recorded value: the variable (see the dictionary) and its value, as text.",
        "schema": {
            "fields": fields,
            "foreignKeys": [
                {
                    "fields": ["instrument", "variable"],
                    "reference": {"resource": "dictionary", "fields": ["instrument", "variable"]},
                }
            ],
        },
    }


def _dictionary_resource() -> dict[str, Any]:
    kinds = [
        "rating",
        "omitted",
        "flag",
        "intervention",
        "judgement",
        "case",
        "background",
        "scenario",
        "completeness",
        "text",
    ]
    fields: list[dict[str, Any]] = [{"name": name, "type": "string"} for name in DICTIONARY_FIELDS]
    fields[DICTIONARY_FIELDS.index("kind")]["constraints"] = {"enum": kinds}
    fields[DICTIONARY_FIELDS.index("type")]["constraints"] = {"enum": ["string", "integer", "number", "boolean"]}
    return {
        "name": "dictionary",
        "path": "dictionary.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": "The data dictionary: each variable's kind, value type, label, codes, versions, former names.",
        "schema": {"fields": fields, "primaryKey": ["instrument", "variable"]},
    }
