"""The long-format rows of one assessment: one row per recorded value, de-identified unless asked otherwise.

Columns: who and when (pseudonyms and a shifted date by default), then
`variable` and `value`. Free text (evidence, reasons, notes, rationales, the
formulation, scenarios, text case fields) is left out unless `include_text`:
it is where names and places hide.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from spj.assessment import Assessment
from spj.evaluation.results import Evaluation
from spj.instrument import Instrument, index_of
from spj.instrument.model import CaseField, Indicator
from spj.interop.research.keys import ResearchKey
from spj.interop.research.variables import Dictionary

OBSERVATION_FIELDS = (
    "instrument",
    "instrument_version",
    "case",
    "assessment",
    "assessor",
    "agency",
    "date",
    "status",
    "variable",
    "value",
)


@dataclass(frozen=True)
class Privacy:
    """How an export treats identities: `key` None means identified (real ids and dates)."""

    key: ResearchKey | None
    include_text: bool = False


def observations(
    instrument: Instrument, assessment: Assessment, evaluation: Evaluation, dictionary: Dictionary, privacy: Privacy
) -> Iterator[dict[str, str]]:
    """The rows of one assessment, its variables noted in `dictionary` as they come."""
    base = _who_and_when(instrument, assessment, privacy)
    for variable, value in _values(instrument, assessment, evaluation, dictionary, privacy.include_text):
        yield {**base, "variable": variable, "value": value}


def _who_and_when(instrument: Instrument, assessment: Assessment, privacy: Privacy) -> dict[str, str]:
    key, case = privacy.key, assessment.case.id
    return {
        "instrument": instrument.id,
        "instrument_version": instrument.version,
        "case": key.pseudonym("case", case) if key else case,
        "assessment": key.pseudonym("assessment", assessment.id) if key else assessment.id,
        "assessor": key.pseudonym("user", assessment.assessor.id) if key else assessment.assessor.id,
        "agency": assessment.assessor.agency or "",
        "date": (assessment.date + key.shift(case) if key else assessment.date).isoformat(),
        "status": assessment.status,
    }


def _values(
    instrument: Instrument, assessment: Assessment, evaluation: Evaluation, dictionary: Dictionary, text: bool
) -> Iterator[tuple[str, str]]:
    yield from _ratings(instrument, assessment, evaluation, dictionary, text)
    yield from _derived(instrument, evaluation, dictionary)
    yield from _judgements(instrument, assessment, dictionary, text)
    yield from _case_fields(instrument, assessment, dictionary, text)
    yield from _records(instrument, assessment, dictionary, text)
    if text:
        if assessment.formulation:
            yield dictionary.note(instrument, "formulation", "text", "string", "Formulation"), assessment.formulation
        for n, scenario in enumerate(assessment.scenarios, start=1):
            yield (
                dictionary.note(instrument, f"scenario.{n}", "text", "string", f"Scenario {n} (kind: text)"),
                f"{scenario.kind}: {scenario.text}",
            )


def _ratings(
    instrument: Instrument, assessment: Assessment, evaluation: Evaluation, dictionary: Dictionary, text: bool
) -> Iterator[tuple[str, str]]:
    scales = index_of(instrument).scales
    for indicator in instrument.indicators:
        rating = assessment.ratings.get(indicator.id)
        if rating is None:
            continue
        name = dictionary.names.indicator(instrument, indicator.id)

        def note(
            prefix: str,
            kind: str,
            type: str,
            codes: dict[str, str] | None = None,
            *,
            ind: Indicator = indicator,
            stable: str = name,
        ) -> str:
            return dictionary.note(
                instrument, f"{prefix}.{stable}", kind, type, ind.title, codes=codes, former=f"{prefix}.{ind.id}"
            )

        if rating.omitted:
            yield note("omitted", "omitted", "boolean"), "true"
        for scale in indicator.rate:
            code = rating.codes.get(scale)
            if evaluation.applicability.applies(indicator.id, scale) is False:
                continue  # a value given for an item not asked is set aside, as the engine does
            if code is not None and not rating.omitted:
                labels = {lv.code: dictionary.label(lv.label, instrument) for lv in scales[scale].levels}
                yield note(scale, "rating", "string", labels), str(code)
        if text:
            evidence = rating.evidence
            for prefix, value in (
                ("omission_reason", rating.reason),
                ("evidence_for", evidence.for_ if evidence else None),
                ("evidence_against", evidence.against if evidence else None),
                ("note", rating.note),
            ):
                if value:
                    yield note(prefix, "text", "string"), value


def _derived(instrument: Instrument, evaluation: Evaluation, dictionary: Dictionary) -> Iterator[tuple[str, str]]:
    flag_codes = {"raised": "raised", "clear": "not raised", "unknown": "unknown (information missing)"}
    rules = {r.id: r for r in instrument.rules}
    for result in evaluation.rule_results:
        rule = rules[result.id]
        label = rule.title if rule.title is not None else rule.message
        yield dictionary.note(instrument, f"flag.{result.id}", "flag", "string", label, codes=flag_codes), result.status
    step_codes = {
        "recommended": "recommended",
        "prerequisite": "in the plan as a prerequisite",
        "undetermined": "undetermined (information missing)",
        "not-recommended": "not recommended",
    }
    for iv in instrument.interventions:
        step = evaluation.plan.steps.get(iv.id)
        recommendation = evaluation.recommendations.get(iv.id)
        value: str
        if step is not None:
            value = step.reason
        elif recommendation is not None and recommendation.value is None:
            value = "undetermined"
        else:
            value = "not-recommended"
        yield (
            dictionary.note(instrument, f"intervention.{iv.id}", "intervention", "string", iv.title, codes=step_codes),
            value,
        )
    completeness = evaluation.completeness
    yield (
        dictionary.note(
            instrument, "completeness.omitted_ratio", "completeness", "number", "Share of indicators omitted"
        ),
        f"{completeness.omitted_ratio:.4f}",
    )
    yield (
        dictionary.note(
            instrument, "completeness.sufficient", "completeness", "boolean", "Omissions within the instrument's limit"
        ),
        "true" if completeness.sufficient else "false",
    )


def _judgements(
    instrument: Instrument, assessment: Assessment, dictionary: Dictionary, text: bool
) -> Iterator[tuple[str, str]]:
    for judgement in instrument.judgements:
        entry = assessment.judgements.get(judgement.id)
        if entry is None:
            continue
        if entry.level is not None:
            codes = {lv: dictionary.label(judgement.labels.get(lv, lv), instrument) for lv in judgement.levels}
            name = dictionary.note(
                instrument, f"judgement.{judgement.id}", "judgement", "string", judgement.title, codes=codes
            )
            yield name, entry.level
        if text and entry.rationale:
            name = dictionary.note(instrument, f"judgement_rationale.{judgement.id}", "text", "string", judgement.title)
            yield name, entry.rationale


def _case_fields(
    instrument: Instrument, assessment: Assessment, dictionary: Dictionary, text: bool
) -> Iterator[tuple[str, str]]:
    yield from _typed(instrument, instrument.case_fields, assessment.case.fields, "case", dictionary, text)


def _records(
    instrument: Instrument, assessment: Assessment, dictionary: Dictionary, text: bool
) -> Iterator[tuple[str, str]]:
    """The background step and each scenario's details: codes always, free text only when asked for."""
    yield from _typed(instrument, instrument.background, assessment.background, "background", dictionary, text)
    for n, scenario in enumerate(assessment.scenarios, start=1):
        yield from _typed(instrument, instrument.scenario_fields, scenario.details, f"scenario.{n}", dictionary, text)
        if scenario.management:
            label = f"Scenario {n}: interventions that answer it"
            name = dictionary.note(instrument, f"scenario.{n}.management", "scenario", "string", label)
            yield name, ";".join(scenario.management)


def _typed(
    instrument: Instrument,
    fields: Iterable[CaseField],
    values: Mapping[str, object],
    prefix: str,
    dictionary: Dictionary,
    text: bool,
) -> Iterator[tuple[str, str]]:
    types = {"choice": "string", "integer": "integer", "boolean": "boolean", "text": "string"}
    for typed in fields:
        value = values.get(typed.id)
        if value is None or (typed.type == "text" and not text):
            continue
        kind = "text" if typed.type == "text" else prefix.split(".", 1)[0]  # case, background or scenario
        codes = {c: dictionary.label(typed.labels.get(c, c), instrument) for c in typed.choices}
        name = dictionary.note(
            instrument, f"{prefix}.{typed.id}", kind, types[typed.type], typed.title or typed.id, codes=codes
        )
        if isinstance(value, tuple):  # a multiple choice: its codes, separated by ';'
            yield name, ";".join(value)
            continue
        yield name, ("true" if value else "false") if isinstance(value, bool) else str(value)
