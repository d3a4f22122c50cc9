"""The percentile bootstrap over cases, and the Monte-Carlo error of its bounds.

Every coefficient that uses it supplies a vectorised *replicate* function:
given a ``(resamples, cases)`` array of case indices, it returns one value per
resample (NaN where the resample defines no coefficient). The interval is the
pair of percentiles of the defined replicates; each replicate of a coefficient
bounded to [-1, 1] lies in it, so the interval does too.

The Monte-Carlo error of a bound: the number of replicates below the true
q-quantile is binomial (B, q), so the bound's rank is uncertain by
sqrt(B q (1 - q)); half the distance between the order statistics one such
standard deviation either side is the bound's Monte-Carlo standard error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spj.authoring.irr.errors import require
from spj.authoring.irr.estimate import Estimate

BOOTSTRAP_SEED = 20_240_601
"""Fixed seed of the bootstrap, so that the same study always gives the same interval."""
BOOTSTRAP_RESAMPLES = 2_000
CONFIDENCE = 0.95
METHOD = "bootstrap percentile over cases"

Replicates = Callable[[Any], Any]
"""(resamples, cases) int array -> (resamples,) float array, NaN where undefined."""


@dataclass(frozen=True, slots=True)
class Resampling:
    """How many resamples, from which seed."""

    resamples: int = BOOTSTRAP_RESAMPLES
    seed: int = BOOTSTRAP_SEED


def case_indices(cases: int, resampling: Resampling) -> Any:
    """The resamples: a ``(resamples, cases)`` array of indices drawn with replacement."""
    np = require("numpy")
    rng = np.random.default_rng(resampling.seed)
    return rng.integers(0, cases, size=(resampling.resamples, cases))


def bootstrap_interval(
    value: float, cases: int, replicates: Replicates, resampling: Resampling, detail: dict[str, Any]
) -> Estimate:
    """`value` with the percentile interval of its replicates, their number and the bounds' Monte-Carlo error."""
    np = require("numpy")
    if resampling.resamples < 1:
        return Estimate(value, reason="the bootstrap was turned off (0 resamples)", detail=detail)
    draws = np.asarray(replicates(case_indices(cases, resampling)), dtype=float)
    draws = np.sort(draws[np.isfinite(draws)])
    detail = {
        **detail,
        "interval": METHOD,
        "resamples": resampling.resamples,
        "resamples_used": len(draws),
        "seed": resampling.seed,
    }
    if 2 * len(draws) < resampling.resamples:
        return Estimate(
            value,
            reason=f"only {len(draws)} of {resampling.resamples} resamples define the coefficient: no interval",
            detail=detail,
        )
    tail = (1 - CONFIDENCE) / 2
    low, high = (float(x) for x in np.quantile(draws, [tail, 1 - tail]))
    detail["monte_carlo_se"] = [round(monte_carlo_se(draws, tail), 4), round(monte_carlo_se(draws, 1 - tail), 4)]
    return Estimate(value, (low, high), detail=detail)


def monte_carlo_se(sorted_draws: Any, q: float) -> float:
    """Monte-Carlo standard error of the `q`-quantile of `sorted_draws` (order-statistic method).

    >>> import numpy as np
    >>> monte_carlo_se(np.arange(1001.0), 0.5)   # ranks 500 +- 15.8: order statistics 484 and 516
    16.0
    """
    count = len(sorted_draws)
    spread = math.sqrt(count * q * (1 - q))
    centre = q * (count - 1)
    low = max(0, math.floor(centre - spread))
    high = min(count - 1, math.ceil(centre + spread))
    return float(sorted_draws[high] - sorted_draws[low]) / 2
