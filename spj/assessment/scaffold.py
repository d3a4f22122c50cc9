"""A blank assessment for an instrument: every indicator listed, ready to rate."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from spj.assessment.model import Assessment
from spj.files.yamlout import dump_yaml
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
        "format: spj-assessment/2",
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
        f'date: "{day}"',  # quoted: other YAML readers would make it a date object
        "status: draft",
        'sources: []   # - {id: S1, kind: interview, date: "YYYY-MM-DD", description: ...}',
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
    plan_lines = [
        "plan:   # your decision on every intervention spj proposes (spj score lists them); see DESIGN 4.6",
        "  review_date: null",
        "  decisions: {}   # ID: {decision: accept|amend|decline, reason: ..., partner: {agency: ...}}",
        "  added: []       # - {id: ..., title: ..., duration_weeks: N, reason: ...}",
    ]
    if not instrument.judgements:
        lines[-1] = "judgements: {}"
    for judgement in instrument.judgements:
        lines.append(f"  # {localize(judgement.title, lang, instrument)}: {' / '.join(judgement.levels)}")
        lines.append(f"  {judgement.id}: {{level: null, rationale: ''}}")
    return "\n".join(lines + plan_lines) + "\n"


def reassessment(
    instrument: Instrument, previous: Assessment, *, new_id: str | None = None, today: dt.date | None = None
) -> str:
    """YAML text of a draft reassessment (`spj new --from PREVIOUS`, DESIGN 4.6).

    Ratings, sources and the plan's decisions and statuses carry over, so the
    expert revises what changed and updates where delivery stands. Judgements
    do not carry over, nor do the formulation and the scenarios: they are the
    expert's conclusions of that day, to be made again. `previous` links the two.
    """
    old = previous.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    data: dict[str, Any] = {
        "format": "spj-assessment/2",
        "instrument": {"id": instrument.id, "version": instrument.version, "sha256": instrument.sha256},
        "id": new_id or f"{previous.id}-next",
        "case": old["case"],
        "assessor": old["assessor"],
        "date": (today or dt.date.today()).isoformat(),
        "status": "draft",
        "previous": previous.id,
    }
    if previous.language:
        data["language"] = previous.language
    data["sources"] = old.get("sources", [])
    data["ratings"] = {ind: _codes_first(rating) for ind, rating in old.get("ratings", {}).items()}
    data["formulation"] = ""
    data["scenarios"] = []
    data["judgements"] = {j.id: {"level": None, "rationale": ""} for j in instrument.judgements}
    if "plan" in old:
        plan = dict(old["plan"])
        plan.pop("review_date", None)  # the new plan is reviewed on a date of its own
        plan.pop("start_date", None)  # and its weeks count from the reassessment, unless the expert says otherwise
        data["plan"] = plan
    header = (
        f"# Reassessment of case {previous.case.id}, carried over from {previous.id} ({previous.date.isoformat()}).\n"
        "# Ratings, sources and the plan's decisions and statuses are carried over: revise what changed.\n"
        "# Judgements, formulation and scenarios are not: make them again.\n"
    )
    return header + dump_yaml(data)


def _codes_first(rating: dict[str, Any]) -> dict[str, Any]:
    """A rating with its scale codes first, as people write them."""
    fields = ("omitted", "reason", "evidence", "sources", "note")
    return {**{k: v for k, v in rating.items() if k not in fields}, **{k: v for k, v in rating.items() if k in fields}}
