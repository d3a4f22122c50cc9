"""The research export: long format, a Frictionless data dictionary, stable names across versions, de-identified."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import stat
import textwrap
from pathlib import Path

import frictionless
import pytest
from helpers import HEADER

import spj
from spj.errors import ExportError
from spj.interop.research import Privacy, ResearchKey, create_key, export_audit, export_research, read_key
from spj.store import open_store

BODY = """\
domains:
  - {id: social, title: {en: Social}}
indicators:
  - {id: SO1, domain: social, kind: risk, title: {en: Peers}}
  - {id: %s, domain: social, kind: protective, title: {en: Family}}
case_fields:
  - {id: phase, type: choice, choices: [detention, probation]}
  - {id: remark, type: text}
rules:
  - {id: peers, when: 'ratings.SO1.presence >= 1', title: {en: Extremist peers}, message: {en: Peers.}}
interventions:
  - {id: mentor, title: {en: Mentor}, domain: social, provider: probation, duration_weeks: 4,
     recommend_when: 'flags.peers'}
judgements:
  - {id: priority, title: {en: Case priority}, levels: [low, high], rationale_required: true}
"""
V1 = HEADER + BODY % "SO2"
V2 = (HEADER + BODY % "SO5").replace("version: 1.0.0", "version: 1.1.0") + textwrap.dedent(
    """\
    migrations:
      - {from: 1.0.0, renamed: {SO2: SO5}}
    """
)
SECRET_TEXT = "Met Jan Peeters at the Groenplaats"


def assessment(version: str, family: str, *, ident: str, date: str) -> str:
    return textwrap.dedent(
        f"""\
        format: spj-assessment/1
        instrument: {{id: test-instrument, version: {version}}}
        id: {ident}
        case: {{id: CASE-0001, fields: {{phase: probation, remark: "{SECRET_TEXT}"}}}}
        assessor: {{id: u-17, agency: house-of-justice-example, name: Synthetic Officer}}
        date: {date}
        status: final
        ratings:
          SO1: {{presence: "Y", relevance: high, evidence: {{for: "{SECRET_TEXT}"}}}}
          {family}: {{omitted: true, reason: "{SECRET_TEXT}"}}
        formulation: "{SECRET_TEXT}"
        judgements:
          priority: {{level: high, rationale: "{SECRET_TEXT}"}}
        """
    )


@pytest.fixture
def loaded() -> list[tuple[spj.Instrument, spj.Assessment, spj.Evaluation]]:
    v1, v2 = spj.parse_instrument(V1, file="v1.yaml"), spj.parse_instrument(V2, file="v2.yaml")
    pairs = [
        (v1, spj.parse_assessment(assessment("1.0.0", "SO2", ident="ASSESS-ONE", date="2020-01-10"), v1)),
        (v2, spj.parse_assessment(assessment("1.1.0", "SO5", ident="ASSESS-TWO", date="2020-07-01"), v2)),
    ]
    return [(i, a, spj.evaluate(i, a)) for i, a in pairs]


@pytest.fixture
def key(tmp_path: Path) -> ResearchKey:
    return create_key(tmp_path / "research.key")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _valid(folder: Path) -> None:
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_a_deidentified_export_validates_and_holds_no_identity(loaded, key: ResearchKey, tmp_path: Path) -> None:
    out = tmp_path / "export"
    descriptor = export_research(loaded, out, privacy=Privacy(key))
    _valid(out)
    assert sorted(os.listdir(out)) == ["datapackage.json", "dictionary.csv", "observations.csv"]
    everything = "".join((out / name).read_text(encoding="utf-8") for name in os.listdir(out))
    for identifying in (
        "CASE-0001",
        "ASSESS-ONE",
        "ASSESS-TWO",
        "u-17",
        "Synthetic Officer",
        "2020-01-10",
        "2020-07-01",
        SECRET_TEXT,
    ):
        assert identifying not in everything
    assert key.secret.hex() not in everything
    assert descriptor["spj"]["key_id"] == key.key_id
    assert (descriptor["spj"]["deidentified"], descriptor["spj"]["free_text"]) == (True, False)
    rows = _rows(out / "observations.csv")
    assert {r["case"] for r in rows} == {key.pseudonym("case", "CASE-0001")}
    dates = sorted({dt.date.fromisoformat(r["date"]) for r in rows})
    assert dates[1] - dates[0] == dt.date(2020, 7, 1) - dt.date(2020, 1, 10)  # the interval is kept
    assert dates[0] == dt.date(2020, 1, 10) + key.shift("CASE-0001")


def test_a_renamed_indicator_keeps_one_name_across_versions(loaded, key: ResearchKey, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export_research(loaded, out, privacy=Privacy(key))
    rows = _rows(out / "observations.csv")
    omitted = {(r["instrument_version"], r["variable"]) for r in rows if r["variable"].startswith("omitted.")}
    assert omitted == {("1.0.0", "omitted.SO5"), ("1.1.0", "omitted.SO5")}
    dictionary = {r["variable"]: r for r in _rows(out / "dictionary.csv")}
    assert dictionary["omitted.SO5"]["versions"] == "1.0.0 1.1.0"
    assert dictionary["omitted.SO5"]["former_names"] == "omitted.SO2@1.0.0"
    assert dictionary["presence.SO1"]["codes"] == "N=Absent; P=Partly; Y=Present"
    assert dictionary["flag.peers"]["label"] == "Extremist peers"
    values = {(r["instrument_version"], r["variable"]): r["value"] for r in rows}
    assert values[("1.0.0", "flag.peers")] == "raised"
    assert values[("1.1.0", "intervention.mentor")] == "recommended"
    assert values[("1.1.0", "judgement.priority")] == "high"
    assert values[("1.1.0", "case.phase")] == "probation"
    assert ("1.1.0", "case.remark") not in values  # a text case field is free text


def test_free_text_only_when_asked(loaded, key: ResearchKey, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export_research(loaded, out, privacy=Privacy(key, include_text=True))
    _valid(out)
    texts = {r["variable"] for r in _rows(out / "observations.csv") if r["value"] == SECRET_TEXT}
    assert texts == {
        "evidence_for.SO1",
        "omission_reason.SO5",
        "formulation",
        "judgement_rationale.priority",
        "case.remark",
    }
    kinds = {r["variable"]: r["kind"] for r in _rows(out / "dictionary.csv")}
    assert {kinds[t] for t in texts} == {"text"}


def test_identified_when_no_key(loaded, tmp_path: Path) -> None:
    out = tmp_path / "export"
    descriptor = export_research(loaded, out, privacy=Privacy(None))
    _valid(out)
    rows = _rows(out / "observations.csv")
    assert {r["case"] for r in rows} == {"CASE-0001"}
    assert descriptor["spj"]["deidentified"] is False


def test_the_same_key_gives_the_same_pseudonyms(tmp_path: Path) -> None:
    one = create_key(tmp_path / "one.key")
    assert read_key(tmp_path / "one.key").pseudonym("case", "X") == one.pseudonym("case", "X")
    assert create_key(tmp_path / "two.key").pseudonym("case", "X") != one.pseudonym("case", "X")
    assert one.pseudonym("case", "X") != one.pseudonym("assessment", "X")[0] + one.pseudonym("case", "X")[1:]
    assert stat.S_IMODE((tmp_path / "one.key").stat().st_mode) == 0o600
    assert one.secret.hex() not in repr(one)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "no key file here"),
        (lambda d: (d / "research.key").write_text("abcd\n"), "not a key"),
        (lambda d: (d / "research.key").write_text("zz" * 40), "not a key"),
    ],
)
def test_an_unusable_key_is_refused(tmp_path: Path, setup, message: str) -> None:
    setup(tmp_path)
    with pytest.raises(ExportError) as caught:
        read_key(tmp_path / "research.key")
    assert caught.value.codes == ["export-key"]
    assert message in str(caught.value)


def test_a_key_inside_the_export_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    create_key(tmp_path / "export" / "research.key")
    with pytest.raises(ExportError) as caught:
        read_key(tmp_path / "export" / "research.key", export_to=tmp_path / "export")
    assert caught.value.codes == ["export-key"]


def test_an_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    create_key(tmp_path / "k")
    before = (tmp_path / "k").read_text()
    with pytest.raises(ExportError) as caught:
        create_key(tmp_path / "k")
    assert caught.value.codes == ["export-key"]
    assert (tmp_path / "k").read_text() == before


def test_a_folder_with_files_is_refused_and_left_alone(loaded, key: ResearchKey, tmp_path: Path) -> None:
    out = tmp_path / "export"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(ExportError) as caught:
        export_research(loaded, out, privacy=Privacy(key))
    assert caught.value.codes == ["output"]
    assert os.listdir(out) == ["mine.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_audit_export_for_the_data_protection_officer(tmp_path: Path) -> None:
    store = open_store("memory:")
    store.create_agency("a1", "Agency")
    store.create_case("a1", "CASE-0001", actor="u1")
    store.record("a1", actor="u1", action="read-report", assessment_id=None, revision=None, detail="synthetic")
    out = tmp_path / "audit"
    descriptor = export_audit(store, "a1", out)
    _valid(out)
    rows = _rows(out / "audit.csv")
    assert [r["action"] for r in rows] == [e.action for e in store.audit_events("a1")]
    assert rows[-1]["detail"] == "synthetic"
    assert descriptor["spj"]["history_verified"] is True
    assert json.loads((out / "datapackage.json").read_text())["spj"]["agency"] == "a1"


def test_the_validation_would_catch_a_variable_missing_from_the_dictionary(loaded, key, tmp_path: Path) -> None:
    """The package ties observations to the dictionary: the Frictionless check above is not a formality."""
    out = tmp_path / "export"
    export_research(loaded, out, privacy=Privacy(key))
    lines = (out / "dictionary.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "dictionary.csv").write_text("".join(line for line in lines if ",flag.peers," not in line))
    report = frictionless.validate(str(out / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


def test_a_date_shift_is_never_zero_and_stays_within_its_bound() -> None:
    """A zero shift publishes the true date: with 365 possible shifts, one case in 365 was left unshifted."""
    key = ResearchKey(bytes(32))
    shifts = {key.shift(f"CASE-{n:05d}").days for n in range(5000)}
    assert 0 not in shifts
    assert min(shifts) >= -182 and max(shifts) <= 182
    assert min(shifts) < -150 and max(shifts) > 150


def test_scenario_details_and_background_codes_are_exported_their_text_only_when_asked(
    key: ResearchKey, tmp_path: Path
) -> None:
    """Issue 14: the scenario schema's codes are research data; its free text is identifying, like the rest."""
    folder = Path(__file__).resolve().parents[2] / "instruments" / "extremism-risk-formulation"
    instrument = spj.load_instrument(folder / "instrument.yaml")
    assessment = spj.load_assessment(folder / "examples" / "case-0201.assessment.yaml", instrument)
    loaded = [(instrument, assessment, spj.evaluate(instrument, assessment))]
    out = tmp_path / "plain"
    export_research(loaded, out, privacy=Privacy(key))
    _valid(out)
    values = {row["variable"]: row["value"] for row in _rows(out / "observations.csv")}
    assert values["scenario.1.severity"] == "moderate" and values["scenario.3.severity"] == "high"
    assert values["scenario.1.management"] == "narrative_dialogue;multi_agency_management"
    assert values["background.prior_violence"] == "none_known"
    assert "scenario.1.warning_signs" not in values and "background.personal_history" not in values
    dictionary = {row["variable"]: row for row in _rows(out / "dictionary.csv")}
    assert dictionary["scenario.1.imminence"]["kind"] == "scenario"
    assert "Within months" in dictionary["scenario.1.imminence"]["codes"]
    with_text = tmp_path / "text"
    export_research(loaded, with_text, privacy=Privacy(key, include_text=True))
    _valid(with_text)
    values = {row["variable"]: row["value"] for row in _rows(with_text / "observations.csv")}
    assert values["scenario.1.warning_signs"].startswith("Renewed contact")
