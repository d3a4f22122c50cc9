"""Check what the expert records beside the ratings: the structured background and the scenarios' details."""

from __future__ import annotations

from spj.assessment.fieldvalues import check_values
from spj.assessment.model import Assessment
from spj.errors import Code, Problem, did_you_mean
from spj.files.yamlsource import Document
from spj.instrument import Instrument


def check_records(assessment: Assessment, instrument: Instrument, doc: Document) -> list[Problem]:
    """Background values and scenario details typed by the instrument; management steps that exist."""
    problems = check_values(
        {f.id: f for f in instrument.background},
        assessment.background,
        ("background",),
        doc,
        what="background field",
        unknown=Code.UNKNOWN_FIELD,
    )
    details = {f.id: f for f in instrument.scenario_fields}
    interventions = [iv.id for iv in instrument.interventions]
    for n, scenario in enumerate(assessment.scenarios):
        base = ("scenarios", n)
        problems += check_values(
            details, scenario.details, (*base, "details"), doc, what="scenario field", unknown=Code.UNKNOWN_FIELD
        )
        for k, step in enumerate(scenario.management):
            if step not in interventions:
                problems.append(
                    doc.problem(
                        Code.UNKNOWN_INTERVENTION,
                        f"no intervention {step!r} in the instrument" + did_you_mean(step, interventions),
                        (*base, "management", k),
                    )
                )
    return problems
