"""Page 1 of the report: the summary a colleague reads first (issue 9, point 7).

Who assessed (name and function), when, the case's legal frame (its case
fields, mandate and phase among them), then — in the template — the
formulation, the scenarios, the expert's summary judgements with their
rationale, the review (date, and what would bring it forward) and the agreed
plan as a table: objective, need addressed, partner by name, status. What the
assessment does not hold is said ("Not recorded."), never left out.

Plain data, built once from the report's view (`spj.report.context`): rows of
(label, value) strings and the plan's rows, so the template only prints.
"""

from __future__ import annotations

from typing import Any

from spj.assessment.model import Assessment
from spj.instrument.model import Instrument
from spj.report.labels import as_words, looks_like_code
from spj.report.reason_words import case_value
from spj.report.signoff import SignOff
from spj.report.wording import Kind, report_wording


def summary_context(
    instrument: Instrument,
    assessment: Assessment,
    view: dict[str, Any],
    signoff: SignOff | None,
    *,
    lang: str,
    kind: Kind,
) -> dict[str, Any]:
    """`summary` for the report templates, from the view `report_context` built (`view`)."""
    words = report_wording(lang, kind)
    not_recorded = words("Not recorded.")
    assessor = assessment.assessor
    name = (signoff.assessor if signoff else "") or assessor.name or assessor.id
    function = (signoff.assessor_function if signoff else None) or ""
    agency = assessor.agency or ""
    if looks_like_code(agency):
        agency = as_words(agency)
    rows: list[dict[str, str]] = [
        {"subject": words("Assessed by"), "value": name},
        {"subject": words("Function"), "value": function or not_recorded},
    ]
    if agency:
        rows.append({"subject": words("Service"), "value": agency})
    rows.append({"subject": words("Date of the assessment"), "value": view["assessment"]["date"]})
    rows.append(
        {"subject": words("Status"), "value": words("draft") if view["assessment"]["draft"] else words("final")}
    )
    rows.extend(_legal_frame(instrument, assessment, lang, not_recorded))
    agreed = view.get("agreed")
    review_date = assessment.plan.review_date if assessment.plan is not None else None
    review = words.date(review_date) if review_date else not_recorded
    return {
        "summary": {
            "rows": tuple(rows),
            "review": ({"subject": words("Review date"), "value": review},),
            # What the expert wrote would bring the review forward (`review_triggers`); said when absent.
            "trigger": {"subject": words("An earlier review if"), "value": assessment.review_triggers or not_recorded},
            "plan": _plan_rows(agreed) if agreed else (),
            "no_plan": (
                ""
                if agreed
                else words("No plan has been agreed yet; the trajectory the instrument proposes follows below.")
            ),
        }
    }


def _legal_frame(instrument: Instrument, assessment: Assessment, lang: str, not_recorded: str) -> list[dict[str, str]]:
    """Every case field of the instrument, in its order, by its label: mandate, phase and the rest of the frame."""
    from spj.instrument.text import localize

    given = assessment.case.fields
    rows = []
    for field in instrument.case_fields:
        title = (localize(field.title, lang, instrument) if field.title else "") or as_words(field.id)
        value = given.get(field.id)
        shown = case_value(field, value, lang, instrument) if value not in (None, "", ()) else not_recorded
        rows.append({"subject": title, "value": shown})
    known = {f.id for f in instrument.case_fields}
    for field_id, value in given.items():
        if field_id not in known:
            rows.append({"subject": as_words(field_id), "value": case_value(None, value, lang, instrument)})
    return rows


def _plan_rows(agreed: dict[str, Any]) -> tuple[dict[str, str], ...]:
    """One row per agreed step: what, objective, need addressed, partner (by name) and status."""
    return tuple(
        {
            "title": s["title"],
            "objective": s["objective"],
            "need": ", ".join(s["needs"]),
            "partner": s["by"] + (f" ({s['contact']})" if s["contact"] else ""),
            "status": s["status"],
        }
        for s in agreed["steps"]
    )
