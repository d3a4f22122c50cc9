"""An assessment as a FHIR R4 QuestionnaireResponse, and back (the link ids of `questionnaire.py`).

Who and what: `identifier` (the assessment id), `subject` (the case by its
pseudonym), `author` (the assessor, with the agency in an extension),
`authored` (the date), `status` (`completed` for a final assessment,
`in-progress` for a draft). The agreed plan travels in a CarePlan
(`careplan.py`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from spj.assessment import Assessment
from spj.instrument import Instrument
from spj.interop.fhir.names import (
    ASSESSMENT,
    CASE,
    EXT_AGENCY,
    EXT_ASSESSMENT_FIELDS,
    EXT_FORMAT,
    USER,
    canonical,
    fhir_id,
    scale_system,
)

_LINKS = ("previous", "amends", "language")


def questionnaire_response(instrument: Instrument, assessment: Assessment) -> dict[str, Any]:
    """The QuestionnaireResponse of `assessment` (JSON data)."""
    author: dict[str, Any] = {"identifier": {"system": USER, "value": assessment.assessor.id}}
    if assessment.assessor.name:
        author["display"] = assessment.assessor.name
    if assessment.assessor.agency:
        author["extension"] = [{"url": EXT_AGENCY, "valueString": assessment.assessor.agency}]
    links = [{"url": name, "valueString": getattr(assessment, name)} for name in _LINKS if getattr(assessment, name)]
    if assessment.instrument.sha256:
        links.append({"url": "instrument_sha256", "valueString": assessment.instrument.sha256})
    extensions: list[dict[str, Any]] = [{"url": EXT_FORMAT, "valueCode": assessment.format}]
    if links:
        extensions.append({"url": EXT_ASSESSMENT_FIELDS, "extension": links})
    items = [*_sources(assessment), *_case(assessment), *_ratings(instrument, assessment), *_rest(assessment)]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": fhir_id(assessment.id),
        "extension": extensions,
        "identifier": {"system": ASSESSMENT, "value": assessment.id},
        "questionnaire": canonical(instrument.id, instrument.version),
        "status": "completed" if assessment.status == "final" else "in-progress",
        "subject": {"identifier": {"system": CASE, "value": assessment.case.id}},
        "authored": assessment.date.isoformat(),
        "author": author,
        "item": items,
    }


def _answer(link: str, *values: Any, kind: str = "valueString") -> dict[str, Any]:
    return {"linkId": link, "answer": [{kind: value} for value in values]}


def _sources(assessment: Assessment) -> Iterator[dict[str, Any]]:
    for source in assessment.sources:
        fields = source.model_dump(mode="json", exclude_none=True)
        yield {
            "linkId": "source",
            "item": [
                _answer(f"source.{name}", value, kind="valueDate" if name == "date" else "valueString")
                for name, value in fields.items()
            ],
        }


def _case(assessment: Assessment) -> Iterator[dict[str, Any]]:
    items = _typed("case", assessment.case.fields)
    if items:
        yield {"linkId": "case", "item": items}


def _typed(prefix: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Typed answers: a multiple choice (a tuple of codes) gives one coded answer per code; one code, a
    text, a number or yes/no one answer of its kind (as case fields always have)."""
    kinds = {bool: "valueBoolean", int: "valueInteger"}
    return [
        _answer(f"{prefix}.{name}", *({"code": code} for code in value), kind="valueCoding")
        if isinstance(value, tuple)
        else _answer(f"{prefix}.{name}", value, kind=kinds.get(type(value), "valueString"))
        for name, value in values.items()
    ]


def _ratings(instrument: Instrument, assessment: Assessment) -> Iterator[dict[str, Any]]:
    for domain in instrument.domains:
        groups = [
            _rating(instrument, indicator.id, assessment)
            for indicator in instrument.indicators
            if indicator.domain == domain.id and indicator.id in assessment.ratings
        ]
        if groups:
            yield {"linkId": f"domain.{domain.id}", "item": groups}


def _rating(instrument: Instrument, indicator_id: str, assessment: Assessment) -> dict[str, Any]:
    rating = assessment.ratings[indicator_id]
    base = f"rating.{indicator_id}"
    items = [
        _answer(f"{base}.{scale}", {"system": scale_system(instrument.id, scale), "code": code}, kind="valueCoding")
        for scale, code in rating.codes.items()
    ]
    if rating.omitted:
        items.append(_answer(f"{base}.omitted", True, kind="valueBoolean"))
    evidence = rating.evidence
    texts = {
        "reason": rating.reason,
        "evidence_for": evidence.for_ if evidence else None,
        "evidence_against": evidence.against if evidence else None,
        "note": rating.note,
    }
    items += [_answer(f"{base}.{name}", value) for name, value in texts.items() if value is not None]
    if rating.sources:
        items.append(_answer(f"{base}.sources", *rating.sources))
    return {"linkId": base, "item": items}


def _rest(assessment: Assessment) -> Iterator[dict[str, Any]]:
    if assessment.formulation is not None:
        yield _answer("formulation", assessment.formulation)
    if assessment.background:
        yield {"linkId": "background", "item": _typed("background", assessment.background)}
    for scenario in assessment.scenarios:
        fields = scenario.model_dump(mode="json", exclude_none=True, include={"kind", "title", "text"})
        items = [_answer(f"scenario.{k}", v) for k, v in fields.items()]
        items += _typed("scenario.details", scenario.details)
        if scenario.management:
            items.append(
                _answer("scenario.management", *({"code": step} for step in scenario.management), kind="valueCoding")
            )
        yield {"linkId": "scenario", "item": items}
    if assessment.review_triggers is not None:
        yield _answer("review_triggers", assessment.review_triggers)
    judgements = []
    for judgement_id, entry in assessment.judgements.items():
        if entry.level is not None:
            judgements.append(_answer(f"judgement.{judgement_id}.level", {"code": entry.level}, kind="valueCoding"))
        if entry.rationale is not None:
            judgements.append(_answer(f"judgement.{judgement_id}.rationale", entry.rationale))
    if judgements:
        yield {"linkId": "judgements", "item": judgements}
