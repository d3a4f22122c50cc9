"""Agreement over time per team: the inter-rater statistics of the agency's submitted double ratings.

For each instrument version and calendar quarter (of the moment the pair was
complete: the later of the two finalisations), and for each version over all
quarters, the pairs of ratings are one inter-rater study (`spj.authoring.irr`):
the first rating is rater "first", the second rating rater "second", each
double rating one case. A cell with fewer than `SMALL_CELL` pairs is
suppressed as the programme figures are (`spj.evaluation.programme`): its
count and every statistic are withheld. Nothing in a cell names a case, an
assessment or a rater.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spj.assessment import Assessment
from spj.authoring.irr.data import collect_study
from spj.authoring.irr.report import IrrReport, compute_irr
from spj.evaluation.programme import SMALL_CELL
from spj.instrument import Instrument
from spj.service.double_rating import is_open, quarter_of

if TYPE_CHECKING:
    from spj.service.workspace import Workspace

ALL_QUARTERS = "all"
RESAMPLES = 1000


@dataclass(frozen=True)
class AgreementCell:
    """One instrument version and quarter (or `all`): the number of pairs and their agreement, or suppressed."""

    instrument: Instrument
    quarter: str
    pairs: int | None  # None: suppressed (fewer than SMALL_CELL pairs)
    report: IrrReport | None  # None when suppressed

    @property
    def exact(self) -> float | None:
        """Percent of indicator ratings on which both raters gave the same level (None: suppressed or none)."""
        return _percent(self.report, within=0)

    @property
    def within_one(self) -> float | None:
        """Percent of indicator ratings at most one level apart."""
        return _percent(self.report, within=1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; no case, assessment or rater is named."""
        out: dict[str, Any] = {
            "instrument": {"id": self.instrument.id, "version": self.instrument.version},
            "quarter": self.quarter,
            "pairs": self.pairs,
            "suppressed": self.report is None,
        }
        if self.report is None:
            out["reason"] = f"fewer than {SMALL_CELL} submitted double ratings: not shown"
            return out
        full = self.report.to_dict()
        for key in ("raters", "cases"):
            full.pop(key, None)
        return {
            **out,
            "percent_exact": _rounded(self.exact),
            "percent_within_one": _rounded(self.within_one),
            **{k: v for k, v in full.items() if k != "instrument"},
        }


def agreement_cells(workspace: Workspace, agency_id: str, *, resamples: int = RESAMPLES) -> list[AgreementCell]:
    """The cells of one agency (who may see them is `Workspace`'s to say), by instrument version then quarter."""
    store = workspace.store
    groups: dict[tuple[str, str], dict[str, list[tuple[str, Assessment, Assessment]]]] = {}
    for rating in store.double_ratings.of_agency(agency_id):
        if is_open(store, rating):
            continue
        first = workspace.head_of(store.get_assessment(agency_id, rating.first_id))
        second = workspace.head_of(store.get_assessment(agency_id, rating.second_id))
        if first.assessment is None or second.assessment is None:
            continue  # a final was valid when locked; an instrument change may make it not so
        if (first.record.instrument_id, first.record.instrument_version) != (
            second.record.instrument_id,
            second.record.instrument_version,
        ):
            continue
        done = max(
            first.record.finalised_at or first.record.updated_at, second.record.finalised_at or second.record.updated_at
        )
        version = groups.setdefault((first.record.instrument_id, first.record.instrument_version), {})
        entry = (rating.id, first.assessment, second.assessment)
        version.setdefault(quarter_of(done), []).append(entry)
        version.setdefault(ALL_QUARTERS, []).append(entry)
    cells = []
    for (instrument_id, version_id), quarters in sorted(groups.items()):
        instrument = workspace.get_instrument(instrument_id, version_id)
        for quarter in sorted(quarters, key=lambda q: (q == ALL_QUARTERS, q)):
            cells.append(_cell(instrument, quarter, quarters[quarter], resamples))
    return cells


def _cell(
    instrument: Instrument, quarter: str, pairs: Sequence[tuple[str, Assessment, Assessment]], resamples: int
) -> AgreementCell:
    if len(pairs) < SMALL_CELL:
        return AgreementCell(instrument, quarter, None, None)
    assessments = []
    for number, (_, first, second) in enumerate(pairs, start=1):
        case = f"pair-{number}"  # the study names no case: pairs are numbered within the cell
        for rater, assessment in (("first", first), ("second", second)):
            assessments.append(
                assessment.model_copy(
                    update={
                        "case": assessment.case.model_copy(update={"id": case}),
                        "assessor": assessment.assessor.model_copy(update={"id": rater}),
                    }
                )
            )
    report = compute_irr(collect_study(instrument, assessments), resamples=resamples)
    return AgreementCell(instrument, quarter, len(pairs), report)


def _percent(report: IrrReport | None, *, within: int) -> float | None:
    if report is None:
        return None
    total = close = 0
    for agreement in report.indicators:
        for by_rater in agreement.item.ratings.values():
            if len(by_rater) == 2:
                a, b = by_rater.values()
                total += 1
                close += abs(a - b) <= within
    return 100.0 * close / total if total else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
