"""Carry an assessment over to a newer version of its instrument, as its migration declares.

The result is always a *draft* for the new version, validated against it, and
a list of what a human must re-rate: split and merged indicators, added ones,
codes the recoding could not decide, removed ratings. Nothing is decided for
the expert: merged ratings are a proposal to confirm, judgements are carried
only as the expert left them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from spj.assessment import Assessment, Rating, parse_assessment
from spj.authoring.versioning.diff import VersionRef, migration_from
from spj.errors import AssessmentError, Code, Location, Problem
from spj.files.yamlout import Quoted, dump_yaml
from spj.instrument import Instrument, index_of
from spj.instrument.migration_model import Merge, Migration
from spj.instrument.model import Indicator

Reason = Literal["split", "merged", "added", "recoded", "removed", "unrated"]
_RATING_FIELDS = frozenset(Rating.model_fields)


@dataclass(frozen=True)
class ReRate:
    """An indicator a human must (re-)rate or confirm after the migration, and why."""

    indicator: str
    reason: Reason
    detail: str
    old_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "reason": self.reason, "detail": self.detail, "from": list(self.old_ids)}


@dataclass(frozen=True)
class MigrationResult:
    """A migrated draft (validated against the new version), its YAML text and the report."""

    assessment: Assessment
    text: str
    old: VersionRef
    new: VersionRef
    was_final: bool
    re_rate: tuple[ReRate, ...]
    carried: tuple[tuple[str, str], ...]
    """(old id, new id) of ratings carried over as they were (recoded where declared)."""
    notes: tuple[str, ...]
    through: tuple[VersionRef, ...] = ()
    """The versions passed between `old` and `new` when the migration went through several steps."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "assessment": self.assessment.id,
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "through": [ref.to_dict() for ref in self.through],
            "was_final": self.was_final,
            "status": self.assessment.status,
            "re_rate": [r.to_dict() for r in self.re_rate],
            "carried": [{"from": a, "to": b} for a, b in self.carried],
            "notes": list(self.notes),
        }


def migrate_assessment(
    assessment: Assessment,
    old: Instrument,
    new: Instrument,
    *,
    new_id: str | None = None,
    file: str | None = None,
    today: dt.date | None = None,
) -> MigrationResult:
    """Migrate `assessment` (valid for `old`) to `new`; `AssessmentError` (code `migration`) if it cannot.

    `file` names the output in messages. A final assessment becomes a new
    draft (id `<id>-<new version>` unless `new_id` is given, `previous` its id):
    the final one stays a locked record.
    """
    migration = _migration_for(assessment, old, new)
    builder = _Builder(assessment, old, new, migration)
    builder.run()
    was_final = assessment.status == "final"
    data = assessment.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["instrument"] = {"id": new.id, "version": new.version, "sha256": new.sha256}
    data["status"] = "draft"
    if new_id is not None:
        data["id"] = new_id
    elif was_final:
        data["id"] = f"{assessment.id}-{new.version}"
    if was_final:
        data["previous"] = assessment.id
    data["case"]["fields"] = builder.case_fields()
    data["ratings"] = {
        ident: {key: Quoted(value) if key in new.scales else value for key, value in rating.items()}
        for ident, rating in builder.ratings.items()
    }
    data["judgements"] = builder.judgements()
    header = (
        f"# Migrated by spj on {(today or dt.date.today()).isoformat()} from {old.id} {old.version} "
        f"(sha256 {old.sha256}),\n# assessment {assessment.id} ({assessment.status}), to {new.id} {new.version}. "
        "A draft: re-rate what the migration report lists.\n"
    )
    text = header + dump_yaml(data)
    try:
        migrated = parse_assessment(text, new, file=file)
    except AssessmentError as exc:
        raise AssessmentError(
            [
                Problem(
                    Code.MIGRATION,
                    f"the migrated assessment would not be valid for {new.id} {new.version}; nothing written",
                    Location(file),
                ),
                *exc.problems,
            ]
        ) from exc
    return MigrationResult(
        assessment=migrated,
        text=text,
        old=VersionRef(old.id, old.version, old.sha256),
        new=VersionRef(new.id, new.version, new.sha256),
        was_final=was_final,
        re_rate=tuple(builder.re_rate),
        carried=tuple(builder.carried),
        notes=tuple(builder.notes),
    )


def _migration_for(assessment: Assessment, old: Instrument, new: Instrument) -> Migration:
    where = Location(new.source, path=("migrations",))
    ref = assessment.instrument
    if ref.id != old.id or ref.version != old.version:
        raise AssessmentError(
            Problem(Code.MIGRATION, f"the assessment was made with {ref.id} {ref.version}, not {old.id} {old.version}")
        )
    if new.id != old.id:
        raise AssessmentError(
            Problem(
                Code.MIGRATION, f"{new.id} is another instrument than {old.id}; a migration stays within one", where
            )
        )
    migration = migration_from(new, old.version)
    if migration is None:
        declared = ", ".join(m.from_ for m in new.migrations) or "none"
        raise AssessmentError(
            Problem(
                Code.MIGRATION,
                f"{new.id} {new.version} declares no migration from {old.version} (declared from: {declared}); "
                f"add a `migrations:` entry with `from: {old.version}` to the new version",
                where,
            )
        )
    problems = _old_side_problems(migration, old, new)
    if problems:
        raise AssessmentError(problems)
    return migration


