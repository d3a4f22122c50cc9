"""Open a workbook safely and read its sheets as rows of plain values.

A workbook is a zip of XML written by someone else: the file size, the
uncompressed size of its members and their number are checked before
openpyxl sees it (a zip bomb stops here), and openpyxl only reads values
(`read_only=True`, `data_only=True`: formulas are never evaluated).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]

from spj.errors import Code, InstrumentError, Location, Problem
from spj.files.yamlsource import read_bytes

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000

Row = tuple[Any, ...]


def read_file(path: str | Path) -> bytes:
    """The bytes of a workbook file, refusing one over `MAX_FILE_BYTES`."""
    return read_bytes(path, error=InstrumentError, max_bytes=MAX_FILE_BYTES, what="workbook")


def read_sheets(data: bytes, *, name: str) -> dict[str, list[Row]]:
    """Every worksheet's rows (values only, trailing empty rows dropped), by sheet name."""
    _check_zip(data, name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a malformed file; all mean the same to the user
        raise _unreadable(name, exc) from exc
    try:
        return {sheet.title: _rows(sheet, name) for sheet in book.worksheets}
    except InstrumentError:
        raise
    except Exception as exc:  # read-only sheets parse lazily, so a broken sheet fails here
        raise _unreadable(name, exc) from exc
    finally:
        book.close()


def _check_zip(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InstrumentError(
            Problem(Code.XLSX, "not an xlsx workbook (not a zip archive); save the file as .xlsx", Location(name))
        ) from exc
    if len(members) > MAX_MEMBERS:
        raise InstrumentError(
            Problem(Code.XLSX, f"workbook has more than {MAX_MEMBERS} parts; refusing to open it", Location(name))
        )
    # zipfile stops decompressing each member at its declared size, so the declared total bounds the work.
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InstrumentError(
            Problem(
                Code.XLSX,
                f"workbook unpacks to more than {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MiB; refusing to open it",
                Location(name),
            )
        )
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise InstrumentError(
            Problem(Code.XLSX, "not an xlsx workbook (no xl/workbook.xml); save the file as .xlsx", Location(name))
        )


def _rows(sheet: Any, name: str) -> list[Row]:
    rows: list[Row] = []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise InstrumentError(
                Problem(Code.XLSX, f"sheet has more than {MAX_ROWS} rows", Location(f"{name}[{sheet.title}]"))
            )
        rows.append(tuple(row[:MAX_COLUMNS]))
    while rows and all(value is None for value in rows[-1]):
        rows.pop()
    return rows


def _unreadable(name: str, exc: Exception) -> InstrumentError:
    return InstrumentError(
        Problem(
            Code.XLSX,
            f"cannot read the workbook ({type(exc).__name__}: {exc}); "
            "open it in a spreadsheet program and save it again",
            Location(name),
        )
    )
