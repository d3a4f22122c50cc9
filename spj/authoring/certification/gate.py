"""The check when an expert finalises an assessment: certified on this instrument version, or warn, or refuse."""

from __future__ import annotations

from pathlib import Path

from spj.assessment import Assessment
from spj.authoring.certification.errors import CertificationError
from spj.authoring.certification.register import certification_of
from spj.disclosure.certification import CertificationSettings
from spj.errors import Code, Location, Problem


def finalising_problems(
    settings: CertificationSettings, register: Path, assessment: Assessment, *, where: Location | None = None
) -> list[Problem]:
    """Warnings for a final assessment by an uncertified expert; `CertificationError` when the deployment refuses.

    A draft, or an instrument the deployment sets no requirement for, passes silently.
    """
    ref = assessment.instrument
    if assessment.status != "final" or settings.requirement(ref.id, ref.version) is None:
        return []
    if certification_of(register, assessment.assessor.id, ref.id, ref.version) is not None:
        return []
    problem = Problem(
        Code.UNCERTIFIED_EXPERT,
        f"{assessment.assessor.id} is not certified on {ref.id} {ref.version} in this deployment; "
        "train on its vignettes and run `spj certify check`",
        where or Location(path=("assessor", "id")),
    )
    if settings.on_uncertified == "refuse":
        raise CertificationError(problem)
    return [problem]
