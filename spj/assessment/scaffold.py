"""A blank assessment for an instrument: every indicator listed, ready to rate."""

from __future__ import annotations

import datetime as dt
import json

from spj.instrument import Instrument
from spj.instrument.text import localize


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def new_assessment(instrument: Instrument, *, lang: str | None = None, today: dt.date | None = None) -> str:
    """YAML text of a draft assessment listing every indicator, with comments to guide the rater."""
    day = (today or dt.date.today()).isoformat()
    scales = {name: "/".join(level.code for level in levels) for name, levels in instrument.scales.items()}
    lines = [
        f"# Assessment with {localize(instrument.title, lang, instrument)} ({instrument.id} {instrument.version}).",
        "# Rate each indicator, or omit it with a reason: an omission is a known unknown, never a zero.",
        "format: spj-assessment/1",
        f"instrument: {{id: {instrument.id}, version: {instrument.version}, sha256: {instrument.sha256}}}",
        "id: A-0001",
        "case:",
        "  id: CASE-0001   # a pseudonym, never a name",
    ]
    for field in instrument.case_fields:
        hint = f"one of {', '.join(field.choices)}" if field.choices else field.type
        lines.append(f"  # fields.{field.id}: {hint}")
    if instrument.case_fields:
        lines.append("  fields: {}")
    lines += [
        "assessor: {id: u-0, agency: my-agency}",
        f"date: {day}",
        "status: draft",
        "sources: []   # - {id: S1, kind: interview, date: YYYY-MM-DD, description: ...}",
        "ratings:",
    ]
    for domain in instrument.domains:
        lines.append(f"  # --- {localize(domain.title, lang, instrument)}")
        for indicator in (i for i in instrument.indicators if i.domain == domain.id):
            codes = "; ".join(f"{s}: {scales.get(s, '?')}" for s in indicator.rate)
            lines.append(
                f"  # {indicator.id} ({indicator.kind}): {localize(indicator.title, lang, instrument)}  [{codes}]"
            )
            lines.append(f"  {indicator.id}: {{}}")
    lines += ["formulation: ''", "scenarios: []   # - {kind: escalation, text: ...}", "judgements:"]
    if not instrument.judgements:
        lines[-1] = "judgements: {}"
    for judgement in instrument.judgements:
        lines.append(f"  # {localize(judgement.title, lang, instrument)}: {' / '.join(judgement.levels)}")
        lines.append(f"  {judgement.id}: {{level: null, rationale: ''}}")
    return "\n".join(lines) + "\n"
