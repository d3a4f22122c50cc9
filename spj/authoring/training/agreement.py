"""Agreement of a trainee with the references: on one vignette, or over all the trainee's vignettes.

Items are grouped by scale (``presence``, ``relevance``, ...) and the summary
judgements (``judgements``). Per group: counts of exact, adjacent, off and
one-sided omissions, and Cohen's quadratic-weighted kappa of trainee against
reference (the items are the "cases"), from `spj.authoring.irr` with its
bounded interval and its warnings for too few items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spj.authoring.irr import Estimate, weighted_kappa
from spj.authoring.training.feedback import Comparison

TRAINEE, REFERENCE = "trainee", "reference"


@dataclass(frozen=True, slots=True)
class GroupAgreement:
    """Agreement on one group of items."""

    group: str
    items: int
    exact: int
    adjacent: int
    off: int
    omitted: int
    kappa: Estimate

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "group": self.group,
            "items": self.items,
            "exact": self.exact,
            "adjacent": self.adjacent,
            "off": self.off,
            "omitted": self.omitted,
            "percent_exact": round(100 * self.exact / self.items, 1) if self.items else None,
            "percent_within_one": round(100 * (self.exact + self.adjacent) / self.items, 1) if self.items else None,
            "kappa_quadratic": self.kappa.to_dict(),
        }


def group_of(comparison: Comparison) -> str:
    """The scale's name, or ``judgements``."""
    return comparison.scale or "judgements"


def agreement(comparisons: Sequence[tuple[str, Comparison]], *, resamples: int = 2000) -> list[GroupAgreement]:
    """Agreement per group over `comparisons`, each keyed by a unique case key (vignette and item)."""
    groups: dict[str, list[tuple[str, Comparison]]] = {}
    for key, comparison in comparisons:
        groups.setdefault(group_of(comparison), []).append((key, comparison))
    return [_group(name, rows, resamples) for name, rows in groups.items()]


def _group(name: str, rows: list[tuple[str, Comparison]], resamples: int) -> GroupAgreement:
    counts = {"exact": 0, "adjacent": 0, "off": 0, "omitted": 0}
    ratings: dict[str, dict[str, int]] = {}
    for key, comparison in rows:
        counts[comparison.match] += 1
        mine, theirs = comparison.trainee_rank, comparison.reference_rank
        if mine is not None and theirs is not None:
            ratings[key] = {TRAINEE: mine, REFERENCE: theirs}
    levels = max(len(c.levels) for _, c in rows)
    kappa = weighted_kappa(ratings, (TRAINEE, REFERENCE), levels, weighting="quadratic", resamples=resamples)
    return GroupAgreement(name, len(rows), counts["exact"], counts["adjacent"], counts["off"], counts["omitted"], kappa)
