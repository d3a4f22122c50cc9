"""`spj compare INSTRUMENT OLD NEW [--json]`: what changed between two assessments of one case."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from spj.evaluation.comparison_model import Comparison


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj compare` to `app`."""

    @app.command("compare")
    @handles_errors
    def compare_command(
        instrument: Annotated[Path, typer.Argument(help="The instrument of NEW (format: spj/1).", show_default=False)],
        old: Annotated[Path, typer.Argument(help="The earlier assessment.", show_default=False)],
        new: Annotated[Path, typer.Argument(help="The later assessment.", show_default=False)],
        as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
        lang: Annotated[str | None, typer.Option(help="Language of the labels.")] = None,
    ) -> None:
        """Indicators, flags, interventions and the expert's judgements that changed from OLD to NEW."""
        from spj.assessment import load_assessment
        from spj.evaluation.compare import compare
        from spj.evaluation.evaluate import evaluate
        from spj.instrument import load_instrument
        from spj.instrument.discovery import find_instrument, instrument_ref

        inst = load_instrument(instrument)
        ref_id, ref_version, where = instrument_ref(old)
        if (ref_id, ref_version) == (inst.id, inst.version):
            old_instrument = inst
        else:
            old_instrument = find_instrument(ref_id, ref_version, where=where)
        earlier = load_assessment(old, old_instrument)
        later = load_assessment(new, inst)
        comparison = compare(
            inst, (earlier, evaluate(old_instrument, earlier)), (later, evaluate(inst, later)), lang=lang
        )
        if as_json:
            typer.echo(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False))
        else:
            typer.echo("\n".join(comparison_lines(comparison)))


def comparison_lines(c: Comparison) -> list[str]:
    """The comparison as plain English lines, for the terminal."""
    out = [
        f"{c.case_id}: {c.previous_id} ({c.previous_date.isoformat()}) -> {c.current_id} "
        f"({c.current_date.isoformat()}), {c.weeks_elapsed} weeks"
    ]
    if c.unchanged:
        out.append("no changes")
    for i in c.indicators:
        head = f"indicator {i.id} ({i.title})"
        if i.from_state != i.to_state:
            before = i.level("presence")
            was = f" ({before.from_code})" if before and before.from_code else ""
            now = f" ({before.to_code})" if before and before.to_code else ""
            out.append(f"{head}: {i.from_state}{was} -> {i.to_state}{now}")
            continue
        for lv in i.levels:
            out.append(f"{head} {lv.scale}: {lv.from_code or '-'} -> {lv.to_code or '-'}")
    for f in c.flags:
        out.append(f"flag {f.id}: {f.change} ({f.from_status} -> {f.to_status})")
    for kind, steps in (("added", c.added), ("completed", c.completed), ("dropped", c.dropped)):
        for s in steps:
            out.append(f"intervention {s.id} ({s.title}): {kind}")
    for j in c.judgements:
        out.append(f"judgement {j.id} (the expert's): {j.from_code or '-'} -> {j.to_code or '-'}")
    if c.completed:
        out.append(
            "completed = in the previous plan, no longer in the plan, and due to end (end_week) "
            "by the weeks elapsed; check that it took place"
        )
    return out
