"""The disengagement instrument's trajectory order (issue 14): dependencies that make sense, each with its reason.

The orderings themselves are golden cases beside the instrument
(`instruments/disengagement-trajectory/cases/trajectory-*.case.yaml`, run by
`spj test`); these tests guard the `rationale` field and that the cases exist
and pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import spj
from spj.authoring.testcases import default_cases, run_case
from spj.report.codebook import render_codebook
from tests.helpers import assert_spj_error, make_instrument

ROOT = Path(__file__).resolve().parent.parent
DISENGAGEMENT = ROOT / "instruments" / "disengagement-trajectory" / "instrument.yaml"

ORDERING_CASES = [
    "trajectory-diagnosis-before-treatment",
    "trajectory-work-beside-education",
    "trajectory-housing-beside-daily-structure",
    "trajectory-guidance-as-frame",
    "trajectory-dialogue-after-trust",
    "trajectory-network-beside-family",
    "trajectory-trauma-assessment-alone",
]


@pytest.fixture(scope="module")
def instrument() -> spj.Instrument:
    return spj.load_instrument(DISENGAGEMENT)


@pytest.mark.parametrize("name", ORDERING_CASES)
def test_each_changed_ordering_has_a_passing_golden_case(instrument: spj.Instrument, name: str) -> None:
    path = DISENGAGEMENT.parent / "cases" / f"{name}.case.yaml"
    assert path in default_cases(DISENGAGEMENT)
    assert run_case(instrument, path) == []


def test_every_dependency_of_the_disengagement_instrument_gives_its_reason_in_each_language(
    instrument: spj.Instrument,
) -> None:
    for iv in instrument.interventions:
        for other in (*iv.requires, *iv.after):
            text = iv.rationale.get(other)
            assert isinstance(text, dict), f"{iv.id} -> {other}: no rationale"
            assert set(text) == set(instrument.languages), f"{iv.id} -> {other}: {sorted(text)}"


@pytest.mark.parametrize(
    ("step", "waits_for", "must_not_wait_for"),
    [
        ("trauma_treatment", "trauma_assessment", None),
        ("employment_guidance", None, "education_pathway"),
        ("daily_structure", None, "housing_support"),
        ("alternative_narratives", "working_alliance", "psychosocial_guidance"),
        ("theological_dialogue", "working_alliance", "trauma_treatment"),
        ("prosocial_network", None, "family_involvement"),
    ],
)
def test_the_orderings_found_implausible_are_gone(
    instrument: spj.Instrument, step: str, waits_for: str | None, must_not_wait_for: str | None
) -> None:
    iv = next(i for i in instrument.interventions if i.id == step)
    dependencies = {*iv.requires, *iv.after}
    if waits_for:
        assert waits_for in dependencies
    if must_not_wait_for:
        assert must_not_wait_for not in dependencies
    assert not any(i.requires == ("psychosocial_guidance",) for i in instrument.interventions)


@pytest.mark.parametrize(("fmt", "lang"), [("md", "en"), ("md", "nl"), ("html", "en"), ("html", "nl")])
def test_the_codebook_shows_the_rationale_of_each_dependency(instrument: spj.Instrument, fmt: str, lang: str) -> None:
    text = render_codebook(instrument, format=fmt, lang=lang)
    assert isinstance(text, str)
    heading = "Why it waits" if lang == "en" else "Waarom het wacht"
    shown = 0
    for iv in instrument.interventions:
        for other, rationale in iv.rationale.items():
            assert isinstance(rationale, dict)
            sentence = rationale[lang]
            if fmt == "html":
                sentence = sentence.replace("'", "&#39;")
            assert sentence in text, f"{iv.id} -> {other}"
            shown += 1
    assert shown >= 10
    assert text.count(heading) == sum(1 for iv in instrument.interventions if iv.rationale)


def test_a_rationale_names_a_dependency_of_its_own_intervention() -> None:
    rest = """\
    interventions:
      - {id: a, title: {en: A}, domain: social, provider: p, duration_weeks: 2, recommend_when: 'true'}
      - id: b
        title: {en: B}
        domain: social
        provider: p
        duration_weeks: 2
        recommend_when: 'true'
        after: [a]
        rationale: {a: {en: Fine.}, c: {en: Not a dependency.}}
    """
    assert_spj_error(lambda: make_instrument(rest), "unresolved-reference", message="'c'", line=32, count=1)


def test_a_rationale_is_optional_and_leaves_the_content_hash_of_an_instrument_without_it() -> None:
    rest = """\
    interventions:
      - {id: a, title: {en: A}, domain: social, provider: p, duration_weeks: 2, recommend_when: 'true'}
      - {id: b, title: {en: B}, domain: social, provider: p, duration_weeks: 2, recommend_when: 'true', after: [a]}
    """
    plain = make_instrument(rest)
    assert plain.interventions[1].rationale == {}
    assert "rationale" not in plain.model_dump()["interventions"][1]


def test_a_running_frame_spans_the_trajectory_but_is_never_its_critical_path() -> None:
    """Issue 14: the probation officer's guidance (52 weeks) runs beside the trajectory; the critical path
    names the sequence of the other steps, and a plan of frames alone still has one."""
    import textwrap

    from tests.helpers import make_instrument

    rest = textwrap.dedent("""\
        interventions:
          - {id: guidance, title: {en: G}, domain: social, provider: probation, duration_weeks: 52, frame: true,
             recommend_when: "true"}
          - {id: first, title: {en: F}, domain: social, provider: ngo, duration_weeks: 6, recommend_when: "true"}
          - {id: then, title: {en: T}, domain: social, provider: ngo, duration_weeks: 10, requires: [first],
             recommend_when: "true"}
        """)
    instrument = make_instrument(rest)
    plan = spj.build_plan(instrument, ["guidance", "first", "then"])
    assert plan.total_weeks == 52 and plan.critical_path == ("first", "then")
    alone = spj.build_plan(instrument, ["guidance"])
    assert alone.total_weeks == 52 and alone.critical_path == ("guidance",)
    plain = make_instrument(rest.replace(" frame: true,", ""))
    assert spj.build_plan(plain, ["guidance", "first", "then"]).critical_path == ("guidance",)
