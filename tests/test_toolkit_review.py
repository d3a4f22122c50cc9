"""Regression suite of the toolkit review: an instrument written by someone else, and malformed input.

The instrument below differs from the shipped ones on purpose: presence codes
"0"/"1"/"2", no relevance scale, one language, plain-string texts, case fields of
every type, rules with has() and domain counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import spj
from spj.cli.app import app
from spj.report.explain import explain_expression

RUNNER = CliRunner()

FOREIGN = """\
format: spj/1
id: school-climate
version: 0.3.0
title: School climate screen
languages: [en]
license: CC0-1.0
scales:
  presence:
    - {code: "0", value: 0, label: absent}
    - {code: "1", value: 1, label: some}
    - {code: "2", value: 2, label: clear}
domains:
  - {id: home, title: Home}
  - {id: peers, title: Peers}
indicators:
  - {id: H1, domain: home, kind: risk, title: Conflict at home, guidance: Ask., anchors: {"0": none}, rate: [presence]}
  - {id: H2, domain: home, kind: protective, title: Supportive parent, rate: [presence]}
  - {id: P1, domain: peers, kind: risk, title: Bullying, rate: [presence]}
case_fields:
  - {id: grade, type: integer, title: Grade}
  - {id: boarding, type: boolean}
  - {id: note, type: text}
  - {id: track, type: choice, choices: [general, vocational]}
rules:
  - id: home_strain
    when: 'has(ratings.H1) && ratings.H1.presence >= 1 && domains.home.protective.present == 0'
    severity: concern
    message: Strain at home without support.
  - id: unknown_parent
    when: '!has(ratings.H2) || domains.home.omitted >= 1'
    severity: info
    message: Ask about the parents.
  - id: first_grade
    when: 'case.grade == 0 && !case.boarding'
    severity: info
    message: Youngest pupils.
interventions:
  - {id: family_talk, title: Family talk, domain: home, provider: social-work, duration_weeks: 4,
     recommend_when: 'flags.home_strain'}
  - {id: peer_mediation, title: Peer mediation, domain: peers, provider: school, duration_weeks: 6,
     recommend_when: 'domains.peers.risk.present >= 1 || flags.unknown_parent || flags.first_grade',
     requires: [family_talk]}
judgements:
  - {id: concern, title: Overall concern, levels: [none, some, serious], rationale_required: true}
"""

V2 = FOREIGN.replace("version: 0.3.0", "version: 0.4.0") + "migrations:\n  - from: 0.3.0\n"


def _assessment(rater: str, h1: str, case: str = "C-1") -> str:
    return f"""\
format: spj-assessment/1
instrument: {{id: school-climate, version: 0.3.0}}
id: A-{case}-{rater}
case: {{id: {case}, fields: {{grade: 10, boarding: false, note: synthetic, track: general}}}}
assessor: {{id: {rater}}}
date: 2026-01-02
status: final
ratings:
  H1: {{presence: "{h1}"}}
  H2: {{presence: "0"}}
  P1: {{presence: "2"}}
judgements:
  concern: {{level: serious, rationale: synthetic}}
