"""An instrument as a FHIR R4 Questionnaire: one group per life area, one group per indicator, items per answer.

The link ids are what `response.py` writes and reads back:
`rating.<IND>.<scale>` (choice), `rating.<IND>.omitted` (boolean),
`rating.<IND>.reason|evidence_for|evidence_against|note` (text),
`rating.<IND>.sources` (string, repeats), `case.<FIELD>`,
`judgement.<ID>.level|rationale`, `formulation`, and the repeating groups
`source` and `scenario`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spj.instrument import Instrument, index_of
from spj.instrument.model import CaseField, Indicator
from spj.instrument.text import localize
from spj.interop.fhir.names import INSTRUMENT, fhir_id, scale_system
from spj.report.i18n import translations_for

Words = Callable[[str], str]
_CASE_TYPES = {"choice": "choice", "text": "string", "integer": "integer", "boolean": "boolean"}


def questionnaire(instrument: Instrument, *, lang: str | None = None) -> dict[str, Any]:
    """The Questionnaire of `instrument` (JSON data; validated when it goes into a bundle)."""

    def text(value: Any) -> str:
        return localize(value, lang, instrument)

    word = translations_for(lang or instrument.default_language).gettext

    return {
        "resourceType": "Questionnaire",
        "id": fhir_id(f"{instrument.id}-{instrument.version}"),
        "url": f"{INSTRUMENT}:{instrument.id}",
        "version": instrument.version,
        "name": instrument.id.replace("-", "_"),
        "title": text(instrument.title),
        "status": "active",
        "copyright": f"{instrument.license}. {instrument.citation or ''}".strip(),
        "item": [
            _sources(word),
            _case(instrument, text, word),
            *(_domain(instrument, domain.id, text(domain.title), text, word) for domain in instrument.domains),
            {"linkId": "formulation", "text": word("Formulation"), "type": "text"},
            *([_background(instrument, text, word)] if instrument.background else []),
            _scenarios(instrument, text, word),
            {"linkId": "review_triggers", "text": word("What would bring the review forward"), "type": "text"},
            _judgements(instrument, text, word),
        ],
    }


def _domain(instrument: Instrument, domain_id: str, title: str, text: Any, word: Words) -> dict[str, Any]:
    indicators = [i for i in instrument.indicators if i.domain == domain_id]
    return {
        "linkId": f"domain.{domain_id}",
        "text": title,
        "type": "group",
        "item": [_indicator(instrument, indicator, text, word) for indicator in indicators],
    }


def _indicator(instrument: Instrument, indicator: Indicator, text: Any, word: Words) -> dict[str, Any]:
    scales = index_of(instrument).scales
    base = f"rating.{indicator.id}"
    codes = [
        {
            "linkId": f"{base}.{scale}",
            "text": scale,
            "type": "choice",
            "answerOption": [
                {
                    "valueCoding": {
                        "system": scale_system(instrument.id, scale),
                        "code": lv.code,
                        "display": text(lv.label),
                    }
                }
                for lv in scales[scale].levels
            ],
        }
        for scale in indicator.rate
    ]
    return {
        "linkId": base,
        "text": f"{indicator.id} {text(indicator.title)}",
        "type": "group",
        "item": [
            *codes,
            {"linkId": f"{base}.omitted", "text": word("Omitted (no information)"), "type": "boolean"},
            {"linkId": f"{base}.reason", "text": word("Reason for the omission"), "type": "text"},
            {"linkId": f"{base}.evidence_for", "text": word("Evidence for"), "type": "text"},
            {"linkId": f"{base}.evidence_against", "text": word("Evidence against"), "type": "text"},
            {"linkId": f"{base}.sources", "text": word("Sources cited"), "type": "string", "repeats": True},
            {"linkId": f"{base}.note", "text": word("Note"), "type": "text"},
        ],
    }


def _case(instrument: Instrument, text: Any, word: Words) -> dict[str, Any]:
    items = [_field(field, "case", text) for field in instrument.case_fields]
    return {"linkId": "case", "text": word("Case"), "type": "group", "item": items or [_empty("case", word)]}


def _background(instrument: Instrument, text: Any, word: Words) -> dict[str, Any]:
    items = [_field(field, "background", text) for field in instrument.background]
    return {"linkId": "background", "text": word("Background"), "type": "group", "item": items}


def _field(field: CaseField, prefix: str, text: Any) -> dict[str, Any]:
    """A typed field (case field, background, scenario detail) as a question; a long text for background."""
    kind = "text" if field.type == "text" and prefix != "case" else _CASE_TYPES[field.type]
    item: dict[str, Any] = {"linkId": f"{prefix}.{field.id}", "text": text(field.title) or field.id, "type": kind}
    if field.multiple:
        item["repeats"] = True  # several codes may hold at once
    if field.choices:
        item["answerOption"] = [
            {"valueCoding": {"code": c, "display": text(field.labels.get(c, c))}} for c in field.choices
        ]
    return item


def _judgements(instrument: Instrument, text: Any, word: Words) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for judgement in instrument.judgements:
        items.append(
            {
                "linkId": f"judgement.{judgement.id}.level",
                "text": text(judgement.title),
                "type": "choice",
                "answerOption": [
                    {"valueCoding": {"code": lv, "display": text(judgement.labels.get(lv, lv))}}
                    for lv in judgement.levels
                ],
            }
        )
        items.append({"linkId": f"judgement.{judgement.id}.rationale", "text": word("Rationale"), "type": "text"})
    return {
        "linkId": "judgements",
        "text": word("Summary judgements"),
        "type": "group",
        "item": items or [_empty("judgements", word)],
    }


def _sources(word: Words) -> dict[str, Any]:
    fields = [
        ("id", "string", "Identifier"),
        ("kind", "string", "Kind"),
        ("date", "date", "Date"),
        ("description", "text", "Description"),
        ("confidential", "string", "Confidentiality"),
    ]
    return {
        "linkId": "source",
        "text": word("Information source"),
        "type": "group",
        "repeats": True,
        "item": [{"linkId": f"source.{name}", "text": word(label), "type": kind} for name, kind, label in fields],
    }


def _scenarios(instrument: Instrument, text: Any, word: Words) -> dict[str, Any]:
    management: dict[str, Any] = {"linkId": "scenario.management", "text": word("Answered by"), "type": "choice"}
    management["repeats"] = True
    if instrument.interventions:
        management["answerOption"] = [
            {"valueCoding": {"code": iv.id, "display": text(iv.title)}} for iv in instrument.interventions
        ]
    return {
        "linkId": "scenario",
        "text": word("Scenario"),
        "type": "group",
        "repeats": True,
        "item": [
            {"linkId": "scenario.kind", "text": word("Kind"), "type": "string"},
            {"linkId": "scenario.title", "text": word("Title"), "type": "string"},
            {"linkId": "scenario.text", "text": word("Text"), "type": "text"},
            *(_field(field, "scenario.details", text) for field in instrument.scenario_fields),
            management,
        ],
    }


def _empty(group: str, word: Words) -> dict[str, Any]:
    # A FHIR group holds at least one item; an instrument without case fields or judgements gets a note.
    return {"linkId": f"{group}.none", "text": word("None in this instrument"), "type": "display"}
