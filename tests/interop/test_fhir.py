"""FHIR R4: export → validated by the FHIR models → import → the same assessment, the same evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

import spj
from spj.cli.app import app
from spj.errors import ExportError
from spj.interop.fhir import export_bundle, import_bundle
from spj.interop.loading import InstrumentFinder

ROOT = Path(__file__).parent.parent.parent
CASES = [
    (folder / "instrument.yaml", example)
    for folder in sorted((ROOT / "instruments").iterdir())
    for example in sorted((folder / "examples").glob("*.assessment.yaml"))
]
TRAJECTORY = ROOT / "instruments/disengagement-trajectory/instrument.yaml"
WITH_PLAN = ROOT / "instruments/disengagement-trajectory/examples/case-0101b.assessment.yaml"


def _export(instrument_path: Path, example: Path, **options: Any) -> tuple[spj.Instrument, spj.Assessment, str]:
    instrument = spj.load_instrument(instrument_path)
    assessment = spj.load_assessment(example, instrument)
    bundle = export_bundle(instrument, assessment, spj.evaluate(instrument, assessment), **options)
    return instrument, assessment, json.dumps(bundle)


def _resources(text: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in json.loads(text)["entry"]:
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return found


@pytest.mark.parametrize(("instrument_path", "example"), CASES, ids=[c[1].name for c in CASES])
def test_round_trip_gives_the_same_assessment_and_evaluation(instrument_path: Path, example: Path) -> None:
    instrument, assessment, text = _export(instrument_path, example)
    assert Bundle.model_validate_json(text).type == "collection"  # the FHIR models accept it as it is
    back = import_bundle(text, InstrumentFinder([instrument]))
    assert back == assessment
    assert spj.evaluate(instrument, back).to_dict() == spj.evaluate(instrument, assessment).to_dict()


def test_the_resources_of_an_agreed_plan() -> None:
    instrument, assessment, text = _export(TRAJECTORY, WITH_PLAN, countersigned_by="u-99")
    resources = _resources(text)
    assert set(resources) >= {"Questionnaire", "QuestionnaireResponse", "PlanDefinition", "CarePlan"}
    plan = resources["CarePlan"][0]
    assert assessment.plan is not None
    assert len(plan["activity"]) == len(assessment.plan.decisions) + len(assessment.plan.added)
    evaluation = spj.evaluate(instrument, assessment)
    actions = resources["PlanDefinition"][0]["action"]
    assert [a["code"][0]["coding"][0]["code"] for a in actions] == [s.id for s in evaluation.plan.ordered_steps]
    if assessment.status == "final":
        agents = resources["Provenance"][0]["agent"]
        assert [a["type"]["coding"][0]["code"] for a in agents] == ["author", "verifier"]
    else:
        assert "Provenance" not in resources


def test_every_answered_link_id_is_a_question_of_the_questionnaire() -> None:
    def link_ids(items: list[dict[str, Any]]) -> set[str]:
        return {i["linkId"] for i in items} | {x for i in items for x in link_ids(i.get("item", []))}

    for instrument_path, example in CASES:
        resources = _resources(_export(instrument_path, example)[2])
        asked = link_ids(resources["Questionnaire"][0]["item"])
        answered = link_ids(resources["QuestionnaireResponse"][0]["item"])
        assert answered <= asked, answered - asked


def test_a_final_assessment_has_its_sign_off() -> None:
    final = next((i, e) for i, e in CASES if "status: final" in e.read_text(encoding="utf-8"))
    _, assessment, text = _export(*final)
    (signed,) = _resources(text)["Provenance"]
    assert signed["target"] == [{"reference": f"QuestionnaireResponse/{assessment.id}"}]
    assert signed["agent"][0]["who"]["identifier"]["value"] == assessment.assessor.id


def _bundle_with(change: Any) -> str:
    _, _, text = _export(TRAJECTORY, WITH_PLAN)
    data = json.loads(text)
    change(data)
    return json.dumps(data)


def _response(data: dict[str, Any]) -> dict[str, Any]:
    return next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        ('{"resourceType": "Patient"}', "expected a FHIR Bundle"),
        (_bundle_with(lambda d: _response(d).update(authored="yesterday")), "authored"),
        (_bundle_with(lambda d: d["entry"].append({"resource": {"resourceType": "Foo"}})), "'Foo' is not one"),
        (_bundle_with(lambda d: _response(d).__setitem__("item", "ratings")), "item"),
        (_bundle_with(lambda d: d["entry"].append(d["entry"][1])), "one QuestionnaireResponse, not 2"),
    ],
    ids=["not-json", "not-a-bundle", "bad-date", "unknown-type", "bad-items", "two-responses"],
)
def test_an_invalid_bundle_is_refused_with_where(text: str, message: str) -> None:
    with pytest.raises(ExportError) as caught:
        import_bundle(text, InstrumentFinder([spj.load_instrument(TRAJECTORY)]), file="in.json")
    assert set(caught.value.codes) == {"fhir-invalid"}
    assert message in str(caught.value)
    assert caught.value.problems[0].location.file == "in.json"


def test_an_answer_the_instrument_does_not_have_is_an_assessment_problem() -> None:
    def recode(data: dict[str, Any]) -> None:
        text = json.dumps(_response(data))
        _response(data).update(json.loads(text.replace('"code": "Y"', '"code": "MAYBE"', 1)))

    with pytest.raises(spj.AssessmentError) as caught:
        import_bundle(_bundle_with(recode), InstrumentFinder([spj.load_instrument(TRAJECTORY)]))
    assert "unknown-code" in caught.value.codes


def test_the_commands_round_trip(tmp_path: Path) -> None:
    runner = CliRunner()
    bundle, back = tmp_path / "bundle.json", tmp_path / "back.yaml"
    result = runner.invoke(app, ["fhir", "export", str(TRAJECTORY), str(WITH_PLAN), "-o", str(bundle)])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["fhir", "import", str(bundle), "-o", str(back), "--instrument", str(TRAJECTORY)])
    assert result.exit_code == 0, result.stderr
    instrument = spj.load_instrument(TRAJECTORY)
    assert spj.load_assessment(back, instrument) == spj.load_assessment(WITH_PLAN, instrument)
    bundle.write_text('{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": 1}}]}')
    result = runner.invoke(app, ["fhir", "import", str(bundle)])
    assert result.exit_code == 1
    assert "fhir-invalid" in result.stderr


@pytest.mark.parametrize(
    ("lang", "words"),
    [("nl", ["Wat ervoor pleit", "Aangehaalde bronnen"]), ("fr", ["Éléments pour", "Sources citées"])],
)
def test_the_questionnaire_speaks_the_language_asked(lang: str, words: list[str]) -> None:
    instrument = spj.load_instrument(TRAJECTORY)
    assessment = spj.load_assessment(WITH_PLAN, instrument)
    text = json.dumps(export_bundle(instrument, assessment, spj.evaluate(instrument, assessment), lang=lang))
    questionnaire = json.dumps(_resources(text)["Questionnaire"][0], ensure_ascii=False)
    for word in words:
        assert word in questionnaire
    for english in ("Evidence for", "Sources cited", "Omitted (no information)", "Information source"):
        assert english not in questionnaire


def test_the_instrument_hash_an_assessment_states_comes_back() -> None:
    """Regression: the workspace's assessments state their instrument's sha256; the round trip lost it."""
    instrument = spj.load_instrument(TRAJECTORY)
    original = spj.load_assessment(WITH_PLAN, instrument)
    pinned = original.model_copy(
        update={"instrument": original.instrument.model_copy(update={"sha256": instrument.sha256})}
    )
    text = json.dumps(export_bundle(instrument, pinned, spj.evaluate(instrument, pinned)))
    assert import_bundle(text, InstrumentFinder([instrument])).instrument.sha256 == instrument.sha256
