"""Training on vignettes (issue 10, items 1 and 2): the shipped vignettes, their checks, `spj train`, the sealed
reference."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import assert_spj_error, instrument_text, make_instrument
from typer.testing import CliRunner

import spj
from spj.authoring.training import (
    TrainingError,
    classify,
    load_vignette,
    parse_vignette,
    trainee_scaffold,
    vignette_paths,
)
from spj.cli.app import app

pytest.importorskip("statsmodels")

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "instruments").glob("*/instrument.yaml"))
RUNNER = CliRunner()

# Wording of proprietary instruments must never be shipped (DESIGN 1); their names are a first tripwire.
PROPRIETARY = ("HCR-20", "HCR20", "VERA", "TRAP-18", "TRAP18", "SAPROF", "ERG22", "ERG 22", "Extremism Risk Guidance")


def shipped_vignettes() -> list[tuple[Path, Path]]:
    return [(inst, v) for inst in SHIPPED for v in vignette_paths(inst)]


# --- the shipped vignettes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("instrument_path", SHIPPED, ids=lambda p: p.parent.name)
def test_every_shipped_instrument_has_six_vignettes_or_more(instrument_path: Path) -> None:
    instrument = spj.load_instrument(instrument_path)
    vignettes = [load_vignette(p, instrument) for p in vignette_paths(instrument_path)]
    assert len(vignettes) >= 6
    assert len({v.id for v in vignettes}) == len(vignettes)
    assert len({v.reference.case.id for v in vignettes}) == len(vignettes)
    for vignette in vignettes:
        assert set(vignette.rationales) == {i.id for i in instrument.indicators}
        assert all(text.strip() for text in vignette.rationales.values())
        assert all((j.rationale or "").strip() for j in vignette.reference.judgements.values())
        assert set(vignette.reference.judgements) == {j.id for j in instrument.judgements}
        assert vignette.reference.status == "final"


@pytest.mark.parametrize(("instrument_path", "path"), shipped_vignettes(), ids=lambda p: p.name)
def test_shipped_vignettes_are_original_and_synthetic(instrument_path: Path, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for name in PROPRIETARY:
        assert not re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE), f"{path.name} mentions {name}"
    assert text.startswith("# Training vignette. The person, the case and every source are invented")


def test_shipped_vignettes_pass_spj_validate() -> None:
    paths = [str(v) for _, v in shipped_vignettes()]
    result = RUNNER.invoke(app, ["validate", *paths])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("ok ") == len(paths) >= 12


def test_the_reference_levels_vary_across_vignettes() -> None:
    """A training set where every vignette has the same answer teaches nothing."""
    for instrument_path in SHIPPED:
        instrument = spj.load_instrument(instrument_path)
        vignettes = [load_vignette(p, instrument) for p in vignette_paths(instrument_path)]
        priorities = {v.reference.judgements["case_priority"].level for v in vignettes}
        assert priorities == {"low", "moderate", "high"}
        presence = [r.codes.get("presence") for v in vignettes for r in v.reference.ratings.values()]
        assert {"N", "P", "Y"} <= set(presence)
        assert any(r.omitted for v in vignettes for r in v.reference.ratings.values())  # a known unknown to teach


# --- checks of a vignette ----------------------------------------------------------------------------------

INSTRUMENT = instrument_text("judgements:\n  - {id: priority, title: {en: Priority}, levels: [low, moderate, high]}\n")

VIGNETTE = """\
format: spj-vignette/1
id: test-v01
instrument: {id: test-instrument, version: 1.0.0}
title: {en: A test vignette}
case: {id: VIGNETTE-T-01}
narrative: {en: A short synthetic case.}
reference:
  ratings:
    SO1: {presence: "P", relevance: moderate, rationale: Peers seen twice a month.}
    SO2: {presence: "Y", relevance: high, rationale: A close and supportive family.}
    WB1: {omitted: true, reason: Not known, rationale: Nothing in the case tells; omit it.}
  judgements:
    priority: {level: moderate, rationale: Some contact with peers; balanced by family.}
