"""What changed between two versions of an instrument, as data.

`diff_instruments(old, new)` compares item by item (indicators, scales,
domains, rules, interventions, judgements, case fields) and text by text, per
language. Where the new version declares a migration from the old one, its
renames are followed, so a renamed indicator shows as renamed rather than as
removed and added. Formatting lives in `format.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from spj.authoring.versioning.renames import suggest_renames
from spj.instrument import Instrument
from spj.instrument.migration_model import Migration
from spj.instrument.model import Text

Status = Literal["added", "removed", "changed", "renamed"]
TextStatus = Literal["added", "removed", "changed"]

SECTIONS = ("instrument", "scales", "domains", "indicators", "case_fields", "rules", "interventions", "judgements")
_TEXT_KEYS = ("title", "description", "guidance", "message")
_TEXT_MAPS = ("anchors", "labels")


@dataclass(frozen=True)
class FieldChange:
    """One field of an item, before and after (None: not there)."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ItemChange:
    """An item (indicator, scale, rule, ...) added, removed, renamed or changed."""

    section: str
    id: str
    status: Status
    changes: tuple[FieldChange, ...] = ()
    old_id: str | None = None
    """For a renamed item: its id in the old version."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"section": self.section, "id": self.id, "status": self.status}
        if self.old_id is not None:
            out["old_id"] = self.old_id
        if self.changes:
            out["changes"] = [c.to_dict() for c in self.changes]
        return out


@dataclass(frozen=True)
class TextChange:
    """A text in one language added, removed or changed (`path` like `indicators.SO1.title`)."""

    lang: str
    path: str
    status: TextStatus

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status}


@dataclass(frozen=True)
class VersionRef:
    id: str
    version: str
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


@dataclass(frozen=True)
class InstrumentDiff:
    """Everything that changed from `old` to `new`."""

    old: VersionRef
    new: VersionRef
    items: tuple[ItemChange, ...] = ()
    texts: tuple[TextChange, ...] = ()
    migration_declared: bool = False
    """Whether `new` declares a migration from `old`'s version."""
    suggested_renames: tuple[tuple[str, str], ...] = ()
    """(old id, new id): indicators removed and added with the same texts, not declared as renamed."""

    @property
    def identical(self) -> bool:
        """No change at all (the content hashes agree)."""
        return self.old.sha256 == self.new.sha256

    def in_section(self, section: str) -> list[ItemChange]:
        return [item for item in self.items if item.section == section]

    def texts_by_language(self) -> dict[str, list[TextChange]]:
        out: dict[str, list[TextChange]] = {}
        for change in self.texts:
            out.setdefault(change.lang, []).append(change)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "identical": self.identical,
            "migration_declared": self.migration_declared,
            "suggested_renames": [{"from": a, "to": b} for a, b in self.suggested_renames],
            "changes": {s: [i.to_dict() for i in self.in_section(s)] for s in SECTIONS},
            "texts": {lang: [c.to_dict() for c in changes] for lang, changes in self.texts_by_language().items()},
        }


def diff_instruments(old: Instrument, new: Instrument) -> InstrumentDiff:
    """Compare two versions of an instrument.

    >>> diff = diff_instruments(v1, v2)  # doctest: +SKIP
    >>> [c.id for c in diff.in_section("indicators") if c.status == "added"]  # doctest: +SKIP
    ['SO3']
    """
    migration = migration_from(new, old.version)
    renamed = dict(migration.renamed) if migration else {}
    items: list[ItemChange] = []
    items += _instrument_fields(old, new)
    items += _scales(old, new)
    items += _items("domains", old.domains, new.domains, (), {})
    items += _items(
        "indicators",
        old.indicators,
        new.indicators,
        ("domain", "kind", "rate", "anchors", "informs", "applies_when", "scale_applies_when"),
        renamed,
    )
    items += _items("case_fields", old.case_fields, new.case_fields, ("type", "choices"), {})
    items += _items("rules", old.rules, new.rules, ("when", "severity"), {})
    items += _items(
        "interventions",
        old.interventions,
        new.interventions,
        ("domain", "provider", "duration_weeks", "recommend_when", "requires", "after"),
        {},
    )
    items += _items("judgements", old.judgements, new.judgements, ("levels", "rationale_required", "labels"), {})
    return InstrumentDiff(
        old=VersionRef(old.id, old.version, old.sha256),
        new=VersionRef(new.id, new.version, new.sha256),
        items=tuple(items),
        texts=tuple(_texts(old, new, renamed)),
        migration_declared=migration is not None,
        suggested_renames=tuple(suggest_renames(old, new, declared=renamed)),
    )


def migration_from(instrument: Instrument, version: str) -> Migration | None:
    """The migration `instrument` declares from `version`, if any."""
    return next((m for m in instrument.migrations if m.from_ == version), None)


