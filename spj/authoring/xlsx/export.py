"""Write an instrument as a workbook, one sheet per part (layout in `spj.xlsx`).

Every string goes in as a text cell (formatted `@`), so codes such as `N` or
`1` and texts starting with `=` stay text, never numbers or formulas. The
workbook is read back before it is returned: an instrument that a workbook
cannot hold exactly (say, a text with a carriage return) is refused, with the
path of the first difference, rather than exported with a loss.
"""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped,unused-ignore]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped,unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]
from pydantic import ValidationError

from spj.authoring.xlsx.build import build_instrument
from spj.authoring.xlsx.layout import (
    INSTRUMENT_KEYS,
    INSTRUMENT_SHEET,
    LIST_SEPARATOR,
    SHEETS,
    Column,
    Sheet,
    format_header,
)
from spj.authoring.xlsx.reader import read_sheets
from spj.errors import Code, InstrumentError, Location, Problem, format_path
from spj.files.yamlsource import PathT
from spj.instrument.lint_model import acceptances
from spj.instrument.model import Instrument

MIN_WIDTH = 8
MAX_WIDTH = 60
_BOLD = Font(bold=True)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)

# One output column: its header, the field, and (for `coded`) the code and (for texts) the language.
_Out = tuple[str, Column, str | None, str | None]


def export_workbook(instrument: Instrument) -> bytes:
    """The instrument as xlsx bytes; `InstrumentError` (code `xlsx`) if a workbook cannot hold it exactly."""
    book = Workbook()
    problems: list[Problem] = []
    _instrument_sheet(book.active, instrument, problems)
    for sheet in SHEETS:
        items = _items(instrument, sheet)
        if items or sheet.written_when_empty:
            _row_sheet(book.create_sheet(sheet.name), sheet, items, instrument, problems)
    if problems:
        raise InstrumentError(problems)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    _check_round_trip(instrument, data)
    return data


def _items(instrument: Instrument, sheet: Sheet) -> list[dict[str, Any]]:
    if sheet.part == "scales":
        return [{"scale": name, **level.model_dump()} for name, levels in instrument.scales.items() for level in levels]
    part: Any = instrument
    for key in sheet.path:
        part = getattr(part, key)
    if sheet.part == "migrations":  # by alias: the column is `from`
        return [item.model_dump(mode="json", by_alias=True) for item in part]
    if sheet.part == "lint.accept":  # `allow` entries too, one row each: the sheet has one form
        return [item.model_dump(mode="json") for item in acceptances(instrument.lint)]
    return [item.model_dump() for item in part]


def _instrument_sheet(ws: Any, instrument: Instrument, problems: list[Problem]) -> None:
    ws.title = INSTRUMENT_SHEET
    values = instrument.model_dump()
    values["max_omitted_ratio"] = instrument.omission.max_omitted_ratio
    rows: list[tuple[str, Any, Column]] = []
    for column in INSTRUMENT_KEYS:
        value = values.get(column.key)
        if column.kind == "text":
            rows += [(header, cell, column) for header, cell in _text_cells(column.name, value, instrument.languages)]
        else:
            rows.append((column.name, value, column))
    _write(ws, 1, 1, "key", None, problems)
    _write(ws, 1, 2, "value", None, problems)
    for number, (key, value, column) in enumerate(rows, start=2):
        _write(ws, number, 1, key, None, problems)
        _write(ws, number, 2, _cell_value(column, value), (key,), problems, text=column.kind not in _NUMERIC)
    _finish(ws, [("key", False), ("value", True)])


def _text_cells(name: str, value: Any, languages: tuple[str, ...]) -> list[tuple[str, Any]]:
    if isinstance(value, str):
        return [(name, value)]
    langs = [*languages, *(lang for lang in (value or {}) if lang not in languages)]
    return [(format_header(name, lang=lang), (value or {}).get(lang)) for lang in langs]


def _row_sheet(ws: Any, sheet: Sheet, items: list[dict[str, Any]], inst: Instrument, problems: list[Problem]) -> None:
    outs = _columns(sheet, items, inst)
    for index, (header, _, _, _) in enumerate(outs, start=1):
        _write(ws, 1, index, header, None, problems)
    for number, item in enumerate(items, start=2):
        for index, (header, column, code, lang) in enumerate(outs, start=1):
            value = item.get(column.key)
            if column.kind == "coded":
                value = (value or {}).get(code)
            value = _pick(value, lang) if column.kind in ("text", "coded") else _cell_value(column, value)
            path = (sheet.name, number - 2, header)
            _write(ws, number, index, value, path, problems, text=column.kind not in _NUMERIC)
    _finish(ws, [(header, column.kind in ("text", "coded")) for header, column, _, _ in outs])


