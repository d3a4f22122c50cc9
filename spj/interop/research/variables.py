"""The data dictionary: one variable per thing an assessment records, named stably across instrument versions.

A variable is named after the newest version of its instrument: a rating of
an indicator that a later version renamed is exported under the new name (the
newest version's `migrations:` say which), so one column holds it whatever
version the assessment was made with. The dictionary lists the former names
and the versions each variable occurs in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from spj.instrument import Instrument
from spj.instrument.model import Text
from spj.instrument.text import localize

Kind = str  # rating | omitted | flag | intervention | judgement | case | background | scenario | completeness | text


@dataclass
class Variable:
    """One row of the data dictionary."""

    instrument: str
    name: str
    kind: Kind
    type: str  # a Frictionless field type of the value: string, integer, number, boolean
    label: str
    codes: dict[str, str] = field(default_factory=dict)
    versions: list[str] = field(default_factory=list)
    former_names: list[str] = field(default_factory=list)

    def row(self) -> dict[str, str]:
        return {
            "instrument": self.instrument,
            "variable": self.name,
            "kind": self.kind,
            "type": self.type,
            "label": self.label,
            "codes": "; ".join(f"{code}={label}" for code, label in self.codes.items()),
            "versions": " ".join(self.versions),
            "former_names": " ".join(self.former_names),
        }


DICTIONARY_FIELDS = ("instrument", "variable", "kind", "type", "label", "codes", "versions", "former_names")


class Names:
    """Stable variable names for the instruments of one export, newest version first."""

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        by_id: dict[str, list[Instrument]] = {}
        for instrument in instruments:
            by_id.setdefault(instrument.id, []).append(instrument)
        self.newest = {i: max(versions, key=lambda v: version_key(v.version)) for i, versions in by_id.items()}
        self._renamed: dict[tuple[str, str], dict[str, str]] = {}
        for ident, newest in self.newest.items():
            for migration in newest.migrations:
                self._renamed[(ident, migration.from_)] = dict(migration.renamed)

    def indicator(self, instrument: Instrument, indicator_id: str) -> str:
        """The stable name of an indicator of `instrument`: its name in the newest version, where it was renamed."""
        return self._renamed.get((instrument.id, instrument.version), {}).get(indicator_id, indicator_id)


def version_key(version: str) -> tuple[int, ...]:
    """A semantic version's numbers, for ordering (pre-release and build parts ignored)."""
    return tuple(int(part) for part in version.split("-", 1)[0].split("+", 1)[0].split("."))


class Dictionary:
    """The variables of an export, in first-seen order, gathered while its rows are made."""

    def __init__(self, names: Names, *, lang: str | None = None) -> None:
        self.names = names
        self.lang = lang
        self._variables: dict[tuple[str, str], Variable] = {}

    def variables(self) -> list[Variable]:
        return list(self._variables.values())

    def label(self, text: Text | None, instrument: Instrument) -> str:
        """`text` in the export's language (falling back to the instrument's default)."""
        return localize(text, self.lang, instrument)

    def note(
        self,
        instrument: Instrument,
        name: str,
        kind: Kind,
        type: str,
        label: Text | None,
        *,
        codes: dict[str, str] | None = None,
        former: str | None = None,
    ) -> str:
        """Record that `name` occurs in `instrument`'s version (the label from the newest version wins)."""
        key = (instrument.id, name)
        variable = self._variables.get(key)
        if variable is None:
            variable = self._variables[key] = Variable(instrument.id, name, kind, type, "")
        if instrument is self.names.newest[instrument.id] or not variable.label:
            variable.label = localize(label, self.lang, instrument)
            variable.codes = dict(codes or {})
        if instrument.version not in variable.versions:
            variable.versions.append(instrument.version)
            variable.versions.sort(key=version_key)
        if former is not None and former != name and f"{former}@{instrument.version}" not in variable.former_names:
            variable.former_names.append(f"{former}@{instrument.version}")
        return name
