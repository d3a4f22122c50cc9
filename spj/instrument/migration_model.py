"""How a new version of an instrument carries assessments over from older ones (data only).

An instrument may declare `migrations:`, one entry per older version it maps
from. Each entry says which indicators were renamed, merged, split, removed or
added, and how scale codes were recoded. Checks live in `migration_checks.py`;
applying a migration lives in `spj.versioning.migrate`.

This module cannot import `model.py` (which imports it), so it repeats the two
patterns it needs; keep them in step with `model.py`.
"""

# No `from __future__ import annotations` here: pydantic reads these annotations as types, not as text
# it must evaluate at import, which makes `import spj` faster.
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
_SEMVER_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"


def _code_as_text(value: Any) -> Any:
    """Scale codes are names: `1` written unquoted is the code "1"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return value


IndicatorId = Annotated[str, StringConstraints(pattern=_NAME_PATTERN, max_length=100)]
OlderVersion = Annotated[str, StringConstraints(pattern=_SEMVER_PATTERN, max_length=64)]
ScaleCode = Annotated[str, BeforeValidator(_code_as_text), StringConstraints(min_length=1, max_length=50)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Merge(_Model):
    """Several old indicators become one; `rule` combines their ratings, a human confirms."""

    into: IndicatorId
    from_: tuple[IndicatorId, ...] = Field(alias="from", min_length=2)
    rule: Literal["max", "min", "first"] = "max"


class Split(_Model):
    """One old indicator becomes several; its rating is copied to each, flagged for re-rating."""

    from_: IndicatorId = Field(alias="from")
    into: tuple[IndicatorId, ...] = Field(min_length=2)


class Recode(_Model):
    """Old codes of a scale → new codes. A list of codes means "one of these": a human chooses."""

    scale: IndicatorId
    map: dict[ScaleCode, ScaleCode | tuple[ScaleCode, ...]]


class CaseFieldRecode(_Model):
    """Old codes of a choice case field → new codes. A list means "one or more of these": a human sets it again."""

    field: IndicatorId
    map: dict[ScaleCode, ScaleCode | tuple[ScaleCode, ...]]


class Migration(_Model):
    """How to carry an assessment made with version `from` over to this version."""

    from_: OlderVersion = Field(alias="from")
    renamed: dict[IndicatorId, IndicatorId] = Field(default_factory=dict)
    merged: tuple[Merge, ...] = ()
    split: tuple[Split, ...] = ()
    recoded: tuple[Recode, ...] = ()
    # Left out of the dump when empty, so the content hash of a migration without it is unchanged.
    case_fields: tuple[CaseFieldRecode, ...] = Field(default=(), exclude_if=lambda value: not value)
    removed: tuple[IndicatorId, ...] = ()
    added: tuple[IndicatorId, ...] = ()
    note: str | None = None
