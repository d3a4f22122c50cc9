"""The report's view of what the expert records beside the ratings: the background step and the scenarios.

Plain data for the templates (issue 14, point 2): every value already worded
(a choice by its label, yes/no in the report's language), user text left plain
for the template to escape. The scenario overview is a table: one row per
scenario, one column per choice-type detail (severity, how soon, likelihood),
and the interventions that answer it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spj.assessment.model import Assessment, RecordValue
from spj.instrument.model import Instrument, RecordField
from spj.instrument.text import case_value_text
from spj.report.wording import Wording

_KINDS = {"repeat": "Repeat", "twist": "Twist", "escalation": "Escalation", "improvement": "Improvement"}
"""The scenario kinds of DESIGN 4.2, by their message id; another kind is shown as written."""


def records_context(
    instrument: Instrument, assessment: Assessment, words: Wording, text: Callable[[Any], str]
) -> dict[str, Any]:
    """`background` ({title, value}), `scenario_columns` (titles), `scenario_rows` ({kind, title, text,
    cells, management, details ({title, value}) of text fields}), `review_triggers`."""

    def value(field: RecordField, raw: RecordValue) -> str:
        if isinstance(raw, bool):
            return words("Yes") if raw else words("No")
        if field.type == "choice":
            return case_value_text(field, raw, words.lang, instrument)
        return str(raw)

    background = tuple(
        {"title": text(f.title) or f.id, "value": value(f, assessment.background[f.id])}
        for f in instrument.background
        if f.id in assessment.background
    )
    columns = tuple(f for f in instrument.scenario_fields if f.type != "text")
    narratives = tuple(f for f in instrument.scenario_fields if f.type == "text")
    titles = {iv.id: text(iv.title) for iv in instrument.interventions}
    rows = tuple(
        {
            "kind": words(_KINDS[s.kind]) if s.kind in _KINDS else s.kind,
            "title": s.title or "",
            "text": s.text,
            "cells": tuple(value(f, s.details[f.id]) if f.id in s.details else "" for f in columns),
            "management": ", ".join(titles.get(step, step) for step in s.management),
            "details": tuple(
                {"title": text(f.title) or f.id, "value": value(f, s.details[f.id])}
                for f in narratives
                if f.id in s.details
            ),
        }
        for s in assessment.scenarios
    )
    structured = bool(columns) and any(any(row["cells"]) or row["management"] for row in rows)
    return {
        "background": background,
        "scenario_columns": tuple(text(f.title) or f.id for f in columns) if structured else (),
        "scenario_rows": rows,
        "review_triggers": assessment.review_triggers or "",
    }
