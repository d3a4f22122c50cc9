"""Does a trainee's training record meet the deployment's requirement for an instrument version?

Counted: the first attempt at each vignette of that version (`training.progress`).
Met when the trainee has at least `min_vignettes` vignettes, the
quadratic-weighted kappa against the references reaches `min_kappa` on every
indicator scale, and the share of summary judgements exactly as the reference
reaches `min_judgement_agreement`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spj.authoring.training.progress import Progress
from spj.disclosure.certification import Requirement


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether the requirement is met, the figures, and every shortfall in words."""

    met: bool
    figures: dict[str, Any]
    shortfalls: tuple[str, ...]


def assess(progress: Progress, requirement: Requirement) -> Verdict:
    """Compare a trainee's progress on one instrument version with the requirement."""
    shortfalls: list[str] = []
    vignettes = len(progress.vignettes)
    if vignettes < requirement.min_vignettes:
        shortfalls.append(f"{vignettes} vignette(s) submitted; {requirement.min_vignettes} are required")
    kappas: dict[str, float | None] = {}
    judgement_share: float | None = None
    for group in progress.groups:
        if group.group == "judgements":
            judgement_share = group.exact / group.items if group.items else None
            continue
        kappas[group.group] = group.kappa.value
        if group.kappa.value is None:
            shortfalls.append(f"kappa on {group.group} is undefined ({group.kappa.reason})")
        elif group.kappa.value < requirement.min_kappa:
            shortfalls.append(
                f"kappa on {group.group} is {group.kappa.value:.2f}; {requirement.min_kappa:.2f} is required"
            )
    if judgement_share is None:
        shortfalls.append("no summary judgement to compare")
    elif judgement_share < requirement.min_judgement_agreement:
        shortfalls.append(
            f"{judgement_share:.0%} of the judgements agree with the reference; "
            f"{requirement.min_judgement_agreement:.0%} are required"
        )
    figures = {
        "vignettes": vignettes,
        "kappa_quadratic": {k: None if v is None else round(v, 4) for k, v in kappas.items()},
        "judgement_agreement": None if judgement_share is None else round(judgement_share, 4),
        "requirement": requirement.model_dump(exclude_none=True),
    }
    return Verdict(not shortfalls, figures, tuple(shortfalls))
