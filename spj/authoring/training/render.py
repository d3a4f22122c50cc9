"""Feedback and progress as plain text for the terminal (the JSON is `Feedback.to_dict`)."""

from __future__ import annotations

from collections.abc import Sequence

from spj.authoring.irr import Estimate
from spj.authoring.training.agreement import GroupAgreement
from spj.authoring.training.feedback import Comparison
from spj.authoring.training.progress import Progress
from spj.authoring.training.session import Feedback
from spj.instrument import Instrument
from spj.instrument.text import localize

MARK = {"exact": "exact", "adjacent": "adjacent (one level apart)", "off": "OFF by more than one level",
        "omitted": "omitted by one side only"}  # fmt: skip


def render_feedback(feedback: Feedback, instrument: Instrument, *, lang: str | None = None) -> str:
    """Every indicator and judgement against the reference, its rationale, and the agreement."""
    vignette = feedback.vignette
    lines = [
        f"Vignette {vignette.id}: {localize(vignette.title, lang, instrument)}",
        f"Trainee {feedback.trainee}, attempt {feedback.attempt}"
        + (" (made after seeing the reference: not counted)" if feedback.attempt > 1 else ""),
        "",
    ]
    titles = {i.id: localize(i.title, lang, instrument) for i in instrument.indicators}
    titles |= {j.id: localize(j.title, lang, instrument) for j in instrument.judgements}
    shown: set[str] = set()
    for comparison in feedback.comparisons:
        if comparison.target not in shown:
            shown.add(comparison.target)
            lines.append(f"{comparison.target} {titles.get(comparison.target, '')}")
        label = comparison.scale or "level"
        lines.append(
            f"  {label}: you {comparison.trainee or 'omitted'}, reference {comparison.reference or 'omitted'}"
            f" - {MARK[comparison.match]}"
        )
        if comparison.rationale and (comparison.scale is None or comparison.scale == _last_scale(feedback, comparison)):
            lines.append(f"  Reference rationale: {comparison.rationale}")
    if vignette.reference.formulation:
        lines += ["", f"Reference formulation: {vignette.reference.formulation.strip()}"]
    lines += ["", "Agreement on this vignette:", *_groups(feedback.agreement)]
    lines += ["", *render_progress(feedback.progress).rstrip("\n").split("\n")]
    return "\n".join(lines) + "\n"


def render_progress(progress: Progress) -> str:
    """Agreement over the trainee's first attempts."""
    count = len(progress.vignettes)
    on = f" of {progress.instrument[0]} {progress.instrument[1]}" if progress.instrument else ""
    lines = [f"Over all your vignettes{on} ({count}; first attempts only, {progress.attempts} submission(s) in all):"]
    lines += _groups(progress.groups) if progress.groups else ["  nothing submitted yet"]
    return "\n".join(lines) + "\n"


def _last_scale(feedback: Feedback, comparison: Comparison) -> str | None:
    """The indicator's last rated scale: its rationale is printed once, after all its scales."""
    scales = [c.scale for c in feedback.comparisons if c.target == comparison.target and c.scale is not None]
    return scales[-1] if scales else None


def _groups(groups: Sequence[GroupAgreement]) -> list[str]:
    lines = []
    for group in groups:
        within = group.exact + group.adjacent
        lines.append(
            f"  {group.group}: {group.exact}/{group.items} exact, {within}/{group.items} within one level, "
            f"{group.off} off, {group.omitted} omitted by one side; quadratic-weighted kappa {_estimate(group.kappa)}"
        )
    return lines


def _estimate(estimate: Estimate) -> str:
    if estimate.value is None:
        return f"undefined ({estimate.reason})"
    text = f"{estimate.value:.2f}"
    if estimate.ci is not None:
        detail = estimate.detail or {}
        method = f"{detail.get('interval')}, {detail.get('resamples')} resamples"
        text += f" [{estimate.ci[0]:.2f}, {estimate.ci[1]:.2f}] ({method})"
    elif estimate.reason:
        text += f" (no interval: {estimate.reason})"
    return text
