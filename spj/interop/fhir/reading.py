"""Read a QuestionnaireResponse (already validated by the FHIR models) back into assessment data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spj.interop.fhir.names import EXT_AGENCY, EXT_ASSESSMENT_FIELDS, EXT_FORMAT

_VALUE_KEYS = ("valueCoding", "valueBoolean", "valueInteger", "valueDate", "valueString")


def assessment_data(response: dict[str, Any]) -> dict[str, Any]:
    """The assessment document (spj-assessment/1 or /2, without its plan) a QuestionnaireResponse holds."""
    instrument_id, _, version = str(response.get("questionnaire", "")).rpartition("|")
    extensions = {e.get("url"): e for e in response.get("extension", [])}
    author = response.get("author", {})
    assessor: dict[str, Any] = {"id": author.get("identifier", {}).get("value")}
    agency = next((e["valueString"] for e in author.get("extension", []) if e.get("url") == EXT_AGENCY), None)
    assessor.update({k: v for k, v in (("agency", agency), ("name", author.get("display"))) if v is not None})
    data: dict[str, Any] = {
        "format": extensions.get(EXT_FORMAT, {}).get("valueCode", "spj-assessment/1"),
        "instrument": {"id": instrument_id.rsplit(":", 1)[-1], "version": version},
        "id": response.get("identifier", {}).get("value"),
        "case": {"id": response.get("subject", {}).get("identifier", {}).get("value"), "fields": {}},
        "assessor": assessor,
        "date": response.get("authored"),
        "status": "final" if response.get("status") == "completed" else "draft",
    }
    for link in extensions.get(EXT_ASSESSMENT_FIELDS, {}).get("extension", []):
        if link["url"] == "instrument_sha256":
            data["instrument"]["sha256"] = link.get("valueString")
        else:
            data[link["url"]] = link.get("valueString")
    _read_items(response.get("item", []), data)
    return data


def _read_items(items: Iterable[dict[str, Any]], data: dict[str, Any]) -> None:
    for item in items:
        link = str(item.get("linkId", ""))
        if link in ("source", "scenario"):
            data.setdefault(f"{link}s", []).append(_group(item))
        elif "item" in item:
            _read_items(item["item"], data)
        elif link.startswith("case.") and any("valueCoding" in a for a in item.get("answer", [])):
            data["case"]["fields"][link[len("case.") :]] = _values(item)  # a multiple choice: its codes
        elif link.startswith("background."):
            values = _values(item)
            data.setdefault("background", {})[link[len("background.") :]] = _one_or_codes(item, values)
        else:
            _read_answer(link, _values(item), data)


def _group(item: dict[str, Any]) -> dict[str, Any]:
    """A source or a scenario: its answers by name; a scenario's details and management apart."""
    fields: dict[str, Any] = {}
    for sub in item.get("item", []):
        name = str(sub["linkId"]).split(".", 1)[1]
        values = _values(sub)
        if name == "management":
            fields["management"] = values
        elif name.startswith("details."):
            fields.setdefault("details", {})[name[len("details.") :]] = _one_or_codes(sub, values)
        else:
            fields[name] = values[0]
    return fields


def _one_or_codes(item: dict[str, Any], values: list[Any]) -> Any:
    """Coded answers are a multiple choice's codes (a list); any other answer is one value."""
    return values if any("valueCoding" in a for a in item.get("answer", [])) else values[0]


def _values(item: dict[str, Any]) -> list[Any]:
    values = []
    for answer in item.get("answer", []):
        key = next((k for k in _VALUE_KEYS if k in answer), None)
        if key is not None:
            values.append(answer[key]["code"] if key == "valueCoding" else answer[key])
    return values


def _read_answer(link: str, values: list[Any], data: dict[str, Any]) -> None:
    if not values:
        return
    root, _, rest = link.partition(".")
    if root in ("formulation", "review_triggers"):
        data[root] = values[0]
    elif root == "case":
        data["case"]["fields"][rest] = values[0]
    elif root == "judgement":
        judgement_id, _, part = rest.rpartition(".")
        data.setdefault("judgements", {}).setdefault(judgement_id, {})[part] = values[0]
    elif root == "rating":
        indicator, _, part = rest.partition(".")
        _read_rating(data.setdefault("ratings", {}).setdefault(indicator, {}), part, values)


def _read_rating(rating: dict[str, Any], part: str, values: list[Any]) -> None:
    if part == "sources":
        rating["sources"] = values
    elif part in ("evidence_for", "evidence_against"):
        rating.setdefault("evidence", {})[part.removeprefix("evidence_")] = values[0]
    else:
        rating[part] = values[0]
