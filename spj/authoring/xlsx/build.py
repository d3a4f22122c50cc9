"""Turn a workbook's rows into an instrument mapping, remembering where each value came from.

The mapping is what the YAML file will hold; `Spot`s map its document paths
(`("indicators", 3, "title", "nl")`) back to sheet, row and column, so that
problems found later by the instrument loader point into the workbook.
Problems found here (unknown columns, bad numbers, missing sheets) are
collected and raised together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from spj.authoring.xlsx.cells import CellError, as_bool, as_float, as_int, as_list, as_string, as_yaml, is_blank
from spj.authoring.xlsx.layout import (
    INSTRUMENT_KEYS,
    INSTRUMENT_SHEET,
    SHEET_NAMES,
    SHEETS,
    Column,
    Header,
    Sheet,
    parse_header,
)
from spj.authoring.xlsx.reader import Row
from spj.errors import Code, InstrumentError, Location, Problem, did_you_mean
from spj.files.yamlsource import PathT
from spj.instrument.lint_model import LintAcceptance
from spj.instrument.migration_model import Migration
from spj.instrument.model import (
    CaseField,
    Domain,
    Indicator,
    Instrument,
    Intervention,
    Judgement,
    RecordField,
    Rule,
    ScaleLevel,
)


class Quoted(str):
    """A code: written to YAML in double quotes, so `N`, `Y` and `1` stay strings to every reader."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a value is in the workbook; `header` names its column."""

    sheet: str
    row: int | None = None
    column: int | None = None
    header: str | None = None


@dataclass
class Built:
    """The instrument mapping and the workbook spot of each document path."""

    data: dict[str, Any]
    spots: dict[PathT, Spot] = field(default_factory=dict)

    def locate(self, path: PathT) -> Spot | None:
        """The spot of `path` or of its nearest ancestor with one."""
        for end in range(len(path), 0, -1):
            spot = self.spots.get(tuple(path[:end]))
            if spot is not None:
                return spot
        return None


_MODELS: dict[str, type[BaseModel]] = {
    "scales": ScaleLevel,
    "domains": Domain,
    "indicators": Indicator,
    "case_fields": CaseField,
    "background": RecordField,
    "scenario_fields": RecordField,
    "rules": Rule,
    "interventions": Intervention,
    "judgements": Judgement,
    "lint.accept": LintAcceptance,
    "migrations": Migration,
}

_SETTINGS: dict[str, Column] = {c.name: c for c in INSTRUMENT_KEYS}
"""The instrument sheet's keys by name."""

_READERS: dict[str, Callable[[object], Any]] = {
    "string": as_string,
    "code": lambda value: Quoted(as_string(value)),
    "int": as_int,
    "float": as_float,
    "bool": as_bool,
    "list": as_list,
    "codes": lambda value: [Quoted(item) for item in as_list(value)],
    "yaml": as_yaml,
}


def build_instrument(sheets: dict[str, list[Row]], *, name: str) -> Built:
    """The instrument mapping of a workbook's sheets; `InstrumentError` lists every problem."""
    builder = _Builder(name)
    builder.check_sheet_names(sheets)
    if INSTRUMENT_SHEET in sheets:
        builder.instrument_sheet(sheets[INSTRUMENT_SHEET])
    for sheet in SHEETS:
        if sheet.name in sheets:
            builder.row_sheet(sheet, sheets[sheet.name])
    if builder.problems:
        raise InstrumentError(builder.problems)
    order = list(Instrument.model_fields)
    data = {key: builder.data[key] for key in sorted(builder.data, key=order.index)}
    return Built(data, builder.spots)


