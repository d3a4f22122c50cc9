"""Inter-rater reliability: several raters assess the same cases; how well do they agree?

::

    study = collect_study(instrument, load_study_assessments(instrument, paths))
    print(render_irr_json(compute_irr(study)))

The statistics need the optional extra: ``pip install 'spj[irr]'``.
"""

from __future__ import annotations

from spj.authoring.irr.alpha import krippendorff_alpha as krippendorff_alpha
from spj.authoring.irr.bootstrap import Resampling as Resampling
from spj.authoring.irr.data import Item as Item
from spj.authoring.irr.data import Study as Study
from spj.authoring.irr.data import collect_study as collect_study
from spj.authoring.irr.data import load_study_assessments as load_study_assessments
from spj.authoring.irr.errors import IrrError as IrrError
from spj.authoring.irr.estimate import Estimate as Estimate
from spj.authoring.irr.icc import icc_absolute as icc_absolute
from spj.authoring.irr.kappa import fleiss_kappa as fleiss_kappa
from spj.authoring.irr.kappa import weighted_kappa as weighted_kappa
from spj.authoring.irr.render import render_irr_html as render_irr_html
from spj.authoring.irr.render import render_irr_json as render_irr_json
from spj.authoring.irr.report import IrrReport as IrrReport
from spj.authoring.irr.report import ItemAgreement as ItemAgreement
from spj.authoring.irr.report import PairKappa as PairKappa
from spj.authoring.irr.report import compute_irr as compute_irr
from spj.authoring.irr.stats import Agreement as Agreement
from spj.authoring.irr.stats import percent_agreement as percent_agreement

__all__ = [
    "Agreement",
    "Estimate",
    "IrrError",
    "IrrReport",
    "Item",
    "ItemAgreement",
    "PairKappa",
    "Resampling",
    "Study",
    "collect_study",
    "compute_irr",
    "fleiss_kappa",
    "icc_absolute",
    "krippendorff_alpha",
    "load_study_assessments",
    "percent_agreement",
    "render_irr_html",
    "render_irr_json",
    "weighted_kappa",
]
