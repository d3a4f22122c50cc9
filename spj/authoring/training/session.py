"""Submitting a rating of a vignette: the one door to its reference.

The reference is sealed until the trainee submits a *final* rating of the
vignette's case: complete, validated as an assessment of the instrument. A
draft, a partial rating or a rating of another case is refused
(`reference-sealed`) before anything of the reference is read into the
answer. A submission is recorded first; only then is the feedback returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spj.assessment import Assessment
from spj.authoring.training.agreement import GroupAgreement, agreement
from spj.authoring.training.errors import TrainingError
from spj.authoring.training.feedback import Comparison, compare
from spj.authoring.training.model import Vignette
from spj.authoring.training.progress import Progress, progress
from spj.authoring.training.record import append_submission, read_submissions
from spj.errors import Code, Location, Problem
from spj.instrument import Instrument


@dataclass(frozen=True, slots=True)
class Feedback:
    """What a trainee sees after submitting: every item against the reference, and the agreement so far."""

    vignette: Vignette
    trainee: str
    attempt: int
    comparisons: tuple[Comparison, ...]
    agreement: tuple[GroupAgreement, ...]
    progress: Progress

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "vignette": {
                "id": self.vignette.id,
                "instrument": {"id": self.vignette.instrument_id, "version": self.vignette.instrument_version},
            },
            "trainee": self.trainee,
            "attempt": self.attempt,
            "items": [c.to_dict() for c in self.comparisons],
            "reference_formulation": self.vignette.reference.formulation,
            "agreement": [g.to_dict() for g in self.agreement],
            "progress": self.progress.to_dict(),
        }


def check_submission(vignette: Vignette, submitted: Assessment, *, where: str | None = None) -> None:
    """Refuse (`reference-sealed`) anything but a final rating of this vignette's case."""
    problems = []
    if submitted.case.id != vignette.reference.case.id:
        problems.append(
            f"this is a rating of case {submitted.case.id}, not of vignette {vignette.id} "
            f"(case {vignette.reference.case.id}); start from `spj train start` for this vignette"
        )
    ref = submitted.instrument
    if (ref.id, ref.version) != (vignette.instrument_id, vignette.instrument_version):
        problems.append(
            f"this rating uses {ref.id} {ref.version}; vignette {vignette.id} is rated with "
            f"{vignette.instrument_id} {vignette.instrument_version}"
        )
    if submitted.status != "final":
        problems.append(
            "the reference is shown only after you submit a final rating: rate or omit every indicator, give "
            "every judgement with its rationale, then set status: final"
        )
    if problems:
        raise TrainingError([Problem(Code.REFERENCE_SEALED, m, Location(where, path=("status",))) for m in problems])


def submit(
    instrument: Instrument,
    vignette: Vignette,
    submitted: Assessment,
    *,
    record: Path,
    where: str | None = None,
    now: dt.datetime | None = None,
) -> Feedback:
    """Record the trainee's final rating of `vignette`, then compare it with the reference."""
    check_submission(vignette, submitted, where=where)
    trainee = submitted.assessor.id
    comparisons = compare(instrument, vignette, submitted)
    entry = append_submission(record, trainee=trainee, vignette=vignette, comparisons=comparisons, now=now)
    here = agreement([(c.item, c) for c in comparisons])
    overall = progress(
        trainee, read_submissions(record, trainee=trainee), instrument=(instrument.id, instrument.version)
    )
    return Feedback(vignette, trainee, entry["attempt"], tuple(comparisons), tuple(here), overall)
