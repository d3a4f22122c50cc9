"""`spj lint`: one instrument per warning code, a clean one with none, the command's exit codes and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import assert_spj_error
from typer.testing import CliRunner

from spj import InstrumentError, load_instrument, parse_instrument
from spj.authoring.lint import LintCode, LintReport, lint_instrument, lint_text
from spj.authoring.lint.enumeration import truth_of
from spj.cli.app import app
from spj.instrument import index_of

RUNNER = CliRunner()

# Every text in en and nl, every indicator read, guidance and anchors, a rationale required:
# no lint warning at all. The tests below change one line each.
CLEAN = """\
format: spj/1
id: lint-test
version: 1.0.0
title: {en: Lint test, nl: Linttest}
languages: [en, nl]
license: CC0-1.0
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent, nl: Afwezig}}
    - {code: "P", value: 1, label: {en: Partly, nl: Deels}}
    - {code: "Y", value: 2, label: {en: Present, nl: Aanwezig}}
  relevance:
    - {code: low, value: 0, label: {en: Low, nl: Laag}}
    - {code: high, value: 1, label: {en: High, nl: Hoog}}
domains:
  - {id: social, title: {en: Social, nl: Sociaal}}
case_fields:
  - {id: phase, type: choice, choices: [detention, probation]}
indicators:
  - id: SO1
    domain: social
    kind: risk
    title: {en: Peers, nl: Leeftijdsgenoten}
    guidance: {en: Rate contact., nl: Beoordeel contact.}
    anchors: {N: {en: None, nl: Geen}, Y: {en: Often, nl: Vaak}}
  - id: SO2
    domain: social
    kind: protective
    title: {en: Family, nl: Familie}
    guidance: {en: Rate support., nl: Beoordeel steun.}
    anchors: {N: {en: None, nl: Geen}, Y: {en: Strong, nl: Sterk}}
rules:
  - id: isolation
    when: 'ratings.SO1.presence >= 1 && domains.social.protective.present == 0'
    message: {en: Isolated., nl: Geisoleerd.}
interventions:
  - id: stabilisation
    title: {en: Stabilisation, nl: Stabilisatie}
    domain: social
    provider: probation
    duration_weeks: 6
    recommend_when: "case.phase == 'detention' || flags.isolation"
  - id: network
    title: {en: Network, nl: Netwerk}
    domain: social
    provider: ngo
    duration_weeks: 8
    recommend_when: 'ratings.SO1.relevance == 1'
    requires: [stabilisation]
judgements:
  - id: case_priority
    title: {en: Case priority, nl: Prioriteit}
    levels: [low, high]
    rationale_required: true
"""

EXTRA_INDICATOR = """\
  - id: SO3
    domain: social
    kind: {kind}
    title: {{en: Work, nl: Werk}}
    guidance: {{en: Rate work., nl: Beoordeel werk.}}
    anchors: {{N: {{en: None, nl: Geen}}}}
