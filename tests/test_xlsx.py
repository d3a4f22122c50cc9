"""Spreadsheet authoring: lossless round trip, located errors, nothing written on failure."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import pytest
from helpers import make_instrument
from typer.testing import CliRunner

import spj
from spj.authoring.xlsx import export_workbook, import_workbook, workbook_to_yaml
from spj.authoring.xlsx import reader as xlsx_reader
from spj.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENTS = sorted(ROOT.glob("instruments/*/instrument.yaml"))


def _edit(data: bytes, change: Callable[[Any], None]) -> bytes:
    """The workbook `data` after `change(workbook)`."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column(sheet: Any, header: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == header)


def _problems(data: bytes) -> list[spj.Problem]:
    with pytest.raises(spj.InstrumentError) as caught:
        workbook_to_yaml(data, name="x.xlsx")
    return caught.value.problems


@pytest.fixture(scope="module")
def shipped() -> tuple[spj.Instrument, bytes]:
    instrument = spj.load_instrument(ROOT / "instruments/disengagement-trajectory/instrument.yaml")
    return instrument, export_workbook(instrument)


@pytest.mark.parametrize("path", INSTRUMENTS, ids=lambda p: p.parent.name)
def test_shipped_instruments_round_trip(path: Path) -> None:
    original = spj.load_instrument(path)
    imported, text = workbook_to_yaml(export_workbook(original), name="x.xlsx")
    reloaded = spj.parse_instrument(text, file="x.yaml")
    assert reloaded.model_dump() == original.model_dump()
    assert reloaded.sha256 == original.sha256 == imported.sha256
    examples = sorted(path.parent.glob("examples/*.assessment.yaml"))
    assert examples
    for example in examples:
        before = spj.evaluate(original, spj.load_assessment(example, original)).to_dict()
        after = spj.evaluate(reloaded, spj.load_assessment(example, reloaded)).to_dict()
        assert after == before


def test_cli_export_then_import(tmp_path: Path) -> None:
    source = INSTRUMENTS[0]
    runner = CliRunner()
    book, back = tmp_path / "i.xlsx", tmp_path / "i.yaml"
    assert runner.invoke(app, ["xlsx", "export", str(source), "-o", str(book)]).exit_code == 0
    assert runner.invoke(app, ["xlsx", "import", str(book), "-o", str(back)]).exit_code == 0
    assert spj.load_instrument(back).sha256 == spj.load_instrument(source).sha256


def test_workbook_layout(shipped: tuple[spj.Instrument, bytes]) -> None:
    _, data = shipped
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "instrument",
        "scales",
        "domains",
        "indicators",
        "case_fields",
        "background",  # the structured background step (issue 14)
        "scenario_fields",  # the scenario schema
        "rules",
        "interventions",
        "judgements",
        "migrations",  # the shipped instruments carry a migration from 1.0.0
    ]
    scenario = book["scenario_fields"]
    headers = [cell.value for cell in scenario[1]]
    assert headers[:3] == ["id", "type", "choices"] and "label:days::fr" in headers
    migrations = book["migrations"]
    headers = [cell.value for cell in migrations[1]]
    row = dict(zip(headers, (cell.value for cell in migrations[2]), strict=True))
    assert row["from"] == "1.0.0" and "ftf_returned" in row["case_fields"]
    indicators = book["indicators"]
    assert indicators.freeze_panes == "A2"
    assert all(cell.font.bold for cell in indicators[1])
    headers = [cell.value for cell in indicators[1]]
    assert headers[:4] == ["id", "domain", "kind", "rate"]
    assert {"title::en", "title::nl", "anchor:N::en", "anchor:Y::nl"} <= set(headers)
    scales = book["scales"]
    codes = [row[1].value for row in scales.iter_rows(min_row=2)]
    assert codes[:3] == ["N", "P", "Y"]
    assert all(row[1].data_type == "s" for row in scales.iter_rows(min_row=2))


PLAIN = """\
description: Plain text, not translated.
case_fields:
  - {id: level, type: choice, choices: ["1", "2", "NO"], labels: {"1": One, "NO": {en: No, nl: Nee}}}
rules:
  - {id: r1, when: 'ratings.SO1.presence >= 1', message: "=SUM(A1) is text, not a formula"}
judgements:
  - {id: j1, title: Plain title, levels: ["1", "2"], labels: {"1": {en: Low}}, rationale_required: true}
"""


def test_plain_texts_numeric_codes_and_formula_like_text_survive() -> None:
    original = make_instrument(PLAIN)
    imported, text = workbook_to_yaml(export_workbook(original), name="x.xlsx")
    assert imported.model_dump() == original.model_dump()
    assert imported.case_fields[0].choices == ("1", "2", "NO")
    assert '"NO"' in text


