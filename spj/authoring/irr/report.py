"""The inter-rater report: every item's agreement statistics, as data and as JSON."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from spj.authoring.irr.alpha import LEVELS, Level, krippendorff_alpha
from spj.authoring.irr.bootstrap import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE, Resampling
from spj.authoring.irr.data import Item, Study
from spj.authoring.irr.estimate import MIN_CASES_FOR_INTERVAL, Estimate, undefined
from spj.authoring.irr.icc import METHOD as ICC_METHOD
from spj.authoring.irr.icc import icc_absolute
from spj.authoring.irr.kappa import Weighting, fleiss_kappa, weighted_kappa
from spj.authoring.irr.stats import Agreement, percent_agreement

WEIGHTINGS: tuple[Weighting, ...] = ("linear", "quadratic")

METHOD = {
    "missing": "omitted indicators, unrated scales and open judgements are missing data, never zero",
    "order": "scale levels ordered by value, judgement levels as declared; levels equally spaced by rank",
    "percent_agreement": "share of agreeing pairs among all pairs of raters who both rated a case",
    "kappa": "Cohen's weighted kappa (linear and quadratic weights) of exactly two raters (statsmodels); "
    "with more raters, see pairwise and fleiss",
    "pairwise": "with more than two raters: Cohen's weighted kappa of every pair of raters, on the cases both rated",
    "fleiss": "Fleiss' kappa (nominal), any number of raters, on the cases with the most common number of "
    "ratings (statsmodels)",
    "alpha": "Krippendorff's alpha, ordinal (krippendorff); alpha_levels adds nominal and interval",
    "icc": f"ICC(A,1), two-way random effects, absolute agreement, one rater, on the cases every rater rated; "
    f"indicator scales only (judgement levels have no values); {ICC_METHOD}",
    "intervals": f"{CONFIDENCE:.0%} bootstrap percentile intervals over cases for kappa, Fleiss' kappa and alpha: "
    "every resample's coefficient lies in [-1, 1], so the interval does too; monte_carlo_se is the "
    "Monte-Carlo standard error of each bound (order statistics), which shrinks with more --resamples",
    "perfect_agreement": "when every case's ratings agree the coefficient is 1 and no interval is given "
    "(every resample would agree too); the number of cases says how much that shows",
    "few_cases": f"below {MIN_CASES_FOR_INTERVAL} cases no interval is given: it would not cover as it claims",
}


@dataclass(frozen=True, slots=True)
class PairKappa:
    """Cohen's weighted kappa of one pair of raters."""

    raters: tuple[str, str]
    kappa: dict[str, Estimate]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"raters": list(self.raters), **{w: e.to_dict() for w, e in self.kappa.items()}}


@dataclass(frozen=True, slots=True)
class ItemAgreement:
    """The agreement on one item."""

    item: Item
    agreement: Agreement
    kappa: dict[str, Estimate]
    alpha: Estimate
    alpha_levels: dict[Level, Estimate]
    fleiss: Estimate
    icc: Estimate
    pairwise: tuple[PairKappa, ...] = ()

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
            "pairwise": [pair.to_dict() for pair in self.pairwise],
            "fleiss": self.fleiss.to_dict(),
            "alpha": self.alpha.to_dict(),
            "alpha_levels": {level: estimate.to_dict() for level, estimate in self.alpha_levels.items()},
            "icc": self.icc.to_dict(),
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

    @property
    def warnings(self) -> list[str]:
        """What the reader must know before reading any figure."""
        cases = len(self.study.cases)
        if cases < MIN_CASES_FOR_INTERVAL:
            return [
                f"the study has {cases} case(s): too few for meaningful intervals (at least "
                f"{MIN_CASES_FOR_INTERVAL} are needed); the coefficients are descriptive only"
            ]
        return []

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `spj irr --format json`."""
        return {
            "instrument": {"id": self.study.instrument_id, "version": self.study.instrument_version},
            "raters": list(self.study.raters),
            "cases": list(self.study.cases),
            "warnings": self.warnings,
            "method": {**METHOD, "bootstrap": {"resamples": self.resamples, "seed": self.seed}},
            "indicators": [i.to_dict() for i in self.indicators],
            "judgements": [i.to_dict() for i in self.judgements],
        }


def compute_irr(study: Study, *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> IrrReport:
    """Agreement statistics for every item of `study`.

    Cohen's kappa needs exactly two raters in the study; with more it is
    reported as undefined, and every pair of raters gets its own (``pairwise``).
    Fleiss' kappa and alpha cover any number of raters.
    """
    resampling = Resampling(resamples, seed)
    return IrrReport(study, tuple(item_agreement(item, study, resampling) for item in study.items), resamples, seed)


def item_agreement(item: Item, study: Study, resampling: Resampling) -> ItemAgreement:
    """Every statistic of one item."""
    levels = len(item.levels)
    pairwise: tuple[PairKappa, ...] = ()
    if len(study.raters) == 2:
        kappa = _pair_kappa(item, (study.raters[0], study.raters[1]), resampling)
    else:
        reason = f"Cohen's kappa compares exactly two raters; this study has {len(study.raters)} (see pairwise)"
        kappa = {w: undefined(reason) for w in WEIGHTINGS}
        pairwise = tuple(
            PairKappa(pair, _pair_kappa(item, pair, resampling)) for pair in itertools.combinations(study.raters, 2)
        )
    alphas = {level: _alpha(item, level, resampling) for level in LEVELS}
    if item.kind == "indicator":
        icc = icc_absolute(item.ratings, study.raters)
    else:
        icc = undefined("judgement levels are ordered categories without values: ICC needs an interval scale")
    return ItemAgreement(
        item=item,
        agreement=percent_agreement(item.ratings),
        kappa=kappa,
        alpha=alphas["ordinal"],
        alpha_levels=alphas,
        fleiss=fleiss_kappa(item.ratings, levels, resamples=resampling.resamples, seed=resampling.seed),
        icc=icc,
        pairwise=pairwise,
    )


def _pair_kappa(item: Item, pair: tuple[str, str], resampling: Resampling) -> dict[str, Estimate]:
    return {
        w: weighted_kappa(
            item.ratings, pair, len(item.levels), weighting=w, resamples=resampling.resamples, seed=resampling.seed
        )
        for w in WEIGHTINGS
    }


def _alpha(item: Item, level: Level, resampling: Resampling) -> Estimate:
    return krippendorff_alpha(
        item.ratings, len(item.levels), level=level, resamples=resampling.resamples, seed=resampling.seed
    )
