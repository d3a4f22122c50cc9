"""Parts an author usually means to fill in: guidance, anchors, providers, durations, rationales."""

from __future__ import annotations

from spj.authoring.lint.context import LintContext
from spj.authoring.lint.model import LintCode, LintWarning


def authoring_warnings(ctx: LintContext) -> list[LintWarning]:
    """`no-guidance`, `no-anchors`, `no-provider`, `no-duration`, `no-rationale-required`."""
    instrument = ctx.instrument
    warnings = []
    for n, indicator in enumerate(instrument.indicators):
        if indicator.guidance is None or not _has_text(indicator.guidance):
            warnings.append(
                ctx.warning(
                    LintCode.NO_GUIDANCE,
                    f"indicator {indicator.id!r} has no guidance: raters get no help on how to rate it",
                    ("indicators", n, "id"),
                )
            )
        if not indicator.anchors:
            warnings.append(
                ctx.warning(
                    LintCode.NO_ANCHORS,
                    f"indicator {indicator.id!r} has no anchors: no presence level is described for it",
                    ("indicators", n, "id"),
                )
            )
    for n, iv in enumerate(instrument.interventions):
        if not iv.provider.strip():
            warnings.append(
                ctx.warning(
                    LintCode.NO_PROVIDER,
                    f"intervention {iv.id!r} has an empty provider: the plan cannot say who delivers it",
                    ("interventions", n, "provider"),
                )
            )
        if iv.duration_weeks == 0:
            warnings.append(
                ctx.warning(
                    LintCode.NO_DURATION,
                    f"intervention {iv.id!r} lasts 0 weeks: it adds nothing to the schedule and what comes "
                    "after it starts at the same time",
                    ("interventions", n, "duration_weeks"),
                )
            )
    for n, judgement in enumerate(instrument.judgements):
        if not judgement.rationale_required:
            warnings.append(
                ctx.warning(
                    LintCode.NO_RATIONALE_REQUIRED,
                    f"judgement {judgement.id!r} does not require a rationale: a final assessment can give "
                    "the judgement without saying why; add 'rationale_required: true'",
                    ("judgements", n, "id"),
                )
            )
    return warnings


def _has_text(text: str | dict[str, str]) -> bool:
    values = [text] if isinstance(text, str) else list(text.values())
    return any(value.strip() for value in values)