def test_codes_typed_as_numbers_are_read_as_text(shipped: tuple[spj.Instrument, bytes]) -> None:
    original = make_instrument(PLAIN)

    def type_numbers(book: Any) -> None:
        sheet = book["judgements"]
        sheet.cell(2, _column(sheet, "levels")).value = 1  # one level only: the number 1, as Excel stores it
        sheet.cell(2, _column(sheet, "rationale_required")).value = "yes"

    imported, _ = workbook_to_yaml(_edit(export_workbook(original), type_numbers), name="x.xlsx")
    assert imported.judgements[0].levels == ("1",)
    assert imported.judgements[0].rationale_required is True


def _rename_header(sheet: str, old: str, new: str) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        book[sheet].cell(1, _column(book[sheet], old)).value = new

    return change


def _set(sheet: str, header: str, row: int, value: Any) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        book[sheet].cell(row, _column(book[sheet], header)).value = value

    return change


def _add_column(sheet: str, header: str, row: int, value: Any) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        column = book[sheet].max_column + 1
        book[sheet].cell(1, column).value = header
        book[sheet].cell(row, column).value = value

    return change


def _drop_sheet(name: str) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        del book[name]

    return change


@pytest.mark.parametrize(
    ("change", "code", "file", "line", "column", "words"),
    [
        (_rename_header("indicators", "guidance::en", "guidence::en"), "xlsx", "x.xlsx[indicators]", 1, 8, "guidence"),
        (_set("interventions", "duration_weeks", 3, "six"), "xlsx", "x.xlsx[interventions]", 3, 4, "duration_weeks"),
        (_set("instrument", "value", 8, "a lot"), "xlsx", "x.xlsx[instrument]", 8, 2, "max_omitted_ratio"),
        (_add_column("indicators", "title", 2, "Plain too"), "xlsx", "x.xlsx[indicators]", 2, 23, "not both"),
        (_drop_sheet("domains"), "xlsx", "x.xlsx", None, None, "domains"),
        (_set("indicators", "domain", 4, "psychosocail"), "unresolved-reference", "x.xlsx[indicators]", 4, 2, "domain"),
        (_set("rules", "when", 2, "ratings.PS1.presence >="), "rule-syntax", "x.xlsx[rules]", 2, 2, "when"),
        (_set("migrations", "case_fields", 2, "[{field: status"), "xlsx", "x.xlsx[migrations]", 2, 6, "YAML"),
    ],
    ids=["unknown-column", "bad-number", "bad-ratio", "plain-and-lang", "missing-sheet", "reference", "rule", "yaml"],
)
def test_errors_name_sheet_row_and_column(
    shipped: tuple[spj.Instrument, bytes],
    change: Callable[[Any], None],
    code: str,
    file: str,
    line: int | None,
    column: int | None,
    words: str,
) -> None:
    _, data = shipped
    problems = _problems(_edit(data, change))
    found = [p for p in problems if p.code.value == code and p.location.file == file]
    assert found, [str(p) for p in problems]
    problem = found[0]
    assert problem.location.line == line
    if column is not None:
        assert problem.location.column == column
    assert words in problem.message


def test_failed_import_writes_nothing(tmp_path: Path, shipped: tuple[spj.Instrument, bytes]) -> None:
    _, data = shipped
    book, target = tmp_path / "bad.xlsx", tmp_path / "out.yaml"
    book.write_bytes(_edit(data, _set("indicators", "kind", 2, "risky")))
    result = CliRunner().invoke(app, ["xlsx", "import", str(book), "-o", str(target)])
    assert result.exit_code == 1
    assert "bad.xlsx[indicators]:2:3" in result.output
    assert "Traceback" not in result.output
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [book]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"id,title\nSO1,Peers\n", "not an xlsx workbook"),
        (b"PK\x03\x04 truncated", "not an xlsx workbook"),
        (_zip({"hello.txt": b"hi"}), "no xl/workbook.xml"),
        (_zip({"xl/workbook.xml": b"<not xml", "[Content_Types].xml": b"<x/>"}), "cannot read the workbook"),
    ],
    ids=["csv", "corrupt-zip", "other-zip", "broken-xml"],
)
def test_not_a_workbook(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["xlsx", "import", str(path), "-o", str(tmp_path / "out.yaml")])
    assert result.exit_code == 1
    assert words in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_zip_bomb_is_refused_before_opening(
    monkeypatch: pytest.MonkeyPatch, shipped: tuple[spj.Instrument, bytes]
) -> None:
    _, data = shipped
    monkeypatch.setattr(xlsx_reader, "MAX_UNCOMPRESSED_BYTES", 1000)
    problems = _problems(data)
    assert problems[0].code is spj.Code.XLSX
    assert "unpacks to more than" in problems[0].message