rules:"""


def variant(old: str, new: str) -> str:
    assert old in CLEAN, old
    return CLEAN.replace(old, new, 1)


def codes(text: str) -> list[str]:
    return [w.code.value for w in lint_text(text, file="inst.yaml").warnings]


def test_clean_instrument_has_no_warning() -> None:
    assert lint_text(CLEAN, file="inst.yaml") == LintReport()


# (line in CLEAN, its replacement, the code it must trigger)
CASES = [
    ("rules:", EXTRA_INDICATOR.format(kind="risk"), LintCode.UNUSED_INDICATOR),
    (
        "ratings.SO1.relevance == 1'\n    requires: [stabilisation]",
        "ratings.SO1.presence > 2'",
        LintCode.NEVER_RECOMMENDED,
    ),
    (
        "judgements:",
        "  - {id: extra, title: {en: E, nl: E}, domain: social, provider: ngo, duration_weeks: 1,\n"
        "     recommend_when: 'flags.isolation && !flags.isolation'}\njudgements:",
        LintCode.NEVER_RECOMMENDED,
    ),
    ("ratings.SO1.presence >= 1 && domains", "ratings.SO1.presence >= 0 || domains", LintCode.RULE_ALWAYS_TRUE),
    ("ratings.SO1.presence >= 1 && domains", "ratings.SO1.presence > 2 && domains", LintCode.RULE_NEVER_TRUE),
    ("ratings.SO1.relevance == 1'", "ratings.SO1.relevance <= 1'", LintCode.RECOMMEND_ALWAYS_TRUE),
    ("case.phase == 'detention' || flags.isolation", "ratings.SO2.presence < 0", LintCode.RECOMMEND_NEVER_TRUE),
    ("title: {en: Family, nl: Familie}", "title: {en: Family}", LintCode.MISSING_TRANSLATION),
    ("    guidance: {en: Rate contact., nl: Beoordeel contact.}\n", "", LintCode.NO_GUIDANCE),
    ("    anchors: {N: {en: None, nl: Geen}, Y: {en: Often, nl: Vaak}}\n", "", LintCode.NO_ANCHORS),
    ("provider: ngo", "provider: ' '", LintCode.NO_PROVIDER),
    ("duration_weeks: 8", "duration_weeks: 0", LintCode.NO_DURATION),
    ("rationale_required: true", "rationale_required: false", LintCode.NO_RATIONALE_REQUIRED),
    (
        "domains:",
        "  confidence:\n    - {code: a, value: 0, label: {en: A, nl: A}}\n"
        "    - {code: b, value: 1, label: {en: B, nl: B}}\ndomains:",
        LintCode.UNUSED_LEVEL,
    ),
    ("ratings.SO1.relevance == 1'", "domains.social.risk.present == 3'", LintCode.COMPARISON_OUT_OF_RANGE),
    ("case.phase == 'detention'", "case.phase == 'detenton'", LintCode.COMPARISON_OUT_OF_RANGE),
    (
        "    guidance: {en: Rate support., nl: Beoordeel steun.}\n",
        "    guidance: {en: Rate support., nl: Beoordeel steun.}\n    applies_when: 'ratings.SO1.presence < 0'\n",
        LintCode.CONDITION_NEVER_TRUE,
    ),
    (
        "    guidance: {en: Rate support., nl: Beoordeel steun.}\n",
        "    guidance: {en: Rate support., nl: Beoordeel steun.}\n"
        "    scale_applies_when: {relevance: 'ratings.SO1.presence <= 2'}\n",
        LintCode.CONDITION_ALWAYS_TRUE,
    ),
]


@pytest.mark.parametrize(("old", "new", "code"), CASES)
def test_each_code_is_found(old: str, new: str, code: LintCode) -> None:
    assert code.value in codes(variant(old, new))


def test_every_code_has_a_triggering_case() -> None:
    # version-not-bumped needs a previous version: tests/test_versions_chain.py
    assert {code for _, _, code in CASES} == set(LintCode) - {LintCode.VERSION_NOT_BUMPED}


def test_an_indicator_counted_by_its_domain_is_used() -> None:
    text = variant("rules:", EXTRA_INDICATOR.format(kind="protective"))
    assert codes(text) == []


def test_unused_indicator_is_located_and_explained() -> None:
    [warning] = lint_text(variant("rules:", EXTRA_INDICATOR.format(kind="risk")), file="inst.yaml").warnings
    assert (warning.location.file, warning.location.line, warning.location.column) == ("inst.yaml", 32, 9)
    assert "domains.social.risk.*" in warning.message
    assert str(warning).startswith("inst.yaml:32:9: unused-indicator ")


def test_a_never_true_requirement_is_only_recommend_never_true() -> None:
    # stabilisation is never recommended itself, but network requires it: it still enters plans
    found = codes(variant("case.phase == 'detention' || flags.isolation", "ratings.SO2.presence < 0"))
    assert "recommend-never-true" in found
    assert "never-recommended" not in found


def test_a_flag_that_cannot_be_raised_makes_its_intervention_never_recommended() -> None:
    text = variant("ratings.SO1.presence >= 1 && domains", "ratings.SO1.presence > 2 && domains")
    text = text.replace("case.phase == 'detention' || flags.isolation", "flags.isolation")
    text = text.replace("    requires: [stabilisation]\n", "")
    found = codes(text)
    assert found.count("rule-never-true") == 1
    assert "never-recommended" in found


def test_missing_translation_counts_per_language() -> None:
    text = variant("title: {en: Family, nl: Familie}", "title: {en: Family}")
    text = text.replace("title: {en: Network, nl: Netwerk}", "title: {en: Network}")
    [warning] = lint_text(text, file="inst.yaml").warnings
    assert warning.message.startswith("2 of ")
    assert "'nl'" in warning.message
    assert "indicators[1].title" in warning.message
    assert warning.location.dotted_path == "indicators[1].title"


def test_out_of_range_comparison_points_at_the_constant() -> None:
    text = variant("ratings.SO1.relevance == 1'", "3 == domains.social.risk.present'")
    [warning] = [w for w in lint_text(text, file="inst.yaml").warnings if w.code is LintCode.COMPARISON_OUT_OF_RANGE]
    assert (warning.location.line, warning.location.column) == (48, 22)  # the `3`, inside the quotes
    assert "domains.social.risk.present == 3" in warning.message  # written from the count's side


def test_a_sum_is_not_a_direct_comparison() -> None:
    text = variant(
        "domains.social.protective.present == 0", "domains.social.risk.present + domains.social.protective.present >= 2"
    )
    assert "comparison-out-of-range" not in codes(text)


def test_enumeration_past_the_cap_is_sampled_and_says_so() -> None:
    instrument = parse_instrument(CLEAN, file="inst.yaml")
    index = index_of(instrument)
    expression = index.rules["isolation"].expression
    full = truth_of(expression, instrument, index, {})
    sampled = truth_of(expression, instrument, index, {}, max_points=3)
    assert not full.partial and full.checked == full.total
    assert sampled.partial and sampled.checked == 3
    assert "partial check" in sampled.describe()


def test_lint_instrument_rereads_the_source_for_positions(tmp_path: Path) -> None:
    path = tmp_path / "instrument.yaml"
    path.write_text(variant("rationale_required: true", "rationale_required: false"), encoding="utf-8")
    [warning] = lint_instrument(load_instrument(path)).warnings
    assert warning.location.file == str(path)
    assert warning.location.line is not None


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    clean = tmp_path / "clean.yaml"
    clean.write_text(CLEAN, encoding="utf-8")
    warned = tmp_path / "warned.yaml"
    warned.write_text(variant("duration_weeks: 8", "duration_weeks: 0"), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(variant("domain: social\n    kind: risk", "domain: socail\n    kind: risk"), encoding="utf-8")
    return clean, warned, broken


def test_command_prints_warnings_and_exits_0(files: tuple[Path, Path, Path]) -> None:
    _, warned, _ = files
    result = RUNNER.invoke(app, ["lint", str(warned)])
    assert result.exit_code == 0
    assert f"{warned}:" in result.stdout and " no-duration " in result.stdout


@pytest.mark.parametrize(("which", "exit_code"), [(0, 0), (1, 1)])
def test_strict_turns_warnings_into_exit_1(files: tuple[Path, Path, Path], which: int, exit_code: int) -> None:
    result = RUNNER.invoke(app, ["lint", "--strict", str(files[which])])
    assert result.exit_code == exit_code


def test_json_output(files: tuple[Path, Path, Path]) -> None:
    _, warned, _ = files
    result = RUNNER.invoke(app, ["lint", "--json", str(warned)])
    assert result.exit_code == 0
    [item] = json.loads(result.stdout)
    assert set(item) == {"code", "message", "file", "line", "column", "path", "accepted", "reason"}
    assert (item["accepted"], item["reason"]) == (False, None)
    assert item["code"] == "no-duration"
    assert item["path"] == "interventions[1].duration_weeks"
    assert item["file"] == str(warned) and isinstance(item["line"], int)


def test_json_output_of_a_clean_instrument_is_an_empty_list(files: tuple[Path, Path, Path]) -> None:
    result = RUNNER.invoke(app, ["lint", "--json", str(files[0])])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_an_instrument_that_does_not_load_prints_its_errors_and_exits_1(files: tuple[Path, Path, Path]) -> None:
    _, _, broken = files
    result = RUNNER.invoke(app, ["lint", str(broken)])
    assert result.exit_code == 1
    assert "unresolved-reference" in result.output
    assert "Traceback" not in result.output


SHIPPED = sorted((Path(__file__).resolve().parents[1] / "instruments").glob("*/instrument.yaml"))


def test_instruments_are_shipped() -> None:
    assert len(SHIPPED) >= 2


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_shipped_instruments_pass_lint_strict(path: Path) -> None:
    result = RUNNER.invoke(app, ["lint", "--strict", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_has_is_not_always_true() -> None:
    # `has(ratings.SO1)` is false (not unknown) when SO1 is omitted: it decides something
    assert codes(variant("ratings.SO1.relevance == 1'", "has(ratings.SO1)'")) == []


# --- what an indicator informs ---------------------------------------------------------------------

UNREAD = EXTRA_INDICATOR.format(kind="risk")


def informing(step: str) -> str:
    return variant(
        "rules:",
        UNREAD.replace("    guidance: {en: Rate work.", f"    informs: {step}\n    guidance: {{en: Rate work."),
    )


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


def test_an_indicator_that_informs_the_formulation_is_used() -> None:
    assert codes(informing("formulation")) == []


def test_informs_takes_only_known_steps() -> None:
    text = informing("formulaton")
    line = line_of(text, "informs:")
    assert_spj_error(lambda: lint_text(text, file="inst.yaml"), "schema", line=line, message="'formulation'")


def test_unused_indicator_says_how_to_give_it_a_role() -> None:
    [warning] = lint_text(variant("rules:", UNREAD), file="inst.yaml").warnings
    assert "informs: formulation" in warning.message


# --- accepted warnings -------------------------------------------------------------------------------

ACCEPT_WORK = """\
lint:
  accept:
    - {code: unused-indicator, at: SO3, reason: Kept for the pilot; a rule follows in 1.1.}
