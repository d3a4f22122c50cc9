"""Check an assessment against its instrument; every problem located."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spj.assessment.fieldvalues import check_values, choice_code
from spj.assessment.model import Assessment, Rating
from spj.assessment.records import check_records
from spj.errors import Code, Problem, did_you_mean
from spj.files.yamlsource import Document
from spj.instrument import Instrument, index_of
from spj.instrument.applicability import NOTHING_CONDITIONED, Applicability, decide_applicability
from spj.instrument.model import CaseField, Indicator


def check_assessment(assessment: Assessment, instrument: Instrument, doc: Document) -> list[Problem]:
    """Every problem of `assessment` for `instrument` (DESIGN 4.2)."""
    ref = assessment.instrument
    if ref.id != instrument.id or ref.version != instrument.version:
        return [
            doc.problem(
                Code.INSTRUMENT_MISMATCH,
                f"this assessment was made with {ref.id} {ref.version}, not {instrument.id} {instrument.version}; "
                "load the instrument it names (or migrate the assessment)",
                ("instrument",),
            )
        ]
    problems: list[Problem] = []
    if assessment.status == "final" and ref.sha256 is not None and ref.sha256 != instrument.sha256:
        problems.append(
            doc.problem(
                Code.INSTRUMENT_MISMATCH,
                f"this final assessment was made with other content of {ref.id} {ref.version} "
                f"(sha256 {ref.sha256[:12]}…, this file has {instrument.sha256[:12]}…); "
                "the instrument changed without a new version: load the text it was made with",
                ("instrument", "sha256"),
            )
        )
    source_ids = [s.id for s in assessment.sources]
    seen_sources: set[str] = set()
    for n, listed in enumerate(assessment.sources):
        if listed.id in seen_sources:
            problems.append(doc.problem(Code.DUPLICATE_ID, f"duplicate source id {listed.id!r}", ("sources", n, "id")))
        seen_sources.add(listed.id)
    problems += _check_case_fields(assessment, instrument, doc)
    problems += check_records(assessment, instrument, doc)
    if assessment.plan is not None and assessment.version < 2:
        problems.append(
            doc.problem(
                Code.SCHEMA,
                "an agreed plan needs format: spj-assessment/2; change the format line (version 1 has no plan)",
                ("plan",),
            )
        )
    final = assessment.status == "final"
    for ind_id, rating in assessment.ratings.items():
        problems += _check_rating(ind_id, rating, instrument, source_ids, doc)
    if final:
        problems += _check_final_ratings(assessment, instrument, doc)
    problems += _check_judgements(assessment, instrument, doc, final=final)
    return problems


def _check_rating(
    ind_id: str, rating: Rating, instrument: Instrument, source_ids: list[str], doc: Document
) -> list[Problem]:
    """The problems of one rating: its indicator, omission, scales and codes, cited sources."""
    index = index_of(instrument)
    base = ("ratings", ind_id)
    indicator = index.indicators.get(ind_id)
    if indicator is None:
        return [
            doc.problem(
                Code.UNKNOWN_INDICATOR,
                f"no indicator {ind_id!r} in {instrument.id} {instrument.version}"
                + did_you_mean(ind_id, index.indicators),
                base,
            )
        ]
    problems: list[Problem] = []
    codes = rating.codes
    if rating.omitted:
        if not (rating.reason and rating.reason.strip()):
            problems.append(
                doc.problem(Code.OMISSION, f"{ind_id} is omitted without a reason; say why it is unknown", base)
            )
        if codes:
            problems.append(
                doc.problem(Code.OMISSION, f"{ind_id} is omitted but also rated; keep one of the two", base)
            )
    for scale_name, code in codes.items():
        if scale_name not in indicator.rate:
            problems.append(
                doc.problem(
                    Code.UNKNOWN_SCALE,
                    f"{ind_id} is not rated on {scale_name!r}; it is rated on {', '.join(indicator.rate)}"
                    + did_you_mean(scale_name, indicator.rate),
                    (*base, scale_name),
                )
            )
            continue
        scale = index.scales[scale_name]
        if not isinstance(code, str) or code not in scale.by_code:
            problems.append(
                doc.problem(
                    Code.UNKNOWN_CODE,
                    f"{code!r} is not a {scale_name} code; use one of {', '.join(scale.codes)}",
                    (*base, scale_name),
                )
            )
    for k, source in enumerate(rating.sources):
        if source not in source_ids:
            problems.append(
                doc.problem(
                    Code.UNKNOWN_SOURCE,
                    f"source {source!r} is not listed under sources" + did_you_mean(source, source_ids),
                    (*base, "sources", k),
                )
            )
    return problems


def _check_case_fields(assessment: Assessment, instrument: Instrument, doc: Document) -> list[Problem]:
    fields = index_of(instrument).case_fields
    values = assessment.case.fields
    return check_values(fields, values, ("case", "fields"), doc, what="case field", unknown=Code.UNKNOWN_CASE_FIELD)


def case_value(field: CaseField | None, value: object) -> object:
    """What rules and reports see of a case fact: a code for a choice, a list of codes for a multiple one.

    >>> case_value(CaseField(id="s", type="choice", choices=("a", "b"), multiple=True), "a")
    ['a']
    """
    if field is None or field.type != "choice":
        return value
    if field.multiple:
        items = value if isinstance(value, tuple | list) else [value]
        return [choice_code(item) for item in items]
    return choice_code(value)


def rating_gaps(
    indicator: Indicator,
    codes: Mapping[str, object] | None,
    omitted: bool,
    index: Any,
    applicability: Applicability = NOTHING_CONDITIONED,
) -> tuple[str, ...]:
    """What an indicator still needs before it is complete: nothing when omitted or fully rated.

    `("rating",)` when it is neither rated nor omitted; else the scales still to rate. Scales after the
    first (relevance) may stay empty for an indicator rated at the bottom of its first scale: an absent
    indicator has no relevance to rate. An item whose condition is false (`applicability`) is not asked:
    nothing to do for it; one whose condition is unknown still is. The form's progress and the final
    check read the same rule.
    """
    if omitted or applicability.applies(indicator.id) is False:
        return ()
    if codes is None:
        return ("rating",)
    first, *rest = indicator.rate
    first_code = codes.get(first)
    if first_code is None:
        return (first,)
    level = index.scales[first].by_code.get(first_code)
    if level is not None and level.value == index.scales[first].bottom:
        return ()
    return tuple(
        scale for scale in rest if codes.get(scale) is None and applicability.applies(indicator.id, scale) is not False
    )


def assessment_applicability(assessment: Assessment, instrument: Instrument) -> Applicability:
    """Which conditional items apply to `assessment` (`spj.instrument.applicability`)."""
    index = index_of(instrument)
    if not index.conditions:
        return NOTHING_CONDITIONED
    codes = {ind: rating.codes for ind, rating in assessment.ratings.items() if not rating.omitted}
    case = {name: case_value(index.case_fields.get(name), value) for name, value in assessment.case.fields.items()}
    return decide_applicability(index, codes, case)


def applicability_warnings(assessment: Assessment, instrument: Instrument, doc: Document) -> list[Problem]:
    """A value given for an item that does not apply: a warning (`not-applicable`), never a refusal.

    Not an error, so that an assessment valid before stays valid: a file made before the instrument
    declared the condition, or a rating entered before the answer that rules it out, still loads.
    The value is kept in the file but rules, completeness and reports leave it aside.
    """
    applicability = assessment_applicability(assessment, instrument)
    if not applicability.not_applicable:
        return []
    index = index_of(instrument)
    problems = []
    for ind_id, rating in assessment.ratings.items():
        indicator = index.indicators.get(ind_id)
        if indicator is None:
            continue
        if applicability.applies(ind_id) is False:
            problems.append(
                doc.problem(
                    Code.NOT_APPLICABLE,
                    f"{ind_id} does not apply to this case (it is asked only when {indicator.applies_when}); "
                    "what is given for it is set aside by the rules and the report: remove it",
                    ("ratings", ind_id),
                )
            )
            continue
        for scale in rating.codes:
            if applicability.applies(ind_id, scale) is False:
                problems.append(
                    doc.problem(
                        Code.NOT_APPLICABLE,
                        f"{ind_id}.{scale} does not apply here (it is asked only when "
                        f"{indicator.scale_applies_when.get(scale)}); the rules and the report set it aside: "
                        "remove it",
                        ("ratings", ind_id, scale),
                    )
                )
    return problems


def _check_final_ratings(assessment: Assessment, instrument: Instrument, doc: Document) -> list[Problem]:
    """A final assessment rates or omits every indicator that applies (`rating_gaps` says what is missing)."""
    index = index_of(instrument)
    applicability = assessment_applicability(assessment, instrument)
    problems = []
    for indicator in instrument.indicators:
        rating = assessment.ratings.get(indicator.id)
        codes = None if rating is None else rating.codes
        gaps = rating_gaps(indicator, codes, rating is not None and rating.omitted, index, applicability)
        if gaps == ("rating",):
            message = f"final assessment: {indicator.id} is neither rated nor omitted; rate it or omit it with a reason"
            waits = applicability.waits_for(indicator.id)
            if waits:
                message += f" (whether it applies depends on {', '.join(waits)}, not known)"
            problems.append(doc.problem(Code.INCOMPLETE, message, ("ratings",)))
        elif gaps and codes is not None and gaps[0] == indicator.rate[0]:
            message = f"final assessment: {indicator.id} has no {gaps[0]} rating"
            problems.append(doc.problem(Code.INCOMPLETE, message, ("ratings", indicator.id)))
        else:
            first = indicator.rate[0]
            for scale_name in gaps:
                message = (
                    f"final assessment: {indicator.id} is {first} {(codes or {}).get(first)!r} "
                    f"but has no {scale_name} rating"
                )
                problems.append(doc.problem(Code.INCOMPLETE, message, ("ratings", indicator.id)))
    return problems


def _check_judgements(assessment: Assessment, instrument: Instrument, doc: Document, *, final: bool) -> list[Problem]:
    index = index_of(instrument)
    problems = []
    for judgement_id, entry in assessment.judgements.items():
        path = ("judgements", judgement_id)
        judgement = index.judgements.get(judgement_id)
        if judgement is None:
            problems.append(
                doc.problem(
                    Code.UNKNOWN_JUDGEMENT,
                    f"no judgement {judgement_id!r} in the instrument" + did_you_mean(judgement_id, index.judgements),
                    path,
                )
            )
            continue
        if entry.level is not None and entry.level not in judgement.levels:
            problems.append(
                doc.problem(
                    Code.UNKNOWN_CODE,
                    f"{entry.level!r} is not a level of {judgement_id}; use one of {', '.join(judgement.levels)}",
                    (*path, "level"),
                )
            )
    if not final:
        return problems
    for judgement in instrument.judgements:
        given = assessment.judgements.get(judgement.id)
        path = ("judgements", judgement.id)
        if given is None or given.level is None:
            problems.append(
                doc.problem(
                    Code.MISSING_JUDGEMENT,
                    f"final assessment: judgement {judgement.id} is not given; the expert must decide it",
                    path if given is not None else ("judgements",),
                )
            )
        if judgement.rationale_required and (given is None or not (given.rationale and given.rationale.strip())):
            problems.append(
                doc.problem(
                    Code.MISSING_RATIONALE,
                    f"final assessment: judgement {judgement.id} needs a written rationale",
                    path if given is not None else ("judgements",),
                )
            )
    return problems
