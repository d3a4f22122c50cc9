"""Feedback on a trainee's rating of a vignette: each indicator and judgement against the reference.

A rating is *exact* (same level), *adjacent* (one level apart on the scale),
*off* (further apart), or *omitted* when only one of the two omitted the
indicator (both omitting it is exact: the vignette gives no information).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from spj.assessment import Assessment
from spj.assessment.validate import case_value
from spj.authoring.training.model import Vignette
from spj.instrument import Instrument, index_of
from spj.instrument.applicability import Applicability, decide_applicability

Match = Literal["exact", "adjacent", "off", "omitted"]


@dataclass(frozen=True, slots=True)
class Comparison:
    """One rated item (an indicator's scale, or a judgement): the trainee's level against the reference's."""

    item: str
    """`EN1.presence` or `judgement.case_priority`."""
    target: str
    scale: str | None
    levels: tuple[str, ...]
    trainee: str | None
    reference: str | None
    match: Match
    rationale: str

    @property
    def trainee_rank(self) -> int | None:
        """The trainee's level as a rank, lowest first; None when omitted."""
        return self.levels.index(self.trainee) if self.trainee in self.levels else None

    @property
    def reference_rank(self) -> int | None:
        """The reference's level as a rank; None when omitted."""
        return self.levels.index(self.reference) if self.reference in self.levels else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "item": self.item,
            "trainee": self.trainee,
            "reference": self.reference,
            "match": self.match,
            "rationale": self.rationale,
        }


def classify(trainee: int | None, reference: int | None) -> Match:
    """Exact, adjacent, off by more, or omitted by one side only.

    >>> [classify(1, 1), classify(0, 1), classify(0, 2), classify(None, 2), classify(None, None)]
    ['exact', 'adjacent', 'off', 'omitted', 'exact']
    """
    if trainee is None or reference is None:
        return "exact" if trainee is None and reference is None else "omitted"
    distance = abs(trainee - reference)
    return "exact" if distance == 0 else "adjacent" if distance == 1 else "off"


def compare(instrument: Instrument, vignette: Vignette, submitted: Assessment) -> list[Comparison]:
    """Every indicator scale the reference asks for, then every judgement, in instrument order.

    An item the instrument does not ask under the reference's own ratings (`applies_when`: say,
    relevance when the reference rates the risk absent) is not compared: a level given for it on
    either side is set aside, as the engine sets it aside.
    """
    asked = _asked(instrument, vignette.reference)
    out: list[Comparison] = []
    for indicator in instrument.indicators:
        for scale in indicator.rate:
            if asked.applies(indicator.id, scale) is False:
                continue
            levels = tuple(level.code for level in sorted(instrument.scales[scale], key=lambda lv: lv.value))
            mine = _code(submitted, indicator.id, scale)
            theirs = _code(vignette.reference, indicator.id, scale)
            out.append(
                Comparison(
                    item=f"{indicator.id}.{scale}",
                    target=indicator.id,
                    scale=scale,
                    levels=levels,
                    trainee=mine,
                    reference=theirs,
                    match=classify(_rank(levels, mine), _rank(levels, theirs)),
                    rationale=vignette.rationales.get(indicator.id, ""),
                )
            )
    for judgement in instrument.judgements:
        mine_entry = submitted.judgements.get(judgement.id)
        ref_entry = vignette.reference.judgements.get(judgement.id)
        mine = mine_entry.level if mine_entry is not None else None
        theirs = ref_entry.level if ref_entry is not None else None
        out.append(
            Comparison(
                item=f"judgement.{judgement.id}",
                target=judgement.id,
                scale=None,
                levels=judgement.levels,
                trainee=mine,
                reference=theirs,
                match=classify(_rank(judgement.levels, mine), _rank(judgement.levels, theirs)),
                rationale=vignette.judgement_rationale(judgement.id),
            )
        )
    return out


def _asked(instrument: Instrument, reference: Assessment) -> Applicability:
    """Which items the instrument asks for under the reference's ratings and case."""
    index = index_of(instrument)
    codes = {ind: rating.codes for ind, rating in reference.ratings.items() if not rating.omitted}
    case = {name: case_value(index.case_fields.get(name), value) for name, value in reference.case.fields.items()}
    return decide_applicability(index, codes, case)


def _code(assessment: Assessment, indicator: str, scale: str) -> str | None:
    """The level given, or None when the indicator is omitted or the scale not rated."""
    rating = assessment.ratings.get(indicator)
    if rating is None or rating.omitted:
        return None
    code = rating.codes.get(scale)
    return code if isinstance(code, str) else None


def _rank(levels: tuple[str, ...], code: str | None) -> int | None:
    return levels.index(code) if code in levels else None
