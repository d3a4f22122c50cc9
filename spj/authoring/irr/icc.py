"""The intraclass correlation ICC(A,1): two-way random effects, absolute agreement, one rater.

Shrout & Fleiss (1979) call it ICC(2,1); McGraw & Wong (1996) ICC(A,1). It
needs an interval scale and a complete design: it uses the cases rated by
every rater of the study, and ranks as equally spaced values. The confidence
interval is McGraw & Wong's F-based interval (the one pingouin and R's ``irr``
report), from scipy's F distribution. No statistics library in spj's
dependencies computes ICC, so the mean squares are written here, and tested
against Shrout & Fleiss's published example and an independent ANOVA.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spj.authoring.irr.bootstrap import CONFIDENCE
from spj.authoring.irr.errors import require
from spj.authoring.irr.estimate import Estimate, undefined, without_interval
from spj.authoring.irr.ratings import Ratings

METHOD = "F-based interval of McGraw & Wong (1996)"


def complete_matrix(ratings: Ratings, raters: Sequence[str]) -> Any:
    """Cases rated by every rater, as a ``(cases, raters)`` array of ranks."""
    np = require("numpy")
    rows = [[by_rater[r] for r in raters] for by_rater in ratings.values() if all(r in by_rater for r in raters)]
    return np.asarray(rows, dtype=float).reshape(len(rows), len(raters))


def mean_squares(matrix: Any) -> tuple[float, float, float]:
    """Two-way ANOVA without replication: mean squares of cases (rows), raters (columns) and error."""
    cases, raters = matrix.shape
    grand = matrix.mean()
    rows = raters * ((matrix.mean(axis=1) - grand) ** 2).sum()
    cols = cases * ((matrix.mean(axis=0) - grand) ** 2).sum()
    error = ((matrix - grand) ** 2).sum() - rows - cols
    return float(rows / (cases - 1)), float(cols / (raters - 1)), float(error / ((cases - 1) * (raters - 1)))


def icc_absolute(ratings: Ratings, raters: Sequence[str]) -> Estimate:
    """ICC(A,1) of the cases every rater rated, with its F-based 95% interval."""
    matrix = complete_matrix(ratings, raters)
    cases, k = matrix.shape
    detail: dict[str, Any] = {"cases": cases, "raters": k, "form": "ICC(A,1) two-way random, absolute agreement"}
    if cases < 2 or k < 2:
        return undefined(f"{cases} case(s) rated by all {k} raters: ICC needs at least two", detail)
    msr, msc, mse = mean_squares(matrix)
    denominator = msr + (k - 1) * mse + k * (msc - mse) / cases
    if denominator <= 0:
        return undefined("every rating is the same level: there is no variation, so ICC is 0/0", detail)
    value = (msr - mse) / denominator
    perfect = bool((matrix == matrix[:, :1]).all())
    early = without_interval(value, cases, detail, perfect=perfect)
    if early is not None:
        return early
    low, high = _f_interval(value, msr, msc, mse, cases, k)
    return Estimate(value, (low, high), detail={**detail, "interval": METHOD})


def _f_interval(icc: float, msr: float, msc: float, mse: float, n: int, k: int) -> tuple[float, float]:
    stats = require("scipy.stats")
    tail = (1 - CONFIDENCE) / 2
    a = k * icc / (n * (1 - icc))
    b = 1 + k * icc * (n - 1) / (n * (1 - icc))
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
    f_upper = float(stats.f.ppf(1 - tail, n - 1, v))
    f_lower = float(stats.f.ppf(1 - tail, v, n - 1))
    low = n * (msr - f_upper * mse) / (f_upper * (k * msc + (k * n - k - n) * mse) + n * msr)
    high = n * (f_lower * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f_lower * msr)
    return max(low, -1.0), min(high, 1.0)
