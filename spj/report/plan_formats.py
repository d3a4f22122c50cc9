"""The plan as JSON, Graphviz DOT or Mermaid, for case systems and diagrams."""

from __future__ import annotations

import json
import re
from typing import Any

from spj.evaluation.results import Plan
from spj.instrument import Instrument
from spj.instrument.text import localize


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan's steps (phase order) and its summary."""
    return {"interventions": [s.to_dict() for s in plan.ordered_steps], **plan.summary_dict()}


def plan_to_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"


def _quote_dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def plan_to_dot(plan: Plan, instrument: Instrument, *, lang: str | None = None) -> str:
    """Graphviz DOT: one cluster per phase, requires drawn solid, after dashed."""
    lines = ["digraph plan {", "  rankdir=LR;", '  node [shape=box, style=rounded, fontname="sans-serif"];']
    for number, phase in enumerate(plan.phases, start=1):
        lines.append(f"  subgraph cluster_phase{number} {{")
        lines.append(f"    label={_quote_dot(f'Phase {number}')};")
        for node in phase:
            step = plan.steps[node]
            title = localize(step.intervention.title, lang, instrument)
            label = f"{title} ({step.intervention.provider}, weeks {step.start_week}-{step.end_week})"
            lines.append(f"    {_quote_dot(node)} [label={_quote_dot(label)}];")
        lines.append("  }")
    for u, v, kind in plan.summary_dict()["edges"]:
        style = "solid" if kind == "requires" else "dashed"
        lines.append(f"  {_quote_dot(u)} -> {_quote_dot(v)} [style={style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return re.sub(r'["<>\[\]{}|]', " ", text).replace("\n", " ")


def plan_to_mermaid(plan: Plan, instrument: Instrument, *, lang: str | None = None) -> str:
    """A Mermaid flowchart with one subgraph per phase."""
    lines = ["flowchart LR"]
    for number, phase in enumerate(plan.phases, start=1):
        lines.append(f'  subgraph phase{number}["Phase {number}"]')
        for node in phase:
            step = plan.steps[node]
            title = _mermaid_text(localize(step.intervention.title, lang, instrument))
            provider = _mermaid_text(step.intervention.provider)
            lines.append(f'    {node}["{title}<br/>{provider}, weeks {step.start_week}-{step.end_week}"]')
        lines.append("  end")
    for u, v, kind in plan.summary_dict()["edges"]:
        arrow = "-->" if kind == "requires" else "-.->"
        lines.append(f"  {u} {arrow} {v}")
    return "\n".join(lines) + "\n"