_NUMERIC = ("int", "float", "bool")


def _columns(sheet: Sheet, items: list[dict[str, Any]], inst: Instrument) -> list[_Out]:
    outs: list[_Out] = []
    for column in sheet.columns:
        if column.kind == "text":
            outs += _text_columns(column, None, [item.get(column.key) for item in items], inst.languages)
        elif column.kind == "coded":
            codes: list[str] = []
            if column.key == "anchors" and "presence" in inst.scales:
                codes += [level.code for level in inst.scales["presence"]]
            for item in items:
                codes += [code for code in item.get(column.key) or {} if code not in codes]
            for code in codes:
                texts = [(item.get(column.key) or {}).get(code) for item in items]
                outs += _text_columns(column, code, texts, inst.languages)
        else:
            outs.append((column.name, column, None, None))
    return outs


def _text_columns(column: Column, code: str | None, texts: list[Any], languages: tuple[str, ...]) -> list[_Out]:
    """A plain column if any text is a plain string; one per language if any is a map, or if none is given."""
    outs: list[_Out] = []
    if any(isinstance(text, str) for text in texts):
        outs.append((format_header(column.name, code=code), column, code, None))
    maps = [text for text in texts if isinstance(text, dict)]
    if maps or all(text is None for text in texts):
        langs = [*languages, *(lang for text in maps for lang in text if lang not in languages)]
        outs += [
            (format_header(column.name, code=code, lang=lang), column, code, lang) for lang in dict.fromkeys(langs)
        ]
    return outs


def _pick(text: Any, lang: str | None) -> str | None:
    if lang is None:
        return text if isinstance(text, str) else None
    return text.get(lang) if isinstance(text, dict) else None


def _cell_value(column: Column, value: Any) -> Any:
    if column.kind == "yaml":  # JSON is YAML: one line, read back exactly
        return json.dumps(value, ensure_ascii=False) if value else None
    if column.kind in ("list", "codes"):
        return LIST_SEPARATOR.join(value) if value else None
    if isinstance(value, float) and float(f"{value:.15g}") != value:
        return repr(value)  # spreadsheets keep 15 digits; as text the number reads back exactly
    return value


def _write(
    ws: Any, row: int, column: int, value: Any, path: PathT | None, problems: list[Problem], *, text: bool = True
) -> None:
    cell = ws.cell(row=row, column=column)
    if text:
        cell.number_format = "@"
    if value is None:
        return
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        problems.append(
            Problem(
                Code.XLSX,
                "a control character that xlsx cannot hold; remove it from the text",
                Location(None, path=path or ()),
            )
        )
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # a string starting with '=' is text, not a formula


def _finish(ws: Any, columns: list[tuple[str, bool]]) -> None:
    ws.freeze_panes = "A2"
    for index, (header, wrap) in enumerate(columns, start=1):
        ws.cell(row=1, column=index).font = _BOLD
        width = len(header)
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            if cell.value is not None:
                width = max(width, max(len(line) for line in str(cell.value).splitlines() or [""]))
            cell.alignment = _WRAP if wrap else _TOP
        ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def _accepted(instrument: Instrument) -> list[dict[str, Any]]:
    """The lint warnings accepted, whichever form the section uses (the workbook has one form)."""
    return [item.model_dump(mode="json") for item in acceptances(instrument.lint)]


def _check_round_trip(instrument: Instrument, data: bytes) -> None:
    name = instrument.source or "<instrument>"
    expected = {**instrument.model_dump(exclude={"lint"}), "lint": _accepted(instrument)}
    try:
        built = build_instrument(read_sheets(data, name=name), name=name)
        read_back = Instrument.model_validate(built.data)
        actual = {**read_back.model_dump(exclude={"lint"}), "lint": _accepted(read_back)}
    except (InstrumentError, ValidationError) as exc:
        raise InstrumentError(
            Problem(Code.XLSX, f"the workbook would not read back as this instrument: {exc}", Location(name))
        ) from exc
    where = _first_difference(expected, actual, ())
    if where is not None:
        raise InstrumentError(
            Problem(
                Code.XLSX,
                f"a workbook cannot hold {format_path(where) or 'the instrument'} exactly "
                "(empty texts, carriage returns, list items with commas or spaces around them); "
                "change it in the YAML file",
                Location(name, path=where),
            )
        )


def _first_difference(a: Any, b: Any, path: PathT) -> PathT | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b:
                return (*path, key)
            found = _first_difference(a[key], b[key], (*path, key))
            if found is not None:
                return found
        return None
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        for n, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _first_difference(x, y, (*path, n))
            if found is not None:
                return found
        return None if len(a) == len(b) else (*path, min(len(a), len(b)))
    return None if a == b else path
