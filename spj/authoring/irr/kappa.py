"""Kappa coefficients: Cohen's weighted kappa of two raters, Fleiss' kappa of any number.

The point estimates come from statsmodels (``cohens_kappa``, the same formulas
as SAS PROC FREQ, with its asymptotic standard error; ``fleiss_kappa``). Their
intervals are bootstrap percentile intervals over cases (see `bootstrap`), so
they stay inside [-1, 1]; the replicates are computed by the vectorised
formulas below, which reproduce statsmodels on the original sample (tested).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from typing import Any, Literal

from spj.authoring.irr.bootstrap import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, Resampling, bootstrap_interval
from spj.authoring.irr.errors import require
from spj.authoring.irr.estimate import Estimate, one_case_only, undefined, without_interval
from spj.authoring.irr.ratings import Ratings

Weighting = Literal["linear", "quadratic"]

SAME_SINGLE_LEVEL = (
    "both raters gave the same single level to every case: chance agreement is complete, so kappa is 0/0"
)


def pair_ranks(ratings: Ratings, raters: tuple[str, str]) -> tuple[list[int], list[int]]:
    """The two raters' ranks on the cases both rated, in case order."""
    first, second = raters
    both = [by_rater for by_rater in ratings.values() if first in by_rater and second in by_rater]
    return [r[first] for r in both], [r[second] for r in both]


def weighted_kappa(
    ratings: Ratings,
    raters: tuple[str, str],
    levels: int,
    *,
    weighting: Weighting,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Estimate:
    """Cohen's weighted kappa of two raters, with a bootstrap 95% interval bounded to [-1, 1].

    Uses the cases both raters rated; weights are linear (Cicchetti-Allison) or
    quadratic (Fleiss-Cohen) in the levels' ranks. The asymptotic standard
    error is reported as ``ase``.
    """
    np = require("numpy")
    x, y = (np.asarray(v, dtype=int) for v in pair_ranks(ratings, raters))
    if len(x) == 0:
        return undefined(f"no case was rated by both {raters[0]} and {raters[1]}")
    if len(set(x.tolist()) | set(y.tolist())) < 2:
        return undefined(SAME_SINGLE_LEVEL, {"cases": len(x)})
    single = one_case_only(len(x), {"cases": len(x)})
    if single is not None:
        return single
    table = np.zeros((levels, levels))
    np.add.at(table, (x, y), 1)
    inter_rater = require("statsmodels.stats.inter_rater")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        result = inter_rater.cohens_kappa(table, weights=np.arange(levels), wt=weighting)
    kappa = float(result.kappa)
    detail: dict[str, Any] = {"cases": len(x)}
    if not math.isfinite(kappa):
        # Each rater used a single level of their own: chance disagreement is zero.
        return undefined("the raters' levels do not vary together: kappa is 0/0", detail)
    ase = float(result.std_kappa)
    if math.isfinite(ase):
        detail["ase"] = round(ase, 4)
    early = without_interval(kappa, len(x), detail, perfect=bool((x == y).all()))
    if early is not None:
        return early
    return bootstrap_interval(
        kappa, len(x), lambda idx: kappa_replicates(x, y, idx, levels, weighting), Resampling(resamples, seed), detail
    )


def kappa_replicates(x: Any, y: Any, indices: Any, levels: int, weighting: Weighting) -> Any:
    """Weighted kappa of each resample (rows of `indices` into the paired ranks `x`, `y`); NaN where 0/0."""
    np = require("numpy")
    resamples = indices.shape[0]
    cells = x[indices] * levels + y[indices] + (np.arange(resamples) * levels * levels)[:, None]
    tables = np.bincount(cells.ravel(), minlength=resamples * levels * levels).reshape(resamples, levels, levels)
    return _weighted_kappa_of_tables(tables.astype(float), levels, weighting)


def _weighted_kappa_of_tables(tables: Any, levels: int, weighting: Weighting) -> Any:
    np = require("numpy")
    ranks = np.arange(levels)
    distance = np.abs(ranks[:, None] - ranks[None, :]).astype(float)
    weights = distance if weighting == "linear" else distance**2
    totals = tables.sum(axis=(1, 2))
    observed = (tables * weights).sum(axis=(1, 2)) / totals
    expected_tables = tables.sum(axis=2)[:, :, None] * tables.sum(axis=1)[:, None, :] / (totals**2)[:, None, None]
    expected = (expected_tables * weights).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - observed / np.where(expected > 0, expected, 1), np.nan)


def fleiss_counts(ratings: Ratings, levels: int) -> tuple[Any, int]:
    """Case-by-level counts of the cases with the most common number of raters (Fleiss needs a constant m)."""
    np = require("numpy")
    sizes = Counter(len(r) for r in ratings.values() if len(r) >= 2)
    if not sizes:
        return np.zeros((0, levels)), 0
    raters = max(sizes, key=lambda m: (sizes[m], m))
    rows = [r for r in ratings.values() if len(r) == raters]
    counts = np.zeros((len(rows), levels))
    for n, by_rater in enumerate(rows):
        for rank in by_rater.values():
            counts[n, rank] += 1
    return counts, raters


def fleiss_kappa(
    ratings: Ratings, levels: int, *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> Estimate:
    """Fleiss' kappa (nominal, any number of raters), with a bootstrap 95% interval bounded to [-1, 1].

    Fleiss' kappa needs the same number of ratings per case; it uses the cases
    with the most common number (reported as ``raters_per_case``).
    """
    np = require("numpy")
    counts, raters = fleiss_counts(ratings, levels)
    if len(counts) == 0:
        return undefined("no case has two ratings of this item")
    detail: dict[str, Any] = {"cases": len(counts), "raters_per_case": raters}
    if np.count_nonzero(counts.sum(axis=0)) < 2:
        return undefined("every rating is the same level: chance agreement is complete, so kappa is 0/0", detail)
    single = one_case_only(len(counts), detail)
    if single is not None:
        return single
    inter_rater = require("statsmodels.stats.inter_rater")
    value = float(inter_rater.fleiss_kappa(counts, method="fleiss"))
    early = without_interval(value, len(counts), detail, perfect=bool((counts.max(axis=1) == raters).all()))
    if early is not None:
        return early
    return bootstrap_interval(
        value, len(counts), lambda idx: fleiss_replicates(counts, idx), Resampling(resamples, seed), detail
    )


def fleiss_replicates(counts: Any, indices: Any) -> Any:
    """Fleiss' kappa of each resample of the rows of `counts` (cases x levels); NaN where 0/0."""
    np = require("numpy")
    sample = counts[indices]
    raters = sample[0, 0].sum()
    per_case = ((sample**2).sum(axis=2) - raters) / (raters * (raters - 1))
    observed = per_case.mean(axis=1)
    shares = sample.sum(axis=1) / (sample.shape[1] * raters)
    expected = (shares**2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            expected < 1 - 1e-12, (observed - expected) / np.where(expected < 1 - 1e-12, 1 - expected, 1), np.nan
        )