def _old_side_problems(migration: Migration, old: Instrument, new: Instrument) -> list[Problem]:
    """Old ids the migration names must exist in `old`; every old indicator gone from `new` must be accounted for."""
    n = new.migrations.index(migration)
    base = ("migrations", n)
    old_ids = {i.id for i in old.indicators}
    new_ids = {i.id for i in new.indicators}
    named: list[tuple[str, tuple[str | int, ...]]] = [(o, (*base, "renamed", o)) for o in migration.renamed]
    for k, merge in enumerate(migration.merged):
        named += [(o, (*base, "merged", k, "from", j)) for j, o in enumerate(merge.from_)]
    named += [(s.from_, (*base, "split", k, "from")) for k, s in enumerate(migration.split)]
    named += [(o, (*base, "removed", k)) for k, o in enumerate(migration.removed)]
    problems = [
        Problem(Code.MIGRATION, f"{o} is not an indicator of {old.id} {old.version}", Location(new.source, path=path))
        for o, path in named
        if o not in old_ids
    ]
    accounted = {o for o, _ in named}
    for indicator in old.indicators:
        if indicator.id not in new_ids and indicator.id not in accounted:
            problems.append(
                Problem(
                    Code.MIGRATION,
                    f"the migration from {old.version} does not say what becomes of {indicator.id} "
                    "(gone from this version); list it under renamed, merged, split or removed",
                    Location(new.source, path=base),
                )
            )
    return problems


