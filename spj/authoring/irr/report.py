"""The inter-rater report: every item's agreement statistics, as data and as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spj.authoring.irr.data import Item, Study
from spj.authoring.irr.stats import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    CONFIDENCE,
    Agreement,
    Estimate,
    krippendorff_alpha,
    percent_agreement,
    undefined,
    weighted_kappa,
)

METHOD = {
    "missing": "omitted indicators, unrated scales and open judgements are missing data, never zero",
    "order": "scale levels ordered by value, judgement levels as declared; levels equally spaced by rank",
    "percent_agreement": "share of agreeing pairs among all pairs of raters who both rated a case",
    "kappa": f"Cohen's weighted kappa (linear and quadratic weights), exactly two raters, "
    f"asymptotic {CONFIDENCE:.0%} confidence interval (statsmodels)",
    "alpha": f"Krippendorff's alpha, ordinal, any number of raters (krippendorff); {CONFIDENCE:.0%} percentile "
    "bootstrap interval over cases",
}


@dataclass(frozen=True, slots=True)
class ItemAgreement:
    """The agreement on one item."""

    item: Item
    agreement: Agreement
    kappa: dict[str, Estimate]
    alpha: Estimate

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        percent = self.agreement.percent
        return {
            "id": self.item.id,
            "kind": self.item.kind,
            self.item.kind: self.item.target,
            **({"scale": self.item.scale} if self.item.scale else {}),
            "levels": list(self.item.levels),
            "cases": len([r for r in self.item.ratings.values() if len(r) >= 2]),
            "pairs": self.agreement.pairs,
            "agreeing_pairs": self.agreement.agreeing_pairs,
            "percent_agreement": None if percent is None else round(percent, 2),
            "kappa": {weighting: estimate.to_dict() for weighting, estimate in self.kappa.items()},
            "alpha": self.alpha.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class IrrReport:
    """An inter-rater study's results: one `ItemAgreement` per indicator scale and judgement."""

    study: Study
    items: tuple[ItemAgreement, ...]
    resamples: int
    seed: int

    @property
    def indicators(self) -> list[ItemAgreement]:
        """Indicator scales, in instrument order."""
        return [i for i in self.items if i.item.kind == "indicator"]

    @property
    def judgements(self) -> list[ItemAgreement]:
        """Summary judgements, in instrument order."""
        return [i for i in self.items if i.item.kind == "judgement"]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `spj irr --format json`."""
        return {
            "instrument": {"id": self.study.instrument_id, "version": self.study.instrument_version},
            "raters": list(self.study.raters),
            "cases": list(self.study.cases),
            "method": {**METHOD, "bootstrap": {"resamples": self.resamples, "seed": self.seed}},
            "indicators": [i.to_dict() for i in self.indicators],
            "judgements": [i.to_dict() for i in self.judgements],
        }


def compute_irr(study: Study, *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> IrrReport:
    """Agreement statistics for every item of `study`.

    Kappa needs exactly two raters in the study; with more it is reported as
    undefined (alpha covers any number of raters).
    """
    return IrrReport(study, tuple(_item(item, study, resamples, seed) for item in study.items), resamples, seed)


def _item(item: Item, study: Study, resamples: int, seed: int) -> ItemAgreement:
    levels = len(item.levels)
    if len(study.raters) == 2:
        pair = (study.raters[0], study.raters[1])
        kappa = {w: weighted_kappa(item.ratings, pair, levels, weighting=w) for w in ("linear", "quadratic")}
    else:
        reason = f"Cohen's kappa compares exactly two raters; this study has {len(study.raters)} (see alpha)"
        kappa = {"linear": undefined(reason), "quadratic": undefined(reason)}
    return ItemAgreement(
        item=item,
        agreement=percent_agreement(item.ratings),
        kappa=kappa,
        alpha=krippendorff_alpha(item.ratings, levels, resamples=resamples, seed=seed),
    )
