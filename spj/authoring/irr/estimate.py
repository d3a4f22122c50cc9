"""An estimated coefficient: its value, its interval (or why there is none), and how it was computed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MIN_CASES_FOR_VALUE = 2
"""With one case a chance-corrected coefficient is a number without meaning: it is reported as undefined."""
MIN_CASES_FOR_INTERVAL = 10
"""Below this many cases neither a bootstrap nor an asymptotic interval covers as it claims: none is given."""

PERFECT_AGREEMENT = (
    "perfect agreement on all {cases} cases: every resample agrees perfectly too, so an interval would read "
    "[1, 1] and overstate what {cases} cases can show; report the number of cases instead"
)
TOO_FEW_CASES = (
    "only {cases} case(s): too few for a meaningful interval (at least {minimum} are needed); "
    "the coefficient is descriptive only"
)


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


def undefined(reason: str, detail: Mapping[str, Any] | None = None) -> Estimate:
    """An estimate the data cannot define."""
    return Estimate(value=None, reason=reason, detail=detail)


def one_case_only(cases: int, detail: Mapping[str, Any] | None = None) -> Estimate | None:
    """Undefined when fewer than `MIN_CASES_FOR_VALUE` cases: the value would look meaningful and is not."""
    if cases >= MIN_CASES_FOR_VALUE:
        return None
    return undefined(
        f"{cases} case only: agreement beyond chance cannot be estimated from one case (see percent agreement)",
        detail,
    )


def without_interval(value: float, cases: int, detail: Mapping[str, Any], *, perfect: bool) -> Estimate | None:
    """The estimate without an interval when agreement is perfect or cases are too few; else None.

    One rule for every coefficient, so that perfect agreement reads the same for kappa, alpha and ICC.
    """
    if perfect:
        return Estimate(value, reason=PERFECT_AGREEMENT.format(cases=cases), detail=detail)
    if cases < MIN_CASES_FOR_INTERVAL:
        return Estimate(value, reason=TOO_FEW_CASES.format(cases=cases, minimum=MIN_CASES_FOR_INTERVAL), detail=detail)
    return None