class _Builder:
    """Builds the new ratings, case fields and judgements, collecting the report as it goes."""

    def __init__(self, assessment: Assessment, old: Instrument, new: Instrument, migration: Migration) -> None:
        self.assessment = assessment
        self.old, self.new, self.migration = old, new, migration
        self.old_index, self.new_index = index_of(old), index_of(new)
        self.recode = {r.scale: r.map for r in migration.recoded}
        self.field_recode = {r.field: r.map for r in migration.case_fields}
        self.ratings: dict[str, dict[str, Any]] = {}
        self.re_rate: list[ReRate] = []
        self.carried: list[tuple[str, str]] = []
        self.notes: list[str] = []

    def run(self) -> None:
        m = self.migration
        merged = {merge.into: merge for merge in m.merged}
        split = {new_id: s.from_ for s in m.split for new_id in s.into}
        renamed_to = {new_id: old_id for old_id, new_id in m.renamed.items()}
        moved_away = {*m.renamed, *(o for merge in m.merged for o in merge.from_), *(s.from_ for s in m.split)}
        moved_away |= set(m.removed)
        for indicator in self.new.indicators:
            ident = indicator.id
            if ident in merged:
                self._merge(indicator, merged[ident])
            elif ident in split:
                self._split(indicator, split[ident])
            elif ident in renamed_to or (ident in self.old_index.indicators and ident not in moved_away):
                self._carry(indicator, renamed_to.get(ident, ident))
            elif ident in m.added:
                self.re_rate.append(ReRate(ident, "added", "new in this version: rate it"))
            else:
                self.re_rate.append(ReRate(ident, "unrated", "no rating maps to it: rate it"))
        for old_id in m.removed:
            rating = self.assessment.ratings.get(old_id)
            self.re_rate.append(
                ReRate(old_id, "removed", f"removed from this version; rating dropped ({_show(rating)})", (old_id,))
            )

    def _carry(self, indicator: Indicator, old_id: str) -> None:
        rating = self.assessment.ratings.get(old_id)
        if rating is None:
            return
        self.ratings[indicator.id] = self._adapt(_rating_data(rating), indicator, (old_id,))
        self.carried.append((old_id, indicator.id))

    def _split(self, indicator: Indicator, old_id: str) -> None:
        rating = self.assessment.ratings.get(old_id)
        if rating is not None:
            self.ratings[indicator.id] = self._adapt(_rating_data(rating), indicator, (old_id,))
        self.re_rate.append(
            ReRate(indicator.id, "split", f"split from {old_id} ({_show(rating)}), rating copied: re-rate", (old_id,))
        )

    def _merge(self, indicator: Indicator, merge: Merge) -> None:
        given = [(o, self.assessment.ratings[o]) for o in merge.from_ if o in self.assessment.ratings]
        rated = [(o, r) for o, r in given if not r.omitted and r.codes]
        shown = ", ".join(f"{o} ({_show(self.assessment.ratings.get(o))})" for o in merge.from_)
        self.re_rate.append(
            ReRate(
                indicator.id, "merged", f"merged from {shown} by {merge.rule}: confirm or re-rate", tuple(merge.from_)
            )
        )
        if not given:
            return
        data: dict[str, Any] = {}
        if rated:
            data.update(self._combine_codes(merge, rated))
        else:
            data["omitted"] = True
            data["reason"] = "; ".join(f"{o}: {r.reason}" for o, r in given if r.reason) or "omitted before merging"
        for key in ("for", "against"):
            parts = [
                f"[{o}] {getattr(r.evidence, 'for_' if key == 'for' else key)}"
                for o, r in given
                if r.evidence is not None and getattr(r.evidence, "for_" if key == "for" else key)
            ]
            if parts:
                data.setdefault("evidence", {})[key] = "\n".join(parts)
        sources = list(dict.fromkeys(s for _, r in given for s in r.sources))
        if sources:
            data["sources"] = sources
        notes = [f"[{o}] {r.note}" for o, r in given if r.note]
        if notes:
            data["note"] = "\n".join(notes)
        self.ratings[indicator.id] = self._adapt(data, indicator, tuple(merge.from_))

    def _combine_codes(self, merge: Merge, rated: list[tuple[str, Rating]]) -> dict[str, str]:
        if merge.rule == "first":
            return dict(rated[0][1].codes)
        out: dict[str, str] = {}
        scales = list(dict.fromkeys(s for _, r in rated for s in r.codes))
        for scale in scales:
            by_code = self.old_index.scales[scale].by_code
            values = [(by_code[r.codes[scale]].value, r.codes[scale]) for _, r in rated if scale in r.codes]
            pick = max if merge.rule == "max" else min
            # max/min over values; on a tie the first listed in `from` wins (stable).
            out[scale] = pick(values, key=lambda pair: pair[0])[1]
        return out

    def _adapt(self, data: dict[str, Any], indicator: Indicator, old_ids: tuple[str, ...]) -> dict[str, Any]:
        """Recode the scale codes of a rating for the new version; drop what cannot carry over."""
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in _RATING_FIELDS:
                continue
            if key not in indicator.rate:
                self.notes.append(f"{indicator.id}: {key} is no longer rated; {key} {value!r} dropped")
                continue
            code = self._recode(indicator.id, key, value, old_ids)
            if code is not None:
                out[key] = code
        out.update((key, value) for key, value in data.items() if key in _RATING_FIELDS)
        return out

    def _recode(self, ident: str, scale: str, code: str, old_ids: tuple[str, ...]) -> str | None:
        codes = self.new_index.scales[scale].codes
        mapping = self.recode.get(scale, {})
        if code in mapping:
            target = mapping[code]
            if isinstance(target, str):
                return target
            self.re_rate.append(
                ReRate(ident, "recoded", f"{scale} was {code!r}; now one of {', '.join(target)}: choose", old_ids)
            )
            return None
        if code in codes:
            return code
        self.re_rate.append(
            ReRate(ident, "recoded", f"{scale} was {code!r}, not a code of this version: re-rate", old_ids)
        )
        return None

    def case_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.assessment.case.fields.items():
            field = self.new_index.case_fields.get(name)
            if field is None:
                self.notes.append(f"case field {name} is not in this version; {value!r} dropped")
            elif field.type == "choice":
                codes = self._field_codes(name, value, field.choices)
                if codes:
                    out[name] = codes if field.multiple else codes[0]
            else:
                out[name] = value
        return out

    def _field_codes(self, name: str, value: Any, choices: tuple[str, ...]) -> list[str]:
        """The new codes of a choice; what cannot be carried over is noted for a human to set again."""
        mapping = self.field_recode.get(name, {})
        codes: list[str] = []
        for code in value if isinstance(value, tuple | list) else (value,):
            target = mapping.get(str(code), str(code))
            if not isinstance(target, str):
                options = ", ".join(target)
                self.notes.append(f"case field {name}: {code!r} is now one or more of {options}; set it again")
            elif target not in choices:
                self.notes.append(f"case field {name}: {code!r} is no longer a choice; set it again")
            elif target not in codes:
                codes.append(target)
        return codes

    def judgements(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, entry in self.assessment.judgements.items():
            judgement = self.new_index.judgements.get(name)
            data = entry.model_dump(mode="json", exclude_none=True)
            if judgement is None:
                self.notes.append(f"judgement {name} is not in this version; dropped")
                continue
            if entry.level is not None and entry.level not in judgement.levels:
                self.notes.append(f"judgement {name}: level {entry.level!r} no longer exists; the expert decides again")
                data.pop("level", None)
            out[name] = data
        if any(e.get("level") for e in out.values()):
            self.notes.append(
                f"judgements were made with version {self.old.version}; the expert reviews them against the new ratings"
            )
        return out


def _rating_data(rating: Rating) -> dict[str, Any]:
    return rating.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def _show(rating: Rating | None) -> str:
    if rating is None:
        return "not rated"
    if rating.omitted:
        return "omitted"
    return "/".join(f"{code}" for code in rating.codes.values()) or "not rated"
