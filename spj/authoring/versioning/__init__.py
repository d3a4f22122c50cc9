"""Versions of an instrument: what changed (`diff_instruments`) and carrying assessments over (`migrate_assessment`)."""

from __future__ import annotations

from spj.authoring.versioning.diff import FieldChange as FieldChange
from spj.authoring.versioning.diff import InstrumentDiff as InstrumentDiff
from spj.authoring.versioning.diff import ItemChange as ItemChange
from spj.authoring.versioning.diff import TextChange as TextChange
from spj.authoring.versioning.diff import diff_instruments as diff_instruments
from spj.authoring.versioning.format import format_diff as format_diff
from spj.authoring.versioning.format import format_migration_report as format_migration_report
from spj.authoring.versioning.migrate import MigrationResult as MigrationResult
from spj.authoring.versioning.migrate import ReRate as ReRate
from spj.authoring.versioning.migrate import migrate_assessment as migrate_assessment

__all__ = [
    "FieldChange",
    "InstrumentDiff",
    "ItemChange",
    "MigrationResult",
    "ReRate",
    "TextChange",
    "diff_instruments",
    "format_diff",
    "format_migration_report",
    "migrate_assessment",
]
