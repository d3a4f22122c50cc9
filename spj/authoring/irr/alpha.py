"""Krippendorff's alpha at the nominal, ordinal and interval levels of measurement.

The point estimate comes from the ``krippendorff`` package. The bootstrap
replicates (resampling cases, see `bootstrap`) are computed from per-case
coincidence matrices: a resample's coincidence matrix is the sum of its cases'
matrices, and alpha = 1 - sum(o * delta) / sum(e * delta) as in Krippendorff
(2011); the formulas reproduce the package on the original sample (tested).
Levels are equally spaced by rank for the interval metric.
"""

from __future__ import annotations

from typing import Any, Literal

from spj.authoring.irr.bootstrap import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, Resampling, bootstrap_interval
from spj.authoring.irr.errors import require
from spj.authoring.irr.estimate import Estimate, one_case_only, undefined, without_interval
from spj.authoring.irr.ratings import Ratings

Level = Literal["nominal", "ordinal", "interval"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval")


def value_counts(ratings: Ratings, levels: int) -> Any:
    """Pairable cases (two ratings or more) by level: how many raters gave each level."""
    np = require("numpy")
    counts = np.zeros((len(ratings), levels))
    for row, by_rater in enumerate(ratings.values()):
        for rank in by_rater.values():
            counts[row, rank] += 1
    return counts[counts.sum(axis=1) >= 2]


def krippendorff_alpha(
    ratings: Ratings,
    levels: int,
    *,
    level: Level = "ordinal",
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Estimate:
    """Krippendorff's alpha for any number of raters, with a bootstrap 95% interval over cases.

    Only cases with at least two ratings are pairable.
    """
    np = require("numpy")
    counts = value_counts(ratings, levels)
    if len(counts) == 0:
        return undefined("no case has two ratings of this item")
    detail: dict[str, Any] = {"cases": len(counts), "level_of_measurement": level}
    if np.count_nonzero(counts.sum(axis=0)) < 2:
        return undefined(
            "every rating is the same level: there is no variation, so expected disagreement is zero", detail
        )
    single = one_case_only(len(counts), detail)
    if single is not None:
        return single
    value = alpha_of_counts(counts, level)
    perfect = bool((counts.max(axis=1) == counts.sum(axis=1)).all())
    early = without_interval(value, len(counts), detail, perfect=perfect)
    if early is not None:
        return early
    coincidences = case_coincidences(counts)
    return bootstrap_interval(
        value,
        len(counts),
        lambda idx: alpha_replicates(coincidences, idx, level),
        Resampling(resamples, seed),
        detail,
    )


def alpha_of_counts(counts: Any, level: Level) -> float:
    """Alpha of a cases-by-levels count table, by the ``krippendorff`` package."""
    krippendorff = require("krippendorff")
    return float(
        krippendorff.alpha(value_counts=counts, value_domain=list(range(counts.shape[1])), level_of_measurement=level)
    )


def case_coincidences(counts: Any) -> Any:
    """Each pairable case's coincidence matrix, ``(cases, levels, levels)``."""
    np = require("numpy")
    levels = counts.shape[1]
    pairs = counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(levels)[None]
    return pairs / (counts.sum(axis=1) - 1)[:, None, None]


def alpha_replicates(coincidences: Any, indices: Any, level: Level) -> Any:
    """Alpha of each resample (rows of `indices` into the cases of `coincidences`); NaN where undefined."""
    np = require("numpy")
    resamples, cases = indices.shape
    levels = coincidences.shape[1]
    times = np.zeros((resamples, cases))
    np.add.at(times, (np.arange(resamples)[:, None], indices), 1)
    observed = (times @ coincidences.reshape(cases, -1)).reshape(resamples, levels, levels)
    marginals = observed.sum(axis=2)
    total = marginals.sum(axis=1)
    delta = _distances(marginals, level)
    expected = (marginals[:, :, None] * marginals[:, None, :] * delta).sum(axis=(1, 2)) / (total - 1)
    disagreement = (observed * delta).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - disagreement / np.where(expected > 0, expected, 1), np.nan)


def _distances(marginals: Any, level: Level) -> Any:
    """Squared distances between levels, per resample: ``(resamples, levels, levels)``."""
    np = require("numpy")
    resamples, levels = marginals.shape
    ranks = np.arange(levels)
    if level == "nominal":
        return np.broadcast_to((ranks[:, None] != ranks[None, :]).astype(float), (resamples, levels, levels))
    if level == "interval":
        return np.broadcast_to(((ranks[:, None] - ranks[None, :]) ** 2).astype(float), (resamples, levels, levels))
    # Ordinal: the marginals between two levels, inclusive, less half of each end; squared.
    cumulative = np.concatenate([np.zeros((resamples, 1)), np.cumsum(marginals, axis=1)], axis=1)
    low, high = np.minimum.outer(ranks, ranks), np.maximum.outer(ranks, ranks)
    between = cumulative[:, high + 1] - cumulative[:, low]
    ends = (marginals[:, :, None] + marginals[:, None, :]) / 2
    return (between - ends) ** 2
