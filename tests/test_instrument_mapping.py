"""The two shipped instruments are linked (issue 14, point 5): one legal frame, one documented mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

import spj
from spj.files.yamlsource import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
MAPPING = parse_yaml((ROOT / "docs" / "instrument-mapping.yaml").read_text(encoding="utf-8"), file="mapping").data


@pytest.fixture(scope="module")
def pair() -> tuple[spj.Instrument, spj.Instrument]:
    return (
        spj.load_instrument(ROOT / "instruments" / "disengagement-trajectory" / "instrument.yaml"),
        spj.load_instrument(ROOT / "instruments" / "extremism-risk-formulation" / "instrument.yaml"),
    )


def test_the_mapping_names_the_shipped_versions(pair: tuple[spj.Instrument, spj.Instrument]) -> None:
    disengagement, risk = pair
    refs = MAPPING["instruments"]
    assert refs["disengagement"] == {"id": disengagement.id, "version": disengagement.version}
    assert refs["risk_formulation"] == {"id": risk.id, "version": risk.version}


def test_every_pair_names_indicators_of_the_same_kind(pair: tuple[spj.Instrument, spj.Instrument]) -> None:
    disengagement, risk = pair
    left = {i.id: i for i in disengagement.indicators}
    right = {i.id: i for i in risk.indicators}
    for entry in MAPPING["pairs"]:
        a, b = left[entry["disengagement"]], right[entry["risk_formulation"]]
        assert a.kind == b.kind, entry
    mapped = {entry["risk_formulation"] for entry in MAPPING["pairs"]}
    assert mapped.isdisjoint(MAPPING["only_in_risk_formulation"])
    assert mapped | set(MAPPING["only_in_risk_formulation"]) == set(right)  # every risk indicator is accounted for


def test_both_instruments_declare_one_legal_frame(pair: tuple[spj.Instrument, spj.Instrument]) -> None:
    disengagement, risk = pair

    def frame(instrument: spj.Instrument) -> list[tuple[object, ...]]:
        return [(f.id, f.type, f.choices, f.multiple) for f in instrument.case_fields]

    assert frame(disengagement) == frame(risk)
    for a, b in zip(disengagement.case_fields, risk.case_fields, strict=True):
        for code in a.choices:  # the same labels where the languages overlap
            left, right = a.labels[code], b.labels[code]
            assert isinstance(left, dict) and isinstance(right, dict)
            assert {lang: left[lang] for lang in left} == {lang: right[lang] for lang in left}
