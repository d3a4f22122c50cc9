"""Compare two assessments of one case: what changed from the previous one to the current one.

The rules, so a reader knows exactly what each list means:

- **Indicators**: listed when their state changed (rated / omitted / unrated)
  or, rated both times, when the code of any rated scale changed (presence,
  relevance, ...), or when its evidence for or against was written, edited
  or removed (`evidence`: the text before and after, whitespace at either
  end ignored). Instrument order.
- **Flags** (rules present in both evaluations, instrument order), by
  transition: `raised` — raised now, not before (it may have been clear or
  unknown); `cleared` — raised before, clear now; `unknown` — unknown now,
  known before (raised or clear); `known` — unknown before, clear now.
- **Interventions** (plan nodes): `added` — in the current plan only;
  `completed` — in the previous plan, no longer in the current plan, and its
  `end_week` in the previous plan is ≤ `weeks_elapsed` (whole weeks between
  the two assessment dates): by the previous schedule it should have ended.
  spj does not know whether it really took place; the report says so.
  `dropped` — in the previous plan, no longer in the current plan, and not
  due to have ended. An intervention in both plans is not listed.
- **Judgements**: the expert's summary judgements whose level changed,
  reported as the expert's; spj never computes them.

Both assessments must be of the same case and the same instrument id, and
not in reverse order of date. Instrument versions may differ only when both
have exactly the same indicator ids; labels then come from `instrument` (the
current one), falling back to the raw code.

>>> # comparison = compare(instrument, (old, old_evaluation), (new, new_evaluation))
"""

from __future__ import annotations

from collections.abc import Sequence

from spj.assessment.model import Assessment, Rating
from spj.errors import AssessmentError, Code, Problem
from spj.evaluation.comparison_model import (
    Comparison,
    EvidenceChange,
    FlagChange,
    FlagChangeKind,
    IndicatorChange,
    IndicatorState,
    InterventionChange,
    JudgementChange,
    LevelChange,
)
from spj.evaluation.results import Evaluation, PlanStep
from spj.instrument.model import Instrument, Judgement
from spj.instrument.text import localize

Pair = tuple[Assessment, Evaluation]


def compare(instrument: Instrument, previous: Pair, current: Pair, *, lang: str | None = None) -> Comparison:
    """The changes from `previous` to `current` (each an assessment with its evaluation).

    `instrument` is the current assessment's instrument; labels are in `lang`
    (default: the instrument's default language). Raises `AssessmentError`
    (code `instrument-mismatch` or `invalid-request`) when the two cannot be compared.
    """
    check_comparable(instrument, [previous, current])
    old, old_eval = previous
    new, new_eval = current
    weeks = (new.date - old.date).days // 7
    labels = _Labels(instrument, lang)
    return Comparison(
        instrument_id=instrument.id,
        case_id=new.case.id,
        previous_id=old.id,
        current_id=new.id,
        previous_version=old_eval.instrument_version,
        current_version=new_eval.instrument_version,
        previous_date=old.date,
        current_date=new.date,
        weeks_elapsed=weeks,
        indicators=_indicator_changes(instrument, old, old_eval, new, new_eval, labels),
        flags=_flag_changes(instrument, old_eval, new_eval, labels),
        added=tuple(_intervention(s, labels) for s in new_eval.plan.ordered_steps if s.id not in old_eval.plan.steps),
        dropped=tuple(
            _intervention(s, labels)
            for s in old_eval.plan.ordered_steps
            if s.id not in new_eval.plan.steps and s.end_week > weeks
        ),
        completed=tuple(
            _intervention(s, labels)
            for s in old_eval.plan.ordered_steps
            if s.id not in new_eval.plan.steps and s.end_week <= weeks
        ),
        judgements=_judgement_changes(instrument, old, new, labels),
    )


def check_comparable(instrument: Instrument, assessments: Sequence[Pair]) -> None:
    """Raise `AssessmentError` unless every assessment is of one case and of `instrument` (by id).

    Earlier instrument versions are accepted when their indicator ids are
    exactly the instrument's; dates must not go backwards.
    """
    problems: list[Problem] = []
    indicator_ids = {i.id for i in instrument.indicators}
    first_case = assessments[0][0].case.id if assessments else ""
    for n, (assessment, evaluation) in enumerate(assessments):
        where = f"assessment {assessment.id}"
        if assessment.case.id != first_case:
            problems.append(
                Problem(
                    Code.INVALID_REQUEST,
                    f"{where} is of case {assessment.case.id}, not {first_case}; only assessments of one case "
                    "can be compared",
                )
            )
        if evaluation.instrument_id != instrument.id or assessment.instrument.id != instrument.id:
            problems.append(
                Problem(
                    Code.INSTRUMENT_MISMATCH,
                    f"{where} was made with instrument {assessment.instrument.id}, not {instrument.id}; "
                    "only assessments made with the same instrument can be compared",
                )
            )
        elif evaluation.instrument_version != instrument.version:
            theirs = set(evaluation.indicator_status)
            if theirs != indicator_ids:
                gone = ", ".join(sorted(theirs - indicator_ids)) or "none"
                new = ", ".join(sorted(indicator_ids - theirs)) or "none"
                problems.append(
                    Problem(
                        Code.INSTRUMENT_MISMATCH,
                        f"{where} was made with {instrument.id} {evaluation.instrument_version}, whose indicators "
                        f"differ from version {instrument.version} (only in the older: {gone}; only in the newer: "
                        f"{new}); migrate it first (spj migrate) to compare",
                    )
                )
        if n and assessment.date < assessments[n - 1][0].date:
            problems.append(
                Problem(
                    Code.INVALID_REQUEST,
                    f"{where} ({assessment.date.isoformat()}) is dated before {assessments[n - 1][0].id} "
                    f"({assessments[n - 1][0].date.isoformat()}); give the assessments oldest first",
                )
            )
    if problems:
        raise AssessmentError(problems)


