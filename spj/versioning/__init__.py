"""Versions of an instrument: what changed (`diff_instruments`) and carrying assessments over (`migrate_assessment`)."""

from __future__ import annotations

from .diff import FieldChange as FieldChange
from .diff import InstrumentDiff as InstrumentDiff
from .diff import ItemChange as ItemChange
from .diff import TextChange as TextChange
from .diff import diff_instruments as diff_instruments
from .format import format_diff as format_diff
from .format import format_migration_report as format_migration_report
from .migrate import MigrationResult as MigrationResult
from .migrate import ReRate as ReRate
from .migrate import migrate_assessment as migrate_assessment

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