"""


@pytest.fixture
def instrument() -> spj.Instrument:
    return make_instrument("judgements:\n  - {id: priority, title: {en: Priority}, levels: [low, moderate, high]}\n")


def test_a_valid_vignette_loads(instrument: spj.Instrument) -> None:
    vignette = parse_vignette(VIGNETTE, instrument, file="v.yaml")
    assert vignette.rationales["SO2"] == "A close and supportive family."
    assert vignette.judgement_rationale("priority").startswith("Some contact")
    assert vignette.reference.ratings["WB1"].omitted


def test_a_vignette_without_reference_is_refused(instrument: spj.Instrument) -> None:
    text = VIGNETTE.split("reference:")[0]
    assert_spj_error(
        lambda: parse_vignette(text, instrument, file="v.yaml"),
        spj.Code.VIGNETTE_REFERENCE,
        error=TrainingError,
        message="this vignette has no reference",
        line=1,
    )


def test_a_vignette_without_reference_ratings_is_refused(instrument: spj.Instrument) -> None:
    text = VIGNETTE.split("  ratings:")[0] + "  judgements:\n    priority: {level: low, rationale: x}\n"
    assert_spj_error(
        lambda: parse_vignette(text, instrument, file="v.yaml"),
        spj.Code.VIGNETTE_REFERENCE,
        error=TrainingError,
        message="no reference ratings",
        line=7,
        count=1,
    )


def test_each_missing_reference_rating_and_rationale_is_located(instrument: spj.Instrument) -> None:
    text = VIGNETTE.replace('    SO1: {presence: "P", relevance: moderate, rationale: Peers seen twice a month.}\n', "")
    text = text.replace(", rationale: A close and supportive family.", "")
    exc = assert_spj_error(
        lambda: parse_vignette(text, instrument, file="v.yaml"),
        spj.Code.VIGNETTE_REFERENCE,
        error=TrainingError,
        message="no reference rating for SO1",
    )
    by_message = {p.message.split(":")[0]: p.location for p in exc.problems}
    assert by_message["no reference rating for SO1"].line == 8  # the `ratings:` key
    assert by_message["the reference rating of SO2 has no rationale"].line == 9
    assert len(exc.problems) == 2  # not repeated as an incomplete final assessment
    assert all(p.location.file == "v.yaml" for p in exc.problems)


def test_the_reference_is_checked_like_an_assessment_and_located_in_the_vignette(instrument: spj.Instrument) -> None:
    text = VIGNETTE.replace('SO1: {presence: "P"', 'SO1: {presence: "Q"').replace("level: moderate", "level: urgent")
    exc = assert_spj_error(
        lambda: parse_vignette(text, instrument, file="v.yaml"), spj.Code.UNKNOWN_CODE, error=TrainingError, line=9
    )
    assert any(p.location.path[:2] == ("reference", "ratings") for p in exc.problems)
    assert any(p.location.line == 13 and p.location.path[:1] == ("reference",) for p in exc.problems)


def test_a_reference_judgement_without_its_required_rationale_is_refused(instrument: spj.Instrument) -> None:
    inst = make_instrument(
        "judgements:\n  - {id: priority, title: {en: Priority}, levels: [low, moderate, high],\n"
        "     rationale_required: true}\n"
    )
    text = VIGNETTE.replace(", rationale: Some contact with peers; balanced by family.", "")
    assert_spj_error(lambda: parse_vignette(text, inst, file="v.yaml"), spj.Code.MISSING_RATIONALE, error=TrainingError)


def test_the_vignette_loader_is_no_more_tolerant_than_the_assessment_loader(instrument: spj.Instrument) -> None:
    """An unknown case field is refused in a vignette exactly as in an assessment."""
    text = VIGNETTE.replace("case: {id: VIGNETTE-T-01}", "case: {id: VIGNETTE-T-01, fields: {colour: red}}")
    assert_spj_error(
        lambda: parse_vignette(text, instrument, file="v.yaml"),
        spj.Code.UNKNOWN_CASE_FIELD,
        error=TrainingError,
        line=5,
    )
    assessment = "format: spj-assessment/1\ninstrument: {id: test-instrument, version: 1.0.0}\nid: A\n"
    assessment += "case: {id: C, fields: {colour: red}}\nassessor: {id: u}\ndate: 2020-01-01\n"
    assert_spj_error(lambda: spj.parse_assessment(assessment, instrument), spj.Code.UNKNOWN_CASE_FIELD)


def test_unknown_keys_and_a_wrong_format_are_refused(instrument: spj.Instrument) -> None:
    assert_spj_error(
        lambda: parse_vignette(VIGNETTE + "answers: {}\n", instrument), spj.Code.SCHEMA, error=TrainingError, line=14
    )
    assert_spj_error(
        lambda: parse_vignette(VIGNETTE.replace("spj-vignette/1", "spj-vignette/9"), instrument),
        spj.Code.SCHEMA,
        error=TrainingError,
        message="is this a vignette?",
    )


def test_spj_validate_prints_located_problems_for_a_vignette(tmp_path: Path) -> None:
    inst = tmp_path / "instrument.yaml"
    inst.write_text(INSTRUMENT, encoding="utf-8")
    bad = tmp_path / "v.vignette.yaml"
    bad.write_text(VIGNETTE.split("reference:")[0], encoding="utf-8")
    result = RUNNER.invoke(app, ["validate", "--instrument", str(inst), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:1:1: vignette-reference this vignette has no reference" in result.stderr
    assert "Traceback" not in result.output


# --- feedback ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trainee", "reference", "match"),
    [
        (0, 0, "exact"),
        (2, 1, "adjacent"),
        (0, 2, "off"),
        (None, 1, "omitted"),
        (1, None, "omitted"),
        (None, None, "exact"),
    ],
)
def test_classify(trainee: int | None, reference: int | None, match: str) -> None:
    assert classify(trainee, reference) == match


# --- spj train: the loop, and the sealed reference ---------------------------------------------------------

ERF = ROOT / "instruments" / "extremism-risk-formulation" / "instrument.yaml"
ERF_V01 = ERF.parent / "vignettes" / "erf-v01.vignette.yaml"
ERF_V02 = ERF.parent / "vignettes" / "erf-v02.vignette.yaml"


def reference_texts(path: Path) -> list[str]:
    """Every rationale and reference formulation of a vignette: none may show before submitting."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = [r["rationale"] for r in data["reference"]["ratings"].values()]
    texts += [j["rationale"] for j in data["reference"]["judgements"].values()]
    return texts + ([data["reference"]["formulation"]] if "formulation" in data["reference"] else [])