class _Labels:
    def __init__(self, instrument: Instrument, lang: str | None) -> None:
        self.instrument = instrument
        self.lang = lang

    def text(self, value: object) -> str:
        return localize(value, self.lang, self.instrument)  # type: ignore[arg-type]

    def level(self, scale: str, code: str | None) -> str:
        if code is None:
            return ""
        for level in self.instrument.scales.get(scale, ()):
            if level.code == code:
                return self.text(level.label)
        return code

    def judgement_level(self, judgement: Judgement, code: str | None) -> str:
        if code is None:
            return ""
        label = judgement.labels.get(code)
        return self.text(label) if label else code


def _indicator_changes(
    instrument: Instrument,
    old: Assessment,
    old_eval: Evaluation,
    new: Assessment,
    new_eval: Evaluation,
    labels: _Labels,
) -> tuple[IndicatorChange, ...]:
    out = []
    for indicator in instrument.indicators:
        before = _state(old_eval, indicator.id)
        after = _state(new_eval, indicator.id)
        old_codes = _codes(old, indicator.id, indicator.rate)
        new_codes = _codes(new, indicator.id, indicator.rate)
        levels = tuple(
            LevelChange(
                scale,
                old_codes.get(scale),
                labels.level(scale, old_codes.get(scale)),
                new_codes.get(scale),
                labels.level(scale, new_codes.get(scale)),
            )
            for scale in indicator.rate
            if old_codes.get(scale) != new_codes.get(scale)
        )
        rating = new.ratings.get(indicator.id)
        evidence = _evidence_changes(old.ratings.get(indicator.id), rating)
        if before == after and not levels and not evidence:
            continue
        out.append(
            IndicatorChange(
                id=indicator.id,
                title=labels.text(indicator.title),
                domain=indicator.domain,
                kind=indicator.kind,
                from_state=before,
                to_state=after,
                levels=levels,
                reason=(rating.reason or "") if rating is not None and rating.omitted else "",
                evidence=evidence,
            )
        )
    return tuple(out)


def _evidence_changes(old: Rating | None, new: Rating | None) -> tuple[EvidenceChange, ...]:
    """The evidence texts (for, against) that differ between the two ratings of an indicator."""
    out = []
    for part in ("for", "against"):
        was, now = _evidence_text(old, part), _evidence_text(new, part)
        if was != now:
            out.append(EvidenceChange(part, was, now))
    return tuple(out)


def _evidence_text(rating: Rating | None, part: str) -> str:
    evidence = rating.evidence if rating is not None else None
    if evidence is None:
        return ""
    return ((evidence.for_ if part == "for" else evidence.against) or "").strip()


def _state(evaluation: Evaluation, indicator_id: str) -> IndicatorState:
    state = evaluation.indicator_status.get(indicator_id, "unrated")
    return state if state in ("rated", "omitted") else "unrated"  # type: ignore[return-value]


def _codes(assessment: Assessment, indicator_id: str, scales: tuple[str, ...]) -> dict[str, str]:
    rating = assessment.ratings.get(indicator_id)
    if rating is None or rating.omitted:
        return {}
    return {s: str(c) for s, c in rating.codes.items() if s in scales}


def _flag_changes(
    instrument: Instrument, old_eval: Evaluation, new_eval: Evaluation, labels: _Labels
) -> tuple[FlagChange, ...]:
    before = {f.id: f for f in old_eval.rule_results}
    after = {f.id: f for f in new_eval.rule_results}
    out = []
    for rule in instrument.rules:
        if rule.id not in before or rule.id not in after:
            continue
        was, now = before[rule.id].status, after[rule.id].status
        change = _flag_transition(was, now)
        if change is None:
            continue
        out.append(
            FlagChange(
                id=rule.id,
                title=labels.text(rule.title) if rule.title else "",
                message=labels.text(rule.message),
                severity=rule.severity,
                change=change,
                from_status=was,
                to_status=now,
                missing=after[rule.id].missing,
            )
        )
    return tuple(out)


def _flag_transition(was: str, now: str) -> FlagChangeKind | None:
    """The name of a status change (module docstring); None when the status did not change."""
    if was == now:
        return None
    if now == "raised":
        return "raised"
    if now == "unknown":
        return "unknown"
    return "cleared" if was == "raised" else "known"


def _intervention(step: PlanStep, labels: _Labels) -> InterventionChange:
    iv = step.intervention
    return InterventionChange(iv.id, labels.text(iv.title), iv.provider, step.start_week, step.end_week)


def _judgement_changes(
    instrument: Instrument, old: Assessment, new: Assessment, labels: _Labels
) -> tuple[JudgementChange, ...]:
    out = []
    for judgement in instrument.judgements:
        before = old.judgements.get(judgement.id)
        after = new.judgements.get(judgement.id)
        was = before.level if before else None
        now = after.level if after else None
        if was == now:
            continue
        out.append(
            JudgementChange(
                judgement.id,
                labels.text(judgement.title),
                was,
                labels.judgement_level(judgement, was),
                now,
                labels.judgement_level(judgement, now),
            )
        )
    return tuple(out)
