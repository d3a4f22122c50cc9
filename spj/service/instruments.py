"""The instruments a workspace offers: loaded once from folders, looked up by (id, version).

Folders, in order (the first copy of an (id, version) wins): `./instruments`,
the instruments shipped with spj, then any extra folders given. A file that
does not load is skipped and its problems kept in `InstrumentRegistry.problems`
(an administrator sees them; the workspace still starts).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from spj.errors import InstrumentError, Problem
from spj.instrument import Instrument, load_instrument
from spj.instrument.discovery import candidate_files, shipped_instruments_dir
from spj.store.interface import NotFoundError


def default_folders(extra: Iterable[str | Path] = ()) -> list[Path]:
    """`./instruments`, the shipped instruments, then `extra`."""
    shipped = shipped_instruments_dir()
    return [Path("instruments"), *([shipped] if shipped else []), *(Path(p) for p in extra)]


class InstrumentRegistry:
    """Loaded instruments by (id, version); immutable after construction and safe to share between threads.

    >>> registry = InstrumentRegistry.from_folders()  # doctest: +SKIP
    >>> registry.get("disengagement-trajectory", "1.0.0").title  # doctest: +SKIP
    """

    def __init__(self, instruments: Iterable[Instrument] = (), *, problems: Iterable[Problem] = ()) -> None:
        self._by_key: dict[tuple[str, str], Instrument] = {}
        for instrument in instruments:
            self._by_key.setdefault((instrument.id, instrument.version), instrument)
        self.problems: list[Problem] = list(problems)

    @classmethod
    def from_folders(cls, folders: Iterable[str | Path] | None = None) -> InstrumentRegistry:
        """Load every instrument file (`format: spj/1`) under `folders` (default: `default_folders()`)."""
        paths = [Path(f) for f in folders] if folders is not None else default_folders()
        seen: set[Path] = set()
        loaded: list[Instrument] = []
        problems: list[Problem] = []
        for path in candidate_files(paths):
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                loaded.append(load_instrument(path))
            except InstrumentError as exc:
                problems.extend(exc.problems)
        return cls(loaded, problems=problems)

    def list(self) -> list[Instrument]:
        """Every instrument, by id then version."""
        return [self._by_key[key] for key in sorted(self._by_key)]

    def get(self, instrument_id: str, version: str) -> Instrument:
        """The instrument with this id and version; `NotFoundError` when there is none."""
        try:
            return self._by_key[(instrument_id, version)]
        except KeyError:
            raise NotFoundError(f"instrument {instrument_id} {version}") from None

    def __len__(self) -> int:
        return len(self._by_key)
