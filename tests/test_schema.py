"""`spj schema` gives JSON Schemas that editors can use: the shipped files pass, broken ones do not."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from spj.authoring.schemas import json_schema

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENTS = sorted(ROOT.glob("instruments/*/instrument.yaml"))
EXAMPLES = sorted(ROOT.glob("instruments/*/examples/*.assessment.yaml"))


def _plain(path: Path) -> object:
    # What an editor sees: plain YAML data, dates as text as in JSON.
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.mark.parametrize("kind", ["instrument", "assessment"])
def test_schema_is_valid_draft_2020_12(kind: str) -> None:
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")


@pytest.mark.parametrize("path", INSTRUMENTS, ids=lambda p: p.parent.name)
def test_shipped_instruments_pass_the_schema(path: Path) -> None:
    errors = list(jsonschema.Draft202012Validator(json_schema("instrument")).iter_errors(_plain(path)))
    assert errors == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_shipped_examples_pass_the_schema(path: Path) -> None:
    errors = list(jsonschema.Draft202012Validator(json_schema("assessment")).iter_errors(_plain(path)))
    assert errors == []


def test_schema_catches_a_wrong_kind_and_an_unknown_key() -> None:
    data = _plain(INSTRUMENTS[0])
    assert isinstance(data, dict)
    data["indicators"][0]["kind"] = "dangerous"
    data["indicators"][0]["colour"] = "red"
    messages = [e.message for e in jsonschema.Draft202012Validator(json_schema("instrument")).iter_errors(data)]
    assert any("dangerous" in m for m in messages)
    assert any("colour" in m for m in messages)


def test_every_instrument_key_has_a_schema_entry_for_completion() -> None:
    properties = json_schema("instrument")["properties"]
    for key in (
        "format",
        "id",
        "version",
        "title",
        "languages",
        "scales",
        "domains",
        "indicators",
        "rules",
        "interventions",
        "judgements",
        "case_fields",
        "omission",
    ):
        assert key in properties