class _Text:
    """The cells of one text: a plain string, or one string per language."""

    def __init__(self) -> None:
        self.plain: tuple[str, Spot] | None = None
        self.langs: dict[str, tuple[str, Spot]] = {}

    def add(self, lang: str | None, value: str, spot: Spot) -> None:
        if lang is None:
            self.plain = (value, spot)
        else:
            self.langs[lang] = (value, spot)


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.data: dict[str, Any] = {}
        self.spots: dict[PathT, Spot] = {}
        self.problems: list[Problem] = []

    def problem(self, message: str, spot: Spot, path: PathT = ()) -> None:
        if spot.header is not None:
            message = f"column {spot.header!r}: {message}"
        self.problems.append(Problem(Code.XLSX, message, Location(self.where(spot.sheet), spot.row, spot.column, path)))

    def where(self, sheet: str) -> str:
        return f"{self.name}[{sheet}]"

    def check_sheet_names(self, sheets: dict[str, list[Row]]) -> None:
        for sheet in sheets:
            if sheet not in SHEET_NAMES:
                self.problems.append(
                    Problem(
                        Code.XLSX,
                        f"unknown sheet {sheet!r}"
                        + did_you_mean(sheet, SHEET_NAMES)
                        + f"; sheets are {list(SHEET_NAMES)}",
                        Location(self.where(sheet)),
                    )
                )
        required = [INSTRUMENT_SHEET, *(s.name for s in SHEETS if s.required)]
        for sheet in required:
            if sheet not in sheets:
                self.problems.append(
                    Problem(Code.XLSX, f"missing sheet {sheet!r}; add it (see `spj xlsx export`)", Location(self.name))
                )

    def instrument_sheet(self, rows: list[Row]) -> None:
        sheet = INSTRUMENT_SHEET
        header = [_header_text(v) for v in (rows[0] if rows else ())]
        if header[:2] != ["key", "value"]:
            self.problem("the first row must be the headers 'key' and 'value'", Spot(sheet, 1, 1))
            return
        texts: dict[str, _Text] = {}
        seen: dict[str, int] = {}
        for number, row in enumerate(rows[1:], start=2):
            setting = self.setting(number, row, seen)
            if setting is not None:
                self.setting_value(*setting, texts)
        for key, text in texts.items():
            self.put_text(self.data, (key,), key, text)
        for column in INSTRUMENT_KEYS:
            if column.required and column.key not in self.data:
                self.problem(f"missing key {column.name!r}: add a row for it", Spot(sheet))

    def setting(self, number: int, row: Row, seen: dict[str, int]) -> tuple[Column, Header, object, Spot] | None:
        """The setting row `number` of the instrument sheet gives, with its value; None when it gives none."""
        sheet = INSTRUMENT_SHEET
        cells = [*row, None, None]
        key_cell, value = cells[0], cells[1]
        for extra, cell in enumerate(cells[2:], start=3):
            if not is_blank(cell):
                self.problem("only the columns 'key' and 'value' are read; move this value", Spot(sheet, number, extra))
        if is_blank(key_cell):
            if not is_blank(value):
                self.problem("a value without a key", Spot(sheet, number, 1))
            return None
        key = _header_text(key_cell)
        head = parse_header(key)
        column = _SETTINGS.get(head.field)
        if column is None or head.code is not None or (head.lang is not None and column.kind != "text"):
            self.problem(f"unknown key {key!r}" + did_you_mean(key, _key_names()), Spot(sheet, number, 1))
            return None
        if key in seen:
            self.problem(f"key {key!r} is given twice (first in row {seen[key]})", Spot(sheet, number, 1))
            return None
        seen[key] = number
        return None if is_blank(value) else (column, head, value, Spot(sheet, number, 2, key))

    def setting_value(self, column: Column, head: Header, value: object, spot: Spot, texts: dict[str, _Text]) -> None:
        """Put one setting's value in the instrument (a text waits in `texts` for its other languages)."""
        path: PathT = ("omission", "max_omitted_ratio") if column.key == "max_omitted_ratio" else (column.key,)
        if column.kind == "text":
            try:
                texts.setdefault(column.key, _Text()).add(head.lang, as_string(value), spot)
            except CellError as exc:
                self.problem(str(exc), spot, path)
            return
        converted = self.convert(column, value, spot, path)
        if converted is None:
            return
        self.spots[path] = spot
        if column.key == "max_omitted_ratio":
            self.spots[("omission",)] = spot
            self.data["omission"] = {"max_omitted_ratio": converted}
        else:
            self.data[column.key] = converted

    def row_sheet(self, sheet: Sheet, rows: list[Row]) -> None:
        if not rows:
            if sheet.required:
                self.problem("the sheet is empty; its first row must name the columns", Spot(sheet.name, 1))
            return
        columns = self.header(sheet, rows[0])
        if columns is None:
            return
        part: Any = {} if sheet.part == "scales" else []
        counts: dict[str, int] = {}
        for number, row in enumerate(rows[1:], start=2):
            if all(is_blank(v) for v in row):
                continue
            self.row(sheet, columns, number, row, part, counts)
        if part:
            *parents, last = sheet.path
            target = self.data
            for key in parents:
                target = target.setdefault(key, {})
            target[last] = part
            self.spots[sheet.path] = Spot(sheet.name)

    def header(self, sheet: Sheet, row: Row) -> dict[int, tuple[Column, Header, str]] | None:
        columns: dict[int, tuple[Column, Header, str]] = {}
        seen: dict[str, int] = {}
        ok = True
        names = [c.name for c in sheet.columns]
        for number, cell in enumerate(row, start=1):
            if is_blank(cell):
                continue
            text = _header_text(cell)
            head = parse_header(text)
            column = sheet.column(head.field)
            spot = Spot(sheet.name, 1, number)
            if column is None:
                self.problem(
                    f"unknown column {text!r}" + did_you_mean(head.field, names) + f"; columns are {names}", spot
                )
                ok = False
            elif column.kind == "coded" and head.code is None:
                self.problem(f"column {text!r} needs a code: {column.name}:CODE or {column.name}:CODE::LANG", spot)
                ok = False
            elif column.kind != "coded" and head.code is not None:
                self.problem(f"unknown column {text!r}: {column.name!r} takes no code after ':'", spot)
                ok = False
            elif column.kind not in ("text", "coded") and head.lang is not None:
                self.problem(f"column {text!r}: {column.name!r} is not a text, it has no languages", spot)
                ok = False
            elif text in seen:
                self.problem(f"column {text!r} appears twice (first in column {seen[text]})", spot)
                ok = False
            else:
                seen[text] = number
                columns[number] = (column, head, text)
        present = {column.name for column, _, _ in columns.values()}
        for column in sheet.columns:
            if column.required and column.name not in present and ok:
                self.problem(f"missing column {column.name!r}", Spot(sheet.name, 1))
                ok = False
        return columns if ok else None

    def row(
        self,
        sheet: Sheet,
        columns: dict[int, tuple[Column, Header, str]],
        number: int,
        row: Row,
        part: Any,
        counts: dict[str, int],
    ) -> None:
        item: dict[str, Any] = {}
        spots: dict[PathT, Spot] = {}
        texts: dict[tuple[str, str | None], _Text] = {}
        for index, value in enumerate(row, start=1):
            if is_blank(value):
                continue
            if index not in columns:
                self.problem(
                    "a value in a column without a header; name the column or clear it", Spot(sheet.name, number, index)
                )
                continue
            column, head, text = columns[index]
            spot = Spot(sheet.name, number, index, text)
            if column.kind in ("text", "coded"):
                try:
                    texts.setdefault((column.key, head.code), _Text()).add(head.lang, as_string(value), spot)
                except CellError as exc:
                    self.problem(str(exc), spot)
                continue
            converted = self.convert(column, value, spot, ())
            if converted is not None:
                item[column.key] = converted
                spots[(column.key,)] = spot
        if sheet.part == "scales":
            scale = item.pop("scale", None)
            if scale is None:
                self.problem("which scale? fill in the column 'scale'", Spot(sheet.name, number, None))
                return
            prefix: PathT = ("scales", scale, len(part.setdefault(scale, [])))
            self.spots.setdefault(("scales", scale), Spot(sheet.name, number))
            items: list[Any] = part[scale]
        else:
            prefix = (*sheet.path, counts.get(sheet.part, 0))
            counts[sheet.part] = counts.get(sheet.part, 0) + 1
            items = part
        self.spots[prefix] = Spot(sheet.name, number)
        self.spots.update({(*prefix, *path): spot for path, spot in spots.items()})
        for (key, code), cells in texts.items():
            if code is None:
                self.put_text(item, (*prefix, key), key, cells)
            else:
                self.put_text(item.setdefault(key, {}), (*prefix, key, code), Quoted(code), cells)
                first = self.spots.get((*prefix, key, code))
                if first is not None:
                    self.spots.setdefault((*prefix, key), first)
        order = list(_MODELS[sheet.part].model_fields)
        items.append(
            {key: item[key] for key in sorted(item, key=lambda k: order.index(k) if k in order else len(order))}
        )

    def convert(self, column: Column, value: object, spot: Spot, path: PathT) -> Any:
        try:
            converted = _READERS[column.kind](value)
        except CellError as exc:
            self.problem(str(exc), spot, path)
            return None
        return None if converted == [] else converted

    def put_text(self, target: dict[str, Any], path: PathT, key: str, text: _Text) -> None:
        if text.plain is not None and text.langs:
            spot = text.plain[1]
            self.problem(
                "a text is either one plain string or one string per language, not both; clear one of them",
                spot,
                path,
            )
            return
        if text.plain is not None:
            target[key] = text.plain[0]
            self.spots[path] = text.plain[1]
            return
        target[key] = {lang: value for lang, (value, _) in text.langs.items()}
        self.spots[path] = next(iter(text.langs.values()))[1]
        for lang, (_, spot) in text.langs.items():
            self.spots[(*path, lang)] = spot


def _header_text(cell: object) -> str:
    try:
        return as_string(cell).strip()
    except CellError:
        return repr(cell)


def _key_names() -> list[str]:
    return [c.name for c in INSTRUMENT_KEYS]
