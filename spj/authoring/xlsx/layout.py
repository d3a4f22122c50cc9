"""The workbook layout: which sheets, which columns, how a header names a field.

A header is ``FIELD``, ``FIELD::LANG``, ``FIELD:CODE`` or ``FIELD:CODE::LANG``:

>>> parse_header("title::nl")
Header(field='title', code=None, lang='nl')
>>> parse_header("anchor:N::en")
Header(field='anchor', code='N', lang='en')
>>> parse_header("rate")
Header(field='rate', code=None, lang=None)

A trailing ``::xx`` is a language only when it has a language's form
(``en``, ``nl``, ``pt-BR``); otherwise it belongs to the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from spj.instrument.model import LANG_PATTERN

Kind = Literal["string", "code", "int", "float", "bool", "list", "codes", "text", "coded", "yaml"]
"""How a column's cells read and write.

- ``string``: one string (ids, expressions, providers); ``code``: a scale or choice code, kept as text;
- ``int``, ``float``, ``bool``: numbers and TRUE/FALSE;
- ``list``: comma-separated names; ``codes``: comma-separated codes;
- ``text``: a text: ``FIELD`` for a plain string, ``FIELD::LANG`` per language;
- ``coded``: a map from code to text: ``FIELD:CODE`` / ``FIELD:CODE::LANG``;
- ``yaml``: a nested value written as YAML (or JSON) in one cell (a migration's mappings).
"""


@dataclass(frozen=True, slots=True)
class Column:
    """One field of a sheet's rows: its header base, the model key it fills, how it reads."""

    name: str
    key: str
    kind: Kind
    required: bool = False


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet of rows, one row per item of `part` (`scales` rows are levels; `lint.accept` is nested)."""

    name: str
    part: str
    columns: tuple[Column, ...]
    required: bool = True
    written_when_empty: bool = True

    @property
    def path(self) -> tuple[str, ...]:
        """Where the part's list is in the instrument: `("lint", "accept")` for `lint.accept`."""
        return tuple(self.part.split("."))

    def column(self, name: str) -> Column | None:
        """The column whose header base is `name`."""
        return next((c for c in self.columns if c.name == name), None)


def _col(name: str, kind: Kind = "string", *, key: str | None = None, required: bool = False) -> Column:
    return Column(name, key or name, kind, required)


INSTRUMENT_SHEET = "instrument"
"""A key/value sheet: one row per instrument setting."""

INSTRUMENT_KEYS: tuple[Column, ...] = (
    _col("format", required=True),
    _col("id", required=True),
    _col("version", "code", required=True),
    _col("license", required=True),
    _col("citation"),
    _col("languages", "list"),
    _col("max_omitted_ratio", "float"),
    _col("title", "text", required=True),
    _col("description", "text"),
    _col("required_languages", "list"),
)


def _typed_fields_sheet(part: str, *, guidance: bool = False) -> Sheet:
    """A list of typed fields (case facts, background, scenario details): one row per field."""
    texts = (_col("title", "text"), *((_col("guidance", "text"),) if guidance else ()))
    return Sheet(
        part,
        part,
        (
            _col("id", required=True),
            _col("type"),
            _col("choices", "codes"),
            *texts,
            _col("label", "coded", key="labels"),
            _col("multiple", "bool"),
        ),
        required=False,
    )


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "scales",
        "scales",
        (
            _col("scale", required=True),
            _col("code", "code", required=True),
            _col("value", "int", required=True),
            _col("label", "text", required=True),
            _col("description", "text"),
        ),
    ),
    Sheet(
        "domains",
        "domains",
        (_col("id", required=True), _col("title", "text", required=True), _col("description", "text")),
    ),
    Sheet(
        "indicators",
        "indicators",
        (
            _col("id", required=True),
            _col("domain", required=True),
            _col("kind", required=True),
            _col("rate", "list"),
            _col("title", "text", required=True),
            _col("guidance", "text"),
            _col("anchor", "coded", key="anchors"),
            _col("informs"),
            _col("applies_when"),
            _col("scale_applies_when", "coded"),
        ),
    ),
    _typed_fields_sheet("case_fields"),
    _typed_fields_sheet("background", guidance=True),  # the structured background step (issue 14)
    _typed_fields_sheet("scenario_fields", guidance=True),  # the scenario schema
    Sheet(
        "rules",
        "rules",
        (
            _col("id", required=True),
            _col("when", required=True),
            _col("severity"),
            _col("title", "text"),
            _col("message", "text", required=True),
        ),
        required=False,
    ),
    Sheet(
        "interventions",
        "interventions",
        (
            _col("id", required=True),
            _col("domain", required=True),
            _col("provider", required=True),
            _col("duration_weeks", "int", required=True),
            _col("recommend_when", required=True),
            _col("requires", "list"),
            _col("after", "list"),
            _col("title", "text", required=True),
            _col("description", "text"),
            _col("rationale", "coded"),
            _col("track"),
            _col("frame", "bool"),
        ),
        required=False,
    ),
    Sheet(
        "judgements",
        "judgements",
        (
            _col("id", required=True),
            _col("levels", "codes", required=True),
            _col("rationale_required", "bool"),
            _col("title", "text", required=True),
            _col("description", "text"),
            _col("label", "coded", key="labels"),
        ),
        required=False,
    ),
    Sheet(
        "migrations",
        "migrations",
        (
            _col("from", "code", required=True),
            _col("renamed", "yaml"),
            _col("merged", "yaml"),
            _col("split", "yaml"),
            _col("recoded", "yaml"),
            _col("case_fields", "yaml"),
            _col("removed", "list"),
            _col("added", "list"),
            _col("note"),
        ),
        required=False,
        written_when_empty=False,
    ),
    Sheet(
        "lint",
        "lint.accept",
        (_col("code", required=True), _col("at", required=True), _col("reason", required=True)),
        required=False,
        written_when_empty=False,
    ),
)

SHEET_NAMES: tuple[str, ...] = (INSTRUMENT_SHEET, *(s.name for s in SHEETS))

LIST_SEPARATOR = ", "

_LANG = re.compile(LANG_PATTERN)


@dataclass(frozen=True, slots=True)
class Header:
    """A parsed column header."""

    field: str
    code: str | None
    lang: str | None


def parse_header(text: str) -> Header:
    """Split a header into field, code and language (see the module docstring)."""
    base, lang = text, None
    if "::" in text:
        head, tail = text.rsplit("::", 1)
        if _LANG.match(tail):
            base, lang = head, tail
    field, sep, code = base.partition(":")
    return Header(field, code if sep else None, lang)


def format_header(field: str, *, code: str | None = None, lang: str | None = None) -> str:
    """The header text for a field, a code and a language.

    >>> format_header("label", code="low", lang="nl")
    'label:low::nl'
    """
    text = field if code is None else f"{field}:{code}"
    return text if lang is None else f"{text}::{lang}"