"""


@pytest.fixture()
def study(tmp_path: Path) -> Path:
    (tmp_path / "instrument.yaml").write_text(FOREIGN, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(V2, encoding="utf-8")
    (tmp_path / "a.yaml").write_text(_assessment("rater-a", "2"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(_assessment("rater-b", "1"), encoding="utf-8")
    (tmp_path / "b-again.yaml").write_text(_assessment("rater-a", "1"), encoding="utf-8")
    return tmp_path


def _run(*args: str | Path) -> tuple[int, str]:
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_every_toolkit_command_works_on_a_foreign_instrument(study: Path) -> None:
    inst = study / "instrument.yaml"
    for args in (
        ("lint", inst),
        ("codebook", inst, "-o", study / "c.md", "--format", "md"),
        ("codebook", inst, "-o", study / "c.html"),
        ("xlsx", "export", inst, "-o", study / "x.xlsx"),
        ("xlsx", "import", study / "x.xlsx", "-o", study / "back.yaml"),
        ("irr", inst, study / "a.yaml", study / "b.yaml"),
        ("compare", inst, study / "a.yaml", study / "b.yaml"),
        ("diff", inst, study / "v2.yaml"),
        ("migrate", study / "a.yaml", "--to", study / "v2.yaml", "--from", inst, "-o", study / "m.yaml"),
    ):
        code, output = _run(*args)
        assert code == 0, (args, output)
    assert spj.load_instrument(study / "back.yaml").sha256 == spj.load_instrument(inst).sha256


# --- migrate ------------------------------------------------------------------


def test_migrate_refuses_to_overwrite_the_assessment_it_carries_over(study: Path) -> None:
    """A final assessment is a locked record: `-o` onto it must not replace it."""
    before = (study / "a.yaml").read_text(encoding="utf-8")
    code, output = _run(
        "migrate",
        study / "a.yaml",
        "--to",
        study / "v2.yaml",
        "--from",
        study / "instrument.yaml",
        "-o",
        study / "a.yaml",
    )
    assert code == 1
    assert "output" in output and "a.yaml" in output
    assert (study / "a.yaml").read_text(encoding="utf-8") == before


def test_migrate_without_from_names_the_assessment_and_its_own_option(
    study: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(study)
    code, output = _run("migrate", "a.yaml", "--to", "v2.yaml", "-o", "m.yaml")
    assert code == 1
    assert "instrument-not-found" in output
    assert "a.yaml:2:" in output  # located at the assessment's `instrument`, not <input>
    assert "--from" in output and "--instrument" not in output
    assert not (study / "m.yaml").exists()


# --- outputs onto inputs ------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("xlsx", "export", "{inst}", "-o", "{inst}"),
        ("codebook", "{inst}", "-o", "{inst}"),
        ("irr", "{inst}", "{a}", "{b}", "-o", "{a}"),
    ],
)
def test_outputs_never_overwrite_an_input(study: Path, args: tuple[str, ...]) -> None:
    names = {"inst": str(study / "instrument.yaml"), "a": str(study / "a.yaml"), "b": str(study / "b.yaml")}
    before = {p: Path(p).read_bytes() for p in names.values()}
    code, output = _run(*(a.format(**names) for a in args))
    assert code == 1, output
    assert {p: Path(p).read_bytes() for p in names.values()} == before
    assert not any(n.endswith(".tmp") for n in _files(study))


# --- irr ----------------------------------------------------------------------


def test_irr_study_problems_name_the_assessment_file(study: Path) -> None:
    code, output = _run("irr", study / "instrument.yaml", study / "a.yaml", study / "b-again.yaml")
    assert code == 1
    assert "<input>" not in output
    assert "b-again.yaml:" in output and "a.yaml:" in output


# --- explanations (codebook) --------------------------------------------------


def test_negated_has_inside_or_is_not_read_as_negating_the_whole_or() -> None:
    text = explain_expression("!has(ratings.H2) || domains.home.omitted >= 1", _load(FOREIGN))
    assert text is not None
    assert not text.startswith("it is not the case that Supportive parent (H2) has been rated or")
    assert "(it is not the case that Supportive parent (H2) has been rated) or" in text


def test_integer_case_field_compared_with_zero_is_not_phrased_as_a_count() -> None:
    text = explain_expression("case.grade == 0", _load(FOREIGN))
    assert text is not None
    assert "is no" not in text
    assert "0" in text


def test_codebook_does_not_ask_for_relevance_when_the_instrument_has_no_relevance_scale(study: Path) -> None:
    code, _ = _run("codebook", study / "instrument.yaml", "-o", study / "c.md", "--format", "md")
    assert code == 0
    text = (study / "c.md").read_text(encoding="utf-8").lower()
    assert "relevance" not in text
    code, _ = _run("codebook", study / "instrument.yaml", "-o", study / "c.html")
    assert "relevance" not in (study / "c.html").read_text(encoding="utf-8").lower()


# --- spj test -----------------------------------------------------------------


def test_a_case_whose_assessment_is_missing_names_the_case_file(study: Path) -> None:
    cases = study / "cases"
    cases.mkdir()
    (cases / "broken.case.yaml").write_text(
        "format: spj-case/1\nabout: x\nassessment: ../nowhere.yaml\nexpect: {}\n", encoding="utf-8"
    )
    code, output = _run("test", study / "instrument.yaml")
    assert code == 1
    assert "broken.case.yaml:3:" in output
    assert "Traceback" not in output


def _load(text: str) -> spj.Instrument:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "instrument.yaml"
        path.write_text(text, encoding="utf-8")
        return spj.load_instrument(path)
