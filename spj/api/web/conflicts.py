"""Resolving a save conflict field by field: where both people changed a field, the user chooses.

Fields only one side changed merge by themselves (`forms.merge_fields`); a field both changed
differently is never decided for the user: they keep theirs, keep mine, or (for free text) write a
combination. The choices travel as `resolve:NAME` (mine, theirs, combine) and `combine:NAME` fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

RESOLVE = "resolve:"
COMBINE = "combine:"
CHOICES = ("mine", "theirs", "combine")
# Free-text fields, by the last part of their form name: only these can be combined.
_TEXT_PARTS = frozenset({"formulation", "reason", "for", "against", "rationale", "text", "note", "notes"})


@dataclass(frozen=True)
class Clash:
    """A field both people changed differently, with both raw values (for the choice and the combination)."""

    name: str
    label: str
    mine: str
    theirs: str
    mine_shown: str
    theirs_shown: str

    @property
    def combinable(self) -> bool:
        return is_free_text(self.name)


def is_free_text(name: str) -> bool:
    """Whether a form field holds the user's own words (combinable), not a code or a tick."""
    return name.rsplit(".", 1)[-1] in _TEXT_PARTS


def is_resolution_field(name: str) -> bool:
    """Whether a posted field is a conflict choice (never assessment content)."""
    return name.startswith((RESOLVE, COMBINE))


def chosen(fields: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, str]]:
    """The user's choices: field name → (choice, combined text); unknown choices are ignored (still to choose)."""
    found: dict[str, tuple[str, str]] = {}
    for key, values in fields.items():
        if not key.startswith(RESOLVE) or not values or values[0] not in CHOICES:
            continue
        name = key[len(RESOLVE) :]
        if values[0] == "combine" and not is_free_text(name):
            continue
        combined = (fields.get(COMBINE + name) or [""])[0]
        found[name] = (values[0], combined)
    return found


def unresolved(clashing: Sequence[str], choices: Mapping[str, tuple[str, str]]) -> list[str]:
    """The clashing fields the user has not decided yet."""
    return [name for name in clashing if name not in choices]


def apply_choices(
    merged: Mapping[str, Sequence[str]],
    head: Mapping[str, Sequence[str]],
    choices: Mapping[str, tuple[str, str]],
    clashing: Sequence[str],
) -> dict[str, list[str]]:
    """`merged` (mine applied on the head) with each clashing field as the user chose."""
    result = {name: list(values) for name, values in merged.items()}
    for name in clashing:
        choice, combined = choices[name]
        if choice == "theirs":
            value = list(head.get(name) or ())
        elif choice == "combine":
            value = [combined] if combined.strip() else []
        else:
            continue  # mine: already in `merged`
        if value:
            result[name] = value
        else:
            result.pop(name, None)
    return result