def test_large_file_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shipped: tuple[spj.Instrument, bytes]
) -> None:
    _, data = shipped
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    monkeypatch.setattr(xlsx_reader, "MAX_FILE_BYTES", 100)
    with pytest.raises(spj.InstrumentError) as caught:
        import_workbook(path)
    assert caught.value.codes == ["file-too-large"]


def test_export_refuses_what_a_workbook_cannot_hold() -> None:
    instrument = make_instrument('description: "line one\\r\\nline two"\n')
    with pytest.raises(spj.InstrumentError) as caught:
        export_workbook(instrument)
    assert caught.value.codes == ["xlsx"]
    assert caught.value.problems[0].location.path == ("description",)


ACCEPTING = """\
lint:
  accept:
    - {code: no-rationale-required, at: j1, reason: "Piloted without one, see note 3."}
    - {code: missing-translation, at: nl, reason: Dutch follows.}
"""


def test_accepted_lint_warnings_get_a_sheet_and_survive() -> None:
    original = make_instrument(PLAIN + ACCEPTING)
    data = export_workbook(original)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[-1] == "lint"
    assert [[cell.value for cell in row] for row in book["lint"].iter_rows()] == [
        ["code", "at", "reason"],
        ["no-rationale-required", "j1", "Piloted without one, see note 3."],
        ["missing-translation", "nl", "Dutch follows."],
    ]
    imported, _ = workbook_to_yaml(data, name="x.xlsx")
    assert imported.lint == original.lint
    assert imported.model_dump() == original.model_dump()


def test_an_unknown_id_in_the_lint_sheet_names_its_cell() -> None:
    data = export_workbook(make_instrument(PLAIN + ACCEPTING))
    problems = _problems(_edit(data, _set("lint", "at", 2, "j2")))
    [problem] = [p for p in problems if p.code.value == "unresolved-reference"]
    assert (problem.location.file, problem.location.line, problem.location.column) == ("x.xlsx[lint]", 2, 2)
    assert "no judgement 'j2'" in problem.message


def test_conditions_have_columns_and_survive_the_round_trip(shipped: tuple[spj.Instrument, bytes]) -> None:
    """Conditional items (issue 11, point 3): `applies_when` and `scale_applies_when:SCALE`, like XLSForm's relevant."""
    instrument = make_instrument(
        """\
        case_fields:
          - {id: status, type: choice, choices: [convict, pve]}
        """,
        body="""\
        domains:
          - {id: social, title: {en: Social}}
        indicators:
          - {id: SO1, domain: social, kind: risk, title: {en: Peers},
             scale_applies_when: {relevance: 'ratings.SO1.presence != 0'}}
          - {id: WB1, domain: social, kind: risk, title: {en: Trauma}, applies_when: 'case.status == "convict"'}
        """,
    )
    data = export_workbook(instrument)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["indicators"]
    headers = [cell.value for cell in sheet[1]]
    assert {"applies_when", "scale_applies_when:relevance"} <= set(headers)
    rows = [dict(zip(headers, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert rows[0]["scale_applies_when:relevance"] == "ratings.SO1.presence != 0"
    assert rows[1]["applies_when"] == 'case.status == "convict"'
    imported, _ = workbook_to_yaml(data, name="x.xlsx")
    assert imported.sha256 == instrument.sha256
    assert imported.indicators[1].applies_when == 'case.status == "convict"'
    shipped_headers = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(shipped[1]))["indicators"][1]]
    assert "scale_applies_when:relevance" in shipped_headers


def test_a_bad_condition_in_a_workbook_names_its_cell() -> None:
    instrument = make_instrument(
        body="""\
        domains:
          - {id: social, title: {en: Social}}
        indicators:
          - {id: SO1, domain: social, kind: risk, title: {en: Peers}}
          - {id: WB1, domain: social, kind: risk, title: {en: Trauma}, applies_when: 'ratings.SO1.presence != 0'}
        """
    )

    def break_it(book: Any) -> None:
        sheet = book["indicators"]
        sheet.cell(row=3, column=_column(sheet, "applies_when")).value = "ratings.SO9.presence != 0"

    problems = _problems(_edit(export_workbook(instrument), break_it))
    assert [p.code.value for p in problems] == ["rule-reference"]
    assert "indicators" in str(problems[0].location) and "SO9" in problems[0].message
