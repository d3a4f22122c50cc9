"""A short plain-text summary of an evaluation, for the terminal."""

from __future__ import annotations

from spj.evaluation.results import Evaluation
from spj.instrument import Instrument
from spj.instrument.text import localize


def evaluation_summary(instrument: Instrument, evaluation: Evaluation, *, lang: str | None = None) -> str:
    """Completeness, flags, plan and undetermined interventions, in a few lines."""
    c = evaluation.completeness
    rules = {r.id: r for r in instrument.rules}
    lines = [
        f"{localize(instrument.title, lang, instrument)} {instrument.version} — assessment {evaluation.assessment_id}",
        f"completeness: {c.rated} rated, {c.omitted} omitted, {c.unrated} not yet rated of {c.indicators} "
        f"({'sufficient' if c.sufficient else 'insufficient'})",
        "flags:",
    ]
    for flag in evaluation.flags:
        extra = f" (missing: {', '.join(flag.missing)})" if flag.missing else ""
        lines.append(
            f"  [{flag.status}] {flag.severity} {flag.id}: {localize(rules[flag.id].message, lang, instrument)}{extra}"
        )
    if not evaluation.flags:
        lines.append("  none")
    lines.append(f"plan ({evaluation.plan.total_weeks} weeks):")
    for step in evaluation.plan.ordered_steps:
        lines.append(
            f"  phase {step.phase}, weeks {step.start_week}-{step.end_week}: "
            f"{localize(step.intervention.title, lang, instrument)} [{step.intervention.provider}] ({step.reason})"
        )
    for rec in evaluation.undetermined:
        lines.append(f"  undetermined: {rec.id} (missing: {', '.join(rec.missing) or 'case facts'})")
    lines.append("Summary judgements are the expert's; spj does not compute them.")
    return "\n".join(lines) + "\n"
