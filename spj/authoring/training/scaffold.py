"""What a trainee starts from: the vignette's narrative and a blank assessment of its case, as `spj new` writes it.

Nothing of the reference is in it: no level, no rationale, no formulation.
"""

from __future__ import annotations

import json

from spj.assessment.scaffold import new_assessment
from spj.authoring.training.model import Vignette
from spj.files.yamlout import dump_yaml
from spj.instrument import Instrument
from spj.instrument.text import localize

BLANK_CASE = "  id: CASE-0001   # a pseudonym, never a name"
BLANK_SOURCES = "sources: []   # - {id: S1, kind: interview, date: YYYY-MM-DD, description: ...}"


def trainee_scaffold(
    instrument: Instrument, vignette: Vignette, *, trainee: str = "trainee", lang: str | None = None
) -> str:
    """YAML text: the narrative as comments, then a draft assessment of the vignette's case to complete."""
    narrative = localize(vignette.narrative, lang, instrument).strip().splitlines()
    head = [
        f"# Training vignette {vignette.id}: {localize(vignette.title, lang, instrument)}",
        "# A synthetic case for training: it never counts as a case. Rate it as you would a real one,",
        "# set status: final, then run: spj train check VIGNETTE THIS-FILE",
        "# The reference and its rationale are shown only after you submit.",
        "#",
        *(f"# {line}".rstrip() for line in narrative),
        "",
    ]
    body = new_assessment(instrument, lang=lang)
    # The agreed plan is not part of training: version 1, without the plan, is a complete rating.
    body = body.split("\nplan:", 1)[0] + "\n"
    body = body.replace("format: spj-assessment/2", "format: spj-assessment/1", 1)
    case = vignette.reference.case
    case_lines = [f"  id: {json.dumps(case.id)}"]
    if case.fields:
        case_lines.append(f"  fields: {json.dumps(dict(case.fields), ensure_ascii=False)}")
    body = body.replace(BLANK_CASE, "\n".join(case_lines), 1)
    if case.fields:
        body = "\n".join(line for line in body.split("\n") if line != "  fields: {}")
    body = body.replace("id: A-0001", f"id: {json.dumps('training-' + vignette.id)}", 1)
    body = body.replace("assessor: {id: u-0, agency: my-agency}", f"assessor: {{id: {json.dumps(trainee)}}}", 1)
    sources = [s.model_dump(mode="json", exclude_none=True) for s in vignette.reference.sources]
    if sources:
        body = body.replace(BLANK_SOURCES, dump_yaml({"sources": sources}).rstrip("\n"), 1)
    return "\n".join(head) + body
