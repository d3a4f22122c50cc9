"""Recertification: a new instrument version keeps its experts only when it changes nothing raters do.

Rater-facing changes are what `spj diff` reports for scales, indicators
(added, removed, renamed, or their domain, kind, rated scales or anchors) and
judgements, and any changed text of an indicator's guidance or anchors, a
scale's labels or a judgement, changed or removed in any language (a translation added
changes nothing for those who rate in the languages there were). Rules, interventions and case fields change
what the engine derives, not how a rater rates.
"""

from __future__ import annotations

from spj.authoring.versioning.diff import InstrumentDiff

RATER_SECTIONS = ("scales", "indicators", "judgements")
RATER_TEXT_PREFIXES = ("indicators.", "scales.", "judgements.")


def rater_facing_changes(diff: InstrumentDiff) -> list[str]:
    """The changes that make raters rate differently, in words; empty when certifications carry over."""
    changes = [f"{item.section} {item.id} {item.status}" for item in diff.items if item.section in RATER_SECTIONS]
    changes += sorted(
        {f"text {change.path} ({change.lang}) {change.status}" for change in diff.texts
         if change.path.startswith(RATER_TEXT_PREFIXES) and change.status != "added"}
    )  # fmt: skip
    return changes