def start(tmp_path: Path, vignette: Path, trainee: str = "u-42") -> Path:
    out = tmp_path / f"{vignette.stem}.mine.yaml"
    result = RUNNER.invoke(app, ["train", "start", str(vignette), "--trainee", trainee, "-i", str(ERF), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def complete(scaffold: Path, vignette: Path, *, changes: dict[str, dict[str, Any]] | None = None) -> Path:
    """Fill the scaffold with the reference's levels (the test knows them; a trainee does not), then `changes`."""
    data = yaml.safe_load(scaffold.read_text(encoding="utf-8"))
    reference = yaml.safe_load(vignette.read_text(encoding="utf-8"))["reference"]
    data["ratings"] = {k: {f: v for f, v in r.items() if f != "rationale"} for k, r in reference["ratings"].items()}
    data["judgements"] = {
        k: {"level": j["level"], "rationale": "My reasons."} for k, j in reference["judgements"].items()
    }
    for indicator, rating in (changes or {}).items():
        data["ratings"][indicator] = rating
    data["status"] = "final"
    scaffold.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return scaffold


def check(vignette: Path, rating: Path, record: Path, *extra: str) -> Any:
    return RUNNER.invoke(
        app, ["train", "check", str(vignette), str(rating), "-i", str(ERF), "--record", str(record), *extra]
    )


def test_the_scaffold_shows_the_case_and_nothing_of_the_reference(tmp_path: Path) -> None:
    for instrument_path, path in shipped_vignettes():
        instrument = spj.load_instrument(instrument_path)
        vignette = load_vignette(path, instrument)
        text = trainee_scaffold(instrument, vignette, trainee="u-42")
        for secret in reference_texts(path):
            assert secret.strip()[:60] not in text, f"{path.name}: the scaffold shows a reference text"
        draft = spj.parse_assessment(text, instrument, file="mine.yaml")
        assert draft.status == "draft" and draft.assessor.id == "u-42"
        assert draft.case.id == vignette.reference.case.id and draft.case.fields == vignette.reference.case.fields
        assert all(not r.codes for r in draft.ratings.values()) and set(draft.ratings) == set(vignette.rationales)
        assert all(j.level is None for j in draft.judgements.values())
        first_line = path.read_text(encoding="utf-8").split("en: |\n", 1)[1].split("\n", 1)[0].strip()
        assert first_line in text  # the narrative is there to read


def test_the_reference_is_sealed_until_a_final_rating_is_submitted(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    scaffold = start(tmp_path, ERF_V01)
    secrets = reference_texts(ERF_V01)

    def refused(result: Any, *, code: str = "reference-sealed") -> None:
        assert result.exit_code == 1, result.output
        assert code in result.stderr and "Traceback" not in result.output
        for secret in secrets:
            assert secret[:40] not in result.output
        assert not record.exists()

    refused(check(ERF_V01, scaffold, record))  # the untouched draft
    refused(check(ERF_V01, scaffold, record, "--json"))
    partial = yaml.safe_load(scaffold.read_text(encoding="utf-8"))
    partial["status"] = "final"
    (tmp_path / "partial.yaml").write_text(yaml.safe_dump(partial), encoding="utf-8")
    refused(check(ERF_V01, tmp_path / "partial.yaml", record), code="incomplete")  # final but empty
    complete(scaffold, ERF_V01)
    refused(check(ERF_V02, scaffold, record))  # a rating of another vignette's case
    progress = RUNNER.invoke(app, ["train", "progress", "--trainee", "u-42", "--record", str(record)])
    assert progress.exit_code == 0 and "no vignette yet" in progress.stdout
    validate = RUNNER.invoke(app, ["validate", "-i", str(ERF), str(ERF_V01)])
    assert validate.exit_code == 0 and all(secret[:40] not in validate.output for secret in secrets)


def test_feedback_per_indicator_after_submitting(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    # Reference: EN2 Y/high, IN2 Y/high, CA1 N/low. Adjacent, off by two, and an omission.
    mine = complete(
        start(tmp_path, ERF_V01),
        ERF_V01,
        changes={
            "EN2": {"presence": "P", "relevance": "high"},
            "IN2": {"presence": "N", "relevance": "high"},
            "CA1": {"omitted": True, "reason": "not sure"},
        },
    )
    result = check(ERF_V01, mine, record)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Trainee u-42, attempt 1\n" in out
    assert "  presence: you P, reference Y - adjacent (one level apart)" in out
    assert "  presence: you N, reference Y - OFF by more than one level" in out
    assert "  presence: you omitted, reference N - omitted by one side only" in out
    for secret in reference_texts(ERF_V01)[:17]:
        assert secret in out  # every rationale is shown after submitting
    # 15 presence ratings: 12 exact, 1 adjacent, 1 off, 1 omitted.
    assert "  presence: 12/15 exact, 13/15 within one level, 1 off, 1 omitted by one side" in out
    assert "Over all your vignettes of extremism-risk-formulation 2.0.0 (1; first attempts only" in out
    entries = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert len(entries) == 1 and entries[0]["trainee"] == "u-42" and entries[0]["vignette"] == "erf-v01"
    assert "rationale" not in json.dumps(entries[0])  # the record keeps levels, not the reference's text


def test_agreement_over_all_vignettes_counts_first_attempts(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    first = complete(start(tmp_path, ERF_V01), ERF_V01, changes={"EN1": {"presence": "N", "relevance": "low"}})
    assert check(ERF_V01, first, record).exit_code == 0
    again = check(ERF_V01, complete(first, ERF_V01), record)  # perfect, but after seeing the reference
    assert again.exit_code == 0 and "attempt 2 (made after seeing the reference: not counted)" in again.stdout
    second = complete(start(tmp_path, ERF_V02), ERF_V02)
    result = check(ERF_V02, second, record, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["attempt"] == 1 and data["vignette"]["id"] == "erf-v02"
    assert all(item["match"] == "exact" for item in data["items"])
    here = {g["group"]: g for g in data["agreement"]}
    assert here["presence"]["exact"] == 15 and here["presence"]["kappa_quadratic"]["value"] == 1.0
    assert here["presence"]["kappa_quadratic"]["reason"].startswith("perfect agreement on all 15 cases")
    overall = {g["group"]: g for g in data["progress"]["agreement"]}
    assert data["progress"]["vignettes"] == ["erf-v01", "erf-v02"] and data["progress"]["attempts"] == 3
    assert overall["presence"]["items"] == 30 and overall["presence"]["exact"] == 29  # EN1 of the first attempt
    kappa = overall["presence"]["kappa_quadratic"]
    assert kappa["value"] < 1 and kappa["ci"] is not None and -1 <= kappa["ci"][0] <= kappa["ci"][1] <= 1
    assert overall["judgements"]["items"] == 6  # three summary judgements on each of two vignettes
    progress = RUNNER.invoke(app, ["train", "progress", "--trainee", "u-42", "--record", str(record), "--json"])
    assert progress.exit_code == 0
    assert json.loads(progress.stdout)[0]["agreement"] == data["progress"]["agreement"]
    other = RUNNER.invoke(app, ["train", "progress", "--trainee", "u-7", "--record", str(record)])
    assert "u-7 has submitted no vignette yet" in other.stdout


def test_a_damaged_record_is_refused_not_rewritten(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    record.write_text("not json\n", encoding="utf-8")
    mine = complete(start(tmp_path, ERF_V01), ERF_V01)
    result = check(ERF_V01, mine, record)
    assert result.exit_code == 1 and "training-record" in result.stderr and "line 1" in result.stderr
    assert record.read_text(encoding="utf-8") == "not json\n"


def test_start_refuses_to_overwrite_the_vignette(tmp_path: Path) -> None:
    copy = tmp_path / "v.vignette.yaml"
    copy.write_text(ERF_V01.read_text(encoding="utf-8"), encoding="utf-8")
    result = RUNNER.invoke(app, ["train", "start", str(copy), "-i", str(ERF), "-o", str(copy)])
    assert result.exit_code == 1 and copy.read_text(encoding="utf-8") == ERF_V01.read_text(encoding="utf-8")


def test_start_finds_the_instrument_from_the_vignette(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = RUNNER.invoke(app, ["train", "start", str(ERF_V01)])
    assert result.exit_code == 0, result.output
    assert "VIGNETTE-ERF-01" in result.stdout and textwrap.dedent("").join(["status: draft"]) in result.stdout


def test_list_shows_the_vignettes_and_nothing_of_their_references() -> None:
    result = RUNNER.invoke(app, ["train", "list", str(ERF)])
    assert result.exit_code == 0, result.output
    assert [line.split()[1] for line in result.stdout.splitlines()] == [f"erf-v0{n}" for n in range(1, 7)]
    assert "The night-shift poster" in result.stdout
    for path in vignette_paths(ERF):
        assert all(secret[:40] not in result.output for secret in reference_texts(path))


@pytest.mark.parametrize(
    "command",
    [
        ["score", str(ERF), str(ERF_V01)],
        ["score", str(ERF), str(ERF_V01), "--json"],
        ["report", str(ERF), str(ERF_V01), "--format", "md"],
        ["plan", str(ERF), str(ERF_V01), "--format", "json"],
        ["irr", str(ERF), str(ERF_V01), str(ERF_V02)],
        ["new", str(ERF), "--from", str(ERF_V01)],
    ],
    ids=lambda c: " ".join(c[:1] + c[3:]),
)
def test_no_other_command_reads_a_vignette_as_a_case(command: list[str]) -> None:
    """A vignette never counts as a case, and no route prints its reference."""
    result = RUNNER.invoke(app, command)
    assert result.exit_code == 1, result.output
    assert "spj-vignette/1" in result.stderr and "Traceback" not in result.output
    assert all(secret[:40] not in result.output for secret in reference_texts(ERF_V01))
