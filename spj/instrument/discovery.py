"""Find the instrument an assessment names, among instrument folders."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from spj.errors import AssessmentError, Code, InstrumentError, Location, Problem
from spj.files.yamlsource import parse_yaml, read_text
from spj.instrument import Instrument, load_instrument


def shipped_instruments_dir() -> Path | None:
    """The instruments shipped with spj (installed package data, or the source tree)."""
    here = Path(__file__).resolve().parent.parent  # spj/
    for candidate in (here / "_data" / "instruments", here.parent / "instruments"):
        if candidate.is_dir():
            return candidate
    return None


def candidate_files(folders: Iterable[Path]) -> list[Path]:
    """YAML files under `folders` that declare `format: spj/1` near their top."""
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.yaml")):
            try:
                with open(path, encoding="utf-8") as handle:
                    head = handle.read(2048)
            except (OSError, UnicodeDecodeError):
                continue
            if "spj/1" in head and "format:" in head:
                found.append(path)
    return found


def find_instrument(
    instrument_id: str, version: str, *, folders: Iterable[Path] | None = None, where: Location | None = None
) -> Instrument:
    """Load the instrument with this id and version from `folders`.

    By default: `./instruments` and the instruments shipped with spj.
    """
    if folders is None:
        shipped = shipped_instruments_dir()
        folders = [Path("instruments"), *([shipped] if shipped else [])]
    folders = list(folders)
    for path in candidate_files(folders):
        try:
            doc = parse_yaml(read_text(path, error=InstrumentError), file=str(path), error=InstrumentError)
        except InstrumentError:
            continue
        data = doc.data if isinstance(doc.data, dict) else {}
        if data.get("id") == instrument_id and str(data.get("version")) == version:
            return load_instrument(path)
    searched = ", ".join(str(f) for f in folders) or "nowhere"
    raise AssessmentError(
        Problem(
            Code.INSTRUMENT_NOT_FOUND,
            f"instrument {instrument_id} {version} not found in {searched}; pass it with --instrument FILE",
            where or Location(),
        )
    )


def instrument_ref(path: str | Path) -> tuple[str, str, Location]:
    """The (id, version, location) an assessment file names; `AssessmentError` if it names none."""
    doc = parse_yaml(read_text(path, error=AssessmentError), file=str(path), error=AssessmentError)
    ref = doc.data.get("instrument") if isinstance(doc.data, dict) else None
    if isinstance(ref, dict) and isinstance(ref.get("id"), str) and ref.get("version") is not None:
        return ref["id"], str(ref["version"]), doc.locate(("instrument",))
    raise AssessmentError(
        doc.problem(
            Code.SCHEMA, "the assessment does not name its instrument (instrument: {id, version})", ("instrument",)
        )
    )
