"""The floor of the JSON → HTML report path: what any implementation on the same stack pays. No spj code.

Two parts, both written here and sharing nothing with spj:

- *parse*: `json.loads` of the assessment's JSON text, then validation by
  pydantic models of the same shape and declared limits (frozen, unknown keys
  refused, scale codes as extra keys, string lengths and patterns), written here;
- *render*: a sandboxed Jinja render (`ImmutableSandboxedEnvironment`,
  autoescape), compiled once, of a tiny template of its own over a plain dict:
  8 sections of 5 entries, each entry printing an id, a title and a paragraph
  whose length makes the output as long as the report it stands for (about
  4 look-ups and 5 escaped values per entry, 40 entries: roughly the number of
  indicators, points of attention and steps of a report).

>>> floor = Floor(json_text, target_bytes=32_000)  # doctest: +SKIP
>>> floor()  # parse + render  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from jinja2 import DictLoader
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SECTIONS = 8
ENTRIES_PER_SECTION = 5

TEMPLATE = """\
<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<h1>{{ title }}</h1>
{% for section in sections %}
<section id="{{ section.id }}">
<h2>{{ section.title }}</h2>
{% for entry in section.entries %}
<div class="entry">
  <p><strong>{{ entry.title }}</strong> ({{ entry.id }}): {{ entry.text }}</p>
</div>
{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""

# The same declared limits as an assessment file's (DESIGN 4.2): pydantic checks them in its core.
Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Long = Annotated[str, StringConstraints(max_length=100_000)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Semver = Annotated[str, StringConstraints(pattern=r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

SENTENCE = "The person describes daily life since release & names the people <around> them. "


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Evidence(_Model):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    for_: Long | None = Field(default=None, alias="for")
    against: Long | None = None


class _Rating(_Model):
    model_config = ConfigDict(frozen=True, extra="allow")  # scale codes: presence, relevance, ...
    omitted: bool = False
    reason: Long | None = None
    evidence: _Evidence | None = None
    sources: tuple[Short, ...] = ()
    note: Long | None = None


class _Ref(_Model):
    id: Short
    version: Semver
    sha256: Sha256 | None = None


class _Case(_Model):
    id: Short
    fields: dict[str, str | int | bool | tuple[str, ...]] = Field(default_factory=dict)  # a tuple: a multiple choice


class _Assessor(_Model):
    id: Short
    agency: Short | None = None
    name: Short | None = None


class _Source(_Model):
    id: Short
    kind: Short
    date: dt.date | None = None
    description: Long | None = None


class _Scenario(_Model):
    kind: Short
    text: Long
    title: Short | None = None


class _Judgement(_Model):
    level: Code | None = None
    rationale: Long | None = None


class FloorAssessment(_Model):
    """An assessment-shaped document: the floor's own model, not spj's."""

    format: Literal["spj-assessment/1"]
    instrument: _Ref
    id: Short
    case: _Case
    assessor: _Assessor
    date: dt.date
    status: Literal["draft", "final"] = "draft"
    language: Short | None = None
    previous: Short | None = None
    amends: Short | None = None
    sources: tuple[_Source, ...] = ()
    ratings: dict[str, _Rating] = Field(default_factory=dict)
    formulation: Long | None = None
    scenarios: tuple[_Scenario, ...] = ()
    judgements: dict[str, _Judgement] = Field(default_factory=dict)


def floor_context(target_bytes: int) -> dict[str, Any]:
    """A plain dict whose render is about `target_bytes` long."""

    def build(sentences: int) -> dict[str, Any]:
        text = SENTENCE * sentences
        return {
            "lang": "en",
            "title": "A report & its floor",
            "sections": [
                {
                    "id": f"s{s}",
                    "title": f"Section {s}",
                    "entries": [
                        {"id": f"E{s}-{k}", "title": f"Entry {k} of section {s}", "text": text}
                        for k in range(ENTRIES_PER_SECTION)
                    ],
                }
                for s in range(SECTIONS)
            ],
        }

    template = floor_template()
    size_of_one = len(template.render(build(1)))
    size_of_two = len(template.render(build(2)))
    per_sentence = size_of_two - size_of_one
    sentences = max(1, round((target_bytes - size_of_one) / per_sentence) + 1)
    return build(sentences)


_ENVIRONMENT = ImmutableSandboxedEnvironment(
    loader=DictLoader({"floor.html": TEMPLATE}), autoescape=True, auto_reload=False
)


def floor_template() -> Any:
    return _ENVIRONMENT.get_template("floor.html")


class Floor:
    """`parse()`, `render()` and both (`__call__`), for one JSON text and one output size."""

    def __init__(self, json_text: str, *, target_bytes: int) -> None:
        self.json_text = json_text
        self.template = floor_template()
        self.context = floor_context(target_bytes)
        self.output_bytes = len(self.render())

    def parse(self) -> FloorAssessment:
        return FloorAssessment.model_validate(json.loads(self.json_text))

    def render(self) -> str:
        return str(self.template.render(self.context))

    def __call__(self) -> str:
        self.parse()
        return self.render()