"""


def accepting(text: str, section: str = ACCEPT_WORK) -> str:
    return text + section


def test_an_accepted_warning_is_set_apart_with_its_reason() -> None:
    report = lint_text(accepting(variant("rules:", UNREAD)), file="inst.yaml")
    assert report.warnings == ()
    [accepted] = report.accepted
    assert (accepted.warning.code, accepted.warning.subject) == (LintCode.UNUSED_INDICATOR, "SO3")
    assert accepted.reason == "Kept for the pilot; a rule follows in 1.1."
    assert (accepted.warning.location.line, accepted.warning.location.column) == (32, 9)


def test_an_acceptance_covers_only_its_code_and_subject() -> None:
    text = variant("rules:", UNREAD).replace("provider: ngo", "provider: ' '")
    report = lint_text(accepting(text), file="inst.yaml")
    assert [w.code for w in report.warnings] == [LintCode.NO_PROVIDER]
    assert [a.warning.subject for a in report.accepted] == ["SO3"]


@pytest.mark.parametrize(
    ("old", "new", "code", "at"),
    [
        ("title: {en: Family, nl: Familie}", "title: {en: Family}", "missing-translation", "nl"),
        ("ratings.SO1.relevance == 1'", "domains.social.risk.present == 3'", "comparison-out-of-range", "network"),
        ("rationale_required: true", "rationale_required: false", "no-rationale-required", "case_priority"),
        ("ratings.SO1.presence >= 1 && domains", "ratings.SO1.presence > 2 && domains", "rule-never-true", "isolation"),
    ],
)
def test_each_kind_of_subject_can_be_accepted(old: str, new: str, code: str, at: str) -> None:
    text = variant(old, new)
    assert code in codes(text)
    section = f"lint:\n  accept:\n    - {{code: {code}, at: {at}, reason: Intended.}}\n"
    report = lint_text(accepting(text, section), file="inst.yaml")
    assert code not in [w.code.value for w in report.warnings]
    assert code in [a.warning.code.value for a in report.accepted]


@pytest.mark.parametrize(
    ("entry", "code", "column", "message"),
    [
        ("{code: unused-indicatr, at: SO3, reason: R.}", "schema", 14, "did you mean 'unused-indicator'"),
        ("{code: unused-indicator, at: SO4, reason: R.}", "unresolved-reference", 36, "did you mean 'SO3'"),
        ("{code: missing-translation, at: fr, reason: R.}", "unresolved-reference", 39, "no language 'fr'"),
        ("{code: no-provider, at: SO3, reason: R.}", "unresolved-reference", 31, "no intervention 'SO3'"),
        ("{code: unused-indicator, at: SO3}", "schema", 7, "'reason' is required"),
        ("{code: unused-indicator, at: SO3, reason: ''}", "schema", 49, "is empty"),
        ("{code: unused-indicator, at: SO3, reason: '  '}", "schema", 49, "the reason is blank"),
    ],
)
def test_acceptances_are_checked_and_located(entry: str, code: str, column: int, message: str) -> None:
    text = accepting(variant("rules:", UNREAD), f"lint:\n  accept:\n    - {entry}\n")
    line = len(text.splitlines())
    assert_spj_error(
        lambda: lint_text(text, file="inst.yaml"),
        code,
        error=InstrumentError,
        line=line,
        column=column,
        message=message,
    )


def test_a_warning_accepted_twice_is_refused() -> None:
    text = accepting(variant("rules:", UNREAD), ACCEPT_WORK + ACCEPT_WORK.splitlines(keepends=True)[-1])
    line = len(text.splitlines())
    assert_spj_error(lambda: lint_text(text, file="inst.yaml"), "duplicate-id", line=line, message="lint.accept[0]")


def test_acceptances_do_not_change_the_content_hash() -> None:
    text = variant("rules:", UNREAD)
    assert parse_instrument(accepting(text), file="a.yaml").sha256 == parse_instrument(text, file="b.yaml").sha256


def test_command_lists_accepted_warnings_and_strict_does_not_count_them(tmp_path: Path) -> None:
    path = tmp_path / "accepting.yaml"
    path.write_text(accepting(variant("rules:", UNREAD)), encoding="utf-8")
    result = RUNNER.invoke(app, ["lint", "--strict", str(path)])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{path}:32:9: unused-indicator ")
    assert line.endswith("[accepted: Kept for the pilot; a rule follows in 1.1.]")
    assert "0 warning(s), 1 accepted" in result.stderr


def test_json_gives_accepted_warnings_with_their_reason(tmp_path: Path) -> None:
    path = tmp_path / "accepting.yaml"
    path.write_text(accepting(variant("rules:", UNREAD).replace("duration_weeks: 8", "duration_weeks: 0")), "utf-8")
    result = RUNNER.invoke(app, ["lint", "--json", str(path)])
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert [(i["code"], i["accepted"], i["reason"]) for i in items] == [
        ("no-duration", False, None),
        ("unused-indicator", True, "Kept for the pilot; a rule follows in 1.1."),
    ]
    assert items[1]["path"] == "indicators[2].id" and items[1]["line"] == 32
