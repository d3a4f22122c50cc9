"""`lint: {allow: [code: [ids]], reason: ...}`: the issue's short form of accepted lint warnings (issue 11, point 5)."""

from __future__ import annotations

import pytest
from helpers import assert_spj_error
from test_lint import UNREAD, accepting, variant
from typer.testing import CliRunner

import spj
from spj import InstrumentError
from spj.authoring.lint import LintCode, lint_text
from spj.cli.app import app

TEXT = variant("rules:", UNREAD)  # indicator SO3 is read by nothing: unused-indicator


def test_allow_accepts_with_its_shared_reason() -> None:
    report = lint_text(TEXT + "lint:\n  allow: [unused-indicator: [SO3]]\n  reason: Context only.\n", file="i.yaml")
    assert report.warnings == ()
    [accepted] = report.accepted
    assert (accepted.warning.code, accepted.warning.subject, accepted.reason) == (
        LintCode.UNUSED_INDICATOR,
        "SO3",
        "Context only.",
    )


def test_allow_takes_a_single_id_and_lives_beside_accept() -> None:
    section = (
        "lint:\n  accept:\n    - {code: missing-translation, at: nl, reason: Later.}\n"
        "  allow: [unused-indicator: SO3]\n  reason: Context only.\n"
    )
    text = TEXT.replace("title: {en: Family, nl: Familie}", "title: {en: Family}") + section
    report = lint_text(text, file="i.yaml")
    assert report.warnings == ()
    assert sorted(a.reason for a in report.accepted) == ["Context only.", "Later."]


@pytest.mark.parametrize(
    ("section", "code", "message"),
    [
        ("lint:\n  allow: [unused-indicator: [SO3]]\n", "schema", "lint.allow needs a reason"),
        ("lint:\n  allow: [unused-indicator: [SO4]]\n  reason: R.\n", "unresolved-reference", "did you mean 'SO3'"),
        ("lint:\n  allow: [unused-indicatr: [SO3]]\n  reason: R.\n", "schema", "did you mean 'unused-indicator'"),
        ("lint:\n  allow: [unused-indicator: [SO3, SO3]]\n  reason: R.\n", "duplicate-id", "already accepted"),
        ("lint:\n  allow: [unused-indicator: [SO3]]\n  reason: ' '\n", "schema", "the reason is blank"),
    ],
)
def test_allow_is_checked_and_located(section: str, code: str, message: str) -> None:
    text = TEXT + section
    line = len(text.splitlines()) - section.count("\n") + 1
    error = assert_spj_error(lambda: lint_text(text, file="i.yaml"), code, error=InstrumentError, message=message)
    assert all(p.location.line is not None and p.location.line >= line for p in error.problems)


def test_allow_does_not_change_the_content_hash() -> None:
    plain = spj.parse_instrument(TEXT)
    allowed = spj.parse_instrument(TEXT + "lint:\n  allow: [unused-indicator: [SO3]]\n  reason: R.\n")
    assert plain.sha256 == allowed.sha256


def test_strict_lint_passes_once_the_warning_is_allowed(tmp_path) -> None:
    path = tmp_path / "i.yaml"
    path.write_text(TEXT, encoding="utf-8")
    assert CliRunner().invoke(app, ["lint", "--strict", str(path)]).exit_code == 1
    path.write_text(accepting(TEXT, "lint:\n  allow: [unused-indicator: [SO3]]\n  reason: R.\n"), encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", "--strict", str(path)])
    assert result.exit_code == 0, result.output
    assert "[accepted: R.]" in result.output


def test_allow_goes_to_the_spreadsheet_as_accepted_rows_and_comes_back_the_same() -> None:
    from spj.authoring.xlsx import export_workbook, workbook_to_yaml
    from spj.instrument.lint_model import acceptances

    instrument = spj.parse_instrument(TEXT + "lint:\n  allow: [unused-indicator: [SO3]]\n  reason: R.\n")
    back, _ = workbook_to_yaml(export_workbook(instrument), name="i.xlsx")
    assert back.sha256 == instrument.sha256
    assert acceptances(back.lint) == acceptances(instrument.lint)
