"""Property: any instrument exported to xlsx imports back as an equal model."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import spj
from spj.authoring.xlsx import export_workbook, workbook_to_yaml

LANGUAGES = ["en", "nl", "fr", "de"]

words = st.one_of(
    st.sampled_from(["1e5", "NO", "=A1", "0.50", " lead", "yes"]),
    st.text(
        st.characters(categories=("L", "N", "P", "Zs", "Sm"), exclude_characters="\r"), min_size=1, max_size=15
    ).filter(lambda s: s.strip() != ""),
)
codes = st.text("abcXYZ019_-", min_size=1, max_size=4)


def texts(draw: st.DrawFn, languages: list[str]) -> Any:
    """A plain string, or a map over a non-empty subset of the languages."""
    if draw(st.booleans()):
        return draw(words)
    chosen = draw(st.lists(st.sampled_from(languages), min_size=1, unique=True))
    return {lang: draw(words) for lang in chosen}


def maybe(draw: st.DrawFn, languages: list[str]) -> Any:
    return texts(draw, languages) if draw(st.booleans()) else None


def unique_codes(draw: st.DrawFn, low: int, high: int) -> list[str]:
    return draw(st.lists(codes, min_size=low, max_size=high, unique=True))


def earlier(draw: st.DrawFn, ids: list[str]) -> list[str]:
    return draw(st.lists(st.sampled_from(ids), unique=True, max_size=2)) if ids else []


def _without_none(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if value is not None}


@st.composite
def instruments(draw: st.DrawFn) -> spj.Instrument:
    """A small valid instrument: texts in 1–3 languages or plain, rules and an acyclic plan."""
    langs = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3, unique=True))
    scales = {
        name: [
            _without_none({"code": code, "value": n, "label": texts(draw, langs), "description": maybe(draw, langs)})
            for n, code in enumerate(unique_codes(draw, 2, 4))
        ]
        for name in ("presence", "relevance")
    }
    presence = [level["code"] for level in scales["presence"]]
    domains = [
        _without_none({"id": f"d{n}", "title": texts(draw, langs), "description": maybe(draw, langs)})
        for n in range(draw(st.integers(1, 3)))
    ]
    indicators = [
        _without_none(
            {
                "id": f"I{n}",
                "domain": draw(st.sampled_from(domains))["id"],
                "kind": draw(st.sampled_from(["risk", "protective"])),
                "title": texts(draw, langs),
                "guidance": maybe(draw, langs),
                "anchors": {
                    code: texts(draw, langs) for code in draw(st.lists(st.sampled_from(presence), unique=True))
                },
                "rate": draw(st.sampled_from([["presence"], ["presence", "relevance"]])),
            }
        )
        for n in range(draw(st.integers(1, 4)))
    ]
    ids = [indicator["id"] for indicator in indicators]
    choices = unique_codes(draw, 1, 3)
    case_fields = [
        _without_none(
            {
                "id": "status",
                "type": "choice",
                "choices": choices,
                "title": maybe(draw, langs),
                "labels": {code: texts(draw, langs) for code in draw(st.lists(st.sampled_from(choices), unique=True))},
            }
        )
    ] * draw(st.integers(0, 1))
    rules = [
        _without_none(
            {
                "id": f"r{n}",
                "when": f"ratings.{draw(st.sampled_from(ids))}.presence >= {draw(st.integers(0, len(presence) - 1))}",
                "severity": draw(st.sampled_from(["info", "concern", "critical"])),
                "title": maybe(draw, langs),
                "message": texts(draw, langs),
            }
        )
        for n in range(draw(st.integers(0, 3)))
    ]
    interventions: list[dict[str, Any]] = []
    for n in range(draw(st.integers(0, 4))):
        before = [item["id"] for item in interventions]
        interventions.append(
            _without_none(
                {
                    "id": f"iv{n}",
                    "title": texts(draw, langs),
                    "description": maybe(draw, langs),
                    "domain": draw(st.sampled_from(domains))["id"],
                    "provider": draw(words),
                    "duration_weeks": draw(st.integers(0, 52)),
                    "recommend_when": f"ratings.{draw(st.sampled_from(ids))}.presence == 1",
                    "requires": earlier(draw, before),
                    "after": earlier(draw, before),
                }
            )
        )
    judgements = []
    for n in range(draw(st.integers(0, 2))):
        levels = unique_codes(draw, 1, 3)
        judgements.append(
            _without_none(
                {
                    "id": f"j{n}",
                    "title": texts(draw, langs),
                    "levels": levels,
                    "labels": {
                        code: texts(draw, langs) for code in draw(st.lists(st.sampled_from(levels), unique=True))
                    },
                    "rationale_required": draw(st.booleans()),
                }
            )
        )
    data = _without_none(
        {
            "format": "spj/1",
            "id": "generated",
            "version": f"{draw(st.integers(0, 9))}.{draw(st.integers(0, 9))}.0",
            "title": texts(draw, langs),
            "description": maybe(draw, langs),
            "languages": langs,
            "license": "CC0-1.0",
            "citation": draw(st.none() | words),
            "scales": scales,
            "domains": domains,
            "indicators": indicators,
            "case_fields": case_fields,
            "omission": {"max_omitted_ratio": draw(st.floats(0, 1))},
            "rules": rules,
            "interventions": interventions,
            "judgements": judgements,
        }
    )
    # JSON is YAML whose strings are always quoted: a title such as `1e5` stays a string.
    return spj.parse_instrument(json.dumps(data, ensure_ascii=False), file="generated.yaml")


@settings(max_examples=30, deadline=None)
@given(instruments())
def test_export_then_import_gives_an_equal_model(instrument: spj.Instrument) -> None:
    imported, text = workbook_to_yaml(export_workbook(instrument), name="generated.xlsx")
    assert imported.model_dump() == instrument.model_dump()
    assert imported.sha256 == instrument.sha256
    assert spj.parse_instrument(text).model_dump() == instrument.model_dump()
