"""Percent agreement, and the one place that lists every agreement statistic of an item.

Ratings arrive as ``case -> rater -> rank`` (see `data.Item`); a missing rating
is simply absent. The coefficients live one per module: `kappa` (Cohen's
weighted kappa, Fleiss' kappa), `alpha` (Krippendorff's alpha), `icc`; the
intervals in `bootstrap`. A coefficient that the data cannot define (every
rating the same level, no case rated twice) is an `Estimate` with
``value=None`` and a ``reason``, never a NaN.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from spj.authoring.irr.alpha import krippendorff_alpha
from spj.authoring.irr.bootstrap import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE, Resampling
from spj.authoring.irr.estimate import Estimate, undefined
from spj.authoring.irr.kappa import Weighting, fleiss_kappa, weighted_kappa
from spj.authoring.irr.ratings import Ratings

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "CONFIDENCE",
    "Agreement",
    "Estimate",
    "Ratings",
    "Resampling",
    "Weighting",
    "fleiss_kappa",
    "krippendorff_alpha",
    "percent_agreement",
    "undefined",
    "weighted_kappa",
]


@dataclass(frozen=True, slots=True)
class Agreement:
    """Percent agreement over every pair of raters who both rated a case."""

    pairs: int
    agreeing_pairs: int

    @property
    def percent(self) -> float | None:
        """Share of agreeing pairs, in percent; None without any pair."""
        return 100.0 * self.agreeing_pairs / self.pairs if self.pairs else None


def percent_agreement(ratings: Ratings) -> Agreement:
    """Pairwise agreement: every pair of raters of a case who both gave a level counts once.

    >>> round(percent_agreement({"C1": {"a": 0, "b": 0, "c": 1}, "C2": {"a": 2}}).percent, 2)
    33.33
    """
    pairs = agreeing = 0
    for by_rater in ratings.values():
        for first, second in itertools.combinations(by_rater.values(), 2):
            pairs += 1
            agreeing += first == second
    return Agreement(pairs, agreeing)
