"""Agreement statistics for one item: percent agreement, weighted kappa, Krippendorff's alpha.

Ratings arrive as ``case -> rater -> rank`` (see `data.Item`); a missing rating
is simply absent. The coefficients come from well-kept libraries, imported
lazily: Cohen's weighted kappa and its asymptotic standard error from
statsmodels (``cohens_kappa``, the same formulas as SAS PROC FREQ), ordinal
Krippendorff's alpha from ``krippendorff``. Levels are equally spaced in their
ordinal order, so linear and quadratic weights depend on ranks only.

A coefficient that the data cannot define (every rating the same level, no
case rated twice) is an `Estimate` with ``value=None`` and a ``reason``,
never a NaN.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from spj.authoring.irr.errors import require

Ratings = Mapping[str, Mapping[str, int]]
Weighting = Literal["linear", "quadratic"]

BOOTSTRAP_SEED = 20_240_601
"""Fixed seed of the bootstrap, so that the same study always gives the same interval."""
BOOTSTRAP_RESAMPLES = 1_000
CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class Agreement:
    """Percent agreement over every pair of raters who both rated a case."""

    pairs: int
    agreeing_pairs: int

    @property
    def percent(self) -> float | None:
        """Share of agreeing pairs, in percent; None without any pair."""
        return 100.0 * self.agreeing_pairs / self.pairs if self.pairs else None


@dataclass(frozen=True, slots=True)
class Estimate:
    """A coefficient with its confidence interval, or the reason it is undefined."""

    value: float | None
    ci: tuple[float, float] | None = None
    reason: str | None = None
    """Why `value` is undefined, or (with a value) why `ci` is."""
    detail: Mapping[str, Any] | None = None

    def to_dict(self, *, digits: int = 4) -> dict[str, Any]:
        """JSON-ready: rounded values; ``reason`` only where something is undefined."""
        out: dict[str, Any] = {
            "value": None if self.value is None else round(self.value, digits),
            "ci": None if self.ci is None else [round(self.ci[0], digits), round(self.ci[1], digits)],
        }
        if self.reason is not None:
            out["reason"] = self.reason
        if self.detail:
            out.update(self.detail)
        return out


def undefined(reason: str) -> Estimate:
    """An estimate the data cannot define."""
    return Estimate(value=None, reason=reason)


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


def weighted_kappa(ratings: Ratings, raters: tuple[str, str], levels: int, *, weighting: Weighting) -> Estimate:
    """Cohen's weighted kappa of two raters, with its asymptotic 95% confidence interval.

    Uses the cases both raters rated; weights are linear (Cicchetti-Allison) or
    quadratic (Fleiss-Cohen) in the levels' ranks.
    """
    np = require("numpy")
    first, second = raters
    table = np.zeros((levels, levels))
    for by_rater in ratings.values():
        if first in by_rater and second in by_rater:
            table[by_rater[first], by_rater[second]] += 1
    cases = int(table.sum())
    if cases == 0:
        return undefined(f"no case was rated by both {first} and {second}")
    rows, cols = table.sum(axis=1) / cases, table.sum(axis=0) / cases
    used = np.flatnonzero(rows + cols)
    if len(used) < 2:
        return undefined(
            "both raters gave the same single level to every case: chance agreement is complete, so kappa is 0/0"
        )
    inter_rater = require("statsmodels.stats.inter_rater")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        result = inter_rater.cohens_kappa(table, weights=np.arange(levels), wt=weighting)
    kappa = float(result.kappa)
    detail = {"cases": cases}
    if not math.isfinite(kappa):
        # Both raters used only their own single level (each row or column one level): 1 - p_e is 0.
        return Estimate(None, reason="the raters' levels do not vary together: kappa is 0/0", detail=detail)
    ase = float(result.std_kappa)
    if not math.isfinite(ase) or cases < 2:
        return Estimate(kappa, reason="the asymptotic standard error is undefined for these data", detail=detail)
    return Estimate(kappa, (float(result.kappa_low), float(result.kappa_upp)), detail={**detail, "ase": round(ase, 4)})


def krippendorff_alpha(
    ratings: Ratings,
    levels: int,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Estimate:
    """Ordinal Krippendorff's alpha for any number of raters, with a bootstrap 95% interval.

    Only cases with at least two ratings are pairable. The interval is the
    percentile interval of `resamples` resamples of those cases (drawn with
    replacement, `numpy.random.default_rng(seed)`); resamples in which every
    rating is the same level define no alpha and are left out (their number is
    reported as ``resamples_used``).
    """
    np = require("numpy")
    counts = np.zeros((len(ratings), levels))
    for row, by_rater in enumerate(ratings.values()):
        for rank in by_rater.values():
            counts[row, rank] += 1
    counts = counts[counts.sum(axis=1) >= 2]
    if len(counts) == 0:
        return undefined("no case has two ratings of this item")
    if np.count_nonzero(counts.sum(axis=0)) < 2:
        return undefined("every rating is the same level: there is no variation, so expected disagreement is zero")
    value = _alpha(counts)
    detail: dict[str, Any] = {"cases": len(counts), "level_of_measurement": "ordinal"}
    if len(counts) < 2:
        return Estimate(value, reason="one pairable case only: no bootstrap interval", detail=detail)
    if resamples < 1:
        return Estimate(value, reason="the bootstrap was turned off (0 resamples)", detail=detail)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        sample = counts[rng.integers(0, len(counts), len(counts))]
        if np.count_nonzero(sample.sum(axis=0)) >= 2:
            draws.append(_alpha(sample))
    detail |= {"resamples": resamples, "resamples_used": len(draws), "seed": seed}
    if not draws:
        return Estimate(value, reason="no bootstrap resample varies: no interval", detail=detail)
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(np.asarray(draws), [tail, 1 - tail])
    return Estimate(value, (float(low), float(high)), detail=detail)


def _alpha(value_counts: Any) -> float:
    krippendorff = require("krippendorff")
    levels = value_counts.shape[1]
    return float(
        krippendorff.alpha(value_counts=value_counts, value_domain=list(range(levels)), level_of_measurement="ordinal")
    )