def _plain(value: Any) -> Any:
    """A JSON-ready value for comparing and reporting (tuples as lists, mapping keys only for texts)."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _instrument_fields(old: Instrument, new: Instrument) -> list[ItemChange]:
    pairs = {
        "id": (old.id, new.id),
        "version": (old.version, new.version),
        "license": (old.license, new.license),
        "citation": (old.citation, new.citation),
        "languages": (list(old.languages), list(new.languages)),
        "max_omitted_ratio": (old.omission.max_omitted_ratio, new.omission.max_omitted_ratio),
    }
    changes = tuple(FieldChange(name, a, b) for name, (a, b) in pairs.items() if a != b)
    return [ItemChange("instrument", new.id, "changed", changes)] if changes else []


def _scales(old: Instrument, new: Instrument) -> list[ItemChange]:
    out = []
    for name in new.scales:
        if name not in old.scales:
            out.append(ItemChange("scales", name, "added"))
    for name, old_levels in old.scales.items():
        new_levels = new.scales.get(name)
        if new_levels is None:
            out.append(ItemChange("scales", name, "removed"))
            continue
        before = {level.code: level.value for level in old_levels}
        after = {level.code: level.value for level in new_levels}
        changes = [FieldChange(f"levels.{code}", None, value) for code, value in after.items() if code not in before]
        changes += [FieldChange(f"levels.{code}", value, None) for code, value in before.items() if code not in after]
        changes += [
            FieldChange(f"levels.{code}.value", value, after[code])
            for code, value in before.items()
            if code in after and after[code] != value
        ]
        order_before = [c for c in before if c in after]
        order_after = [c for c in after if c in before]
        if order_before != order_after:
            changes.append(FieldChange("order", order_before, order_after))
        if changes:
            out.append(ItemChange("scales", name, "changed", tuple(changes)))
    return out


def _items(
    section: str, old: tuple[Any, ...], new: tuple[Any, ...], fields: tuple[str, ...], renamed: dict[str, str]
) -> list[ItemChange]:
    before = {item.id: item for item in old}
    after = {item.id: item for item in new}
    back = {new_id: old_id for old_id, new_id in renamed.items() if old_id in before and new_id in after}
    out: list[ItemChange] = []
    for ident, item in after.items():
        old_id = back.get(ident, ident if ident in before else None)
        if old_id is None:
            out.append(ItemChange(section, ident, "added"))
            continue
        previous = before[old_id]
        changes = []
        for name in fields:
            a, b = getattr(previous, name), getattr(item, name)
            if name in _TEXT_MAPS:  # their texts are compared per language; here only which codes have one
                a, b = sorted(a), sorted(b)
            if _plain(a) != _plain(b):
                changes.append(FieldChange(name, _plain(a), _plain(b)))
        if old_id != ident:
            out.append(ItemChange(section, ident, "renamed", tuple(changes), old_id=old_id))
        elif changes:
            out.append(ItemChange(section, ident, "changed", tuple(changes)))
    gone = set(back.values())
    out += [ItemChange(section, ident, "removed") for ident in before if ident not in after and ident not in gone]
    return out


def _text_entries(instrument: Instrument, renamed: dict[str, str]) -> Iterator[tuple[str, Text | None]]:
    """(path, text) for every text; old ids are given their new names so renamed items compare."""
    yield "title", instrument.title
    yield "description", instrument.description
    for name, levels in instrument.scales.items():
        for level in levels:
            yield f"scales.{name}.{level.code}.label", level.label
            yield f"scales.{name}.{level.code}.description", level.description
    for section in SECTIONS[2:]:
        for item in getattr(instrument, section):
            ident = renamed.get(item.id, item.id)
            for key in _TEXT_KEYS:
                if key in type(item).model_fields:
                    yield f"{section}.{ident}.{key}", getattr(item, key)
            for key in _TEXT_MAPS:
                for code, text in (getattr(item, key, None) or {}).items():
                    yield f"{section}.{ident}.{key}.{code}", text


def _per_language(text: Text | None, default: str) -> dict[str, str]:
    if text is None:
        return {}
    if isinstance(text, str):
        return {default: text}
    return dict(text)


def _texts(old: Instrument, new: Instrument, renamed: dict[str, str]) -> list[TextChange]:
    """Texts of items present in both versions, per language (items added or removed are listed once, above)."""
    before = dict(_text_entries(old, renamed))
    after = dict(_text_entries(new, {}))
    owners_before, owners_after = _owners(before), _owners(after)
    changes = []
    for path in (p for p in after if p in before or _owner(p) in owners_before):
        a = _per_language(before.get(path), old.default_language)
        b = _per_language(after[path], new.default_language)
        for lang in [*new.languages, *(x for x in old.languages if x not in new.languages)]:
            if lang in b and lang not in a:
                changes.append(TextChange(lang, path, "added"))
            elif lang in a and lang not in b:
                changes.append(TextChange(lang, path, "removed"))
            elif lang in a and a[lang] != b[lang]:
                changes.append(TextChange(lang, path, "changed"))
    for path in before:
        if path not in after and _owner(path) in owners_after:
            changes += [TextChange(lang, path, "removed") for lang in _per_language(before[path], old.default_language)]
    return changes


def _owner(path: str) -> str:
    """The item a text belongs to: `indicators.SO1` for `indicators.SO1.anchors.Y`."""
    parts = path.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else ""


def _owners(entries: dict[str, Any]) -> set[str]:
    return {_owner(p) for p in entries}
