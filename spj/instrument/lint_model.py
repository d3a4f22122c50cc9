"""The lint codes and the instrument's `lint:` section (data only).

`spj lint` (in `spj.authoring.lint`) warns about what an instrument probably
does not mean. Some warnings describe a choice its authors made on purpose;
they say so in the instrument, each with its reason, and lint then lists the
warning as accepted instead of counting it:

```yaml
lint:
  accept:
    - {code: no-rationale-required, at: trajectory_readiness, reason: Piloted without one; revisit in 2.0.}
```

or, several warnings with one reason:

```yaml
lint:
  allow: [unused-indicator: [MH4, MH5], no-guidance: [MH4]]
  reason: Context items, read by the assessor only.
```

The codes live here, below the lint checks, because the file format names
them. Checks of `at` live in `lint_checks.py`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints


class LintCode(StrEnum):
    """Stable lint codes; tests, tools and `lint.accept` match these, not the English."""

    UNUSED_INDICATOR = "unused-indicator"
    NEVER_RECOMMENDED = "never-recommended"
    RULE_ALWAYS_TRUE = "rule-always-true"
    RULE_NEVER_TRUE = "rule-never-true"
    RECOMMEND_ALWAYS_TRUE = "recommend-always-true"
    RECOMMEND_NEVER_TRUE = "recommend-never-true"
    MISSING_TRANSLATION = "missing-translation"
    NO_GUIDANCE = "no-guidance"
    NO_ANCHORS = "no-anchors"
    NO_PROVIDER = "no-provider"
    NO_DURATION = "no-duration"
    NO_RATIONALE_REQUIRED = "no-rationale-required"
    UNUSED_LEVEL = "unused-level"
    COMPARISON_OUT_OF_RANGE = "comparison-out-of-range"
    VERSION_NOT_BUMPED = "version-not-bumped"
    CONDITION_NEVER_TRUE = "condition-never-true"
    CONDITION_ALWAYS_TRUE = "condition-always-true"


SUBJECTS: dict[LintCode, tuple[str, ...]] = {
    LintCode.UNUSED_INDICATOR: ("indicators",),
    LintCode.NO_GUIDANCE: ("indicators",),
    LintCode.NO_ANCHORS: ("indicators",),
    LintCode.NEVER_RECOMMENDED: ("interventions",),
    LintCode.RECOMMEND_ALWAYS_TRUE: ("interventions",),
    LintCode.RECOMMEND_NEVER_TRUE: ("interventions",),
    LintCode.NO_PROVIDER: ("interventions",),
    LintCode.NO_DURATION: ("interventions",),
    LintCode.RULE_ALWAYS_TRUE: ("rules",),
    LintCode.RULE_NEVER_TRUE: ("rules",),
    LintCode.COMPARISON_OUT_OF_RANGE: ("rules", "interventions"),
    LintCode.NO_RATIONALE_REQUIRED: ("judgements",),
    LintCode.UNUSED_LEVEL: ("scales",),
    LintCode.MISSING_TRANSLATION: ("languages",),
    LintCode.VERSION_NOT_BUMPED: ("version",),
    LintCode.CONDITION_NEVER_TRUE: ("indicators",),
    LintCode.CONDITION_ALWAYS_TRUE: ("indicators",),
}
"""What the `at` of an accepted warning names, per code: ids of these parts of the instrument."""

Subject = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LintAcceptance(_Model):
    """One lint warning the authors intend: its code, what it is about (`at`), and why."""

    code: LintCode
    at: Subject
    """The id of what the warning is about: an indicator, rule, intervention, judgement, scale or language."""
    reason: Reason


def _ids_as_list(value: Any) -> Any:
    """`unused-indicator: MH4` is `unused-indicator: [MH4]`."""
    if isinstance(value, dict):
        return {key: [ids] if isinstance(ids, str) else ids for key, ids in value.items()}
    return value


Allowed = Annotated[dict[LintCode, tuple[Subject, ...]], BeforeValidator(_ids_as_list)]


class LintSettings(_Model):
    """The instrument's `lint:` section: `accept` entries, and `allow` (code: ids) with one shared `reason`."""

    accept: tuple[LintAcceptance, ...] = ()
    allow: tuple[Allowed, ...] = ()
    """Warnings intended, as `code: [ids]` entries; `reason` says why, for all of them."""
    reason: Reason | None = None


def acceptances(settings: LintSettings) -> tuple[LintAcceptance, ...]:
    """Every warning the section accepts, one `LintAcceptance` each: `accept`, then `allow` spelled out."""
    allowed = tuple(
        LintAcceptance.model_construct(code=code, at=at, reason=settings.reason or "")
        for entry in settings.allow
        for code, ids in entry.items()
        for at in ids
    )
    return (*settings.accept, *allowed)


def is_empty(settings: LintSettings) -> bool:
    """True when the section accepts nothing (then it is left out of the instrument's dump)."""
    return not settings.accept and not settings.allow and settings.reason is None
