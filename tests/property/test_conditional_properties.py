"""Property: an item whose condition is false never counts as missing, nor as false.

Over random assessments of an instrument with both kinds of condition (a
scale asked only when presence is not absent, an indicator asked only for one
case category), whatever is given: a non-applicable item is in no `missing`
list, not to rate, not in the completeness total, and a rule that reads only
it is never decided as false (clear) from it.
"""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

import spj
from spj.api.web.progress import form_progress
from spj.assessment import assessment_from_data
from spj.assessment.validate import applicability_warnings
from spj.files.yamlsource import Document

INSTRUMENT = spj.parse_instrument(
    textwrap.dedent(
        """\
        format: spj/1
        id: conditional
        version: 1.0.0
        title: {en: Conditional}
        license: CC0-1.0
        scales:
          presence:
            - {code: "N", value: 0, label: {en: Absent}}
            - {code: "P", value: 1, label: {en: Partly}}
            - {code: "Y", value: 2, label: {en: Present}}
          relevance:
            - {code: low, value: 0, label: {en: Low}}
            - {code: high, value: 2, label: {en: High}}
        domains:
          - {id: social, title: {en: Social}}
        case_fields:
          - {id: status, type: choice, choices: [convict, pve]}
        indicators:
          - {id: SO1, domain: social, kind: risk, title: {en: Peers},
             scale_applies_when: {relevance: 'ratings.SO1.presence != 0'}}
          - {id: WB1, domain: social, kind: risk, title: {en: Trauma}, applies_when: 'case.status == "convict"'}
          - {id: XX1, domain: social, kind: protective, title: {en: Other}}
        rules:
          - {id: relevance_read, when: 'ratings.SO1.relevance >= 0', message: m}
          - {id: trauma_read, when: 'ratings.WB1.presence >= 0', message: m}
          - {id: both, when: 'ratings.WB1.presence >= 1 || ratings.XX1.presence >= 1', message: m}
        interventions:
          - {id: care, title: {en: Care}, domain: social, provider: p, duration_weeks: 1,
             recommend_when: 'ratings.WB1.presence == 2 && ratings.SO1.relevance == 2'}
        """
    )
)

RATING = st.one_of(
    st.none(),
    st.just({"omitted": True, "reason": "not known"}),
    st.fixed_dictionaries(
        {"presence": st.sampled_from(["N", "P", "Y"])}, optional={"relevance": st.sampled_from(["low", "high"])}
    ),
)


@st.composite
def assessments(draw: st.DrawFn) -> dict:
    ratings = {ind: r for ind in ("SO1", "WB1", "XX1") if (r := draw(RATING)) is not None}
    status = draw(st.sampled_from([None, "convict", "pve"]))
    case: dict = {"id": "C-1"}
    if status is not None:
        case["fields"] = {"status": status}
    return {
        "format": "spj-assessment/1",
        "instrument": {"id": "conditional", "version": "1.0.0"},
        "id": "A-1",
        "case": case,
        "assessor": {"id": "u-1"},
        "date": "2020-01-01",
        "ratings": ratings,
    }


@settings(max_examples=150, deadline=None)
@given(assessments())
def test_a_non_applicable_item_is_never_missing_nor_false(data: dict) -> None:
    assessment = assessment_from_data(data, INSTRUMENT)
    evaluation = spj.evaluate(INSTRUMENT, assessment)
    status = data["case"].get("fields", {}).get("status")
    so1 = data["ratings"].get("SO1") or {}
    wb1_out = status == "pve"
    relevance_out = so1.get("presence") == "N"
    results = [*evaluation.rule_results, *evaluation.recommendations.values()]
    flags = {f.id: f for f in evaluation.rule_results}
    progress = form_progress(INSTRUMENT, data)

    assert evaluation.applicability.applies("WB1") is (False if wb1_out else None if status is None else True)
    if wb1_out:
        assert all("WB1" not in r.missing for r in results)
        assert flags["trauma_read"].status != "clear"
        assert evaluation.completeness.not_applicable == 1
        assert evaluation.completeness.indicators == 2
        assert "WB1" not in progress.to_do
        assert progress.not_applicable == ("WB1",)
    if relevance_out:
        assert evaluation.applicability.applies("SO1", "relevance") is False
        assert "SO1" not in flags["relevance_read"].missing
        assert flags["relevance_read"].status != "clear"
    # Completeness adds up over the indicators that apply.
    c = evaluation.completeness
    assert c.rated + c.omitted + c.unrated == c.indicators == 3 - c.not_applicable
    # What is given for a non-applicable item is a warning, one per item given.
    warnings = applicability_warnings(assessment, INSTRUMENT, Document(data, None))
    expected = int(wb1_out and "WB1" in data["ratings"]) + int(relevance_out and "relevance" in so1)
    assert len(warnings) == expected
    assert {w.code.value for w in warnings} <= {"not-applicable"}
