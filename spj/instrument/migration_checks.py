"""Load-time checks of an instrument's `migrations:` (the new side only).

What can be checked without the older version: every target exists in this
instrument, recoded codes exist in this instrument's scale, `from` is another
version than this one and appears once, and no id is claimed twice. Whether
the old ids exist is checked when a migration is applied (the older
instrument is known then).
"""

from __future__ import annotations

from collections.abc import Iterable

from spj.errors import Code, Problem, did_you_mean
from spj.files.yamlsource import Document, PathT
from spj.instrument.migration_model import CaseFieldRecode, Migration
from spj.instrument.model import Instrument


def check_migrations(instrument: Instrument, doc: Document) -> list[Problem]:
    """Every problem of `instrument.migrations`, located in `doc`."""
    problems: list[Problem] = []
    seen_versions: dict[str, int] = {}
    for n, migration in enumerate(instrument.migrations):
        base: PathT = ("migrations", n)
        if migration.from_ == instrument.version:
            problems.append(
                doc.problem(
                    Code.MIGRATION,
                    f"a migration maps from an older version, not from this one ({instrument.version})",
                    (*base, "from"),
                )
            )
        if migration.from_ in seen_versions:
            problems.append(
                doc.problem(
                    Code.MIGRATION,
                    f"a second migration from {migration.from_} "
                    f"(the first is migrations[{seen_versions[migration.from_]}]); merge them into one",
                    (*base, "from"),
                )
            )
        seen_versions.setdefault(migration.from_, n)
        problems += _check_one(instrument, migration, base, doc)
    return problems


def _check_one(instrument: Instrument, migration: Migration, base: PathT, doc: Document) -> list[Problem]:
    indicators = [i.id for i in instrument.indicators]
    problems: list[Problem] = []

    def target(ident: str, path: PathT) -> None:
        if ident not in indicators:
            problems.append(
                doc.problem(
                    Code.UNRESOLVED_REFERENCE,
                    f"no indicator {ident!r} in {instrument.id} {instrument.version}" + did_you_mean(ident, indicators),
                    path,
                )
            )

    new_claims: list[tuple[str, PathT]] = []
    old_claims: list[tuple[str, PathT]] = []
    for old, new in migration.renamed.items():
        path = (*base, "renamed", old)
        target(new, path)
        new_claims.append((new, path))
        old_claims.append((old, path))
    for k, merge in enumerate(migration.merged):
        target(merge.into, (*base, "merged", k, "into"))
        new_claims.append((merge.into, (*base, "merged", k, "into")))
        old_claims += [(old, (*base, "merged", k, "from", j)) for j, old in enumerate(merge.from_)]
    for k, split in enumerate(migration.split):
        old_claims.append((split.from_, (*base, "split", k, "from")))
        for j, new in enumerate(split.into):
            target(new, (*base, "split", k, "into", j))
            new_claims.append((new, (*base, "split", k, "into", j)))
    for k, new in enumerate(migration.added):
        target(new, (*base, "added", k))
        new_claims.append((new, (*base, "added", k)))
    for k, old in enumerate(migration.removed):
        path = (*base, "removed", k)
        old_claims.append((old, path))
        if old in indicators:
            problems.append(
                doc.problem(
                    Code.MIGRATION,
                    f"{old} is listed as removed but this version still has it; drop it from removed",
                    path,
                )
            )
    problems += _claimed_twice(
        new_claims, "is the target of more than one mapping (renamed, merged, split, added)", doc
    )
    problems += _claimed_twice(old_claims, "is mapped more than once (renamed, merged, split, removed)", doc)
    for k, recode in enumerate(migration.recoded):
        problems += _check_recode(instrument, recode.scale, recode.map, (*base, "recoded", k), doc)
    for k, field_recode in enumerate(migration.case_fields):
        problems += _check_case_field_recode(instrument, field_recode, (*base, "case_fields", k), doc)
    return problems


def _check_case_field_recode(
    instrument: Instrument, recode: CaseFieldRecode, base: PathT, doc: Document
) -> list[Problem]:
    """The field is a choice of this version and every new code one of its choices."""
    fields = {f.id: f for f in instrument.case_fields}
    field = fields.get(recode.field)
    if field is None or field.type != "choice":
        return [
            doc.problem(
                Code.UNRESOLVED_REFERENCE,
                f"no choice case field {recode.field!r} in this version" + did_you_mean(recode.field, fields),
                (*base, "field"),
            )
        ]
    problems = []
    for old, new in recode.map.items():
        for j, code in enumerate((new,) if isinstance(new, str) else new):
            if code not in field.choices:
                path = (*base, "map", old) if isinstance(new, str) else (*base, "map", old, j)
                problems.append(
                    doc.problem(
                        Code.UNRESOLVED_REFERENCE,
                        f"{code!r} is not a choice of {field.id} in this version; use one of "
                        + ", ".join(field.choices)
                        + did_you_mean(code, field.choices),
                        path,
                    )
                )
    return problems


def _check_recode(
    instrument: Instrument, scale: str, mapping: dict[str, str | tuple[str, ...]], base: PathT, doc: Document
) -> list[Problem]:
    levels = instrument.scales.get(scale)
    if levels is None:
        return [
            doc.problem(
                Code.UNRESOLVED_REFERENCE,
                f"no scale {scale!r} in this version" + did_you_mean(scale, instrument.scales),
                (*base, "scale"),
            )
        ]
    codes = [level.code for level in levels]
    problems = []
    for old, new in mapping.items():
        for j, code in enumerate((new,) if isinstance(new, str) else new):
            if code not in codes:
                path = (*base, "map", old) if isinstance(new, str) else (*base, "map", old, j)
                problems.append(
                    doc.problem(
                        Code.UNRESOLVED_REFERENCE,
                        f"{code!r} is not a {scale} code of this version; use one of {', '.join(codes)}"
                        + did_you_mean(code, codes),
                        path,
                    )
                )
    return problems


def _claimed_twice(claims: Iterable[tuple[str, PathT]], what: str, doc: Document) -> list[Problem]:
    first: dict[str, PathT] = {}
    problems = []
    for ident, path in claims:
        if ident in first:
            problems.append(doc.problem(Code.MIGRATION, f"{ident} {what}; say once what happens to it", path))
        else:
            first[ident] = path
    return problems
