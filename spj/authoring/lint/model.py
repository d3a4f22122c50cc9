"""Lint findings: a stable `LintCode` and a located `LintWarning`.

A warning is not an error: the instrument loads and evaluates; the finding
points at something a methodologist probably did not mean (an indicator no
rule reads, a rule that can never be raised, a text not yet translated).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from spj.errors import Finding


class LintCode(StrEnum):
    """Stable lint codes; tests and tools match these, not the English."""

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


@dataclass(frozen=True, slots=True)
class LintWarning(Finding):
    """One finding about an instrument, located and coded: printed and serialised as problems are."""

    code: LintCode
