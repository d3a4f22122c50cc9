"""The guide documents every field the schema accepts: the field reference is written from the models (issue 11)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from spj.assessment import Assessment
from spj.authoring.fieldref import undocumented
from spj.authoring.schemas import json_schema, markdown_reference
from spj.cli.app import app
from spj.disclosure.consultation import Consultation
from spj.disclosure.model import Deployment
from spj.files.schema_wording import FORMS
from spj.instrument import Instrument

REFERENCE = Path("docs/instrument-fields.md")
REGENERATE = "spj schema instrument --format markdown -o docs/instrument-fields.md"


def test_the_committed_field_reference_is_current() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == markdown_reference("instrument"), f"run: {REGENERATE}"


def test_every_field_has_a_meaning() -> None:
    assert undocumented(Instrument) == []


def test_every_key_of_the_json_schema_is_in_the_reference() -> None:
    reference = REFERENCE.read_text(encoding="utf-8")
    schema = json_schema("instrument")
    keys = set(schema["properties"])
    for definition in schema.get("$defs", {}).values():
        keys |= set(definition.get("properties", {}))
    assert keys, schema
    missing = sorted(key for key in keys if f"| `{key}` |" not in reference)
    assert missing == []
    assert "| `labels` |" in reference  # levels' and case fields' labels were undocumented before


def test_the_guide_links_the_reference() -> None:
    guide = Path("docs/methodologists-guide.md").read_text(encoding="utf-8")
    assert "instrument-fields.md" in guide
    assert "spj lint --strict" in guide


def test_the_command_prints_the_reference() -> None:
    result = CliRunner().invoke(app, ["schema", "instrument", "--format", "markdown"])
    assert result.exit_code == 0
    assert result.output == markdown_reference("instrument")


def _patterns(schema: object) -> set[str]:
    text = json.dumps(schema)
    return {json.loads(f'"{p}"') for p in re.findall(r'"pattern": "((?:[^"\\]|\\.)*)"', text)}


def test_every_pattern_of_every_format_has_words_for_its_messages() -> None:
    """A schema problem never shows a raw pattern: each has a description in `schema_wording.FORMS`."""
    patterns: set[str] = set()
    for model in (Instrument, Assessment, Deployment, Consultation):
        patterns |= _patterns(model.model_json_schema())
    assert patterns
    assert sorted(patterns - set(FORMS)) == []


def test_shipped_example_assessments_are_valid_for_the_schema_read_with_pyyaml() -> None:
    """Editors and integrators read YAML with plain PyYAML: dates must be quoted, or the schema fails on them."""
    import jsonschema

    schema = json_schema("assessment")
    examples = sorted(Path("instruments").glob("*/examples/*.yaml"))
    assert examples
    for path in examples:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
        assert errors == [], (path, errors)
