"""Carry an assessment over several versions in one go: v1 -> v2 -> v3, each step as its version declares.

The path follows the declared migrations (each version says which older
versions it maps from) through the versions given. The result is one draft
for the last version; what a human must still (re-)rate is kept across the
steps (an indicator added in v2 and not yet rated is still to rate in v3,
under its v3 id), and so is the provenance: the final assessment a draft came
from stays `previous`, and the header names every version passed through.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from spj.assessment import Assessment
from spj.authoring.versioning.diff import VersionRef, migration_from
from spj.authoring.versioning.migrate import MigrationResult, ReRate, migrate_assessment
from spj.errors import AssessmentError, Code, Location, Problem
from spj.instrument import Instrument


def migration_path(version: str, target: Instrument, via: Sequence[Instrument] = ()) -> list[Instrument]:
    """The versions to migrate through from `version` to `target`, `target` last; `AssessmentError` if none.

    Each step is a version that declares a migration from the one before. The
    shortest path wins; among equally short ones, the order of `via`.
    """
    candidates = [i for i in (*via, target) if i.id == target.id]
    paths: dict[str, list[Instrument]] = {version: []}
    frontier = [version]
    while frontier and target.version not in paths:
        following = []
        for current in frontier:
            for step in candidates:
                if step.version not in paths and migration_from(step, current) is not None:
                    paths[step.version] = [*paths[current], step]
                    following.append(step.version)
        frontier = following
    found = paths.get(target.version)
    if found:
        return found
    raise AssessmentError(_no_path(version, target, via))


def _no_path(version: str, target: Instrument, via: Sequence[Instrument]) -> Problem:
    declared = [m.from_ for m in target.migrations]
    given = ", ".join(i.version for i in via) or "none"
    where = Location(target.source, path=("migrations",))
    if not declared:
        return Problem(
            Code.MIGRATION,
            f"{target.id} {target.version} declares no migration from {version} (declared from: none); "
            f"add a `migrations:` entry with `from: {version}` to the new version",
            where,
        )
    return Problem(
        Code.MIGRATION,
        f"{target.id} {target.version} declares no migration from {version}, only from {', '.join(declared)}; "
        f"go through {declared[0]}: give that version with --via FILE (versions given with --via: {given})",
        where,
    )


def migrate_through(
    assessment: Assessment,
    old: Instrument,
    target: Instrument,
    *,
    via: Sequence[Instrument] = (),
    new_id: str | None = None,
    file: str | None = None,
    today: dt.date | None = None,
) -> MigrationResult:
    """Migrate `assessment` (made with `old`) to `target`, through the versions in `via` where needed.

    With one step this is `migrate_assessment`. With more, the result is the
    last step's draft with the re-rate list and notes of every step (mapped to
    the last version's ids) and `through` naming the versions passed.
    """
    path = migration_path(old.version, target, via)
    if len(path) == 1:
        return migrate_assessment(assessment, old, target, new_id=new_id, file=file, today=today)
    final_id = new_id or (f"{assessment.id}-{target.version}" if assessment.status == "final" else assessment.id)
    results: list[MigrationResult] = []
    current, source = assessment, old
    for n, step in enumerate(path):
        last = n == len(path) - 1
        result = migrate_assessment(
            current, source, step, new_id=final_id if last else None, file=file if last else None, today=today
        )
        results.append(result)
        current, source = result.assessment, step
    final = results[-1]
    body = "\n".join(line for line in final.text.splitlines() if not line.startswith("# ")) + "\n"
    header = (
        f"# Migrated by spj on {(today or dt.date.today()).isoformat()} from {old.id} {old.version} "
        f"(sha256 {old.sha256}),\n# assessment {assessment.id} ({assessment.status}), through "
        f"{', '.join(s.version for s in path[:-1])} to {target.id} {target.version}. "
        "A draft: re-rate what the migration report lists.\n"
    )
    return dataclasses.replace(
        final,
        text=header + body,
        old=VersionRef(old.id, old.version, old.sha256),
        was_final=assessment.status == "final",
        re_rate=tuple(_still_to_rate(results, path, final.assessment)),
        notes=tuple(f"[{s.version}] {note}" for s, r in zip(path, results, strict=True) for note in r.notes),
        through=tuple(VersionRef(s.id, s.version, s.sha256) for s in path[:-1]),
    )


def _still_to_rate(results: list[MigrationResult], path: list[Instrument], final: Assessment) -> list[ReRate]:
    """Every step's re-rate items, under the last version's ids, without those a later step settled."""
    out: dict[tuple[str, str], ReRate] = {}
    for n, result in enumerate(results):
        for item in result.re_rate:
            ident = _follow(item.indicator, path, n, item.reason)
            if ident is None:
                continue
            unrated = ident not in final.ratings or not (final.ratings[ident].codes or final.ratings[ident].omitted)
            if item.reason in ("added", "unrated") and not unrated:
                continue
            detail = item.detail if n == len(results) - 1 else f"{item.detail} (in {path[n].version})"
            out.setdefault((ident, item.reason), dataclasses.replace(item, indicator=ident, detail=detail))
    return list(out.values())


def _follow(ident: str, path: list[Instrument], step: int, reason: str) -> str | None:
    """`ident` (an id of `path[step]`) under the last version's ids; None when a later step merged, split or
    removed it (that step reports it itself)."""
    if reason == "removed":
        return ident
    for k in range(step + 1, len(path)):
        migration = migration_from(path[k], path[k - 1].version)
        if migration is None:
            continue
        gone = {o for m in migration.merged for o in m.from_} | {s.from_ for s in migration.split}
        if ident in migration.renamed:
            ident = migration.renamed[ident]
        elif ident in gone or ident in migration.removed:
            return None
    return ident
