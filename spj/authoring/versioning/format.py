"""Human-readable text for a diff and for a migration report (the data lives in diff.py and migrate.py)."""

from __future__ import annotations

from typing import Any

from spj.authoring.versioning.diff import SECTIONS, FieldChange, InstrumentDiff
from spj.authoring.versioning.migrate import MigrationResult

_SIGN = {"added": "+", "removed": "-", "changed": "~", "renamed": ">"}
_FIELD_WORDS = {"domain": "moved domain", "rate": "rated on", "recommend_when": "expression", "when": "expression"}


def format_diff(diff: InstrumentDiff) -> str:
    """The diff as text: one block per section, then texts per language."""
    old, new = diff.old, diff.new
    lines = [f"{old.id} {old.version} -> {new.id} {new.version}"]
    if diff.identical:
        return lines[0] + ": identical content\n"
    if diff.migration_declared:
        lines.append(f"  ({new.version} declares a migration from {old.version})")
    elif old.version != new.version:
        lines.append(f"  ({new.version} declares no migration from {old.version}: `spj migrate` cannot carry it over)")
    for section in SECTIONS:
        changes = diff.in_section(section)
        if not changes:
            continue
        lines.append(f"{section.replace('_', ' ')}:")
        for item in changes:
            name = f"{item.old_id} -> {item.id}" if item.status == "renamed" else item.id
            lines.append(f"  {_SIGN[item.status]} {name}: {item.status}")
            lines += [f"      {_field(change)}" for change in item.changes]
    if diff.suggested_renames:
        pairs = ", ".join(f"{a}: {b}" for a, b in diff.suggested_renames)
        lines.append("suggested renames (removed and added with the same texts):")
        lines += [f"  {a} -> {b}?" for a, b in diff.suggested_renames]
        lines.append(
            f"  if they mean the same, declare it in {new.version}: "
            f"migrations: [{{from: {old.version}, renamed: {{{pairs}}}}}]; ratings then carry over"
        )
    by_lang = diff.texts_by_language()
    if by_lang:
        lines.append("texts:")
        for lang, texts in by_lang.items():
            lines.append(f"  [{lang}] {len(texts)} changed")
            lines += [f"    {_SIGN[t.status]} {t.path} ({t.status})" for t in texts]
    if len(lines) == 1:
        lines.append("  only layout or order changed")
    return "\n".join(lines) + "\n"


def _field(change: FieldChange) -> str:
    label = _FIELD_WORDS.get(change.field, change.field)
    if change.old is None:
        return f"{label}: added ({_value(change.new)})"
    if change.new is None:
        return f"{label}: removed (was {_value(change.old)})"
    return f"{label}: {_value(change.old)} -> {_value(change.new)}"


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, str) and (" " in value or not value):
        return repr(value)
    return str(value)


def format_migration_report(result: MigrationResult) -> str:
    """What was carried over and what a human must re-rate."""
    lines = [
        f"migrated {result.assessment.id}: {result.old.id} {result.old.version} -> "
        + "".join(f"{ref.version} -> " for ref in result.through)
        + f"{result.new.version} "
        f"(sha256 {result.new.sha256[:12]}…), status draft"
    ]
    if result.was_final:
        lines.append(
            "  the original was final: final assessments are locked records, so this is a new draft "
            f"(previous: {result.assessment.previous}); the original stays as it was"
        )
    renamed = [f"{a} -> {b}" for a, b in result.carried if a != b]
    lines.append(
        f"carried over: {len(result.carried)} rating(s)" + (f" (renamed: {', '.join(renamed)})" if renamed else "")
    )
    if result.re_rate:
        lines.append(f"a human must re-rate or confirm ({len(result.re_rate)}):")
        width = max(len(r.indicator) for r in result.re_rate)
        lines += [f"  {r.indicator:<{width}}  {r.reason:<8}  {r.detail}" for r in result.re_rate]
    else:
        lines.append("nothing to re-rate")
    if result.notes:
        lines.append("notes:")
        lines += [f"  {note}" for note in result.notes]
    return "\n".join(lines) + "\n"
